//! The SQL of subscriptions after checkout: each licensed project's terms (what it holds,
//! what renews, in which interval), the mirror of Stripe's subscriptions, and the history
//! of changes. Every read that serves a person is scoped by the caller's company.

use app::ids::{CompanyId, ProjectId};
use app::licensing::{BillingInterval, ProjectLicense};
use app::subscriptions::Terms;

use crate::db::{now, Db};
use crate::error::{ServerError, ServerResult};
use crate::stripe::subscriptions::SubState;

/// A licensed project with its terms, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectTerms {
    /// Company.
    pub company: CompanyId,
    /// Procore project.
    pub project: ProjectId,
    /// Name at purchase time.
    pub name: String,
    /// Holds now, renews, interval, switch.
    pub terms: Terms,
    /// Stripe's status of its subscription.
    pub status: String,
    /// `sub_…`.
    pub subscription: Option<String>,
    /// The project's own licence ended (UTC).
    pub ended_at: Option<i64>,
    /// Moving to the other interval failed to charge (UTC).
    pub move_failed_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    company_id: i64,
    procore_project_id: i64,
    name: String,
    planner: i64,
    planner_board: i64,
    safety: i64,
    safety_badge: i64,
    renew_planner: i64,
    renew_planner_board: i64,
    renew_safety: i64,
    renew_safety_badge: i64,
    billing_interval: String,
    renew_interval: Option<String>,
    status: String,
    stripe_subscription_id: Option<String>,
    ended_at: Option<i64>,
    move_failed_at: Option<i64>,
}

pub(super) const COLUMNS: &str = "company_id, procore_project_id, name, planner, planner_board, safety, safety_badge, renew_planner, renew_planner_board, renew_safety, renew_safety_badge, billing_interval, renew_interval, status, stripe_subscription_id, ended_at, move_failed_at";

fn interval(value: &str) -> ServerResult<BillingInterval> {
    value
        .parse()
        .map_err(|e| ServerError::Corrupt(format!("billing interval: {e}")))
}

impl TryFrom<Row> for ProjectTerms {
    type Error = ServerError;

    fn try_from(r: Row) -> Result<Self, Self::Error> {
        let license = |p: i64, pb: i64, s: i64, sb: i64| ProjectLicense {
            planner: p == 1,
            planner_board: pb == 1,
            safety: s == 1,
            safety_badge: sb == 1,
        };
        Ok(Self {
            company: CompanyId(r.company_id),
            project: ProjectId(r.procore_project_id),
            name: r.name,
            terms: Terms {
                current: license(r.planner, r.planner_board, r.safety, r.safety_badge),
                renewing: license(
                    r.renew_planner,
                    r.renew_planner_board,
                    r.renew_safety,
                    r.renew_safety_badge,
                ),
                interval: interval(&r.billing_interval)?,
                switching_to: r.renew_interval.as_deref().map(interval).transpose()?,
            },
            status: r.status,
            subscription: r.stripe_subscription_id,
            ended_at: r.ended_at,
            move_failed_at: r.move_failed_at,
        })
    }
}

/// A change recorded in a project's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    /// Our id (also the Stripe idempotency key's root).
    pub id: String,
    /// Company.
    pub company: CompanyId,
    /// Project.
    pub project: ProjectId,
    /// Who asked (None: Stripe, a job).
    pub user: Option<i64>,
    /// Their name, or "Stripe" / "Reconciliation".
    pub actor: String,
    /// addition, removal, end, undo, switch, purchase, renewal, repair …
    pub action: String,
    /// What happened, in words.
    pub detail: String,
    /// JSON of the terms to apply when a pending change is paid.
    pub target: Option<String>,
    /// applied, pending, failed.
    pub status: String,
    /// `sub_…`.
    pub subscription: Option<String>,
    /// `in_…`.
    pub invoice: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct ChangeRow {
    pub id: String,
    pub project_id: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub target: Option<String>,
    pub status: String,
    pub stripe_subscription_id: Option<String>,
    pub stripe_invoice_id: Option<String>,
    pub created_at: i64,
}

