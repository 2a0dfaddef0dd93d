//! Companies: Procore's project vendors. The project list has no `updated_at` filter, so an
//! incremental run reads the company list (which has one, and each vendor's `project_ids`):
//! a changed vendor on the project is a change, one no longer on it is gone. Creates look up
//! our `origin_id`, then the name, before making a new vendor.

use app::sync::{Fields, Resource};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

use super::{enc, field, id_of, seconds, text, updated_since, Adapter, Cx};
use crate::error::ServerResult;
use crate::sync::plan::{Remote, RemoteSide};

pub(super) struct Companies;

const FIELDS: [&str; 5] = [
    "name",
    "abbreviated_name",
    "trade_name",
    "business_phone",
    "email_address",
];

fn remote(v: &Value) -> ServerResult<Remote> {
    let mut fields = Fields::new();
    for name in FIELDS {
        fields.insert(name.into(), text(v, name));
    }
    let email = fields["email_address"].to_lowercase();
    fields.insert("email_address".into(), email);
    Ok(Remote {
        id: id_of(v)?,
        key: app::sync::entries::key_of(Resource::Companies, &fields),
        fields,
        updated_at: seconds(v, "updated_at"),
    })
}

fn body(fields: &Fields, origin: Option<&str>) -> Value {
    let mut vendor = serde_json::Map::new();
    for name in FIELDS {
        vendor.insert(name.into(), json!(field(fields, name)));
    }
    if let Some(origin) = origin {
        vendor.insert("origin_id".into(), json!(origin));
    }
    json!({ "vendor": vendor })
}

fn on_project(v: &Value, project: i64) -> bool {
    v.get("project_ids")
        .and_then(Value::as_array)
        .is_some_and(|ids| ids.iter().any(|id| id.as_i64() == Some(project)))
}

impl Companies {
    /// The company vendor we made for `local` before, or one with the same name.
    async fn find(&self, cx: &Cx, local: &str, name: &str) -> ServerResult<Option<Value>> {
        let company = cx.company.get();
        let by_origin = cx
            .list(format!(
                "/rest/v1.0/vendors?company_id={company}&filters[origin_id]={}",
                enc(&origin(local))
            ))
            .await?;
        if let Some(found) = by_origin.into_iter().next() {
            return Ok(Some(found));
        }
        let by_name = cx
            .list(format!(
                "/rest/v1.0/vendors?company_id={company}&filters[search]={}",
                enc(name)
            ))
            .await?;
        Ok(by_name
            .into_iter()
            .find(|v| text(v, "name").eq_ignore_ascii_case(name)))
    }
}

fn origin(local: &str) -> String {
    format!("smartapp-{local}")
}

#[async_trait]
impl Adapter for Companies {
    async fn list(&self, cx: &Cx, since: Option<i64>) -> ServerResult<RemoteSide> {
        let (company, project) = (cx.company.get(), cx.project.get());
        let Some(since) = since else {
            let all = cx
                .list(format!("/rest/v1.0/projects/{project}/vendors"))
                .await?;
            let records = all.iter().map(remote).collect::<ServerResult<_>>()?;
            return Ok(RemoteSide {
                records,
                full: true,
                gone: vec![],
            });
        };
        let changed = cx
            .list(format!(
                "/rest/v1.0/vendors?company_id={company}&{}",
                updated_since(since)
            ))
            .await?;
        let mut side = RemoteSide::default();
        for v in &changed {
            if on_project(v, project) {
                side.records.push(remote(v)?);
            } else {
                side.gone.push(id_of(v)?);
            }
        }
        Ok(side)
    }

    async fn create(&self, cx: &Cx, local: &str, fields: &Fields) -> ServerResult<Remote> {
        let project = cx.project.get();
        if let Some(found) = self.find(cx, local, field(fields, "name")).await? {
            let id = id_of(&found)?;
            if !on_project(&found, project) {
                let add = format!("/rest/v1.0/projects/{project}/vendors/{id}/actions/add");
                cx.write(Method::POST, add, None).await?;
            }
            return self.update(cx, id, fields).await;
        }
        let path = format!("/rest/v1.0/projects/{project}/vendors");
        remote(
            &cx.write(Method::POST, path, Some(body(fields, Some(&origin(local)))))
                .await?,
        )
    }

    async fn update(&self, cx: &Cx, id: i64, fields: &Fields) -> ServerResult<Remote> {
        let path = format!("/rest/v1.0/projects/{}/vendors/{id}", cx.project.get());
        remote(
            &cx.write(Method::PATCH, path, Some(body(fields, None)))
                .await?,
        )
    }

    async fn delete(&self, cx: &Cx, id: i64) -> ServerResult<()> {
        cx.delete(format!(
            "/rest/v1.0/projects/{}/vendors/{id}/actions/remove",
            cx.project.get()
        ))
        .await
    }
}
