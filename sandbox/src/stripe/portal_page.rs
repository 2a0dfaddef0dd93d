//! The hosted Customer Portal page (`/portal/{id}`) and its forms. It shows what the
//! session's configuration enables:
//! - `payment_method_update`: replace the card (same test cards); the new card becomes the
//!   default of the customer and their subscriptions (`payment_method.attached`,
//!   `customer.updated`, `customer.subscription.updated`);
//! - `customer_update`: the billing email, name and address and a new tax ID, as
//!   `allowed_updates` permit (`customer.updated`, `customer.tax_id.created`);
//! - `invoice_history`: the invoices, with links to the hosted page and the PDF;
//! - `subscription_cancel` / `subscription_update` (quantities): buttons per subscription.
//!
//! Open invoices of `past_due`, `unpaid` or `incomplete` subscriptions always get a
//! "Pay now" button; it posts to the hosted invoice page, which charges the current
//! default card (with the 3-D Secure step when needed) and comes back here. The forms'
//! handlers are in `portal_forms.rs`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::cards;
use super::checkout::product_name;
use super::objects::{money, ymd};
use super::pages::{esc, page, per_interval, MERCHANT, TEST_CARDS};
use super::payments::subscription_of;
use super::store::Store;
use super::Shared;

pub(crate) type Fields = HashMap<String, String>;

/// The page for an unknown portal session.
pub(crate) fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Portal session not found",
        "<section><h1>Portal session not found</h1></section>",
    )
}

/// The session and its configuration.
pub(crate) fn session(store: &Store, id: &str) -> Option<(Value, Value)> {
    let ps = store.portal_sessions.get(id).cloned()?;
    let cfg = ps["configuration"]
        .as_str()
        .and_then(|c| store.portal_configs.get(c))
        .cloned()
        .unwrap_or_default();
    Some((ps, cfg))
}

pub(crate) fn enabled(cfg: &Value, feature: &str) -> bool {
    cfg["features"][feature]["enabled"] == true
}

pub(crate) fn may_update(cfg: &Value, what: &str) -> bool {
    enabled(cfg, "customer_update")
        && cfg["features"]["customer_update"]["allowed_updates"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == what))
}

/// The billing address inputs (`address_line1`, …), filled with the current address.
fn address_fields(address: &Value) -> String {
    [
        ("line1", "Address line 1", "address-line1"),
        ("line2", "Address line 2", "address-line2"),
        ("city", "City", "address-level2"),
        ("state", "State or region", "address-level1"),
        ("postal_code", "Postal code", "postal-code"),
        ("country", "Country (two-letter code)", "country"),
    ]
    .iter()
    .map(|(key, label, auto)| {
        format!(
            "<label for=\"address_{key}\">{label}</label><input id=\"address_{key}\" name=\"address_{key}\" autocomplete=\"{auto}\" value=\"{}\">",
            esc(address[key].as_str().unwrap_or(""))
        )
    })
    .collect()
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "card" => "Your card was updated.",
        "customer" => "Your billing information was updated.",
        "tax_id" => "The tax ID was added.",
        "canceled" => "The subscription was canceled.",
        "cancel_at_period_end" => "The subscription will be canceled at the end of the period.",
        "updated" => "The subscription was updated.",
        "paid" => "Payment received. Thank you!",
        _ => return None,
    })
}

/// GET `/portal/{id}`.
pub(crate) async fn portal_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<Fields>,
) -> Response {
    render(&state, &id, None, &q)
}

