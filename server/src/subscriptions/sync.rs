//! Applies Stripe's state to our rows. A subscription is re-read from Stripe (so webhooks
//! may arrive late, twice or out of order): its mirror is kept, its status applied to its
//! projects, and when its period has rolled over the pending removals and ends take
//! effect and switching projects move. A paid invoice applies the changes that waited for
//! it (a card that needed its holder).

use app::ids::{CompanyId, ProjectId};
use app::licensing::ProjectLicense;
use app::subscriptions::change::items_of;
use app::subscriptions::{Standing, StandingFacts, Terms};

use super::store::{record, upsert_licence, write_terms, ChangeRecord, ProjectTerms};
use super::{Actor, SubscriptionService};
use crate::db::now;
use crate::error::ServerResult;
use crate::stripe::subscriptions::SubState;

/// A purchase waiting for its invoice: what to license once paid.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PurchaseTarget {
    /// Project name.
    pub name: String,
    /// Modules bought.
    pub license: ProjectLicense,
}

fn status_word(status: &str) -> &'static str {
    match status {
        "active" => "active",
        "trialing" => "trialing",
        "past_due" => "past_due",
        "unpaid" => "unpaid",
        "canceled" => "canceled",
        "incomplete" => "incomplete",
        "incomplete_expired" => "incomplete_expired",
        "paused" => "paused",
        _ => "active",
    }
}

impl SubscriptionService {
    /// Re-reads a subscription from Stripe and applies it.
    pub async fn sync(&self, sub_id: &str) -> ServerResult<()> {
        let state = self.billing.subscription(sub_id).await?;
        self.apply_state(&state).await
    }

    /// Applies a subscription's state as Stripe has it now.
    pub async fn apply_state(&self, s: &SubState) -> ServerResult<()> {
        let company = match s.company.map(CompanyId) {
            Some(c) => Some(c),
            None => self.db.company_of_customer(&s.customer).await?,
        };
        let Some(company) = company else {
            tracing::info!("subscription of no company of ours; ignored");
            return Ok(());
        };
        let before = self.db.mirror_subscription(company, s).await?;
        let rolled = before.is_some_and(|b| s.period_end > b);
        if rolled || s.status == "canceled" {
            self.period_over(s).await?;
        }
        let changed = sqlx::query(
            "UPDATE licensed_projects SET status = $2, updated_at = $3
             WHERE stripe_subscription_id = $1 AND ended_at IS NULL AND status <> $2",
        )
        .bind(s.id.clone())
        .bind(status_word(&s.status))
        .bind(now())
        .execute(self.db.pool())
        .await?
        .rows_affected();
        if changed > 0 {
            tracing::info!(status = s.status, changed, "subscription status applied");
        }
        if let Some(invoice) = &s.latest_invoice {
            self.invoice_settled(invoice).await?;
        }
        self.move_due(company).await?;
        Ok(())
    }