/// Writes a project's terms (and, when given, its subscription and status).
pub(super) async fn write_terms<'e, E>(
    exec: E,
    company: CompanyId,
    project: ProjectId,
    t: &Terms,
    period_end: i64,
) -> Result<u64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let c = t.current;
    let r = t.renewing;
    let done = sqlx::query(
        "UPDATE licensed_projects SET planner = $3, planner_board = $4, safety = $5, safety_badge = $6,
         renew_planner = $7, renew_planner_board = $8, renew_safety = $9, renew_safety_badge = $10,
         billing_interval = $11, renew_interval = $12, updated_at = $13,
         renew_at = CASE WHEN $12 IS NULL THEN NULL ELSE COALESCE(renew_at, $14) END
         WHERE company_id = $1 AND procore_project_id = $2",
    )
    .bind(company.get())
    .bind(project.get())
    .bind(i64::from(c.planner))
    .bind(i64::from(c.planner && c.planner_board))
    .bind(i64::from(c.safety))
    .bind(i64::from(c.safety && c.safety_badge))
    .bind(i64::from(r.planner))
    .bind(i64::from(r.planner && r.planner_board))
    .bind(i64::from(r.safety))
    .bind(i64::from(r.safety && r.safety_badge))
    .bind(t.interval.as_str())
    .bind(t.switching_to.map(|i| i.as_str().to_string()))
    .bind(now())
    .bind(period_end)
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}

/// Licenses a project on a subscription (a purchase into an existing subscription): a new
/// row, or a cancelled one licensed again.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn upsert_licence<'e, E>(
    exec: E,
    company: CompanyId,
    project: ProjectId,
    name: &str,
    license: &ProjectLicense,
    interval: BillingInterval,
    sub: &SubState,
    change_id: &str,
) -> Result<u64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let l = license;
    let flags = [
        l.planner,
        l.planner && l.planner_board,
        l.safety,
        l.safety && l.safety_badge,
    ]
    .map(i64::from);
    let done = sqlx::query(
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
         WHERE licensed_projects.status IN ('canceled', 'incomplete_expired') OR licensed_projects.ended_at IS NOT NULL",
    )
    .bind(company.get())
    .bind(project.get())
    .bind(name.to_string())
    .bind(flags[0])
    .bind(flags[1])
    .bind(flags[2])
    .bind(flags[3])
    .bind(interval.as_str())
    .bind(sub.status.clone())
    .bind(change_id.to_string())
    .bind(sub.id.clone())
    .bind(now())
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}

/// Records a change in the history.
pub(crate) async fn record<'e, E>(exec: E, c: &ChangeRecord) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let at = now();
    sqlx::query(
        "INSERT INTO licence_changes (id, company_id, project_id, user_id, actor, action, detail, target, status,
         stripe_subscription_id, stripe_invoice_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, detail = excluded.detail,
         stripe_invoice_id = excluded.stripe_invoice_id, updated_at = excluded.updated_at",
    )
    .bind(c.id.clone())
    .bind(c.company.get())
    .bind(c.project.get())
    .bind(c.user)
    .bind(c.actor.clone())
    .bind(c.action.clone())
    .bind(c.detail.clone())
    .bind(c.target.clone())
    .bind(c.status.clone())
    .bind(c.subscription.clone())
    .bind(c.invoice.clone())
    .bind(at)
    .execute(exec)
    .await?;
    Ok(())
}