pub(crate) fn render(state: &Shared, id: &str, error: Option<&str>, q: &Fields) -> Response {
    let store = state.store();
    let (ps, cfg) = match session(&store, id) {
        Some(found) => found,
        None => return not_found(),
    };
    let customer_id = ps["customer"].as_str().unwrap_or_default();
    let customer = store
        .customers
        .get(customer_id)
        .cloned()
        .unwrap_or_default();
    let id = esc(id);
    let action = |path: &str| format!("/portal/{id}/{path}");
    let subs: Vec<&Value> = store
        .subscriptions
        .newest_first()
        .filter(|s| s["customer"] == customer_id)
        .collect();
    let mut html = String::new();
    let message = match (error, q.get("notice").and_then(|n| notice_text(n))) {
        (Some(e), _) => format!("<div class=\"error\" role=\"alert\">{}</div>", esc(e)),
        (None, Some(n)) => format!("<div class=\"notice\" role=\"status\">{n}</div>"),
        _ => String::new(),
    };
    html.push_str(&message);

    let due: Vec<&Value> = store
        .invoices
        .newest_first()
        .filter(|i| i["customer"] == customer_id && i["status"] == "open")
        .filter(|i| {
            subscription_of(i)
                .and_then(|s| store.subscriptions.get(s))
                .is_some_and(|s| {
                    ["past_due", "unpaid", "incomplete"]
                        .contains(&s["status"].as_str().unwrap_or(""))
                })
        })
        .collect();
    if !due.is_empty() {
        html.push_str("<h2>Payment due</h2><table id=\"due\"><thead><tr><th scope=\"col\">Invoice</th><th scope=\"col\" class=\"num\">Amount due</th><th scope=\"col\">Action</th></tr></thead><tbody>");
        for inv in due {
            let inv_id = esc(inv["id"].as_str().unwrap_or(""));
            let number = esc(inv["number"].as_str().unwrap_or(""));
            html.push_str(&format!(
                "<tr><td>{number}</td><td class=\"num\">{}</td><td><form class=\"inline\" method=\"post\" action=\"/invoice/{inv_id}/pay\"><input type=\"hidden\" name=\"return\" value=\"/portal/{id}\"><button class=\"inline\" type=\"submit\" aria-label=\"Pay now: invoice {number}\">Pay now</button></form></td></tr>",
                money(inv["amount_remaining"].as_i64().unwrap_or(0), inv["currency"].as_str().unwrap_or("usd")),
            ));
        }
        html.push_str("</tbody></table>");
    }

    html.push_str("<h2>Subscriptions</h2><table id=\"subscriptions\"><thead><tr><th scope=\"col\">Subscription</th><th scope=\"col\">Status</th><th scope=\"col\">Items</th><th scope=\"col\">Renewal</th></tr></thead><tbody>");
    let mut controls = String::new();
    for sub in &subs {
        let sub_id = esc(sub["id"].as_str().unwrap_or(""));
        let currency = sub["currency"].as_str().unwrap_or("usd");
        let items = sub["items"]["data"].as_array().cloned().unwrap_or_default();
        let listed: Vec<String> = items
            .iter()
            .map(|i| {
                format!(
                    "{} × {} at {} {}",
                    i["quantity"],
                    esc(&product_name(&store, &i["price"])),
                    money(i["price"]["unit_amount"].as_i64().unwrap_or(0), currency),
                    per_interval(&i["price"])
                )
            })
            .collect();
        let total: i64 = items
            .iter()
            .map(|i| {
                i["price"]["unit_amount"].as_i64().unwrap_or(0)
                    * i["quantity"].as_i64().unwrap_or(1)
            })
            .sum();
        let live =
            !["canceled", "incomplete_expired"].contains(&sub["status"].as_str().unwrap_or(""));
        let end = ymd(items
            .first()
            .and_then(|i| i["current_period_end"].as_i64())
            .unwrap_or(0));
        let renewal = match (live, sub["cancel_at_period_end"] == true) {
            (false, _) => "Ended".to_owned(),
            (true, true) => format!("Cancels on {end}"),
            (true, false) => format!("Renews on {end} for {}", money(total, currency)),
        };
        html.push_str(&format!(
            "<tr><td>{sub_id}</td><td>{}</td><td>{}</td><td>{renewal}</td></tr>",
            esc(sub["status"].as_str().unwrap_or("")),
            listed.join("<br>")
        ));
        if live && enabled(&cfg, "subscription_update") {
            let mut fields = String::new();
            for i in &items {
                let si = esc(i["id"].as_str().unwrap_or(""));
                let name = esc(&product_name(&store, &i["price"]));
                fields.push_str(&format!("<label for=\"qty-{si}\">Quantity of {name}</label><input id=\"qty-{si}\" name=\"qty-{si}\" type=\"number\" min=\"1\" value=\"{}\">", i["quantity"]));
            }
            controls.push_str(&format!("<form method=\"post\" action=\"{}\">{fields}<button type=\"submit\">Update subscription {sub_id}</button></form>", action(&format!("update/{sub_id}"))));
        }
        if live && sub["cancel_at_period_end"] != true && enabled(&cfg, "subscription_cancel") {
            controls.push_str(&format!("<form method=\"post\" action=\"{}\"><button type=\"submit\" class=\"danger\">Cancel subscription {sub_id}</button></form>", action(&format!("cancel/{sub_id}"))));
        }
    }
    html.push_str("</tbody></table>");
    html.push_str(&controls);

    let card = cards::default_card(&store, customer_id, None);
    html.push_str(&format!(
        "<h2>Payment method</h2><p id=\"card\">{}</p>",
        card.as_ref()
            .map(|c| esc(&cards::describe(c)))
            .unwrap_or_else(|| "No card on file.".into())
    ));
    if enabled(&cfg, "payment_method_update") {
        html.push_str(&format!(
            r#"<form method="post" action="{}"><label for="card_number">New card number</label><input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number">
<div class="row"><div><label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" autocomplete="cc-exp"></div><div><label for="cvc">CVC</label><input id="cvc" name="cvc" autocomplete="cc-csc"></div></div>
<button type="submit">Update card</button><p class="muted">{TEST_CARDS}</p></form>"#,
            action("card")
        ));
    }

    let tax_ids: Vec<String> = store
        .tax_ids
        .newest_first()
        .filter(|t| t["customer"] == customer_id)
        .map(|t| esc(t["value"].as_str().unwrap_or("")))
        .collect();
    html.push_str(&format!(
        "<h2>Billing information</h2><p>Email: <span id=\"billing-email\">{}</span></p><p>Name: {}</p><p>Tax IDs: <span id=\"tax-ids\">{}</span></p>",
        esc(customer["email"].as_str().unwrap_or("")),
        esc(customer["name"].as_str().unwrap_or("")),
        if tax_ids.is_empty() { "none".to_owned() } else { tax_ids.join(", ") }
    ));
    if ["email", "name", "address"]
        .iter()
        .any(|w| may_update(&cfg, w))
    {
        let mut fields = String::new();
        if may_update(&cfg, "email") {
            fields.push_str(&format!("<label for=\"email\">Billing email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" value=\"{}\">", esc(customer["email"].as_str().unwrap_or(""))));
        }
        if may_update(&cfg, "name") {
            fields.push_str(&format!("<label for=\"name\">Name</label><input id=\"name\" name=\"name\" autocomplete=\"name\" value=\"{}\">", esc(customer["name"].as_str().unwrap_or(""))));
        }
        if may_update(&cfg, "address") {
            fields.push_str(&address_fields(&customer["address"]));
        }
        html.push_str(&format!("<form method=\"post\" action=\"{}\">{fields}<button type=\"submit\">Save billing information</button></form>", action("customer")));
    }
    if may_update(&cfg, "tax_id") {
        html.push_str(&format!("<form method=\"post\" action=\"{}\"><label for=\"tax_id\">Tax ID</label><input id=\"tax_id\" name=\"tax_id\" placeholder=\"e.g. 12-3456789\"><button type=\"submit\">Add tax ID</button></form>", action("tax_id")));
    }

    if enabled(&cfg, "invoice_history") {
        html.push_str("<h2>Invoice history</h2><table id=\"invoices\"><thead><tr><th scope=\"col\">Number</th><th scope=\"col\">Date</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Total</th><th scope=\"col\">PDF</th></tr></thead><tbody>");
        for inv in store
            .invoices
            .newest_first()
            .filter(|i| i["customer"] == customer_id)
        {
            let number = esc(inv["number"].as_str().unwrap_or(""));
            html.push_str(&format!(
                "<tr><td><a href=\"{}\">{number}</a></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td><a href=\"{}\" aria-label=\"PDF of invoice {number}\">PDF</a></td></tr>",
                esc(inv["hosted_invoice_url"].as_str().unwrap_or("#")),
                ymd(inv["created"].as_i64().unwrap_or(0)),
                esc(inv["status"].as_str().unwrap_or("")),
                money(inv["total"].as_i64().unwrap_or(0), inv["currency"].as_str().unwrap_or("usd")),
                esc(inv["invoice_pdf"].as_str().unwrap_or("#")),
            ));
        }
        html.push_str("</tbody></table>");
    }
    let back = ps["return_url"]
        .as_str()
        .map(|u| {
            format!(
                "<p><a id=\"return\" href=\"{}\">← Return to {MERCHANT}</a></p>",
                esc(u)
            )
        })
        .unwrap_or_default();
    let headline = cfg["business_profile"]["headline"]
        .as_str()
        .map(|h| format!("<p>{}</p>", esc(h)))
        .unwrap_or_default();
    let body = format!(
        "<section><p class=\"muted\">{MERCHANT} <span class=\"badge\">TEST MODE</span></p><h1>Billing for {}</h1>{headline}{back}{html}</section>",
        esc(customer["email"].as_str().unwrap_or(""))
    );
    let status = if error.is_some() {
        StatusCode::PAYMENT_REQUIRED
    } else {
        StatusCode::OK
    };
    page(status, &format!("{MERCHANT} billing"), &body)
}
