//! Users: the project team. Creating one also creates the company-directory person, so we
//! look them up by email first and add an existing person to the project instead; removing
//! one is `actions/remove` (they stay in the company directory).

use app::sync::{Fields, Resource};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

use super::{enc, field, id_of, seconds, text, updated_since, Adapter, Cx};
use crate::error::{ServerError, ServerResult};
use crate::procore::ProcoreError;
use crate::sync::plan::{Remote, RemoteSide};

pub(super) struct Users;

fn remote(v: &Value) -> ServerResult<Remote> {
    let mut fields = Fields::new();
    fields.insert(
        "email_address".into(),
        text(v, "email_address").to_lowercase(),
    );
    for name in ["first_name", "last_name", "job_title"] {
        fields.insert(name.into(), text(v, name));
    }
    let company = v
        .get("vendor")
        .map(|vendor| text(vendor, "name"))
        .unwrap_or_default();
    fields.insert("company".into(), company);
    Ok(Remote {
        id: id_of(v)?,
        key: app::sync::entries::key_of(Resource::Users, &fields),
        fields,
        updated_at: seconds(v, "updated_at"),
    })
}

impl Users {
    /// The body of a create or update; the company is sent when it is a linked vendor.
    async fn body(&self, cx: &Cx, fields: &Fields, create: bool) -> ServerResult<Value> {
        let mut user = serde_json::Map::new();
        for name in ["first_name", "last_name", "job_title"] {
            user.insert(name.into(), json!(field(fields, name)));
        }
        if create {
            user.insert(
                "email_address".into(),
                json!(field(fields, "email_address")),
            );
        }
        let company = field(fields, "company");
        if !company.is_empty() {
            if let Some(vendor) = cx
                .db
                .linked_id(cx.company, cx.project, Resource::Companies, company)
                .await?
            {
                user.insert("vendor_id".into(), json!(vendor));
            }
        }
        Ok(json!({ "user": user }))
    }

    /// The company-directory person with this email.
    async fn find(&self, cx: &Cx, email: &str) -> ServerResult<Option<Value>> {
        let found = cx
            .list(format!(
                "/rest/v1.3/companies/{}/users?filters[search]={}",
                cx.company.get(),
                enc(email)
            ))
            .await?;
        Ok(found
            .into_iter()
            .find(|u| text(u, "email_address").eq_ignore_ascii_case(email)))
    }

    async fn add_existing(&self, cx: &Cx, person: &Value, fields: &Fields) -> ServerResult<Remote> {
        let id = id_of(person)?;
        let add = format!(
            "/rest/v1.0/projects/{}/users/{id}/actions/add",
            cx.project.get()
        );
        cx.write(Method::POST, add, None).await?;
        self.update(cx, id, fields).await
    }
}

#[async_trait]
impl Adapter for Users {
    async fn list(&self, cx: &Cx, since: Option<i64>) -> ServerResult<RemoteSide> {
        let mut path = format!("/rest/v1.0/projects/{}/users", cx.project.get());
        if let Some(since) = since {
            path = format!("{path}?{}", updated_since(since));
        }
        let records = cx
            .list(path)
            .await?
            .iter()
            .map(remote)
            .collect::<ServerResult<_>>()?;
        Ok(RemoteSide {
            records,
            full: since.is_none(),
            gone: vec![],
        })
    }

    async fn create(&self, cx: &Cx, _local: &str, fields: &Fields) -> ServerResult<Remote> {
        let email = field(fields, "email_address");
        if let Some(person) = self.find(cx, email).await? {
            return self.add_existing(cx, &person, fields).await;
        }
        let path = format!("/rest/v1.0/projects/{}/users", cx.project.get());
        let body = self.body(cx, fields, true).await?;
        match cx.write(Method::POST, path, Some(body)).await {
            Ok(created) => remote(&created),
            // Created meanwhile (or by our own attempt that timed out): add that person.
            Err(ServerError::Procore(ProcoreError::Rejected {
                status: 422,
                message,
            })) => match self.find(cx, email).await? {
                Some(person) => self.add_existing(cx, &person, fields).await,
                None => Err(ProcoreError::Rejected {
                    status: 422,
                    message,
                }
                .into()),
            },
            Err(other) => Err(other),
        }
    }

    async fn update(&self, cx: &Cx, id: i64, fields: &Fields) -> ServerResult<Remote> {
        let path = format!("/rest/v1.0/projects/{}/users/{id}", cx.project.get());
        let body = self.body(cx, fields, false).await?;
        remote(&cx.write(Method::PATCH, path, Some(body)).await?)
    }

    async fn delete(&self, cx: &Cx, id: i64) -> ServerResult<()> {
        cx.delete(format!(
            "/rest/v1.0/projects/{}/users/{id}/actions/remove",
            cx.project.get()
        ))
        .await
    }
}
