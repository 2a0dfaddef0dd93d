//! Manage Subscription on the server: a change to one project is re-planned with the
//! shared rules, previewed by Stripe, and made in Stripe first; our rows change only once
//! Stripe has confirmed (the synchronous answer, or the invoice's payment for a card that
//! needs its holder). Additions are charged now (`always_invoice`, `error_if_incomplete`);
//! removals, ends and switches lower quantities with no proration; a change that would
//! leave a subscription with nothing to renew sets `cancel_at_period_end` instead.

use app::error::AppError;
use app::ids::ProjectId;
use app::licensing::format_usd;
use app::ports::Caller;
use app::subscriptions::api::{ChangeOutcome, ChangePreview};
use app::subscriptions::change::names;
use app::subscriptions::{
    explain, plan, ChangeKind, ChangeRequest, Plan, PreviewAmounts, Standing,
};

use super::quantities::{desired, total, Quantities};
use super::store::{record, write_terms, ChangeRecord, ProjectTerms};
use super::{Actor, SubscriptionService};
use crate::error::{ServerError, ServerResult};
use crate::stripe::subscriptions::{Billing, SubState};
use crate::stripe::BillingError;

/// Only admins change subscriptions.
pub const NOT_ADMIN: &str =
    "Only Procore company admins can change subscriptions. Ask a company admin.";

/// What a change will send to Stripe.
struct Steps {
    plan: Plan,
    sub: SubState,
    quantities: Quantities,
    /// Some(flag): also set `cancel_at_period_end`.
    cancel: Option<bool>,
}

