//! Cards on file (`payment_method` objects) with Stripe's test-card behaviours, and
//! customer tax IDs.
//!
//! Test cards (any future expiry, any 3–4 digit CVC), as in Stripe's testing docs:
//! - `4242 4242 4242 4242`: every charge succeeds.
//! - `4000 0000 0000 0341`: attaches (and pays at Checkout), every later charge is declined
//!   (`card_declined` / `generic_decline`).
//! - `4000 0027 6000 3184` (and `4000 0025 0000 3155`): every charge needs 3-D Secure; on a hosted page the payer
//!   completes it, off-session charges fail with `authentication_required`.
//! - `4000 0000 0000 0002` and the other "Declined payments" numbers
//!   (`payment_methods.rs`): declined as soon as entered, so never attached.
//! - the other numbers of `payment_methods::TEST_CARDS` (Mastercard, Amex, debit, …) succeed.
//!
//! The behaviour of a stored card is read back from its `last4`, which is unique among
//! the numbers that do not simply succeed; other numbers are refused as incorrect.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::api::{list, ApiResult, Params, ReqCtx, StripeError};
use super::payment_methods::{brand_name, brand_of, by_number};
use super::store::{new_id, Store};
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// What charging a stored card does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behaviour {
    Succeeds,
    DeclinesLater,
    NeedsAuthentication,
}

/// The behaviour of a stored `payment_method`, from its `last4`.
pub(crate) fn behaviour(pm: &Value) -> Behaviour {
    match pm["card"]["last4"].as_str() {
        Some("0341") => Behaviour::DeclinesLater,
        Some("3184" | "3155") => Behaviour::NeedsAuthentication,
        _ => Behaviour::Succeeds,
    }
}

/// A card typed on a hosted page, validated like Stripe Elements does.
#[derive(Clone, Debug)]
pub(crate) struct CardInput {
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

/// Validates number, expiry and CVC; the error is Stripe's wording for the first problem.
pub(crate) fn read_card(form: &HashMap<String, String>) -> Result<CardInput, &'static str> {
    let field = |k: &str| form.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let number: String = field("card_number")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    match by_number(&number) {
        None => return Err("Your card number is incorrect."),
        Some(card) => {
            if let Some(refusal) = &card.refused {
                return Err(refusal.message);
            }
        }
    }
    let (exp_month, exp_year) = field("exp")
        .and_then(parse_expiry)
        .ok_or("Your card's expiration date is incomplete.")?;
    if field("cvc")
        .is_none_or(|c| !(3..=4).contains(&c.len()) || !c.chars().all(|ch| ch.is_ascii_digit()))
    {
        return Err("Your card's security code is incomplete.");
    }
    Ok(CardInput {
        number,
        exp_month,
        exp_year,
    })
}

/// `MM / YY`, `MM/YY` or `MM/YYYY` → (month, four-digit year).
fn parse_expiry(raw: &str) -> Option<(i64, i64)> {
    let (m, y) = raw.split_once('/')?;
    let month: i64 = m.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let y = y.trim();
    let year: i64 = y.parse().ok()?;
    match y.len() {
        2 => Some((month, 2000 + year)),
        4 => Some((month, year)),
        _ => None,
    }
}

/// A card `payment_method` attached to `customer`.
pub(crate) fn payment_method(
    card: &CardInput,
    name: Option<&str>,
    email: Option<&str>,
    customer: &str,
    now: i64,
) -> Value {
    let brand = brand_of(&card.number);
    let funding = by_number(&card.number).map_or("credit", |c| c.funding);
    let digest = Sha256::digest(card.number.as_bytes());
    let fingerprint: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    json!({
        "id": new_id("pm"), "object": "payment_method", "allow_redisplay": "unspecified",
        "billing_details": {"address": {"city": null, "country": null, "line1": null, "line2": null,
            "postal_code": null, "state": null}, "email": email, "name": name, "phone": null, "tax_id": null},
        "card": {"brand": brand, "checks": {"address_line1_check": null,
            "address_postal_code_check": null, "cvc_check": "pass"}, "country": "US",
            "display_brand": brand, "exp_month": card.exp_month, "exp_year": card.exp_year,
            "fingerprint": fingerprint, "funding": funding, "generated_from": null,
            "last4": &card.number[card.number.len() - 4..],
            "networks": {"available": [brand], "preferred": null},
            "regulated_status": "unregulated", "three_d_secure_usage": {"supported": true},
            "wallet": null},
        "created": now, "customer": customer, "livemode": false, "metadata": {}, "type": "card",
    })
}

