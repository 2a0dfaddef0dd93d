//! A later purchase in the wizard: when the company already has a live subscription of the
//! interval, the projects go into the newest one (no second Checkout). Stripe previews the
//! prorated amount due now and the next renewal; Confirm raises the quantities with
//! `always_invoice` + `error_if_incomplete`, charging the card on file, and the projects
//! are licensed when Stripe confirms (at once, or when a card that needs its holder pays
//! the invoice). Also settles open orders whose webhook never came (reconciliation).

use std::collections::HashMap;

use app::error::AppError;
use app::ids::{CompanyId, ProjectId};
use app::licensing::{
    format_usd, projects_label, BillingInterval, LicenseSelection, ProjectLicense,
};
use app::ports::Caller;
use app::subscriptions::api::ChangeOutcome;
use app::subscriptions::{date, PreviewAmounts};

use super::status::OrderStatus;
use super::LicensingService;
use crate::error::{ServerError, ServerResult};
use crate::stripe::subscriptions::{Billing, SubState};
use crate::stripe::BillingError;
use crate::subscriptions::changes::new_invoice;
use crate::subscriptions::quantities::desired;
use crate::subscriptions::store::{record, upsert_licence, ChangeRecord};
use crate::subscriptions::sync::PurchaseTarget;

impl LicensingService {
    /// The newest live subscription of the interval (Stripe's current state), if any.
    pub(super) async fn live_subscription(
        &self,
        company: CompanyId,
        interval: BillingInterval,
    ) -> ServerResult<Option<SubState>> {
        for (id, i, status, _, _, _) in self.db.company_subscriptions(company).await? {
            if i == interval.as_str() && crate::licensing::status::is_live_status(&status) {
                let sub = self.billing.subscription(&id).await?;
                if crate::licensing::status::is_live_status(&sub.status) {
                    return Ok(Some(sub));
                }
            }
        }
        Ok(None)
    }

    /// Stripe's preview of adding the selection to the existing subscription, or None when
    /// the purchase goes through Checkout.
    pub async fn purchase_preview(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> ServerResult<Option<PreviewAmounts>> {
        let (valid, _, _) = self.validated(caller, &selection, interval).await?;
        let Some(sub) = self.live_subscription(caller.company, interval).await? else {
            return Ok(None);
        };
        let rows = self.db.subscription_projects(&sub.id).await?;
        let added: Vec<ProjectLicense> = valid.choices().map(|c| (*c).into()).collect();
        let q = desired(&rows, None, &added);
        let (due_now, next) = self.billing.preview_quantities(&sub, &q, true).await?;
        Ok(Some(PreviewAmounts {
            due_now_cents: due_now,
            next_renewal_cents: next,
            period_end: sub.period_end,
            switch_cents: None,
        }))
    }

    /// Adds the selection to the existing subscription, charging the card on file.
    pub async fn purchase(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> ServerResult<ChangeOutcome> {
        let actor = self.subscriptions.actor(caller.user).await?;
        self.subscriptions
            .one_at_a_time(caller.company, || async {
                let (valid, names, _) = self.validated(caller, &selection, interval).await?;
                let ids: Vec<ProjectId> = valid.choices().map(|c| ProjectId(c.project_id)).collect();
                if let Some(hold) = self.db.holds(caller.company, &ids).await?.first() {
                    let name = names
                        .iter()
                        .find(|(id, _)| *id == hold.project_id)
                        .map(|(_, n)| n.as_str())
                        .unwrap_or("A selected project");
                    return Err(AppError::Conflict(hold.describe(name)).into());
                }
                let sub = self.live_subscription(caller.company, interval).await?.ok_or_else(|| {
                    AppError::Conflict("This company has no live subscription of this interval any more: continue to payment instead. Reload the page.".into())
                })?;
                let rows = self.db.subscription_projects(&sub.id).await?;
                let added: Vec<ProjectLicense> = valid.choices().map(|c| (*c).into()).collect();
                let q = desired(&rows, None, &added);
                let id = uuid::Uuid::now_v7().simple().to_string();
                let names: HashMap<i64, String> = names.into_iter().collect();
                let count = projects_label(ids.len() as u64);
                let records = |status: &str, invoice: Option<String>, paid: &str| -> Vec<(ChangeRecord, String, ProjectLicense)> {
                    valid
                        .choices()
                        .map(|c| {
                            let license: ProjectLicense = (*c).into();
                            let name = names.get(&c.project_id).cloned().unwrap_or_default();
                            let target = PurchaseTarget { name: name.clone(), license };
                            (
                                ChangeRecord {
                                    id: format!("{id}-{}", c.project_id),
                                    company: caller.company,
                                    project: ProjectId(c.project_id),
                                    user: actor.user,
                                    actor: actor.name.clone(),
                                    action: "purchase".into(),
                                    detail: format!(
                                        "Licensed {} ({} billing), added to the company's subscription with this purchase of {count}; {paid}",
                                        license.modules_label().unwrap_or("nothing"),
                                        interval.as_str()
                                    ),
                                    target: serde_json::to_string(&target).ok(),
                                    status: status.into(),
                                    subscription: Some(sub.id.clone()),
                                    invoice: invoice.clone(),
                                },
                                name,
                                license,
                            )
                        })
                        .collect()
                };
                match self
                    .billing
                    .set_quantities(&sub, &q, Billing::ChargeNow, sub.cancel_at_period_end.then_some(false), &format!("purchase-{id}"))
                    .await
                {
                    Ok(updated) => {
                        // The words say what Stripe charged: the new invoice's amount paid.
                        let invoice = new_invoice(&sub, &updated);
                        let charged = match &invoice {
                            Some(i) => self.billing.invoice_state(i).await?.amount_paid,
                            None => 0,
                        };
                        let paid = if charged > 0 {
                            format!("{} was charged to the card on file, prorated to {}.", format_usd(charged), date(updated.period_end))
                        } else {
                            "nothing was charged today.".to_string()
                        };
                        self.db.mirror_subscription(caller.company, &updated).await?;
                        let mut tx = self.db.pool().begin().await?;
                        for (r, name, license) in records("applied", invoice.clone(), &paid) {
                            upsert_licence(&mut *tx, caller.company, r.project, &name, &license, interval, &updated, &r.id).await?;
                            record(&mut *tx, &r).await?;
                        }
                        tx.commit().await?;
                        Ok(ChangeOutcome::Applied {
                            words: vec![format!("{count} licensed · {} charged.", format_usd(charged))],
                        })
                    }
                    Err(BillingError::Declined { needs_authentication: true, .. }) => {
                        let pending = self
                            .billing
                            .set_quantities(&sub, &q, Billing::ChargeNowOrPending, None, &format!("purchase-{id}-pending"))
                            .await?;
                        let invoice = pending.latest_invoice.clone().ok_or_else(|| {
                            ServerError::Corrupt("pending update without an invoice".into())
                        })?;
                        let state = self.billing.invoice_state(&invoice).await?;
                        let paid = format!("licensed once the card holder confirms the payment of {} on Stripe's page.", format_usd(state.amount_due));
                        for (r, _, _) in records("pending", Some(invoice.clone()), &paid) {
                            record(self.db.pool(), &r).await?;
                        }
                        Ok(ChangeOutcome::NeedsAuthentication { url: state.hosted_url.unwrap_or_default() })
                    }
                    Err(other) => Err(other.into()),
                }
            })
            .await
    }

    /// Orders still pending at Stripe's state: paid ones are fulfilled (their webhook never
    /// came), expired ones release their holds. Returns what was settled, in words.
    pub async fn settle_open_orders(&self, company: CompanyId) -> ServerResult<Vec<String>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, stripe_session_id FROM orders WHERE company_id = $1 AND status = $2 AND stripe_session_id IS NOT NULL",
        )
        .bind(company.get())
        .bind(OrderStatus::Pending.as_str())
        .fetch_all(self.db.pool())
        .await?;
        let mut settled = Vec::new();
        for (order, session) in rows {
            let state = self.billing.checkout_session(&session).await?;
            if state.paid {
                let n = self.reconcile_session(&session).await?;
                settled.push(format!("A paid checkout whose confirmation never arrived was completed: {} licensed (order {order}).", projects_label(u64::from(n))));
            } else if state.expired {
                self.checkout_expired(&session).await?;
            }
        }
        settled.extend(self.refund_double_payments(company).await?);
        Ok(settled)
    }

