//! Roles: who holds which named company role on the project (Procore's project roles).
//! No `updated_at` filter exists, so every run lists them all and diffs (one call for a
//! normal project); roles are only created and deleted.

use std::collections::HashMap;

use app::error::AppError;
use app::sync::{Fields, Resource};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

use super::{enc, field, id_of, seconds, text, Adapter, Cx};
use crate::error::{ServerError, ServerResult};
use crate::procore::ProcoreError;
use crate::sync::plan::{Remote, RemoteSide};

pub(super) struct Roles;

fn remote(v: &Value, email: &str) -> ServerResult<Remote> {
    let mut fields = Fields::new();
    fields.insert("role".into(), text(v, "role"));
    fields.insert("email_address".into(), email.to_lowercase());
    Ok(Remote {
        id: id_of(v)?,
        key: app::sync::entries::key_of(Resource::Roles, &fields),
        fields,
        updated_at: seconds(v, "created_at"),
    })
}

impl Roles {
    async fn all(&self, cx: &Cx) -> ServerResult<Vec<Value>> {
        cx.list(format!(
            "/rest/v1.0/project_roles?project_id={}",
            cx.project.get()
        ))
        .await
    }

    /// Keeps the company's role catalogue for the Roles form (see `sync::choices`); a
    /// refusal keeps the last one and the run goes on.
    async fn keep_catalogue(&self, cx: &Cx) -> ServerResult<()> {
        let path = format!("/rest/v1.0/companies/{}/roles", cx.company.get());
        match cx.list(path).await {
            Ok(found) => {
                let names: Vec<String> = found.iter().map(|r| text(r, "name")).collect();
                let at = time::OffsetDateTime::now_utc().unix_timestamp();
                cx.db.replace_role_catalogue(cx.company, &names, at).await
            }
            Err(ServerError::Procore(error)) => {
                tracing::warn!(%error, company = %cx.company, "could not read the role catalogue; keeping the last one");
                Ok(())
            }
            Err(other) => Err(other),
        }
    }

    /// The Procore id of the project member with `email`.
    async fn user_id(&self, cx: &Cx, email: &str) -> ServerResult<i64> {
        if let Some(id) = cx
            .db
            .linked_id(cx.company, cx.project, Resource::Users, email)
            .await?
        {
            return Ok(id);
        }
        let found = cx
            .list(format!(
                "/rest/v1.0/projects/{}/users?filters[search]={}",
                cx.project.get(),
                enc(email)
            ))
            .await?;
        match found
            .iter()
            .find(|u| text(u, "email_address").eq_ignore_ascii_case(email))
        {
            Some(user) => id_of(user),
            None => Err(AppError::Invalid(format!(
                "{email} is not on the Procore project: add them under Users and sync Users first."
            ))
            .into()),
        }
    }
}

#[async_trait]
impl Adapter for Roles {
    async fn list(&self, cx: &Cx, _since: Option<i64>) -> ServerResult<RemoteSide> {
        self.keep_catalogue(cx).await?;
        let mut emails: HashMap<i64, String> = cx
            .db
            .linked_emails(cx.company, cx.project)
            .await?
            .into_iter()
            .collect();
        let mut records = Vec::new();
        for v in self.all(cx).await? {
            let Some(user) = v.get("user_id").and_then(Value::as_i64) else {
                continue;
            };
            let email = match emails.get(&user) {
                Some(email) => email.clone(),
                None => {
                    let path = format!("/rest/v1.0/projects/{}/users/{user}", cx.project.get());
                    match cx.get(path).await {
                        Ok(person) => {
                            let email = text(&person, "email_address");
                            emails.insert(user, email.clone());
                            email
                        }
                        // Not visible to us: not a role we can show or manage.
                        Err(ServerError::Procore(ProcoreError::NotFound)) => continue,
                        Err(other) => return Err(other),
                    }
                }
            };
            records.push(remote(&v, &email)?);
        }
        Ok(RemoteSide {
            records,
            full: true,
            gone: vec![],
        })
    }

    async fn create(&self, cx: &Cx, _local: &str, fields: &Fields) -> ServerResult<Remote> {
        let (role, email) = (field(fields, "role"), field(fields, "email_address"));
        let user = self.user_id(cx, email).await?;
        let body = json!({"project_id": cx.project.get(), "project_role": {"role": role, "user_id": user}});
        match cx
            .write(Method::POST, "/rest/v1.0/project_roles".into(), Some(body))
            .await
        {
            Ok(created) => remote(&created, email),
            // Already held (e.g. our earlier attempt went through): use that one.
            Err(ServerError::Procore(ProcoreError::Rejected {
                status: 409,
                message,
            })) => {
                let existing = self.all(cx).await?.into_iter().find(|v| {
                    v.get("user_id").and_then(Value::as_i64) == Some(user)
                        && text(v, "role").eq_ignore_ascii_case(role)
                });
                match existing {
                    Some(v) => remote(&v, email),
                    None => Err(ProcoreError::Rejected {
                        status: 409,
                        message,
                    }
                    .into()),
                }
            }
            Err(other) => Err(other),
        }
    }

    async fn update(&self, cx: &Cx, id: i64, fields: &Fields) -> ServerResult<Remote> {
        let created = self.create(cx, "", fields).await?;
        if created.id != id {
            self.delete(cx, id).await?;
        }
        Ok(created)
    }

    async fn delete(&self, cx: &Cx, id: i64) -> ServerResult<()> {
        cx.delete(format!(
            "/rest/v1.0/project_roles/{id}?project_id={}",
            cx.project.get()
        ))
        .await
    }

    fn always_full(&self) -> bool {
        true
    }
}
