//! Stripe's test PaymentMethods (`pm_card_visa`, `pm_card_chargeCustomerFail`, …) and
//! attaching a card to a customer: `POST /v1/payment_methods/{id}/attach` and
//! `payment_method` (+ `invoice_settings[default_payment_method]`) on customer create.
//!
//! As in test mode, naming a test PaymentMethod makes a new card `payment_method` (`pm_…`)
//! from its test number, not yet attached; attaching it sets `customer` and sends
//! `payment_method.attached`. The cards Stripe declines outright (docs.stripe.com/testing,
//! "Declined payments": `pm_card_visa_chargeDeclined`, `…InsufficientFunds`, …) cannot be
//! attached: the request answers that card's 402 error and nothing is created.
//! `pm_card_chargeCustomerFail` attaches and then every charge fails;
//! `pm_card_authenticationRequired` attaches and every off-session charge needs 3-D Secure
//! (their behaviour when charged is in `cards.rs`).

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde_json::Value;

use super::api::{ApiResult, Params, ReqCtx, StripeError};
use super::cards::{self, CardInput};
use super::store::Store;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Why Stripe refuses a card as soon as it is used: its card error.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub decline_code: Option<&'static str>,
    pub message: &'static str,
}

impl Refusal {
    /// The 402 Stripe answers.
    pub fn to_error(&self) -> StripeError {
        StripeError::card(self.code, self.decline_code, self.message)
    }
}

/// One of Stripe's test cards: its number, its PaymentMethod names and its funding.
pub(crate) struct TestCard {
    pub number: &'static str,
    /// `pm_card_…` names that stand for this card (first: Stripe's documented one).
    pub names: &'static [&'static str],
    pub funding: &'static str,
    /// Declined when entered or attached (never stored).
    pub refused: Option<Refusal>,
}

const fn ok(
    number: &'static str,
    names: &'static [&'static str],
    funding: &'static str,
) -> TestCard {
    TestCard {
        number,
        names,
        funding,
        refused: None,
    }
}

const fn refused(
    number: &'static str,
    names: &'static [&'static str],
    code: &'static str,
    decline_code: Option<&'static str>,
    message: &'static str,
) -> TestCard {
    TestCard {
        number,
        names,
        funding: "credit",
        refused: Some(Refusal {
            code,
            decline_code,
            message,
        }),
    }
}

const DECLINED: &str = "Your card was declined.";

/// Stripe's test cards this sandbox knows (docs.stripe.com/testing).
pub(crate) const TEST_CARDS: &[TestCard] = &[
    ok("4242424242424242", &["pm_card_visa"], "credit"),
    ok("4000056655665556", &["pm_card_visa_debit"], "debit"),
    ok("5555555555554444", &["pm_card_mastercard"], "credit"),
    ok("5200828282828210", &["pm_card_mastercard_debit"], "debit"),
    ok(
        "5105105105105100",
        &["pm_card_mastercard_prepaid"],
        "prepaid",
    ),
    ok("378282246310005", &["pm_card_amex"], "credit"),
    ok("6011111111111117", &["pm_card_discover"], "credit"),
    ok("3056930009020004", &["pm_card_diners"], "credit"),
    ok("3566002020360505", &["pm_card_jcb"], "credit"),
    ok("6200000000000005", &["pm_card_unionpay"], "credit"),
    // Attaches; every later charge is declined.
    ok(
        "4000000000000341",
        &["pm_card_chargeCustomerFail"],
        "credit",
    ),
    // Attaches; payments need 3-D Secure (always, or until set up, which this sandbox
    // has no SetupIntents for).
    ok(
        "4000002760003184",
        &["pm_card_authenticationRequired"],
        "credit",
    ),
    ok(
        "4000002500003155",
        &["pm_card_authenticationRequiredOnSetup"],
        "credit",
    ),
    refused(
        "4000000000000002",
        &["pm_card_visa_chargeDeclined", "pm_card_chargeDeclined"],
        "card_declined",
        Some("generic_decline"),
        DECLINED,
    ),
    refused(
        "4000000000009995",
        &["pm_card_visa_chargeDeclinedInsufficientFunds"],
        "card_declined",
        Some("insufficient_funds"),
        "Your card has insufficient funds.",
    ),
    refused(
        "4000000000009987",
        &["pm_card_visa_chargeDeclinedLostCard"],
        "card_declined",
        Some("lost_card"),
        DECLINED,
    ),
    refused(
        "4000000000009979",
        &["pm_card_visa_chargeDeclinedStolenCard"],
        "card_declined",
        Some("stolen_card"),
        DECLINED,
    ),
    refused(
        "4000000000000069",
        &["pm_card_chargeDeclinedExpiredCard"],
        "expired_card",
        None,
        "Your card has expired.",
    ),
    refused(
        "4000000000000127",
        &["pm_card_chargeDeclinedIncorrectCvc"],
        "incorrect_cvc",
        None,
        "Your card's security code is incorrect.",
    ),
    refused(
        "4000000000000119",
        &["pm_card_chargeDeclinedProcessingError"],
        "processing_error",
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
    refused(
        "4000000000006975",
        &["pm_card_visa_chargeDeclinedVelocityLimitExceeded"],
        "card_declined",
        Some("card_velocity_exceeded"),
        DECLINED,
    ),
];

/// The test card with this number.
pub(crate) fn by_number(number: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.number == number)
}

