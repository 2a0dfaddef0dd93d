//! Switching interval at the period end: a project that asked for the other interval
//! moves to the company's newest live subscription of that interval (its quantities
//! raised and the prorated amount charged to the card on file), or to a new subscription
//! created with the card on file. A declined card leaves the project Inactive: payment
//! pending until a later attempt (hourly reconciliation, Re-check with Stripe) succeeds.

use app::ids::CompanyId;
use app::licensing::BillingInterval;
use app::subscriptions::Terms;

use super::quantities::{desired, Quantities};
use super::store::{record, ProjectTerms};
use super::SubscriptionService;
use crate::db::now;
use crate::error::ServerResult;
use crate::stripe::subscriptions::{Billing, SubState};
use crate::stripe::BillingError;

impl SubscriptionService {
    /// Moves every project of the company whose switch is due.
    pub async fn move_due(&self, company: CompanyId) -> ServerResult<u32> {
        let due: Vec<ProjectTerms> = self
            .db
            .company_terms(company)
            .await?
            .into_iter()
            .filter(|p| p.ended_at.is_none() && p.terms.switching_to.is_some())
            .collect();
        let mut moved = 0;
        for p in due {
            let renew_at = self.renew_at(&p).await?;
            // Due once Stripe's period has rolled past the one the switch was asked in (or
            // the subscription ended): Stripe's clock decides, not ours.
            let mirror = match &p.subscription {
                Some(id) => self.db.subscription_mirror(id).await?,
                None => None,
            };
            let rolled = match (&mirror, renew_at) {
                (Some((status, _, end, _)), Some(at)) => *end > at || status == "canceled",
                (_, at) => at.is_none_or(|at| at <= now()),
            };
            if !rolled {
                continue;
            }
            let Some(to) = p.terms.switching_to else {
                continue;
            };
            let done = self
                .one_at_a_time(company, || self.move_project(&p, to, renew_at.unwrap_or(0)))
                .await?;
            moved += u32::from(done);
        }
        Ok(moved)
    }

    async fn renew_at(&self, p: &ProjectTerms) -> ServerResult<Option<i64>> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT renew_at FROM licensed_projects WHERE company_id = $1 AND procore_project_id = $2",
        )
        .bind(p.company.get())
        .bind(p.project.get())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.and_then(|r| r.0))
    }

    async fn target(
        &self,
        company: CompanyId,
        to: BillingInterval,
    ) -> ServerResult<Option<SubState>> {
        for (id, interval, status, _, _, _) in self.db.company_subscriptions(company).await? {
            if interval == to.as_str() && crate::licensing::status::is_live_status(&status) {
                return Ok(Some(self.billing.subscription(&id).await?));
            }
        }
        Ok(None)
    }

    async fn move_project(
        &self,
        p: &ProjectTerms,
        to: BillingInterval,
        renew_at: i64,
    ) -> ServerResult<bool> {
        let key = format!(
            "move-{}-{}-{renew_at}-{}",
            p.company,
            p.project,
            now() / 3600
        );
        // The invoice the move made: the target's latest invoice once it is a new one.
        let mut before: Option<String> = None;
        let result = match self.target(p.company, to).await? {
            Some(sub) => {
                before = sub.latest_invoice.clone();
                let rows = self.db.subscription_projects(&sub.id).await?;
                let q: Quantities = desired(&rows, None, &[p.terms.renewing]);
                let cancel = sub.cancel_at_period_end.then_some(false);
                self.billing
                    .set_quantities(&sub, &q, Billing::ChargeNow, cancel, &key)
                    .await
            }
            None => {
                let Some(customer) = self.db.billing_customer(p.company).await? else {
                    return Ok(false);
                };
                let q = desired(&[], None, &[p.terms.renewing]);
                self.billing
                    .create_subscription(&customer, p.company.get(), to, &q, &key)
                    .await
            }
        };
        match result {
            Ok(sub) => {
                self.db.mirror_subscription(p.company, &sub).await?;
                let after = Terms {
                    current: p.terms.renewing,
                    renewing: p.terms.renewing,
                    interval: to,
                    switching_to: None,
                };
                let mut tx = self.db.pool().begin().await?;
                super::store::write_terms(&mut *tx, p.company, p.project, &after, sub.period_end)
                    .await?;
                sqlx::query(
                    "UPDATE licensed_projects SET stripe_subscription_id = $3, status = $4, move_failed_at = NULL
                     WHERE company_id = $1 AND procore_project_id = $2",
                )
                .bind(p.company.get())
                .bind(p.project.get())
                .bind(sub.id.clone())
                .bind(sub.status.clone())
                .execute(&mut *tx)
                .await?;
                let detail = format!(
                    "Moved to {} billing; the card on file was charged.",
                    to.as_str()
                );
                let mut r = self.stripe_record(p, "switch", detail, &sub.id);
                r.invoice = sub
                    .latest_invoice
                    .clone()
                    .filter(|i| before.as_ref() != Some(i));
                r.target = serde_json::to_string(&after).ok();
                record(&mut *tx, &r).await?;
                tx.commit().await?;
                Ok(true)
            }
            Err(BillingError::Declined { message, .. }) => {
                let mut tx = self.db.pool().begin().await?;
                sqlx::query(
                    "UPDATE licensed_projects SET move_failed_at = $3 WHERE company_id = $1 AND procore_project_id = $2",
                )
                .bind(p.company.get())
                .bind(p.project.get())
                .bind(now())
                .execute(&mut *tx)
                .await?;
                let sub = p.subscription.clone().unwrap_or_default();
                let mut r = self.stripe_record(
                    p,
                    "switch",
                    format!("Moving to {} billing failed: the card was declined ({message}). Update the card under Billing; the move is tried again every hour.", to.as_str()),
                    &sub,
                );
                r.status = "failed".into();
                record(&mut *tx, &r).await?;
                tx.commit().await?;
                Ok(false)
            }
            Err(other) => Err(other.into()),
        }
    }
}
