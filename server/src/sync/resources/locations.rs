//! Locations: a tree whose Procore `name` is the full path ("A>B>C"). Creates go through
//! `find_or_create_by_path`, which is idempotent by itself.

use app::sync::entries::path_parts;
use app::sync::{Fields, Resource};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

use super::{field, id_of, seconds, text, updated_since, Adapter, Cx};
use crate::error::ServerResult;
use crate::sync::plan::{Remote, RemoteSide};

pub(super) struct Locations;

fn remote(v: &Value) -> ServerResult<Remote> {
    let parts = path_parts(&text(v, "name"));
    let mut fields = Fields::new();
    fields.insert("path".into(), parts.join(" > "));
    Ok(Remote {
        id: id_of(v)?,
        key: app::sync::entries::key_of(Resource::Locations, &fields),
        fields,
        updated_at: seconds(v, "updated_at"),
    })
}

#[async_trait]
impl Adapter for Locations {
    async fn list(&self, cx: &Cx, since: Option<i64>) -> ServerResult<RemoteSide> {
        let mut path = format!(
            "/rest/v1.0/projects/{}/locations?sort=name",
            cx.project.get()
        );
        if let Some(since) = since {
            path = format!("{path}&{}", updated_since(since));
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
        let body = json!({"location": {"path": path_parts(field(fields, "path"))}});
        let path = format!(
            "/rest/v1.0/projects/{}/locations/find_or_create_by_path",
            cx.project.get()
        );
        remote(&cx.write(Method::POST, path, Some(body)).await?)
    }

    async fn update(&self, cx: &Cx, id: i64, fields: &Fields) -> ServerResult<Remote> {
        let project = cx.project.get();
        let wanted = path_parts(field(fields, "path"));
        let current = cx
            .get(format!("/rest/v1.0/projects/{project}/locations/{id}"))
            .await?;
        let now = path_parts(&text(&current, "name"));
        if now.len() == wanted.len() && now[..now.len() - 1] == wanted[..wanted.len() - 1] {
            // A rename in place keeps the node, its id and its sub-locations.
            let body = json!({"location": {"node_name": wanted[wanted.len() - 1]}});
            let path = format!("/rest/v1.0/projects/{project}/locations/{id}");
            return remote(&cx.write(Method::PATCH, path, Some(body)).await?);
        }
        // Moved: the new path is found or created, then the old node goes.
        let created = self.create(cx, "", fields).await?;
        if created.id != id {
            self.delete(cx, id).await?;
        }
        Ok(created)
    }

    async fn delete(&self, cx: &Cx, id: i64) -> ServerResult<()> {
        cx.delete(format!(
            "/rest/v1.1/projects/{}/locations/{id}",
            cx.project.get()
        ))
        .await
    }
}