impl Db {
    /// One licensed project of the company (None: not licensed here, or another company's).
    pub async fn project_terms(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<Option<ProjectTerms>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM licensed_projects WHERE company_id = $1 AND procore_project_id = $2"
        );
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(company.get())
            .bind(project.get())
            .fetch_optional(self.pool())
            .await?;
        row.map(ProjectTerms::try_from).transpose()
    }

    /// Every project billed on a subscription (any company: Stripe's id is unique).
    pub async fn subscription_projects(&self, sub: &str) -> ServerResult<Vec<ProjectTerms>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM licensed_projects WHERE stripe_subscription_id = $1 ORDER BY procore_project_id"
        );
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(sub.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(ProjectTerms::try_from).collect()
    }

    /// Every licensed project of the company (all standings), by name.
    pub async fn company_terms(&self, company: CompanyId) -> ServerResult<Vec<ProjectTerms>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM licensed_projects WHERE company_id = $1 ORDER BY name, procore_project_id"
        );
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(company.get())
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(ProjectTerms::try_from).collect()
    }

    /// Keeps Stripe's view of a subscription; returns the period end stored before (None
    /// when it was not known).
    pub async fn mirror_subscription(
        &self,
        company: CompanyId,
        s: &SubState,
    ) -> ServerResult<Option<i64>> {
        let before: Option<(i64,)> =
            sqlx::query_as("SELECT current_period_end FROM billing_subscriptions WHERE id = $1")
                .bind(s.id.clone())
                .fetch_optional(self.pool())
                .await?;
        sqlx::query(
            "INSERT INTO billing_subscriptions (id, company_id, billing_interval, status, cancel_at_period_end,
             current_period_end, trial_end, stripe_created, synced_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status,
             cancel_at_period_end = excluded.cancel_at_period_end,
             current_period_end = excluded.current_period_end, trial_end = excluded.trial_end,
             synced_at = excluded.synced_at",
        )
        .bind(s.id.clone())
        .bind(company.get())
        .bind(s.interval.unwrap_or(BillingInterval::Monthly).as_str())
        .bind(s.status.clone())
        .bind(i64::from(s.cancel_at_period_end))
        .bind(s.period_end)
        .bind(s.trial_end)
        .bind(s.created)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(before.map(|b| b.0))
    }

    /// The mirrored subscriptions of a company: (id, interval, status, cancel flag, period
    /// end, trial end), newest first.
    pub async fn company_subscriptions(
        &self,
        company: CompanyId,
    ) -> ServerResult<Vec<(String, String, String, bool, i64, Option<i64>)>> {
        let rows: Vec<(String, String, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, billing_interval, status, cancel_at_period_end, current_period_end, trial_end
             FROM billing_subscriptions WHERE company_id = $1 ORDER BY stripe_created DESC, id DESC",
        )
        .bind(company.get())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, i, s, c, p, t)| (id, i, s, c == 1, p, t))
            .collect())
    }

    /// The company's Stripe customer and the company of a Stripe customer.
    pub async fn company_of_customer(&self, customer: &str) -> ServerResult<Option<CompanyId>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT company_id FROM billing_customers WHERE stripe_customer_id = $1",
        )
        .bind(customer.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| CompanyId(r.0)))
    }

    /// Stripe's view of one subscription as mirrored: (status, cancel at period end, period
    /// end, trial end).
    pub async fn subscription_mirror(
        &self,
        id: &str,
    ) -> ServerResult<Option<(String, bool, i64, Option<i64>)>> {
        let row: Option<(String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT status, cancel_at_period_end, current_period_end, trial_end FROM billing_subscriptions WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(s, c, p, t)| (s, c == 1, p, t)))
    }

    /// A project's history, newest first.
    pub(super) async fn history(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<Vec<ChangeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, project_id, actor, action, detail, target, status, stripe_subscription_id, stripe_invoice_id, created_at
             FROM licence_changes WHERE company_id = $1 AND project_id = $2 ORDER BY created_at DESC, id DESC LIMIT 200",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_all(self.pool())
        .await?)
    }

    /// Changes waiting for an invoice's payment.
    pub(super) async fn changes_pending_on(&self, invoice: &str) -> ServerResult<Vec<ChangeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, project_id, actor, action, detail, target, status, stripe_subscription_id, stripe_invoice_id, created_at
             FROM licence_changes WHERE stripe_invoice_id = $1 AND status = 'pending'",
        )
        .bind(invoice.to_string())
        .fetch_all(self.pool())
        .await?)
    }

    /// Every pending change (for reconciliation).
    pub(super) async fn pending_changes(&self) -> ServerResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT stripe_invoice_id, company_id FROM licence_changes
             WHERE status = 'pending' AND stripe_invoice_id IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks the pending changes of an invoice as `status` (applied / failed).
    pub(super) async fn settle_changes<'e, E>(
        exec: E,
        invoice: &str,
        status: &str,
    ) -> Result<u64, sqlx::Error>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let done = sqlx::query(
            "UPDATE licence_changes SET status = $2, updated_at = $3 WHERE stripe_invoice_id = $1 AND status = 'pending'",
        )
        .bind(invoice.to_string())
        .bind(status.to_string())
        .bind(now())
        .execute(exec)
        .await?;
        Ok(done.rows_affected())
    }
}