/// Stores `pm` (already attached to its customer), optionally as the default card of the
/// customer and of their live subscriptions; returns the events.
pub(crate) fn attach(store: &mut Store, pm: Value, make_default: bool) -> Vec<EventSpec> {
    let mut events = vec![EventSpec::new("payment_method.attached", &pm)];
    let customer = pm["customer"].as_str().unwrap_or_default().to_owned();
    let id = pm["id"].as_str().unwrap_or_default().to_owned();
    store.payment_methods.insert(pm);
    if make_default {
        events.extend(set_default(store, &customer, &id, true));
    }
    events
}

/// Makes `pm` the customer's `invoice_settings.default_payment_method` and, with
/// `subscriptions`, the `default_payment_method` of each live subscription (as the portal
/// does when a card is replaced).
pub(crate) fn set_default(
    store: &mut Store,
    customer: &str,
    pm: &str,
    subscriptions: bool,
) -> Vec<EventSpec> {
    let mut events = Vec::new();
    if let Some(c) = store.customers.get_mut(customer) {
        if c["invoice_settings"]["default_payment_method"] != pm {
            let previous = json!({"invoice_settings": c["invoice_settings"].clone()});
            c["invoice_settings"]["default_payment_method"] = pm.into();
            events.push(EventSpec::updated("customer.updated", c, previous));
        }
    }
    let ids = if subscriptions {
        store.subscriptions.ids()
    } else {
        Vec::new()
    };
    for id in ids {
        let Some(sub) = store.subscriptions.get_mut(&id) else {
            continue;
        };
        let ended = sub["status"] == "canceled" || sub["status"] == "incomplete_expired";
        if sub["customer"] != customer || ended || sub["default_payment_method"] == pm {
            continue;
        }
        let previous = json!({"default_payment_method": sub["default_payment_method"].clone()});
        sub["default_payment_method"] = pm.into();
        events.push(EventSpec::updated(
            "customer.subscription.updated",
            sub,
            previous,
        ));
    }
    events
}

/// The card a charge for this subscription (or customer) uses: the subscription's
/// `default_payment_method`, else the customer's invoice default.
pub(crate) fn default_card(store: &Store, customer: &str, sub: Option<&Value>) -> Option<Value> {
    let from_sub = sub.and_then(|s| s["default_payment_method"].as_str());
    let from_customer = store
        .customers
        .get(customer)
        .and_then(|c| c["invoice_settings"]["default_payment_method"].as_str());
    store
        .payment_methods
        .get(from_sub.or(from_customer)?)
        .cloned()
}

/// "Visa •••• 4242 (expires 12/2034)".
pub(crate) fn describe(pm: &Value) -> String {
    format!(
        "{} •••• {} (expires {:02}/{})",
        brand_name(pm["card"]["brand"].as_str().unwrap_or("visa")),
        pm["card"]["last4"].as_str().unwrap_or("????"),
        pm["card"]["exp_month"].as_i64().unwrap_or(0),
        pm["card"]["exp_year"].as_i64().unwrap_or(0)
    )
}

/// `(type, country)` Stripe would infer for a tax ID typed without a type.
fn tax_type(value: &str) -> (&'static str, Option<&'static str>) {
    let v = value.trim();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match v.split_once('-') {
        Some((a, b)) if a.len() == 2 && b.len() == 7 && digits(a) && digits(b) => {
            ("us_ein", Some("US"))
        }
        _ if v.len() > 4 && v[..2].chars().all(|c| c.is_ascii_uppercase()) && digits(&v[2..]) => {
            ("eu_vat", None)
        }
        _ => ("unknown", None),
    }
}

/// Stores a tax ID on `customer`; returns it with its `customer.tax_id.created` event.
pub(crate) fn add_tax_id(
    store: &mut Store,
    customer: &str,
    value: &str,
    type_: Option<&str>,
    now: i64,
) -> (Value, EventSpec) {
    let (guessed, country) = tax_type(value);
    let country = country
        .map(str::to_owned)
        .or_else(|| (guessed == "eu_vat").then(|| value.trim()[..2].to_owned()));
    let tax_id = json!({
        "id": new_id("txi"), "object": "tax_id", "country": country, "created": now,
        "customer": customer, "livemode": false,
        "owner": {"account": null, "application": null, "customer": customer, "type": "customer"},
        "type": type_.unwrap_or(guessed), "value": value.trim(),
        "verification": {"status": "unavailable", "verified_address": null, "verified_name": null},
    });
    store.tax_ids.insert(tax_id.clone());
    let event = EventSpec::new("customer.tax_id.created", &tax_id);
    (tax_id, event)
}

