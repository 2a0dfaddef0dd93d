//! Deleting a company's data at an admin's request: refused while a subscription is live;
//! otherwise every company-scoped row goes in one transaction (most tables cascade from
//! `companies`), a confirmation is recorded, and the caller's session leaves the company.

use app::error::AppError;
use app::ports::{Caller, Privacy};
use app::privacy::DeletionReceipt;
use async_trait::async_trait;

use crate::db::{now, Db};
use crate::error::ServerResult;

/// Tables with a `company_id` but no cascade from `companies`.
const LOOSE_TABLES: [&str; 5] = [
    "project_reservations",
    "user_projects",
    "user_project_syncs",
    "project_sync_resources",
    "embedded_sign_in_codes",
];

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
        for table in LOOSE_TABLES {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE company_id = $1"
            )))
            .bind(caller.company.get())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM companies WHERE id = $1")
            .bind(caller.company.get())
            .execute(&mut *tx)
            .await?;
        let receipt = DeletionReceipt {
            reference: uuid::Uuid::new_v4().simple().to_string()[..10].to_string(),
            company_name: company_name.to_string(),
            deleted_at: now(),
        };
        sqlx::query("INSERT INTO data_deletions (id, company_id, company_name, requested_by, deleted_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(receipt.reference.clone())
            .bind(caller.company.get())
            .bind(company_name.to_string())
            .bind(caller.user.get())
            .bind(receipt.deleted_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::warn!(company = %caller.company, user = %caller.user, reference = receipt.reference, "company data deleted at an admin's request");
        Ok(receipt)
    }
}

#[async_trait]
impl Privacy for PrivacyService {
    async fn delete_company(
        &self,
        caller: &Caller,
        confirm_name: &str,
    ) -> Result<DeletionReceipt, AppError> {
        if !caller.is_admin {
            return Err(AppError::Forbidden(
                "Only a company admin can delete the company's data.".into(),
            ));
        }
        let name: Option<(String,)> = sqlx::query_as("SELECT name FROM companies WHERE id = $1")
            .bind(caller.company.get())
            .fetch_optional(self.db.pool())
            .await
            .map_err(crate::error::ServerError::from)?;
        let Some((name,)) = name else {
            return Err(AppError::NotFound("This company has no data here.".into()));
        };
        if confirm_name.trim() != name {
            return Err(AppError::Invalid(format!(
                "Type the company name exactly as shown ({name}) to confirm."
            )));
        }
        let (live,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM billing_subscriptions WHERE company_id = $1 AND status IN ('active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'paused')",
        )
        .bind(caller.company.get())
        .fetch_one(self.db.pool())
        .await
        .map_err(crate::error::ServerError::from)?;
        if live > 0 {
            return Err(AppError::Conflict(format!(
                "{live} subscription(s) of this company are still live: end them first (Manage Subscription → End subscription on each project), then ask again once they have ended."
            )));
        }
        Ok(self.delete(caller, &name).await?)
    }
}
