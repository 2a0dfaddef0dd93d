//! The failed-payment banner's state: per company, the newest invoice whose automatic charge
//! failed and which is still open (`billing_alerts`). Every invoice event calls
//! [`invoice_changed`], which re-reads the invoice and the customer's open invoices from
//! Stripe, so events may arrive in any order and more than once with the effect of once.

use app::billing::api::{InvoiceStatus, PaymentAlert};
use app::ids::CompanyId;

use crate::db::{now, Db};
use crate::error::ServerResult;
use crate::stripe::invoices::InvoiceFacts;
use crate::stripe::StripeBilling;

/// A company's failed payment as we keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    /// The invoice (`in_…`).
    pub invoice_id: String,
    /// Its number.
    pub invoice_number: Option<String>,
    /// Still to pay, in cents.
    pub amount_due_cents: i64,
    /// ISO code, lower case.
    pub currency: String,
    /// Charges Stripe had tried when we looked.
    pub attempt_count: i64,
    /// When the first of them failed (UTC unix seconds).
    pub failed_at: i64,
    /// When Stripe said it would try again.
    pub next_attempt_at: Option<i64>,
}

impl From<StoredAlert> for PaymentAlert {
    fn from(a: StoredAlert) -> Self {
        PaymentAlert {
            invoice_id: a.invoice_id,
            invoice_number: a.invoice_number,
            failed_at: a.failed_at,
            next_attempt_at: a.next_attempt_at,
            amount_due_cents: a.amount_due_cents,
            currency: a.currency,
        }
    }
}

/// When the first charge of `invoice` failed: the banner dates the failure from it (the
/// admin's "since when"), while Stripe's retries move only the next retry's date. The first
/// charge is made when the invoice is finalized; an invoice already seen keeps its date.
fn first_failed_at(invoice: &InvoiceFacts, previous: Option<&StoredAlert>) -> i64 {
    match previous.filter(|p| p.invoice_id == invoice.id) {
        Some(p) => p.failed_at,
        None => invoice.finalized_at.unwrap_or(invoice.created),
    }
}

/// The alert the company should have now: its newest open invoice with a failed charge.
pub fn next_alert(open: &[InvoiceFacts], previous: Option<&StoredAlert>) -> Option<StoredAlert> {
    let failed = open
        .iter()
        .filter(|i| i.payment_failed())
        .max_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)))?;
    Some(StoredAlert {
        invoice_id: failed.id.clone(),
        invoice_number: failed.number.clone(),
        amount_due_cents: failed.amount_remaining_cents,
        currency: failed.currency.clone(),
        attempt_count: i64::try_from(failed.attempt_count).unwrap_or(i64::MAX),
        failed_at: first_failed_at(failed, previous),
        next_attempt_at: failed.next_payment_attempt,
    })
}

/// An invoice was created, paid, failed or needs action: re-reads it and the customer's
/// open invoices from Stripe and records (or clears) the company's failed payment.
/// Invoices of customers that are not ours are ignored.
pub async fn invoice_changed(
    db: &Db,
    stripe: &StripeBilling,
    invoice_id: &str,
) -> ServerResult<()> {
    let invoice = stripe.invoice(invoice_id).await?;
    let Some(customer) = invoice.customer.clone() else {
        return Ok(());
    };
    let Some(company) = db.company_of_customer(&customer).await? else {
        tracing::debug!(invoice_id, "invoice of a customer that is not ours");
        return Ok(());
    };
    refresh(db, stripe, company, &customer, invoice).await?;
    Ok(())
}

/// Recomputes the company's alert from Stripe, trusting `changed` (just read) over the list.
pub async fn refresh(
    db: &Db,
    stripe: &StripeBilling,
    company: CompanyId,
    customer: &str,
    changed: InvoiceFacts,
) -> ServerResult<Option<StoredAlert>> {
    let mut open = stripe.open_invoices(customer).await?;
    open.retain(|i| i.id != changed.id);
    if changed.status == Some(InvoiceStatus::Open) {
        open.push(changed);
    }
    let previous = db.billing_alert(company).await?;
    let next = next_alert(&open, previous.as_ref());
    match &next {
        Some(alert) if previous.as_ref() != Some(alert) => {
            db.save_billing_alert(company, customer, alert).await?;
            tracing::info!(%company, invoice = alert.invoice_id, "payment failed; admins see the banner");
        }
        Some(_) => {}
        None if previous.is_some() => {
            db.clear_billing_alert(company).await?;
            tracing::info!(%company, "failed payment settled; banner cleared");
        }
        None => {}
    }
    Ok(next)
}

type AlertRow = (String, Option<String>, i64, String, i64, i64, Option<i64>);

