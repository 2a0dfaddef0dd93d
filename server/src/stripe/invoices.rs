//! A customer's invoices and payment details as Stripe has them, for the Billing page and
//! the failed-payment banner. Read-only; every call names one customer id, which callers
//! take from our own `billing_customers` table, never from a browser.

use app::billing::api::{BillingAccount, CardOnFile, InvoiceStatus, TaxIdRow};
use stripe_billing::invoice::{ListInvoice, RetrieveInvoice};
use stripe_billing::subscription::ListSubscription;
use stripe_billing::tax_id::ListCustomerTaxId;
use stripe_core::customer::{RetrieveCustomer, RetrieveCustomerReturned};
use stripe_shared::{Invoice, InvoiceCollectionMethod, PaymentMethod};
use stripe_types::Expandable;

use super::{BillingError, StripeBilling};

/// How many invoices the Billing page shows (newest first); older ones are in the portal.
pub const INVOICES_SHOWN: i64 = 100;

/// What the Billing page and the banner read of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFacts {
    /// `in_…`.
    pub id: String,
    /// The customer it bills.
    pub customer: Option<String>,
    /// The subscription it belongs to (`parent.subscription_details.subscription`).
    pub subscription: Option<String>,
    /// Set when finalized.
    pub number: Option<String>,
    /// Where it stands (`None`: a status this app does not know).
    pub status: Option<InvoiceStatus>,
    /// Issued (UTC unix seconds).
    pub created: i64,
    /// Finalized, which is when an automatic charge is first tried (UTC unix seconds).
    pub finalized_at: Option<i64>,
    /// Total in cents.
    pub total_cents: i64,
    /// Due in cents.
    pub amount_due_cents: i64,
    /// Still to pay in cents.
    pub amount_remaining_cents: i64,
    /// ISO code, lower case.
    pub currency: String,
    /// Stripe charges it to the card on file (rather than e-mailing it).
    pub charged_automatically: bool,
    /// Charges tried so far.
    pub attempt_count: u64,
    /// When Stripe tries again (UTC unix seconds), if it will.
    pub next_payment_attempt: Option<i64>,
    /// Stripe's hosted page.
    pub hosted_invoice_url: Option<String>,
    /// The PDF.
    pub invoice_pdf: Option<String>,
}

impl InvoiceFacts {
    /// Stripe tried to charge the card, the charge failed, and the money is still owed.
    pub fn payment_failed(&self) -> bool {
        self.status == Some(InvoiceStatus::Open)
            && self.charged_automatically
            && self.attempt_count > 0
            && self.amount_remaining_cents > 0
    }
}

impl From<Invoice> for InvoiceFacts {
    fn from(invoice: Invoice) -> Self {
        // Since 2025-03-31.basil the subscription sits under `parent`; older shapes kept it
        // at the top level.
        let subscription = invoice
            .parent
            .as_ref()
            .and_then(|p| p.subscription_details.as_ref())
            .map(|d| d.subscription.id().to_string())
            .or_else(|| invoice.subscription.as_ref().map(|s| s.id().to_string()));
        Self {
            id: invoice.id.map(|id| id.to_string()).unwrap_or_default(),
            customer: invoice.customer.as_ref().map(|c| c.id().to_string()),
            subscription,
            number: invoice.number,
            status: invoice
                .status
                .as_ref()
                .and_then(|s| InvoiceStatus::parse(s.as_str())),
            created: invoice.created,
            finalized_at: invoice.status_transitions.finalized_at,
            total_cents: invoice.total,
            amount_due_cents: invoice.amount_due,
            amount_remaining_cents: invoice.amount_remaining,
            currency: invoice.currency.to_string(),
            charged_automatically: invoice.collection_method
                == InvoiceCollectionMethod::ChargeAutomatically,
            attempt_count: invoice.attempt_count,
            next_payment_attempt: invoice.next_payment_attempt,
            hosted_invoice_url: invoice.hosted_invoice_url,
            invoice_pdf: invoice.invoice_pdf,
        }
    }
}

fn card_of(method: &PaymentMethod) -> Option<CardOnFile> {
    method.card.as_ref().map(|card| CardOnFile {
        brand: card.brand.clone(),
        last4: card.last4.clone(),
        exp_month: u32::try_from(card.exp_month).unwrap_or_default(),
        exp_year: u32::try_from(card.exp_year).unwrap_or_default(),
    })
}

