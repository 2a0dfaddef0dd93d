//! Deleting a company's data at an admin's request. With no live subscription every
//! company-scoped row goes at once in one transaction (most tables cascade from
//! `companies`), a confirmation is recorded, and the caller's session leaves the company.
//! When every live subscription is set to end, the deletion is scheduled for the latest
//! period end instead ([`schedule`]) and the periodic job carries it out on that day through
//! the same delete path; while one renews, deletion is refused and says why.

pub mod schedule;

use app::error::AppError;
use app::ports::{Caller, Privacy};
use app::privacy::{DeletionReceipt, DeletionStanding, DeletionStatus};
use async_trait::async_trait;

use crate::db::{now, Db};
use crate::error::{ServerError, ServerResult};

/// Tables with a `company_id` but no cascade from `companies`: the delete path deletes
/// their rows by name. A test (`server/tests/api/privacy/tables.rs`) fails when a table
/// with a `company_id` neither cascades from `companies` nor is listed here or in
/// [`KEPT_TABLES`].
pub const LOOSE_TABLES: [&str; 6] = [
    "project_reservations",
    "user_projects",
    "user_project_syncs",
    "project_sync_resources",
    "embedded_sign_in_codes",
    "company_role_catalogue",
];

/// Tables with a `company_id` whose rows outlive the company's deletion on purpose: the
/// deletion receipt (reference, company name, who asked, when), kept as the record that the
/// data was deleted.
pub const KEPT_TABLES: [&str; 1] = ["data_deletions"];

/// Who asked for a deletion and, for a scheduled one, when it was scheduled.
pub(crate) struct Request {
    pub company: i64,
    pub company_name: String,
    pub requested_by: i64,
    pub scheduled_at: Option<i64>,
}

/// The one delete path: every row of the company in `tx`, then the receipt.
pub(crate) async fn delete_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request: &Request,
) -> Result<DeletionReceipt, sqlx::Error> {
    for table in LOOSE_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE company_id = $1"
        )))
        .bind(request.company)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM companies WHERE id = $1")
        .bind(request.company)
        .execute(&mut **tx)
        .await?;
    let receipt = DeletionReceipt {
        reference: uuid::Uuid::new_v4().simple().to_string()[..10].to_string(),
        company_name: request.company_name.clone(),
        deleted_at: now(),
    };
    sqlx::query("INSERT INTO data_deletions (id, company_id, company_name, requested_by, deleted_at, scheduled_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(receipt.reference.clone())
        .bind(request.company)
        .bind(request.company_name.clone())
        .bind(request.requested_by)
        .bind(receipt.deleted_at)
        .bind(request.scheduled_at)
        .execute(&mut **tx)
        .await?;
    Ok(receipt)
}

/// The service.
pub struct PrivacyService {
    db: Db,
}

impl PrivacyService {
    /// A service on `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn delete(&self, caller: &Caller, company_name: &str) -> ServerResult<DeletionReceipt> {
        let mut tx = self.db.pool().begin().await?;
        let receipt = delete_rows(
            &mut tx,
            &Request {
                company: caller.company.get(),
                company_name: company_name.to_string(),
                requested_by: caller.user.get(),
                scheduled_at: None,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(company = %caller.company, user = %caller.user, reference = receipt.reference, "company data deleted at an admin's request");
        Ok(receipt)
    }

    /// The company's name, for an admin (others are refused).
    async fn admin_company_name(&self, caller: &Caller) -> Result<String, AppError> {
        if !caller.is_admin {
            return Err(AppError::Forbidden(
                "Only a company admin can delete the company's data.".into(),
            ));
        }
        let name: Option<(String,)> = sqlx::query_as("SELECT name FROM companies WHERE id = $1")
            .bind(caller.company.get())
            .fetch_optional(self.db.pool())
            .await
            .map_err(ServerError::from)?;
        name.map(|(n,)| n)
            .ok_or_else(|| AppError::NotFound("This company has no data here.".into()))
    }

    /// [`Self::admin_company_name`], checked against what the admin typed.
    async fn confirmed_name(&self, caller: &Caller, typed: &str) -> Result<String, AppError> {
        let name = self.admin_company_name(caller).await?;
        if typed.trim() != name {
            return Err(AppError::Invalid(format!(
                "Type the company name exactly as shown ({name}) to confirm."
            )));
        }
        Ok(name)
    }

    async fn status_of(&self, caller: &Caller, name: String) -> Result<DeletionStatus, AppError> {
        Ok(schedule::status(&self.db, caller.company.get(), name)
            .await
            .map_err(ServerError::from)?)
    }
}

/// The refusal while `renewing` subscriptions renew.
fn renewing_refusal(renewing: u32) -> AppError {
    AppError::Conflict(format!(
        "{renewing} subscription(s) of this company still renew: end them first (Manage Subscription → End subscription on each project), then schedule the deletion for the day the last one ends."
    ))
}

#[async_trait]
impl Privacy for PrivacyService {
    async fn delete_company(
        &self,
        caller: &Caller,
        confirm_name: &str,
    ) -> Result<DeletionReceipt, AppError> {
        let name = self.confirmed_name(caller, confirm_name).await?;
        let live = schedule::live_subscriptions(&self.db, caller.company.get())
            .await
            .map_err(ServerError::from)?;
        if !live.is_empty() {
            let renewing = schedule::renewing(&live);
            return Err(if renewing > 0 {
                renewing_refusal(renewing)
            } else {
                AppError::Conflict(format!(
                    "Every subscription of this company is set to end, the last on {}: schedule the deletion for that day instead (Schedule deletion), so that nobody pays for projects whose data is gone.",
                    app::subscriptions::date(schedule::latest_end(&live))
                ))
            });
        }
        Ok(self.delete(caller, &name).await?)
    }

    async fn status(&self, caller: &Caller) -> Result<DeletionStatus, AppError> {
        let name = self.admin_company_name(caller).await?;
        self.status_of(caller, name).await
    }

    async fn schedule(
        &self,
        caller: &Caller,
        confirm_name: &str,
    ) -> Result<DeletionStatus, AppError> {
        let name = self.confirmed_name(caller, confirm_name).await?;
        let status = self.status_of(caller, name.clone()).await?;
        match status.standing {
            DeletionStanding::CanSchedule { due_at } => {
                schedule::store(&self.db, caller, due_at)
                    .await
                    .map_err(ServerError::from)?;
                tracing::warn!(company = %caller.company, user = %caller.user, due_at, "company data deletion scheduled");
                self.status_of(caller, name).await
            }
            DeletionStanding::Scheduled { .. } => Ok(status),
            DeletionStanding::Refused { renewing } => Err(renewing_refusal(renewing)),
            DeletionStanding::Immediate => Err(AppError::Conflict(
                "This company has no live subscription: nothing to wait for, so the data is deleted at once (Delete all data).".into(),
            )),
        }
    }

    async fn cancel_schedule(&self, caller: &Caller) -> Result<DeletionStatus, AppError> {
        let name = self.admin_company_name(caller).await?;
        let cancelled = schedule::cancel(&self.db, caller)
            .await
            .map_err(ServerError::from)?;
        if !cancelled {
            return Err(AppError::Conflict(
                "No deletion is scheduled for this company.".into(),
            ));
        }
        tracing::warn!(company = %caller.company, user = %caller.user, "scheduled company data deletion cancelled");
        self.status_of(caller, name).await
    }
}