impl Db {
    /// The company's failed payment, if one is recorded.
    pub async fn billing_alert(
        &self,
        company: CompanyId,
    ) -> Result<Option<StoredAlert>, sqlx::Error> {
        let row: Option<AlertRow> = sqlx::query_as(
            "SELECT stripe_invoice_id, invoice_number, amount_due_cents, currency, attempt_count,
                    failed_at, next_attempt_at
             FROM billing_alerts WHERE company_id = $1",
        )
        .bind(company.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| StoredAlert {
            invoice_id: r.0,
            invoice_number: r.1,
            amount_due_cents: r.2,
            currency: r.3,
            attempt_count: r.4,
            failed_at: r.5,
            next_attempt_at: r.6,
        }))
    }

    /// Records the company's failed payment (one row per company).
    pub async fn save_billing_alert(
        &self,
        company: CompanyId,
        customer: &str,
        alert: &StoredAlert,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO billing_alerts (company_id, stripe_customer_id, stripe_invoice_id,
                 invoice_number, amount_due_cents, currency, attempt_count, failed_at,
                 next_attempt_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (company_id) DO UPDATE SET
                 stripe_customer_id = excluded.stripe_customer_id,
                 stripe_invoice_id = excluded.stripe_invoice_id,
                 invoice_number = excluded.invoice_number,
                 amount_due_cents = excluded.amount_due_cents,
                 currency = excluded.currency,
                 attempt_count = excluded.attempt_count,
                 failed_at = excluded.failed_at,
                 next_attempt_at = excluded.next_attempt_at,
                 updated_at = excluded.updated_at",
        )
        .bind(company.get())
        .bind(customer.to_string())
        .bind(alert.invoice_id.clone())
        .bind(alert.invoice_number.clone())
        .bind(alert.amount_due_cents)
        .bind(alert.currency.clone())
        .bind(alert.attempt_count)
        .bind(alert.failed_at)
        .bind(alert.next_attempt_at)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets the company's failed payment (paid or voided).
    pub async fn clear_billing_alert(&self, company: CompanyId) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM billing_alerts WHERE company_id = $1")
            .bind(company.get())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(id: &str, created: i64, attempts: u64) -> InvoiceFacts {
        InvoiceFacts {
            id: id.into(),
            customer: Some("cus_1".into()),
            subscription: Some("sub_1".into()),
            number: Some(format!("N-{id}")),
            status: Some(InvoiceStatus::Open),
            created,
            finalized_at: Some(created + 3600),
            total_cents: 29_500,
            amount_due_cents: 29_500,
            amount_remaining_cents: 29_500,
            currency: "usd".into(),
            charged_automatically: true,
            attempt_count: attempts,
            next_payment_attempt: Some(created + 3 * 86_400),
            hosted_invoice_url: None,
            invoice_pdf: None,
        }
    }

    #[test]
    fn the_first_failure_is_dated_when_the_invoice_was_charged() {
        let alert = next_alert(&[open("in_a", 1_000, 1)], None).unwrap();
        assert_eq!(alert.invoice_id, "in_a");
        assert_eq!(
            alert.failed_at, 4_600,
            "finalized, which is when Stripe charges"
        );
        assert_eq!(alert.amount_due_cents, 29_500);
        assert_eq!(alert.next_attempt_at, Some(1_000 + 3 * 86_400));
    }

    #[test]
    fn seeing_the_same_attempt_again_keeps_its_date() {
        let first = next_alert(&[open("in_a", 1_000, 1)], None).unwrap();
        let again = next_alert(&[open("in_a", 1_000, 1)], Some(&first)).unwrap();
        assert_eq!(again, first);
    }

    #[test]
    fn a_failed_retry_keeps_the_first_date_and_moves_the_next_retry() {
        let first = next_alert(&[open("in_a", 1_000, 1)], None).unwrap();
        let mut second = open("in_a", 1_000, 2);
        second.next_payment_attempt = Some(1_000 + 8 * 86_400);
        let retried = next_alert(&[second.clone()], Some(&first)).unwrap();
        assert_eq!(retried.failed_at, 4_600, "the first failed attempt's date");
        assert_eq!(retried.attempt_count, 2);
        assert_eq!(retried.next_attempt_at, Some(1_000 + 8 * 86_400));
        // Without what we saw before, the first attempt is still the finalization.
        let unseen = next_alert(&[second], None).unwrap();
        assert_eq!(unseen.failed_at, 4_600);
    }

    #[test]
    fn the_newest_failed_invoice_is_shown_and_settled_ones_are_not() {
        let mut paid = open("in_c", 9_000, 1);
        paid.status = Some(InvoiceStatus::Paid);
        paid.amount_remaining_cents = 0;
        let untried = open("in_d", 10_000, 0);
        let alert = next_alert(
            &[
                open("in_a", 1_000, 1),
                open("in_b", 5_000, 1),
                paid,
                untried,
            ],
            None,
        )
        .unwrap();
        assert_eq!(alert.invoice_id, "in_b");
        assert_eq!(next_alert(&[], None), None, "nothing open: no banner");
    }
}