    /// A project paid twice (two checkouts completed for it): the later payment is refunded
    /// for that project and its subscription's quantity is lowered by reconciliation.
    async fn refund_double_payments(&self, company: CompanyId) -> ServerResult<Vec<String>> {
        let rows: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, stripe_subscription_id, selection, billing_interval FROM orders WHERE company_id = $1 AND status = $2",
        )
        .bind(company.get())
        .bind(OrderStatus::PaidOverlap.as_str())
        .fetch_all(self.db.pool())
        .await?;
        let mut done = Vec::new();
        for (order, sub_id, selection, interval) in rows {
            let Some(sub_id) = sub_id else { continue };
            let Ok(selection) = serde_json::from_str::<LicenseSelection>(&selection) else {
                continue;
            };
            let interval: BillingInterval = interval.parse().unwrap_or(BillingInterval::Monthly);
            let mut amount = 0;
            let mut twice = Vec::new();
            for choice in selection.choices() {
                let project = ProjectId(choice.project_id);
                let Some(p) = self.db.project_terms(company, project).await? else {
                    continue;
                };
                if p.subscription.as_deref() == Some(sub_id.as_str()) {
                    continue; // this order's own licence
                }
                let license: ProjectLicense = (*choice).into();
                for item in app::subscriptions::change::items_of(&license) {
                    amount += self
                        .billing
                        .catalog()
                        .unit_amount_cents(item, interval)
                        .unwrap_or(0);
                }
                twice.push(p);
            }
            let sub = self.billing.subscription(&sub_id).await?;
            let refund = match (&sub.latest_invoice, amount > 0) {
                (Some(invoice), true) => self
                    .billing
                    .refund_invoice(invoice, amount, &format!("refund-{order}"))
                    .await?
                    .map(|r| (invoice.clone(), r)),
                _ => None,
            };
            if self.db.subscription_projects(&sub_id).await?.is_empty() {
                self.billing.cancel_subscription(&sub_id).await?;
            }
            sqlx::query("UPDATE orders SET status = $2 WHERE id = $1")
                .bind(order.clone())
                .bind(OrderStatus::Refunded.as_str())
                .execute(self.db.pool())
                .await?;
            let words = match &refund {
                Some((invoice, re)) => format!(
                    "Paid twice: {} refunded on invoice {invoice} ({re}); the later subscription no longer bills this project.",
                    app::licensing::format_usd(amount)
                ),
                None => "Paid twice: the later subscription no longer bills this project.".to_string(),
            };
            for p in &twice {
                let mut r = self
                    .subscriptions
                    .stripe_record(p, "refund", words.clone(), &sub_id);
                r.actor = "Reconciliation".into();
                r.invoice = refund.as_ref().map(|(i, _)| i.clone());
                record(self.db.pool(), &r).await?;
            }
            done.push(words);
        }
        Ok(done)
    }
}
