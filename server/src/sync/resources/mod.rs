//! One adapter per resource: how its Procore records are listed (all, or what changed
//! since the last run), mapped to our fields, and written (looking up before creating, so a
//! retried or resumed create never makes a second record).

mod companies;
mod locations;
mod roles;
mod users;

use std::sync::Arc;

use app::ids::{CompanyId, ProjectId, UserId};
use app::sync::{Fields, Resource};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::plan::{Remote, RemoteSide};
use crate::db::Db;
use crate::error::ServerResult;
use crate::procore::{ProcoreAccess, ProcoreError};

/// What an adapter works with.
#[derive(Clone)]
pub struct Cx {
    /// Procore, as the run's user.
    pub procore: Arc<ProcoreAccess>,
    /// Our database (lookups of linked records).
    pub db: Db,
    /// Whose connection.
    pub user: UserId,
    /// Company.
    pub company: CompanyId,
    /// Project.
    pub project: ProjectId,
}

impl Cx {
    /// Every page of a list.
    pub async fn list(&self, path_and_query: String) -> ServerResult<Vec<Value>> {
        let company = self.company.get();
        self.procore
            .as_user_in_background(self.user, |client, token| {
                let path = path_and_query.clone();
                async move { client.list_all(&token, company, &path).await }
            })
            .await
    }

    /// One record.
    pub async fn get(&self, path: String) -> ServerResult<Value> {
        let company = self.company.get();
        self.procore
            .as_user_in_background(self.user, |client, token| {
                let path = path.clone();
                async move { client.get_json(&token, company, &path).await }
            })
            .await
    }

    /// A write.
    pub async fn write(
        &self,
        method: Method,
        path: String,
        body: Option<Value>,
    ) -> ServerResult<Value> {
        let company = self.company.get();
        self.procore
            .as_user_in_background(self.user, |client, token| {
                let (path, body, method) = (path.clone(), body.clone(), method.clone());
                async move {
                    client
                        .write_json(method, &token, company, &path, body.as_ref())
                        .await
                }
            })
            .await
    }

    /// A delete or removal that counts as done when Procore no longer has it (404).
    pub async fn delete(&self, path: String) -> ServerResult<()> {
        match self.write(Method::DELETE, path, None).await {
            Ok(_) => Ok(()),
            Err(crate::error::ServerError::Procore(ProcoreError::NotFound)) => Ok(()),
            Err(other) => Err(other),
        }
    }
}

/// One resource's Procore side.
#[async_trait]
pub trait Adapter: Send + Sync {
    /// Procore's records: all of them (`since` None), or those changed since.
    async fn list(&self, cx: &Cx, since: Option<i64>) -> ServerResult<RemoteSide>;
    /// Creates (or finds and adds) the record for our entry `local`.
    async fn create(&self, cx: &Cx, local: &str, fields: &Fields) -> ServerResult<Remote>;
    /// Sends our fields to record `id`.
    async fn update(&self, cx: &Cx, id: i64, fields: &Fields) -> ServerResult<Remote>;
    /// Deletes record `id` or removes it from the project.
    async fn delete(&self, cx: &Cx, id: i64) -> ServerResult<()>;
    /// Always lists everything (no way to ask Procore what changed).
    fn always_full(&self) -> bool {
        false
    }
}

/// The adapter of a resource.
pub fn adapter(resource: Resource) -> Box<dyn Adapter> {
    match resource {
        Resource::Locations => Box::new(locations::Locations),
        Resource::Companies => Box::new(companies::Companies),
        Resource::Users => Box::new(users::Users),
        Resource::Roles => Box::new(roles::Roles),
    }
}

/// How far before the last run's start an incremental run looks again, in case Procore's
/// clock is behind ours (both ends of the filter are inclusive, so a record written in the
/// same second as the last run started is seen either way).
pub const OVERLAP_SECS: i64 = 15;

/// `filters[updated_at]=SINCE...` (ISO-8601), [`OVERLAP_SECS`] early.
pub fn updated_since(since: i64) -> String {
    let from = iso(since - OVERLAP_SECS);
    let to = iso(crate::db::now() + 3600);
    format!("filters[updated_at]={from}...{to}")
}

/// Unix seconds as ISO-8601 UTC.
pub fn iso(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A record's timestamp field as unix seconds (0 when absent or unreadable).
pub fn seconds(value: &Value, field: &str) -> i64 {
    value
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .map(|t| t.unix_timestamp())
        .unwrap_or(0)
}

/// A record's id.
pub fn id_of(value: &Value) -> ServerResult<i64> {
    value
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ProcoreError::Decode("a record without an id".into()).into())
}

/// A string field ("" when absent or null).
pub fn text(value: &Value, field: &str) -> String {
    value
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A field of ours ("" when absent).
pub fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.get(name).map(String::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_and_write_as_iso_utc() {
        let v = serde_json::json!({"updated_at": "2026-11-30T05:17:00Z"});
        let at = seconds(&v, "updated_at");
        assert_eq!(iso(at), "2026-11-30T05:17:00Z");
        assert_eq!(seconds(&v, "created_at"), 0);
        assert!(updated_since(at).starts_with("filters[updated_at]=2026-11-30T05:16:45Z..."));
    }
}
