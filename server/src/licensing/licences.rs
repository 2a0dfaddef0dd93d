//! Licensed projects: which project holds which modules, under which subscription, and
//! their SQL. A project counts as licensed only while its subscription is live.

use app::ids::{CompanyId, ProjectId};
use app::licensing::{BillingInterval, LicensedProjects, ProjectLicense};
use sqlx::AssertSqlSafe;

use super::orders::Order;
use super::status::{held_statuses_sql, OrderStatus, SubscriptionStatus};
use crate::db::{now, Db};
use crate::error::{ServerError, ServerResult};

/// A licensed project as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    /// The Procore project.
    pub project: ProjectId,
    /// The Procore project's name at purchase time.
    pub name: String,
    /// Modules and add-ons.
    pub modules: ProjectLicense,
    /// Monthly or yearly.
    pub interval: BillingInterval,
    /// The subscription's status.
    pub status: SubscriptionStatus,
}

/// A project a paid order licenses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLicence {
    /// The Procore project.
    pub project: ProjectId,
    /// Its name.
    pub name: String,
    /// Modules and add-ons bought.
    pub modules: ProjectLicense,
}

#[derive(sqlx::FromRow)]
struct LicenceRow {
    procore_project_id: i64,
    name: String,
    planner: i64,
    planner_board: i64,
    safety: i64,
    safety_badge: i64,
    billing_interval: String,
    status: String,
}

impl TryFrom<LicenceRow> for Licence {
    type Error = ServerError;

    fn try_from(row: LicenceRow) -> Result<Self, Self::Error> {
        let corrupt = |e: &dyn std::fmt::Display| {
            ServerError::Corrupt(format!(
                "licence of project {}: {e}",
                row.procore_project_id
            ))
        };
        Ok(Self {
            project: ProjectId(row.procore_project_id),
            modules: ProjectLicense {
                planner: row.planner == 1,
                planner_board: row.planner_board == 1,
                safety: row.safety == 1,
                safety_badge: row.safety_badge == 1,
            },
            interval: row.billing_interval.parse().map_err(|e| corrupt(&e))?,
            status: row.status.parse().map_err(|e| corrupt(&e))?,
            name: row.name,
        })
    }
}

/// The held licences (live, or waiting for payment), keyed by project, as the wizard's
/// rules take them: such a project cannot be bought again.
pub fn live(licences: &[Licence]) -> LicensedProjects {
    licences
        .iter()
        .filter(|l| l.status.is_held())
        .map(|l| (l.project.get(), l.modules))
        .collect()
}

impl Db {
    /// Every licensed project of the company (live or not), by name.
    pub async fn licences(&self, company: CompanyId) -> ServerResult<Vec<Licence>> {
        let rows: Vec<LicenceRow> = sqlx::query_as(
            "SELECT procore_project_id, name, planner, planner_board, safety, safety_badge, billing_interval, status
             FROM licensed_projects WHERE company_id = $1 ORDER BY name, procore_project_id",
        )
        .bind(company.get())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Licence::try_from).collect()
    }

    /// Turns a paid order into licensed projects, once: a second call changes nothing.
    pub async fn fulfil_order(
        &self,
        order: &Order,
        subscription_id: &str,
        customer_id: Option<&str>,
        status: SubscriptionStatus,
        projects: &[NewLicence],
    ) -> Result<bool, sqlx::Error> {
        let at = now();
        let mut tx = self.pool().begin().await?;
        let claimed = sqlx::query(
            "UPDATE orders SET status = $5, stripe_subscription_id = $2, stripe_customer_id = $3, updated_at = $4
             WHERE id = $1 AND status = $6",
        )
        .bind(order.id.clone())
        .bind(subscription_id.to_string())
        .bind(customer_id.map(str::to_string))
        .bind(at)
        .bind(OrderStatus::Paid.as_str())
        .bind(OrderStatus::Pending.as_str())
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(false);
        }
        let upsert = format!(
            "INSERT INTO licensed_projects (company_id, procore_project_id, name, planner, planner_board, safety,
             safety_badge, renew_planner, renew_planner_board, renew_safety, renew_safety_badge, billing_interval,
             status, order_id, stripe_subscription_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
             ON CONFLICT (company_id, procore_project_id) DO UPDATE SET name = excluded.name,
             planner = excluded.planner, planner_board = excluded.planner_board, safety = excluded.safety,
             safety_badge = excluded.safety_badge, renew_planner = excluded.planner,
             renew_planner_board = excluded.planner_board, renew_safety = excluded.safety,
             renew_safety_badge = excluded.safety_badge, billing_interval = excluded.billing_interval,
             status = excluded.status, order_id = excluded.order_id,
             stripe_subscription_id = excluded.stripe_subscription_id, renew_interval = NULL, renew_at = NULL,
             ended_at = NULL, move_failed_at = NULL, updated_at = excluded.updated_at
             WHERE licensed_projects.status NOT IN ({}) OR licensed_projects.ended_at IS NOT NULL",
            held_statuses_sql()
        );
        let mut overlapping = 0;
        for licence in projects {
            let m = licence.modules;
            let written = sqlx::query(AssertSqlSafe(upsert.clone()))
                .bind(order.company.get())
                .bind(licence.project.get())
                .bind(licence.name.clone())
                .bind(i64::from(m.planner))
                .bind(i64::from(m.planner_board))
                .bind(i64::from(m.safety))
                .bind(i64::from(m.safety_badge))
                .bind(order.interval.as_str())
                .bind(status.as_str())
                .bind(order.id.clone())
                .bind(subscription_id.to_string())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            if written.rows_affected() == 0 {
                // Licensed meanwhile by another paid order (two checkouts open at once): this
                // order paid for it twice. Keep the first licence; flag for a refund.
                tracing::error!(order = order.id, project = %licence.project, "project already licensed by another paid order: refund due");
                overlapping += 1;
            }
        }
        sqlx::query("DELETE FROM project_reservations WHERE order_id = $1")
            .bind(order.id.clone())
            .execute(&mut *tx)
            .await?;
        if overlapping > 0 {
            sqlx::query("UPDATE orders SET status = $2 WHERE id = $1")
                .bind(order.id.clone())
                .bind(OrderStatus::PaidOverlap.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