    /// The paid period ended: pending removals and ends take effect.
    async fn period_over(&self, s: &SubState) -> ServerResult<()> {
        let rows = self.db.subscription_projects(&s.id).await?;
        let mut tx = self.db.pool().begin().await?;
        for p in rows
            .iter()
            .filter(|p| p.ended_at.is_none() && p.terms.switching_to.is_none())
        {
            let ending = items_of(&p.terms.renewing).is_empty() || s.status == "canceled";
            let detail = if ending {
                sqlx::query(
                    "UPDATE licensed_projects SET ended_at = $3, status = 'canceled', updated_at = $3
                     WHERE company_id = $1 AND procore_project_id = $2",
                )
                .bind(p.company.get())
                .bind(p.project.get())
                .bind(now())
                .execute(&mut *tx)
                .await?;
                "The subscription ended with the paid period.".to_string()
            } else if p.terms.current != p.terms.renewing {
                let after = Terms {
                    current: p.terms.renewing,
                    ..p.terms
                };
                write_terms(&mut *tx, p.company, p.project, &after, s.period_end).await?;
                let mut r = self.stripe_record(
                    p,
                    "renewal",
                    "The removal took effect at the end of the paid period.".into(),
                    &s.id,
                );
                r.target = serde_json::to_string(&after).ok();
                record(&mut *tx, &r).await?;
                continue;
            } else {
                continue;
            };
            record(&mut *tx, &self.stripe_record(p, "renewal", detail, &s.id)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub fn stripe_record(
        &self,
        p: &ProjectTerms,
        action: &str,
        detail: String,
        sub: &str,
    ) -> ChangeRecord {
        let actor = Actor::stripe();
        ChangeRecord {
            id: uuid::Uuid::now_v7().simple().to_string(),
            company: p.company,
            project: p.project,
            user: actor.user,
            actor: actor.name,
            action: action.into(),
            detail,
            target: None,
            status: "applied".into(),
            subscription: Some(sub.to_string()),
            invoice: None,
        }
    }

    /// Applies (paid) or drops (void) the changes that waited for this invoice.
    pub async fn invoice_settled(&self, invoice: &str) -> ServerResult<()> {
        let waiting = self.db.changes_pending_on(invoice).await?;
        if waiting.is_empty() {
            return Ok(());
        }
        let state = self.billing.invoice_state(invoice).await?;
        let outcome = match state.status.as_str() {
            "paid" => "applied",
            "void" | "uncollectible" => "failed",
            _ => return Ok(()),
        };
        let Some(sub_id) = waiting
            .iter()
            .find_map(|c| c.stripe_subscription_id.clone())
        else {
            return Ok(());
        };
        let sub = self.billing.subscription(&sub_id).await?;
        let company = self.db.company_of_customer(&sub.customer).await?;
        let Some(company) = company else {
            return Ok(());
        };
        let mut tx = self.db.pool().begin().await?;
        if outcome == "applied" {
            for change in &waiting {
                let project = ProjectId(change.project_id);
                let Some(target) = change.target.as_deref() else {
                    continue;
                };
                if change.action == "purchase" {
                    if let Ok(t) = serde_json::from_str::<PurchaseTarget>(target) {
                        let interval = sub
                            .interval
                            .unwrap_or(app::licensing::BillingInterval::Monthly);
                        upsert_licence(
                            &mut *tx, company, project, &t.name, &t.license, interval, &sub,
                            &change.id,
                        )
                        .await?;
                    }
                } else if let Ok(terms) = serde_json::from_str::<Terms>(target) {
                    write_terms(&mut *tx, company, project, &terms, sub.period_end).await?;
                }
            }
        }
        crate::db::Db::settle_changes(&mut *tx, invoice, outcome).await?;
        tx.commit().await?;
        tracing::info!(
            changes = waiting.len(),
            outcome,
            "changes waiting on an invoice settled"
        );
        Ok(())
    }

    /// Where a project stands, from its row and its subscription's mirror.
    pub(super) async fn standing(&self, p: &ProjectTerms) -> ServerResult<Standing> {
        let mirror = match &p.subscription {
            Some(id) => self.db.subscription_mirror(id).await?,
            None => None,
        };
        Ok(standing_of(p, mirror.as_ref()))
    }
}

/// The standing of a project given its subscription's mirror
/// (status, cancel at period end, period end, trial end).
pub fn standing_of(
    p: &ProjectTerms,
    mirror: Option<&(String, bool, i64, Option<i64>)>,
) -> Standing {
    let (cancel, period_end, trial_end) =
        mirror.map(|m| (m.1, m.2, m.3)).unwrap_or((false, 0, None));
    Standing::of(&StandingFacts {
        subscription_status: status_word(&p.status),
        ended: p.ended_at.is_some(),
        move_failed: p.move_failed_at.is_some(),
        ending: p.terms.switching_to.is_none()
            && (items_of(&p.terms.renewing).is_empty() || cancel),
        period_end,
        trial_end,
    })
}