impl SubscriptionService {
    /// The project of the caller's company, or 404.
    pub(super) async fn own_project(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> ServerResult<ProjectTerms> {
        self.db
            .project_terms(caller.company, project)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(
                    "This project has no Smartapp subscription in this company.".into(),
                )
                .into()
            })
    }

    async fn steps(&self, p: &ProjectTerms, request: ChangeRequest) -> ServerResult<Steps> {
        let standing = self.standing(p).await?;
        if matches!(standing, Standing::Cancelled | Standing::PaymentPending) {
            return Err(AppError::Invalid(format!(
                "This project is {}: it cannot be changed now.",
                standing.label()
            ))
            .into());
        }
        let plan = plan(&p.terms, request).map_err(|e| AppError::Invalid(e.to_string()))?;
        let sub_id = p.subscription.clone().ok_or_else(|| {
            ServerError::Corrupt(format!("project {} has no subscription", p.project))
        })?;
        let sub = self.billing.subscription(&sub_id).await?;
        let rows = self.db.subscription_projects(&sub_id).await?;
        let quantities = desired(&rows, Some((p.project, plan.after)), &[]);
        let cancel = if total(&quantities) == 0 {
            Some(true)
        } else if sub.cancel_at_period_end {
            Some(false)
        } else {
            None
        };
        Ok(Steps {
            plan,
            sub,
            quantities,
            cancel,
        })
    }

    /// Stripe's preview of a change and its words.
    pub(super) async fn preview_change(
        &self,
        caller: &Caller,
        project: ProjectId,
        request: ChangeRequest,
    ) -> ServerResult<ChangePreview> {
        let p = self.own_project(caller, project).await?;
        let s = self.steps(&p, request).await?;
        let charge = !s.plan.added.is_empty();
        let (due_now, next) = if s.cancel == Some(true) {
            (0, 0)
        } else {
            self.billing
                .preview_quantities(&s.sub, &s.quantities, charge)
                .await?
        };
        let amounts = PreviewAmounts {
            due_now_cents: due_now,
            next_renewal_cents: next,
            period_end: s.sub.period_end,
            switch_cents: self.switch_price(&s.plan),
        };
        let words = explain(&s.plan, &p.terms, &amounts);
        Ok(ChangePreview {
            plan: s.plan,
            amounts,
            words,
        })
    }

    /// Makes a change; our rows change once Stripe confirms.
    pub(super) async fn confirm_change(
        &self,
        caller: &Caller,
        project: ProjectId,
        request: ChangeRequest,
    ) -> ServerResult<ChangeOutcome> {
        if !caller.is_admin {
            return Err(AppError::Forbidden(NOT_ADMIN.into()).into());
        }
        let actor = self.actor(caller.user).await?;
        self.one_at_a_time(caller.company, || async {
            let p = self.own_project(caller, project).await?;
            let s = self.steps(&p, request).await?;
            self.send(&p, s, &actor).await
        })
        .await
    }

    /// What Stripe answered, in numbers for the words: the invoice the change was charged
    /// on (its `amount_paid`; 0 when nothing was invoiced) and the subscription's next
    /// regular renewal as it stands after the change.
    pub(super) async fn amounts_after(
        &self,
        plan: &Plan,
        sub: &SubState,
        invoice: Option<&str>,
    ) -> ServerResult<PreviewAmounts> {
        let due_now_cents = match invoice {
            Some(id) => self.billing.invoice_state(id).await?.amount_paid,
            None => 0,
        };
        Ok(PreviewAmounts {
            due_now_cents,
            next_renewal_cents: self.billing.next_renewal(sub).await?,
            period_end: sub.period_end,
            switch_cents: self.switch_price(plan),
        })
    }

    /// For a switch: the project's renewing modules at the Stripe prices of the interval
    /// it moves to, per period of that interval.
    fn switch_price(&self, plan: &Plan) -> Option<i64> {
        let to = plan
            .after
            .switching_to
            .filter(|_| plan.kind == ChangeKind::Switch)?;
        let catalog = self.billing.catalog();
        Some(
            app::subscriptions::change::items_of(&plan.after.renewing)
                .into_iter()
                .map(|item| catalog.unit_amount_cents(item, to).unwrap_or(0))
                .sum(),
        )
    }

    async fn send(&self, p: &ProjectTerms, s: Steps, actor: &Actor) -> ServerResult<ChangeOutcome> {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let record_of =
            |status: &str, detail: String, sub: &SubState, invoice: Option<String>| ChangeRecord {
                id: id.clone(),
                company: p.company,
                project: p.project,
                user: actor.user,
                actor: actor.name.clone(),
                action: s.plan.kind.as_str().into(),
                detail,
                target: serde_json::to_string(&s.plan.after).ok(),
                status: status.into(),
                subscription: Some(sub.id.clone()),
                invoice,
            };
        // An add-on included at no charge has no Stripe line: a change of only such items
        // moves no money and changes nothing at Stripe, so Stripe is not asked to.
        let moves_items = self.billing.changes_items(&s.sub, &s.quantities).await?;
        let charge = s.plan.kind == ChangeKind::Addition && !s.plan.added.is_empty() && moves_items;
        let (plan, record_of) = (&s.plan, &record_of);
        let applied = |sub: SubState, invoice: Option<String>| async move {
            let amounts = self.amounts_after(plan, &sub, invoice.as_deref()).await?;
            let words = explain(plan, &p.terms, &amounts);
            let detail = words.first().cloned().unwrap_or_default();
            self.apply(p, plan, &sub, record_of("applied", detail, &sub, invoice))
                .await?;
            Ok::<_, ServerError>(ChangeOutcome::Applied { words })
        };
        if !charge {
            let sub = if moves_items || s.cancel.is_some() {
                self.billing
                    .set_quantities(
                        &s.sub,
                        &s.quantities,
                        Billing::NoProration,
                        s.cancel,
                        &format!("change-{id}"),
                    )
                    .await?
            } else {
                s.sub.clone()
            };
            return applied(sub, None).await;
        }
        match self
            .billing
            .set_quantities(
                &s.sub,
                &s.quantities,
                Billing::ChargeNow,
                s.cancel,
                &format!("change-{id}"),
            )
            .await
        {
            Ok(sub) => {
                let invoice = new_invoice(&s.sub, &sub);
                applied(sub, invoice).await
            }
            Err(BillingError::Declined {
                needs_authentication: true,
                ..
            }) => {
                // The bank wants the card holder: the change waits for the invoice's payment.
                let sub = self
                    .billing
                    .set_quantities(
                        &s.sub,
                        &s.quantities,
                        Billing::ChargeNowOrPending,
                        s.cancel,
                        &format!("change-{id}-pending"),
                    )
                    .await?;
                let invoice = sub.latest_invoice.clone().ok_or_else(|| {
                    ServerError::Corrupt("pending update without an invoice".into())
                })?;
                let state = self.billing.invoice_state(&invoice).await?;
                let detail = format!(
                    "{} is added once the card holder confirms the payment of {} on Stripe's page.",
                    names(&s.plan.added),
                    format_usd(state.amount_due)
                );
                record(
                    self.db.pool(),
                    &record_of("pending", detail, &sub, Some(invoice)),
                )
                .await?;
                Ok(ChangeOutcome::NeedsAuthentication {
                    url: state.hosted_url.unwrap_or_default(),
                })
            }
            Err(declined @ BillingError::Declined { .. }) => {
                let detail = format!(
                    "{} was not added: the card was declined; nothing changed.",
                    names(&s.plan.added)
                );
                record(self.db.pool(), &record_of("failed", detail, &s.sub, None)).await?;
                Err(declined.into())
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Writes the confirmed change and Stripe's subscription state in one transaction.
    pub(super) async fn apply(
        &self,
        p: &ProjectTerms,
        plan: &Plan,
        sub: &SubState,
        change: ChangeRecord,
    ) -> ServerResult<()> {
        self.db.mirror_subscription(p.company, sub).await?;
        let mut tx = self.db.pool().begin().await?;
        write_terms(&mut *tx, p.company, p.project, &plan.after, sub.period_end).await?;
        record(&mut *tx, &change).await?;
        tx.commit().await?;
        tracing::info!(project = %p.project, kind = plan.kind.as_str(), "subscription change applied");
        Ok(())
    }
}

/// The invoice an update made (Stripe's `latest_invoice` once it is a new one), if any.
pub(crate) fn new_invoice(before: &SubState, after: &SubState) -> Option<String> {
    after
        .latest_invoice
        .clone()
        .filter(|i| before.latest_invoice.as_ref() != Some(i))
}
