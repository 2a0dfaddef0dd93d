//! Billing: the `/billing` page (the company's Stripe invoices with the projects each one
//! covers, the card on file, billing email and tax IDs, and **Manage payment details**,
//! which opens Stripe's Customer Portal), and the failed-payment banner admins see on every
//! page until the invoice is paid.
//!
//! The wording rules below are pure and shared by the page and the banner.

pub mod api;
mod ui;

/// A UTC date as "5 Jan 2027" (the app's one date format).
pub use crate::subscriptions::date as utc_date;
pub use ui::{BillingPage, ManagePaymentDetails, PaymentBanner};

use crate::licensing::format_usd;

/// An amount in cents in its currency: "$1,780.00" for US dollars, "1,780.00 EUR" otherwise.
pub fn money(cents: i64, currency: &str) -> String {
    let usd = format_usd(cents);
    if currency.eq_ignore_ascii_case("usd") {
        usd
    } else {
        format!("{} {}", usd.replacen('$', "", 1), currency.to_uppercase())
    }
}

/// "Visa ending in 4242", "American Express ending in 0005".
pub fn card_label(brand: &str, last4: &str) -> String {
    let name = match brand {
        "amex" => "American Express".to_string(),
        "diners" => "Diners Club".to_string(),
        "discover" => "Discover".to_string(),
        "jcb" => "JCB".to_string(),
        "mastercard" => "Mastercard".to_string(),
        "unionpay" => "UnionPay".to_string(),
        "visa" => "Visa".to_string(),
        "" | "unknown" => "Card".to_string(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    };
    format!("{name} ending in {last4}")
}

/// "Expires 04/2031".
pub fn card_expiry(month: u32, year: u32) -> String {
    format!("Expires {month:02}/{year}")
}

/// The banner's sentence: "Payment failed on 5 Jan 2027 — update your card".
pub fn failed_payment_sentence(failed_at: i64) -> String {
    format!(
        "Payment failed on {} — update your card",
        utc_date(failed_at)
    )
}

/// What Stripe does next about a failed payment: "Stripe tries the card again on DATE." or,
/// after its last retry, that nothing more happens by itself.
pub fn retry_sentence(next_attempt_at: Option<i64>) -> String {
    match next_attempt_at {
        Some(at) => format!("Next retry {}.", utc_date(at)),
        None => "Stripe will not retry it: pay it from Manage payment details.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_names_the_next_retry() {
        assert_eq!(
            retry_sentence(Some(1_798_761_600)),
            "Next retry 1 Jan 2027."
        );
        assert!(retry_sentence(None).contains("will not retry"));
    }

    #[test]
    fn money_is_in_its_currency() {
        assert_eq!(money(178_000, "usd"), "$1,780.00");
        assert_eq!(money(178_000, "eur"), "1,780.00 EUR");
        assert_eq!(money(-5, "USD"), "-$0.05");
    }

    #[test]
    fn cards_read_as_people_say_them() {
        assert_eq!(card_label("visa", "4242"), "Visa ending in 4242");
        assert_eq!(
            card_label("amex", "0005"),
            "American Express ending in 0005"
        );
        assert_eq!(
            card_label("cartes_bancaires", "1"),
            "Cartes_bancaires ending in 1"
        );
        assert_eq!(card_expiry(4, 2031), "Expires 04/2031");
    }

    #[test]
    fn the_banner_names_the_day_it_failed() {
        assert_eq!(
            failed_payment_sentence(1_799_193_599),
            "Payment failed on 5 Jan 2027 — update your card"
        );
    }
}