/// The test card a `pm_card_…` name stands for.
pub(crate) fn by_name(name: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.names.contains(&name))
}

/// The card network of a number, from its prefix.
pub(crate) fn brand_of(number: &str) -> &'static str {
    let starts = |p: &str| number.starts_with(p);
    if starts("4") {
        "visa"
    } else if starts("34") || starts("37") {
        "amex"
    } else if starts("5") || starts("2") {
        "mastercard"
    } else if starts("6011") || starts("65") {
        "discover"
    } else if starts("30") || starts("36") || starts("38") {
        "diners"
    } else if starts("35") {
        "jcb"
    } else if starts("62") {
        "unionpay"
    } else {
        "unknown"
    }
}

/// "Visa", "American Express", … as Stripe's pages name a brand.
pub(crate) fn brand_name(brand: &str) -> &'static str {
    match brand {
        "visa" => "Visa",
        "mastercard" => "Mastercard",
        "amex" => "American Express",
        "discover" => "Discover",
        "diners" => "Diners Club",
        "jcb" => "JCB",
        "unionpay" => "UnionPay",
        _ => "Card",
    }
}

/// The year of a unix time (for a test card's expiry; a day off at New Year is harmless).
fn year_of(unix: i64) -> i64 {
    1970 + unix.div_euclid(31_556_952)
}

/// The card a PaymentMethod id names, ready to be attached to `customer`: a stored one
/// (refused when another customer has it), or a new one made from a test PaymentMethod.
/// `Ok(None)`: already attached to `customer`.
pub(crate) fn to_attach(
    store: &Store,
    id: &str,
    customer: &str,
    now: i64,
) -> Result<Option<Value>, StripeError> {
    if let Some(pm) = store.payment_methods.get(id) {
        return match pm["customer"].as_str() {
            Some(c) if c == customer => Ok(None),
            Some(_) => Err(StripeError::invalid(
                "payment_method",
                "The payment method you provided has already been attached to a customer.",
            )),
            None => {
                let mut pm = pm.clone();
                pm["customer"] = customer.into();
                Ok(Some(pm))
            }
        };
    }
    let card = by_name(id)
        .ok_or_else(|| StripeError::no_such("PaymentMethod", id).param("payment_method"))?;
    if let Some(refusal) = &card.refused {
        return Err(refusal.to_error());
    }
    let input = CardInput {
        number: card.number.to_owned(),
        exp_month: 12,
        exp_year: year_of(now) + 1,
    };
    let mut pm = cards::payment_method(&input, None, None, customer, now);
    pm["card"]["checks"]["cvc_check"] = Value::Null;
    Ok(Some(pm))
}

/// Attaches `id` to `customer` (which must exist); returns the PaymentMethod and its
/// `payment_method.attached` event (none when it was already attached to them).
pub(crate) fn attach_to(
    store: &mut Store,
    id: &str,
    customer: &str,
    now: i64,
) -> Result<(Value, Vec<EventSpec>), StripeError> {
    match to_attach(store, id, customer, now)? {
        Some(pm) => {
            let events = cards::attach(store, pm.clone(), false);
            Ok((pm, events))
        }
        None => Ok((
            store.payment_methods.get(id).cloned().unwrap_or_default(),
            Vec::new(),
        )),
    }
}

/// Routes below `/v1` for attaching payment methods.
pub(crate) fn router() -> Router<Shared> {
    Router::new().route("/payment_methods/{id}/attach", post(attach))
}

/// `POST /v1/payment_methods/{id}/attach`.
async fn attach(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let customer = p.req("customer")?.to_owned();
    let now = state.now();
    let mut store = state.store();
    if store.customers.get(&customer).is_none() {
        return Err(StripeError::no_such("customer", &customer).param("customer"));
    }
    let (pm, events) = attach_to(&mut store, &id, &customer, now)?;
    emit(&state, &mut store, events, Some(&ctx));
    Ok(Json(pm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_are_found_by_name_and_number() {
        assert_eq!(by_name("pm_card_visa").unwrap().number, "4242424242424242");
        assert_eq!(
            by_name("pm_card_chargeDeclined").unwrap().refused,
            by_name("pm_card_visa_chargeDeclined").unwrap().refused
        );
        assert!(by_name("pm_card_chargeCustomerFail")
            .unwrap()
            .refused
            .is_none());
        assert!(by_name("pm_card_nonsense").is_none());
        assert_eq!(by_number("5200828282828210").unwrap().funding, "debit");
        assert_eq!(brand_of("378282246310005"), "amex");
        assert_eq!(brand_of("5555555555554444"), "mastercard");
        assert_eq!(brand_of("6200000000000005"), "unionpay");
        assert_eq!(year_of(1_798_761_600), 2027);
    }
}
