//! Reconciliation (hourly job, and an admin's **Re-check with Stripe**): every
//! subscription of the company's Stripe customer is re-read and applied (statuses, period
//! rollovers, changes waiting on invoices, due moves); Stripe's quantities are set to
//! what our projects renew with where they differ; a project paid twice is refunded on
//! the later payment. Each repair is recorded in the project's history and reported.

use app::ids::CompanyId;
use app::licensing::{CatalogItem, LicenseSelection, ProjectLicense};
use app::subscriptions::Terms;

use super::quantities::{counts, desired, total};
use super::store::{record, write_terms, ProjectTerms};
use super::sync::PurchaseTarget;
use super::SubscriptionService;
use crate::error::ServerResult;
use crate::stripe::subscriptions::Billing;

impl SubscriptionService {
    /// Compares the company with Stripe and repairs every difference; returns the repairs
    /// in words.
    pub async fn reconcile_company(&self, company: CompanyId) -> ServerResult<Vec<String>> {
        let Some(customer) = self.db.billing_customer(company).await? else {
            return Ok(Vec::new());
        };
        let mut repairs = Vec::new();
        let before: Vec<(i64, String)> = self
            .db
            .company_terms(company)
            .await?
            .into_iter()
            .map(|p| (p.project.get(), p.status))
            .collect();
        repairs.extend(self.restore_rows(company).await?);
        // Changes waiting on an invoice whose payment event never came.
        for (invoice, owner) in self.db.pending_changes().await? {
            if owner == company.get() {
                self.invoice_settled(&invoice).await?;
            }
        }
        for s in self.billing.customer_subscriptions(&customer).await? {
            self.apply_state(&s).await?;
            if !crate::licensing::status::is_live_status(&s.status) || s.pending_update {
                continue;
            }
            let rows = self.db.subscription_projects(&s.id).await?;
            let want = desired(&rows, None, &[]);
            if total(&want) == 0 {
                if !s.cancel_at_period_end && !rows.iter().any(counts) && !rows.is_empty() {
                    self.billing
                        .set_quantities(
                            &s,
                            &want,
                            Billing::NoProration,
                            Some(true),
                            &format!("repair-{}-cancel-{}", s.id, s.period_end),
                        )
                        .await?;
                    repairs.push(format!("The company's {} subscription renewed with no project: it now ends with the paid period.", interval_name(&s)));
                }
                continue;
            }
            let interval = s
                .interval
                .unwrap_or(app::licensing::BillingInterval::Monthly);
            let differs: Vec<(CatalogItem, u64, u64)> = CatalogItem::ALL
                .into_iter()
                .filter(|i| self.billing.is_priced(*i, interval) && s.quantity(*i) != want[i])
                .map(|i| (i, s.quantity(i), want[&i]))
                .collect();
            if differs.is_empty() {
                continue;
            }
            let key = format!(
                "repair-{}-{}",
                s.id,
                differs
                    .iter()
                    .map(|(i, _, w)| format!("{i:?}{w}"))
                    .collect::<String>()
            );
            let cancel = s.cancel_at_period_end.then_some(false);
            let fixed = self
                .billing
                .set_quantities(&s, &want, Billing::NoProration, cancel, &key)
                .await?;
            self.db.mirror_subscription(company, &fixed).await?;
            for (item, had, wanted) in differs {
                let words = format!(
                    "Stripe billed {had} × {} on the company's {} subscription, but {} renew with it: the next renewal now bills {wanted} (no charge or credit now).",
                    item.name(),
                    interval_name(&s),
                    app::licensing::projects_label(wanted)
                );
                if let Some(p) = rows.first() {
                    record(
                        self.db.pool(),
                        &self.stripe_record(p, "repair", words.clone(), &s.id),
                    )
                    .await?;
                }
                repairs.push(words);
            }
        }
        for p in self.db.company_terms(company).await? {
            let was = before.iter().find(|(id, _)| *id == p.project.get());
            if let Some((_, status)) = was {
                if *status != p.status {
                    let words = format!(
                        "{}: our record said {status}, Stripe says {}; corrected.",
                        p.name, p.status
                    );
                    let sub = p.subscription.clone().unwrap_or_default();
                    record(
                        self.db.pool(),
                        &self.stripe_record(&p, "repair", words.clone(), &sub),
                    )
                    .await?;
                    repairs.push(words);
                }
            }
        }
        Ok(repairs)
    }