/// Routes below `/v1` for payment methods and tax IDs.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/payment_methods", get(list_payment_methods))
        .route("/payment_methods/{id}", get(get_payment_method))
        .route(
            "/customers/{id}/payment_methods",
            get(list_customer_payment_methods),
        )
        .route(
            "/customers/{id}/payment_methods/{pm}",
            get(get_customer_payment_method),
        )
        .route(
            "/customers/{id}/tax_ids",
            get(list_tax_ids).post(create_tax_id),
        )
        .route("/customers/{id}/tax_ids/{txi}", get(get_tax_id))
}

async fn get_payment_method(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult {
    let store = state.store();
    let pm = store
        .payment_methods
        .get(&id)
        .ok_or_else(|| StripeError::no_such("PaymentMethod", &id))?;
    Ok(Json(pm.clone()))
}

fn cards_of(store: &Store, customer: &str, p: &Params) -> Result<Vec<Value>, StripeError> {
    if store.customers.get(customer).is_none() {
        return Err(StripeError::no_such("customer", customer).param("customer"));
    }
    let type_ = p.str("type");
    Ok(store
        .payment_methods
        .newest_first()
        .filter(|pm| pm["customer"] == customer)
        .filter(|pm| type_.is_none_or(|t| pm["type"] == t))
        .cloned()
        .collect())
}

async fn list_payment_methods(State(state): State<Shared>, p: Params) -> ApiResult {
    let customer = p.req("customer")?;
    let items = cards_of(&state.store(), customer, &p)?;
    Ok(Json(list(items, &p, "/v1/payment_methods")?))
}

async fn list_customer_payment_methods(
    State(state): State<Shared>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let items = cards_of(&state.store(), &id, &p)?;
    Ok(Json(list(
        items,
        &p,
        &format!("/v1/customers/{id}/payment_methods"),
    )?))
}

async fn get_customer_payment_method(
    State(state): State<Shared>,
    Path((id, pm)): Path<(String, String)>,
) -> ApiResult {
    let store = state.store();
    store
        .payment_methods
        .get(&pm)
        .filter(|o| o["customer"] == id.as_str())
        .cloned()
        .map(Json)
        .ok_or_else(|| StripeError::no_such("PaymentMethod", &pm))
}

async fn list_tax_ids(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let store = state.store();
    if store.customers.get(&id).is_none() {
        return Err(StripeError::no_such("customer", &id));
    }
    let items = store
        .tax_ids
        .newest_first()
        .filter(|t| t["customer"] == id.as_str())
        .cloned()
        .collect();
    Ok(Json(list(
        items,
        &p,
        &format!("/v1/customers/{id}/tax_ids"),
    )?))
}

async fn get_tax_id(
    State(state): State<Shared>,
    Path((id, txi)): Path<(String, String)>,
) -> ApiResult {
    let store = state.store();
    store
        .tax_ids
        .get(&txi)
        .filter(|t| t["customer"] == id.as_str())
        .cloned()
        .map(Json)
        .ok_or_else(|| StripeError::no_such("tax_id", &txi))
}

async fn create_tax_id(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let type_ = p.req("type")?.to_owned();
    let value = p.req("value")?.to_owned();
    let now = state.now();
    let mut store = state.store();
    if store.customers.get(&id).is_none() {
        return Err(StripeError::no_such("customer", &id));
    }
    let (tax_id, event) = add_tax_id(&mut store, &id, &value, Some(&type_), now);
    emit(&state, &mut store, vec![event], Some(&ctx));
    Ok(Json(tax_id))
}

/// The `/__sandbox/stripe/card` switch: a new card `number` becomes the default of
/// `customer` (and of their subscriptions), with the events the portal would send.
pub(crate) fn replace_default_card(
    state: &Shared,
    customer: &str,
    number: &str,
) -> Result<Value, String> {
    let form = HashMap::from([
        ("card_number".to_owned(), number.to_owned()),
        ("exp".to_owned(), "12/34".to_owned()),
        ("cvc".to_owned(), "123".to_owned()),
    ]);
    let card = read_card(&form).map_err(str::to_owned)?;
    let now = state.now();
    let mut store = state.store();
    let email = store
        .customers
        .get(customer)
        .ok_or_else(|| format!("No such customer: '{customer}'"))?["email"]
        .as_str()
        .map(str::to_owned);
    let pm = payment_method(&card, None, email.as_deref(), customer, now);
    let events = attach(&mut store, pm.clone(), true);
    emit(state, &mut store, events, None);
    Ok(pm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_and_tax_types() {
        assert_eq!(parse_expiry("12 / 34"), Some((12, 2034)));
        assert_eq!(parse_expiry("01/2031"), Some((1, 2031)));
        assert_eq!(parse_expiry("13/30"), None);
        assert_eq!(tax_type("12-3456789"), ("us_ein", Some("US")));
        assert_eq!(tax_type("DE123456789").0, "eu_vat");
        assert_eq!(tax_type("whatever").0, "unknown");
    }
}