impl StripeBilling {
    /// The customer's newest invoices (at most [`INVOICES_SHOWN`]), newest first, and whether
    /// there are older ones.
    pub async fn invoices(
        &self,
        customer: &str,
    ) -> Result<(Vec<InvoiceFacts>, bool), BillingError> {
        let page = ListInvoice::new()
            .customer(customer.to_string())
            .limit(INVOICES_SHOWN)
            .send(&self.client)
            .await?;
        Ok((
            page.data.into_iter().map(InvoiceFacts::from).collect(),
            page.has_more,
        ))
    }

    /// The customer's open invoices, newest first.
    pub async fn open_invoices(&self, customer: &str) -> Result<Vec<InvoiceFacts>, BillingError> {
        let page = ListInvoice::new()
            .customer(customer.to_string())
            .status(stripe_shared::InvoiceStatus::Open)
            .limit(INVOICES_SHOWN)
            .send(&self.client)
            .await?;
        Ok(page.data.into_iter().map(InvoiceFacts::from).collect())
    }

    /// One invoice's current state.
    pub async fn invoice(&self, id: &str) -> Result<InvoiceFacts, BillingError> {
        let invoice = RetrieveInvoice::new(id.to_string())
            .send(&self.client)
            .await?;
        Ok(invoice.into())
    }

    /// Billing email, tax IDs and the card future invoices are charged to: the customer's
    /// default payment method, else (Checkout puts it there) that of its newest subscription.
    pub async fn billing_account(&self, customer_id: &str) -> Result<BillingAccount, BillingError> {
        let retrieve = RetrieveCustomer::new(customer_id.to_string())
            .expand(vec!["invoice_settings.default_payment_method".to_string()]);
        let list_tax_ids = ListCustomerTaxId::new(customer_id.to_string()).limit(100);
        let (found, tax_ids) =
            tokio::join!(retrieve.send(&self.client), list_tax_ids.send(&self.client));
        let RetrieveCustomerReturned::Customer(customer) = found? else {
            return Ok(BillingAccount::default());
        };
        let mut card = customer
            .invoice_settings
            .as_ref()
            .and_then(|s| s.default_payment_method.as_ref())
            .and_then(Expandable::as_object)
            .and_then(card_of);
        if card.is_none() {
            card = self.subscription_card(customer_id).await?;
        }
        Ok(BillingAccount {
            email: customer.email,
            tax_ids: tax_ids?
                .data
                .into_iter()
                .map(|t| TaxIdRow {
                    kind: t.type_.as_str().to_string(),
                    value: t.value,
                })
                .collect(),
            card,
        })
    }

    async fn subscription_card(&self, customer: &str) -> Result<Option<CardOnFile>, BillingError> {
        let subscriptions = ListSubscription::new()
            .customer(customer.to_string())
            .expand(vec!["data.default_payment_method".to_string()])
            .limit(10)
            .send(&self.client)
            .await?;
        Ok(subscriptions.data.iter().find_map(|s| {
            s.default_payment_method
                .as_ref()
                .and_then(Expandable::as_object)
                .and_then(card_of)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: InvoiceStatus, attempts: u64, remaining: i64) -> InvoiceFacts {
        InvoiceFacts {
            id: "in_1".into(),
            customer: Some("cus_1".into()),
            subscription: Some("sub_1".into()),
            number: Some("A-0001".into()),
            status: Some(status),
            created: 1,
            finalized_at: Some(1),
            total_cents: 100,
            amount_due_cents: 100,
            amount_remaining_cents: remaining,
            currency: "usd".into(),
            charged_automatically: true,
            attempt_count: attempts,
            next_payment_attempt: None,
            hosted_invoice_url: None,
            invoice_pdf: None,
        }
    }

    #[test]
    fn a_failed_payment_is_an_open_invoice_charged_in_vain() {
        assert!(facts(InvoiceStatus::Open, 1, 100).payment_failed());
        assert!(
            !facts(InvoiceStatus::Open, 0, 100).payment_failed(),
            "not tried yet"
        );
        assert!(!facts(InvoiceStatus::Paid, 1, 0).payment_failed());
        assert!(!facts(InvoiceStatus::Void, 2, 100).payment_failed());
        let mut emailed = facts(InvoiceStatus::Open, 1, 100);
        emailed.charged_automatically = false;
        assert!(
            !emailed.payment_failed(),
            "sent by e-mail: nothing was charged"
        );
    }
}
