//! JSON shapes of the Stripe objects, with every field async-stripe 1.0.0-rc.10 requires
//! (stripe.md §3.6; checked against `deser_default()` in async-stripe-shared) plus the
//! common optional ones as `null`, so both typed clients and stripe-python see real shapes.

use serde_json::{json, Map, Value};

use super::store::new_id;

/// A product.
pub(crate) fn product(
    name: &str,
    description: Option<&str>,
    metadata: Map<String, Value>,
    now: i64,
) -> Value {
    json!({
        "id": new_id("prod"), "object": "product", "active": true, "created": now,
        "default_price": null, "description": description, "images": [], "livemode": false,
        "marketing_features": [], "metadata": metadata, "name": name,
        "package_dimensions": null, "shippable": null, "statement_descriptor": null,
        "tax_code": null, "type": "service", "unit_label": null, "updated": now, "url": null,
    })
}

/// Billing terms of a recurring price.
#[derive(Clone, Debug)]
pub(crate) struct Recurring {
    /// `day|week|month|year`.
    pub interval: String,
    /// Number of intervals per period.
    pub interval_count: i64,
}

/// A price.
#[allow(clippy::too_many_arguments)] // mirrors the create parameters one to one
pub(crate) fn price(
    product: &str,
    currency: &str,
    unit_amount: i64,
    recurring: Option<&Recurring>,
    lookup_key: Option<&str>,
    nickname: Option<&str>,
    metadata: Map<String, Value>,
    now: i64,
) -> Value {
    let recurring_json = recurring.map(|r| {
        json!({"interval": r.interval, "interval_count": r.interval_count, "meter": null,
               "trial_period_days": null, "usage_type": "licensed"})
    });
    json!({
        "id": new_id("price"), "object": "price", "active": true, "billing_scheme": "per_unit",
        "created": now, "currency": currency, "custom_unit_amount": null, "livemode": false,
        "lookup_key": lookup_key, "metadata": metadata, "nickname": nickname, "product": product,
        "recurring": recurring_json, "tax_behavior": "unspecified", "tiers_mode": null,
        "transform_quantity": null,
        "type": if recurring.is_some() { "recurring" } else { "one_time" },
        "unit_amount": unit_amount, "unit_amount_decimal": unit_amount.to_string(),
    })
}

/// The legacy Plan mirror of a recurring price, still required on subscription items.
pub(crate) fn plan(price: &Value) -> Value {
    json!({
        "id": price["id"], "object": "plan", "active": price["active"],
        "amount": price["unit_amount"], "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": "per_unit", "created": price["created"], "currency": price["currency"],
        "interval": price["recurring"]["interval"], "interval_count": price["recurring"]["interval_count"],
        "livemode": false, "metadata": price["metadata"], "meter": null, "nickname": price["nickname"],
        "product": price["product"], "tiers_mode": null, "transform_usage": null,
        "trial_period_days": null, "usage_type": "licensed",
    })
}

/// A customer.
pub(crate) fn customer(
    email: Option<&str>,
    name: Option<&str>,
    metadata: Map<String, Value>,
    now: i64,
) -> Value {
    json!({
        "id": new_id("cus"), "object": "customer", "address": null, "balance": 0, "created": now,
        "currency": null, "default_source": null, "delinquent": false, "description": null,
        "discount": null, "email": email, "invoice_prefix": invoice_prefix(),
        "invoice_settings": {"custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null},
        "livemode": false, "metadata": metadata, "name": name, "next_invoice_sequence": 1,
        "phone": null, "preferred_locales": [], "shipping": null, "tax_exempt": "none", "test_clock": null,
    })
}

fn invoice_prefix() -> String {
    new_id("x")[2..10].to_uppercase()
}

/// One line of a checkout session (`GET /v1/checkout/sessions/{id}/line_items`).
pub(crate) fn session_line(price: &Value, product_name: &str, quantity: u64) -> Value {
    let amount = price["unit_amount"].as_i64().unwrap_or(0) * quantity as i64;
    json!({
        "id": new_id("li"), "object": "item", "amount_discount": 0, "amount_subtotal": amount,
        "amount_tax": 0, "amount_total": amount, "currency": price["currency"],
        "description": product_name, "price": price, "quantity": quantity,
    })
}

/// Inputs of a new checkout session.
pub(crate) struct SessionInit<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub customer: Option<&'a str>,
    pub customer_email: Option<&'a str>,
    pub client_reference_id: Option<&'a str>,
    pub success_url: &'a str,
    pub cancel_url: Option<&'a str>,
    pub metadata: Map<String, Value>,
    pub tax_id_collection: bool,
    pub allow_promotion_codes: Option<bool>,
    pub now: i64,
    pub expires_at: i64,
}

