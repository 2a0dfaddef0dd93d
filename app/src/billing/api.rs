//! What the Billing page and the failed-payment banner exchange with the server, and the
//! server functions themselves. Every one works on the caller's company only: the Stripe
//! customer is looked up on the server, never taken from the browser.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The company's billing as Stripe knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingOverview {
    /// The Stripe customer's details; `None` until the company's first checkout.
    pub account: Option<BillingAccount>,
    /// Invoices, newest first.
    pub invoices: Vec<InvoiceRow>,
    /// There are older invoices than these (the Customer Portal lists them all).
    pub older_invoices: bool,
}

/// Who Stripe bills and how.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BillingAccount {
    /// Where Stripe sends invoices and receipts.
    pub email: Option<String>,
    /// Tax IDs printed on invoices.
    pub tax_ids: Vec<TaxIdRow>,
    /// The card future invoices are charged to.
    pub card: Option<CardOnFile>,
}

/// One tax ID of the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxIdRow {
    /// Stripe's type, e.g. `eu_vat`, `us_ein`.
    pub kind: String,
    /// The number as entered.
    pub value: String,
}

/// The payment card on file (never more than Stripe shows: brand, last four, expiry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardOnFile {
    /// `visa`, `mastercard`, `amex`, …
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month (1–12).
    pub exp_month: u32,
    /// Expiry year (four digits).
    pub exp_year: u32,
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Not finalized yet.
    Draft,
    /// Finalized and waiting for payment.
    Open,
    /// Paid.
    Paid,
    /// Written off.
    Uncollectible,
    /// Cancelled.
    Void,
}

impl InvoiceStatus {
    /// Stripe's word for it.
    pub fn parse(stripe: &str) -> Option<Self> {
        Some(match stripe {
            "draft" => Self::Draft,
            "open" => Self::Open,
            "paid" => Self::Paid,
            "uncollectible" => Self::Uncollectible,
            "void" => Self::Void,
            _ => return None,
        })
    }
}

/// One invoice on the Billing page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRow {
    /// `in_…`.
    pub id: String,
    /// Stripe's invoice number (set when finalized).
    pub number: Option<String>,
    /// When it was issued (UTC unix seconds).
    pub created: i64,
    /// Its total, in cents.
    pub total_cents: i64,
    /// What is still to pay, in cents.
    pub amount_remaining_cents: i64,
    /// ISO currency code, lower case.
    pub currency: String,
    /// Where it stands (`None`: a status this app does not know).
    pub status: Option<InvoiceStatus>,
    /// Stripe tried to charge it and the charge failed (it is still open).
    pub payment_failed: bool,
    /// Stripe's hosted page for the invoice (view and pay).
    pub hosted_invoice_url: Option<String>,
    /// The PDF.
    pub invoice_pdf: Option<String>,
    /// Names of the projects its subscription licenses, A–Z.
    pub projects: Vec<String>,
}

impl InvoiceRow {
    /// "Paid", "Payment failed", "Open", … for the status column.
    pub fn status_label(&self) -> &'static str {
        match self.status {
            Some(InvoiceStatus::Open) if self.payment_failed => "Payment failed",
            Some(InvoiceStatus::Open) => "Open",
            Some(InvoiceStatus::Paid) => "Paid",
            Some(InvoiceStatus::Draft) => "Draft",
            Some(InvoiceStatus::Uncollectible) => "Uncollectible",
            Some(InvoiceStatus::Void) => "Void",
            None => "Unknown",
        }
    }
}

/// The company's latest failed payment, shown to admins on every page until it is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAlert {
    /// The invoice whose payment failed (`in_…`).
    pub invoice_id: String,
    /// Its number.
    pub invoice_number: Option<String>,
    /// When the first attempt to charge it failed (UTC unix seconds).
    pub failed_at: i64,
    /// When Stripe tries the card again (None: no more automatic retries).
    pub next_attempt_at: Option<i64>,
    /// What is due, in cents.
    pub amount_due_cents: i64,
    /// ISO currency code, lower case.
    pub currency: String,
}

/// What a non-admin is told about billing.
pub const ADMINS_ONLY: &str =
    "Only Procore company admins can see invoices and change payment details. Ask a company admin of this company.";

/// The caller company's invoices, card, billing email and tax IDs (admins only).
#[server(endpoint = "billing_overview", output = crate::codec::JsonText)]
pub async fn get_billing_overview() -> Result<BillingOverview, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.billing.overview(&caller).await }).await
}

/// The caller company's failed payment, if any (admins only; others get `None`).
#[server(endpoint = "payment_alert", output = crate::codec::JsonText)]
pub async fn get_payment_alert() -> Result<Option<PaymentAlert>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.billing.payment_alert(&caller).await }).await
}

/// Opens a Stripe Customer Portal session for the caller's company; returns its URL, to
/// which the browser goes at once (admins only).
#[server(endpoint = "open_billing_portal", output = crate::codec::JsonText)]
pub async fn open_billing_portal() -> Result<String, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.billing.portal_url(&caller).await }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: Option<InvoiceStatus>, payment_failed: bool) -> InvoiceRow {
        InvoiceRow {
            id: "in_1".into(),
            number: None,
            created: 0,
            total_cents: 0,
            amount_remaining_cents: 0,
            currency: "usd".into(),
            status,
            payment_failed,
            hosted_invoice_url: None,
            invoice_pdf: None,
            projects: vec![],
        }
    }

    #[test]
    fn an_open_invoice_with_a_failed_charge_says_so() {
        assert_eq!(
            row(Some(InvoiceStatus::Open), true).status_label(),
            "Payment failed"
        );
        assert_eq!(row(Some(InvoiceStatus::Open), false).status_label(), "Open");
        assert_eq!(row(Some(InvoiceStatus::Paid), false).status_label(), "Paid");
        assert_eq!(row(None, false).status_label(), "Unknown");
    }

    #[test]
    fn stripe_statuses_parse() {
        assert_eq!(InvoiceStatus::parse("void"), Some(InvoiceStatus::Void));
        assert_eq!(InvoiceStatus::parse("deleted"), None);
        assert_eq!(
            serde_json::to_string(&InvoiceStatus::Uncollectible).unwrap(),
            "\"uncollectible\""
        );
    }
}