    /// Rows whose modules differ from what their history says (the last confirmed change,
    /// else the paid order) are restored from it.
    async fn restore_rows(&self, company: CompanyId) -> ServerResult<Vec<String>> {
        let mut repairs = Vec::new();
        for p in self.db.company_terms(company).await? {
            if p.ended_at.is_some() {
                continue;
            }
            let Some(expected) = self.expected_terms(&p).await? else {
                continue;
            };
            if expected == p.terms {
                continue;
            }
            let words = format!(
                "{}: the stored modules did not match the confirmed changes; restored.",
                p.name
            );
            let sub = p.subscription.clone().unwrap_or_default();
            let mut tx = self.db.pool().begin().await?;
            write_terms(&mut *tx, company, p.project, &expected, 0).await?;
            let mut r = self.stripe_record(&p, "repair", words.clone(), &sub);
            r.actor = "Reconciliation".into();
            record(&mut *tx, &r).await?;
            tx.commit().await?;
            repairs.push(words);
        }
        Ok(repairs)
    }

    /// What a project's confirmed history says its terms are.
    async fn expected_terms(&self, p: &ProjectTerms) -> ServerResult<Option<Terms>> {
        let last: Option<(String, String)> = sqlx::query_as(
            "SELECT target, action FROM licence_changes WHERE company_id = $1 AND project_id = $2
             AND status = 'applied' AND target IS NOT NULL
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(p.company.get())
        .bind(p.project.get())
        .fetch_optional(self.db.pool())
        .await?;
        if let Some((json, action)) = last {
            if action != "purchase" {
                return Ok(serde_json::from_str(&json).ok());
            }
            return Ok(serde_json::from_str::<PurchaseTarget>(&json)
                .ok()
                .map(|t| Terms {
                    current: t.license,
                    renewing: t.license,
                    interval: p.terms.interval,
                    switching_to: None,
                }));
        }
        let order: Option<(String, String)> = sqlx::query_as(
            "SELECT o.selection, o.billing_interval FROM licensed_projects l JOIN orders o ON o.id = l.order_id
             WHERE l.company_id = $1 AND l.procore_project_id = $2",
        )
        .bind(p.company.get())
        .bind(p.project.get())
        .fetch_optional(self.db.pool())
        .await?;
        let Some((selection, interval)) = order else {
            return Ok(None);
        };
        let Ok(selection) = serde_json::from_str::<LicenseSelection>(&selection) else {
            return Ok(None);
        };
        let Some(choice) = selection.choice(p.project.get()) else {
            return Ok(None);
        };
        let license: ProjectLicense = (*choice).into();
        Ok(Some(Terms {
            current: license,
            renewing: license,
            interval: interval.parse().unwrap_or(p.terms.interval),
            switching_to: None,
        }))
    }

    /// Every company with a Stripe customer (for the hourly job).
    pub async fn billed_companies(&self) -> ServerResult<Vec<CompanyId>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT company_id FROM billing_customers ORDER BY company_id")
                .fetch_all(self.db.pool())
                .await?;
        Ok(rows.into_iter().map(|r| CompanyId(r.0)).collect())
    }
}

/// "monthly" or "yearly", for words about a subscription (never its Stripe id).
fn interval_name(s: &crate::stripe::subscriptions::SubState) -> &'static str {
    s.interval.map_or("Smartapp", |i| i.as_str())
}