/// An open checkout session in subscription mode.
pub(crate) fn session(s: &SessionInit<'_>) -> Value {
    let head = json!({
        "id": s.id, "object": "checkout.session", "adaptive_pricing": null, "after_expiration": null,
        "allow_promotion_codes": s.allow_promotion_codes, "amount_subtotal": s.amount,
        "amount_total": s.amount,
        "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
        "billing_address_collection": null, "cancel_url": s.cancel_url,
        "client_reference_id": s.client_reference_id, "client_secret": null, "consent": null,
        "consent_collection": null, "created": s.now, "currency": s.currency, "custom_fields": [],
        "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
        "customer": s.customer, "customer_creation": if s.customer.is_some() { Value::Null } else { "always".into() },
    });
    // Split in two: one json! literal this large exceeds the macro recursion limit.
    let rest = json!({
        "customer_details": null, "customer_email": s.customer_email, "discounts": [],
        "expires_at": s.expires_at, "invoice": null, "invoice_creation": null, "livemode": false,
        "locale": null, "metadata": s.metadata, "mode": "subscription", "payment_intent": null,
        "payment_link": null, "payment_method_collection": "always",
        "payment_method_types": ["card"], "payment_status": "unpaid",
        "phone_number_collection": {"enabled": false}, "recovered_from": null,
        "setup_intent": null, "shipping_address_collection": null, "shipping_cost": null,
        "shipping_options": [], "status": "open", "submit_type": null, "subscription": null,
        "success_url": s.success_url,
        "tax_id_collection": {"enabled": s.tax_id_collection, "required": "never"},
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted_page", "url": s.url,
    });
    merged(head, rest)
}

/// `a` with every field of `b` added.
fn merged(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// A subscription item for `price` × `quantity` in the given period.
pub(crate) fn subscription_item(
    sub_id: &str,
    price: &Value,
    quantity: u64,
    period: (i64, i64),
    now: i64,
) -> Value {
    json!({
        "id": new_id("si"), "object": "subscription_item", "billing_thresholds": null,
        "created": now, "current_period_end": period.1, "current_period_start": period.0,
        "discounts": [], "metadata": {}, "plan": plan(price), "price": price,
        "quantity": quantity, "subscription": sub_id, "tax_rates": [],
    })
}

/// A new active subscription whose first invoice is `latest_invoice` (callers set the
/// status, trial and payment method that apply).
pub(crate) fn subscription(
    id: &str,
    customer: &str,
    currency: &str,
    items: Vec<Value>,
    metadata: Map<String, Value>,
    latest_invoice: &str,
    now: i64,
) -> Value {
    let head = json!({
        "id": id, "object": "subscription", "application": null, "application_fee_percent": null,
        "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null},
        "billing_cycle_anchor": now, "billing_cycle_anchor_config": null,
        "billing_mode": {"type": "classic", "flexible": null, "updated_at": null},
        "billing_schedules": [], "billing_thresholds": null, "cancel_at": null,
        "cancel_at_period_end": false, "canceled_at": null,
        "cancellation_details": {"comment": null, "feedback": null, "reason": null},
        "collection_method": "charge_automatically", "created": now, "currency": currency,
        "customer": customer, "days_until_due": null, "default_payment_method": null,
        "default_source": null, "default_tax_rates": [], "description": null, "discounts": [],
        "ended_at": null,
    });
    let rest = json!({
        "invoice_settings": {"account_tax_ids": null, "issuer": {"type": "self"}},
        "items": {"object": "list", "data": items, "has_more": false, "total_count": items.len(), "url": format!("/v1/subscription_items?subscription={id}")},
        "latest_invoice": latest_invoice, "livemode": false, "metadata": metadata,
        "next_pending_invoice_item_invoice": null, "on_behalf_of": null, "pause_collection": null,
        "payment_settings": null, "pending_invoice_item_interval": null, "pending_setup_intent": null,
        "pending_update": null, "schedule": null, "start_date": now, "status": "active",
        "test_clock": null, "transfer_data": null, "trial_end": null, "trial_settings": null,
        "trial_start": null,
    });
    merged(head, rest)
}

/// An invoice line for a subscription item (regular or proration).
#[allow(clippy::too_many_arguments)] // one argument per line field that varies
pub(crate) fn invoice_line(
    invoice_id: &str,
    sub: &Value,
    item_id: &str,
    description: String,
    amount: i64,
    quantity: Option<u64>,
    price: Option<&Value>,
    period: (i64, i64),
    proration: bool,
) -> Value {
    let pricing = price.map(|p| {
        json!({"type": "price_details", "price_details": {"price": p["id"], "product": p["product"]},
               "unit_amount_decimal": p["unit_amount_decimal"]})
    });
    json!({
        "id": new_id("il"), "object": "line_item", "amount": amount, "currency": sub["currency"],
        "description": description, "discount_amounts": [], "discountable": true, "discounts": [],
        "invoice": invoice_id, "livemode": false, "metadata": {},
        "parent": {"type": "subscription_item_details", "invoice_item_details": null,
            "subscription_item_details": {"invoice_item": null, "proration": proration,
                "proration_details": {"credited_items": null}, "subscription": sub["id"],
                "subscription_item": item_id}},
        "period": {"start": period.0, "end": period.1}, "pretax_credit_amounts": [],
        "pricing": pricing, "quantity": quantity, "subtotal": amount, "taxes": [],
    })
}

/// Line description Stripe prints, e.g. "3 × Planner (at $295.00 / month)".
pub(crate) fn line_description(quantity: u64, product_name: &str, price: &Value) -> String {
    let interval = price["recurring"]["interval"].as_str().unwrap_or("month");
    format!(
        "{quantity} × {product_name} (at {} / {interval})",
        money(
            price["unit_amount"].as_i64().unwrap_or(0),
            price["currency"].as_str().unwrap_or("usd")
        )
    )
}

/// "$1,234.50"-style amount for pages and descriptions.
pub(crate) fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let symbol = if currency.eq_ignore_ascii_case("usd") {
        "$".to_owned()
    } else {
        format!("{} ", currency.to_uppercase())
    };
    format!("{sign}{symbol}{grouped}.{:02}", abs % 100)
}

/// Inputs of an invoice.
pub(crate) struct InvoiceInit<'a> {
    pub id: &'a str,
    pub sub: &'a Value,
    pub customer_email: Option<&'a str>,
    pub lines: Vec<Value>,
    pub billing_reason: &'a str,
    pub period: (i64, i64),
    pub number: String,
    pub base_url: &'a str,
    pub now: i64,
}

/// A finalized, open invoice that no payment has been attempted on yet
/// (`payments::attempt` charges it).
pub(crate) fn invoice(i: InvoiceInit<'_>) -> Value {
    let total: i64 = i.lines.iter().filter_map(|l| l["amount"].as_i64()).sum();
    let head = json!({
        "id": i.id, "object": "invoice", "account_country": "US", "account_name": "Smartapp",
        "account_tax_ids": null, "amount_due": total.max(0), "amount_overpaid": 0, "amount_paid": 0,
        "amount_remaining": total.max(0), "amount_shipping": 0, "application": null,
        "attempt_count": 0, "attempted": false, "auto_advance": true,
        "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null, "provider": null, "status": null},
        "billing_reason": i.billing_reason, "collection_method": "charge_automatically",
        "created": i.now, "currency": i.sub["currency"], "custom_fields": null,
        "customer": i.sub["customer"], "customer_email": i.customer_email,
        "default_payment_method": null, "default_source": null, "default_tax_rates": [],
        "description": null, "discounts": [], "due_date": null, "ending_balance": 0,
        "footer": null, "hosted_invoice_url": format!("{}/invoice/{}", i.base_url, i.id),
    });
    let rest = json!({
        "invoice_pdf": format!("{}/invoice/{}/pdf", i.base_url, i.id), "issuer": {"type": "self"},
        "last_finalization_error": null,
        "lines": {"object": "list", "data": i.lines, "has_more": false, "total_count": i.lines.len(), "url": format!("/v1/invoices/{}/lines", i.id)},
        "livemode": false, "metadata": {}, "next_payment_attempt": null, "number": i.number,
        "on_behalf_of": null,
        "parent": {"type": "subscription_details", "quote_details": null,
            "subscription_details": {"metadata": i.sub["metadata"], "subscription": i.sub["id"]}},
        "payment_settings": {"default_mandate": null, "payment_method_options": null, "payment_method_types": null},
        "period_end": i.period.1, "period_start": i.period.0,
        "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0,
        "receipt_number": null, "starting_balance": 0, "statement_descriptor": null,
        "status": "open",
        "status_transitions": {"finalized_at": i.now, "marked_uncollectible_at": null,
            "paid_at": null, "voided_at": null},
        "subtotal": total, "subtotal_excluding_tax": total, "test_clock": null, "total": total,
        "total_discount_amounts": [], "total_excluding_tax": total, "total_taxes": [],
        "webhooks_delivered_at": i.now,
    });
    merged(head, rest)
}

/// A billing portal session.
pub(crate) fn portal_session(
    id: &str,
    customer: &str,
    configuration: &str,
    return_url: Option<&str>,
    url: &str,
    now: i64,
) -> Value {
    json!({
        "id": id, "object": "billing_portal.session", "configuration": configuration,
        "created": now, "customer": customer, "flow": null, "livemode": false, "locale": null,
        "on_behalf_of": null, "return_url": return_url, "url": url,
    })
}

/// The end of the billing period that starts at `start`, `count` intervals later.
///
/// Months are calendar months with the day clamped (Jan 31 → Feb 28), like Stripe.
pub(crate) fn period_end(start: i64, interval: &str, count: i64) -> i64 {
    const DAY: i64 = 86_400;
    match interval {
        "day" => start + count * DAY,
        "week" => start + count * 7 * DAY,
        "year" => add_months(start, 12 * count),
        _ => add_months(start, count),
    }
}

fn add_months(ts: i64, months: i64) -> i64 {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * 86_400 + secs
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD` (UTC) of a unix time, for pages and PDFs.
pub(crate) fn ymd(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

// Howard Hinnant's civil-date algorithms (proleptic Gregorian), to avoid a date crate.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_clamp_and_years_add() {
        // 2024-01-31T12:00:00Z → 2024-02-29T12:00:00Z (leap year)
        assert_eq!(period_end(1_706_702_400, "month", 1), 1_709_208_000);
        // 2024-03-15 → 2025-03-15
        assert_eq!(period_end(1_710_460_800, "year", 1), 1_741_996_800);
        assert_eq!(period_end(0, "day", 2), 172_800);
        assert_eq!(ymd(1_709_208_000), "2024-02-29");
    }

    #[test]
    fn money_format() {
        assert_eq!(money(29_500, "usd"), "$295.00");
        assert_eq!(money(123_456_789, "usd"), "$1,234,567.89");
        assert_eq!(money(-5, "eur"), "-EUR 0.05");
    }
}
