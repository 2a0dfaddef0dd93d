//! Hosted pages: Checkout (`session.url`), the Customer Portal and invoices.
//!
//! Plain server-rendered HTML with stable labels, so a person, Playwright and a test using
//! only an HTTP client can all pay. Test cards follow Stripe: 4242 4242 4242 4242 succeeds,
//! 4000 0000 0000 0002 is declined, anything else is an incorrect number.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde_json::Value;

use super::checkout::{fulfil, product_name, session_lines, Payment};
use super::objects::money;
use super::store::Store;
use super::Shared;

/// Merchant name shown on every hosted page.
const MERCHANT: &str = "Smartapp";
const CARD_OK: &str = "4242424242424242";
const CARD_DECLINED: &str = "4000000000000002";

/// Escapes text for HTML bodies and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f6f9fc;color:#1a1f36;margin:0}}
main{{max-width:880px;margin:40px auto;display:flex;gap:40px;flex-wrap:wrap;padding:0 16px}}
section{{flex:1 1 360px;background:#fff;border-radius:8px;padding:24px;box-shadow:0 2px 6px rgba(0,0,0,.08)}}
h1{{font-size:18px;margin:0 0 4px}} .muted{{color:#697386;font-size:14px}}
table{{width:100%;border-collapse:collapse;margin:16px 0}} td,th{{padding:8px 4px;border-bottom:1px solid #e3e8ee;text-align:left;font-size:14px}}
td.num,th.num{{text-align:right}} .total{{font-size:28px;font-weight:600;margin:8px 0}}
label{{display:block;font-size:14px;margin:12px 0 4px}} input{{width:100%;box-sizing:border-box;padding:10px;border:1px solid #cfd7df;border-radius:6px;font-size:16px}}
.row{{display:flex;gap:12px}} .row>div{{flex:1}}
button{{width:100%;margin-top:20px;padding:12px;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:16px;font-weight:600;cursor:pointer}}
.error{{background:#fdecea;color:#b3261e;padding:10px;border-radius:6px;margin:12px 0}} .badge{{background:#ffde92;border-radius:4px;padding:2px 6px;font-size:12px}}
a{{color:#635bff}}
</style></head><body><main>{body}</main></body></html>"#,
        title = esc(title)
    )
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    (status, Html(layout(title, body))).into_response()
}

/// "per month", "per year", "every 3 months".
fn per_interval(price: &Value) -> String {
    let interval = price["recurring"]["interval"].as_str().unwrap_or("month");
    match price["recurring"]["interval_count"].as_i64().unwrap_or(1) {
        1 => format!("per {interval}"),
        n => format!("every {n} {interval}s"),
    }
}

/// GET `/pay/{id}`: the hosted Checkout page.
pub(crate) async fn checkout_page(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    render_checkout(&state, &id, None, &HashMap::new())
}

fn render_checkout(
    state: &Shared,
    id: &str,
    error: Option<&str>,
    form: &HashMap<String, String>,
) -> Response {
    let store = state.store();
    let Some(session) = store.sessions.get(id) else {
        return page(StatusCode::NOT_FOUND, "Not found", "<section><h1>Checkout session not found</h1><p class=\"muted\">The link may be wrong or out of date.</p></section>");
    };
    let now = state.now();
    let expired = session["status"] == "expired"
        || (session["status"] == "open"
            && session["expires_at"].as_i64().is_some_and(|t| t <= now));
    if expired || session["status"] == "complete" {
        let (title, text) = if expired {
            (
                "Session expired",
                "This checkout session has expired. Return to the merchant to start again.",
            )
        } else {
            (
                "Already paid",
                "This checkout session is complete: the subscription has already been paid.",
            )
        };
        let back = session["cancel_url"]
            .as_str()
            .or(session["success_url"].as_str())
            .unwrap_or("/");
        let body = format!("<section><h1>{title}</h1><p>{text}</p><p><a href=\"{}\">Back to {MERCHANT}</a></p></section>", esc(back));
        return page(StatusCode::OK, title, &body);
    }
    let lines = session_lines(&store, id);
    let currency = session["currency"].as_str().unwrap_or("usd");
    let mut rows = String::new();
    let mut interval = String::from("per month");
    for line in &lines {
        interval = per_interval(&line["price"]);
        rows.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(line["description"].as_str().unwrap_or("")),
            line["quantity"],
            money(line["price"]["unit_amount"].as_i64().unwrap_or(0), currency),
            money(line["amount_total"].as_i64().unwrap_or(0), currency),
        ));
    }
    let total = session["amount_total"].as_i64().unwrap_or(0);
    let email = form
        .get("email")
        .cloned()
        .or_else(|| customer_email(&store, session))
        .unwrap_or_default();
    let value = |k: &str| esc(form.get(k).map(String::as_str).unwrap_or(""));
    let tax = if session["tax_id_collection"]["enabled"] == true {
        format!("<label for=\"tax_id\">Tax ID (optional)</label><input id=\"tax_id\" name=\"tax_id\" value=\"{}\" placeholder=\"e.g. US 12-3456789\">", value("tax_id"))
    } else {
        String::new()
    };
    let back = session["cancel_url"]
        .as_str()
        .map(|u| {
            format!(
                "<p><a id=\"back\" href=\"{}\">← Back</a> to {MERCHANT}</p>",
                esc(u)
            )
        })
        .unwrap_or_default();
    let error = error
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", esc(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<section><p class="muted">{MERCHANT} <span class="badge">TEST MODE</span></p><h1>Subscribe to {MERCHANT}</h1>
<div class="total" id="total">{total} <span class="muted">{interval}</span></div>
<table id="lines"><thead><tr><th>Item</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead><tbody>{rows}</tbody>
<tfoot><tr><th colspan="3">Total due today</th><th class="num">{total}</th></tr></tfoot></table>{back}</section>
<section><h1>Pay with card</h1>{error}<form method="post" action="/pay/{id}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" value="{email}" required>
<label for="card_number">Card number</label><input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" value="{card}">
<div class="row"><div><label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" placeholder="MM / YY" autocomplete="cc-exp" value="{exp}"></div>
<div><label for="cvc">CVC</label><input id="cvc" name="cvc" placeholder="CVC" autocomplete="cc-csc" value="{cvc}"></div></div>
<label for="name">Name on card</label><input id="name" name="name" autocomplete="cc-name" value="{name}">
{tax}<button type="submit" id="submit">Subscribe</button>
<p class="muted">Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</p></form></section>"#,
        total = money(total, currency),
        interval = esc(&interval),
        id = esc(id),
        email = esc(&email),
        card = value("card_number"),
        exp = value("exp"),
        cvc = value("cvc"),
        name = value("name"),
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::PAYMENT_REQUIRED
    };
    page(status, &format!("Pay {MERCHANT}"), &body)
}

fn customer_email(store: &Store, session: &Value) -> Option<String> {
    session["customer_email"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            let c = store.customers.get(session["customer"].as_str()?)?;
            c["email"].as_str().map(str::to_owned)
        })
}

/// POST `/pay/{id}`: validates the card and either completes the session (303 to
/// `success_url`) or shows the page again with Stripe's message; a failure creates nothing.
pub(crate) async fn checkout_submit(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let card: String = field("card_number")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let error = if field("email").is_none_or(|e| !e.contains('@')) {
        Some("Your email is incomplete.")
    } else if card == CARD_DECLINED {
        Some("Your card was declined.")
    } else if card != CARD_OK {
        Some("Your card number is incorrect.")
    } else if field("exp").is_none() {
        Some("Your card's expiration date is incomplete.")
    } else if field("cvc")
        .is_none_or(|c| !(3..=4).contains(&c.len()) || !c.chars().all(|ch| ch.is_ascii_digit()))
    {
        Some("Your card's security code is incomplete.")
    } else {
        None
    };
    if let Some(e) = error {
        return render_checkout(&state, &id, Some(e), &form);
    }
    let payment = Payment {
        email: field("email").unwrap_or_default().to_owned(),
        name: field("name").map(str::to_owned),
        tax_id: field("tax_id").map(str::to_owned),
    };
    match fulfil(&state, &id, payment) {
        Ok(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        // Unknown, expired or already paid: the page explains which.
        Err(_) => render_checkout(&state, &id, None, &form),
    }
}

/// GET `/portal/{id}`: the customer's subscriptions and invoices, with a Return link.
pub(crate) async fn portal_page(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let store = state.store();
    let Some(ps) = store.portal_sessions.get(&id) else {
        return page(
            StatusCode::NOT_FOUND,
            "Not found",
            "<section><h1>Portal session not found</h1></section>",
        );
    };
    let customer = ps["customer"].as_str().unwrap_or_default();
    let email = store
        .customers
        .get(customer)
        .and_then(|c| c["email"].as_str())
        .unwrap_or("");
    let mut subs = String::new();
    for sub in store
        .subscriptions
        .newest_first()
        .filter(|s| s["customer"] == customer)
    {
        let currency = sub["currency"].as_str().unwrap_or("usd");
        let items: Vec<String> = sub["items"]["data"]
            .as_array()
            .into_iter()
            .flatten()
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
        let renews = if sub["cancel_at_period_end"] == true {
            "Cancels at period end"
        } else {
            "Renews automatically"
        };
        subs.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{renews}</td></tr>",
            esc(sub["id"].as_str().unwrap_or("")),
            esc(sub["status"].as_str().unwrap_or("")),
            items.join("<br>")
        ));
    }
    let mut invoices = String::new();
    for inv in store
        .invoices
        .newest_first()
        .filter(|i| i["customer"] == customer)
    {
        invoices.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(inv["hosted_invoice_url"].as_str().unwrap_or("#")),
            esc(inv["number"].as_str().unwrap_or("")),
            esc(inv["status"].as_str().unwrap_or("")),
            money(
                inv["total"].as_i64().unwrap_or(0),
                inv["currency"].as_str().unwrap_or("usd")
            )
        ));
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
    let body = format!(
        "<section><p class=\"muted\">{MERCHANT} <span class=\"badge\">TEST MODE</span></p><h1>Billing for {}</h1>{back}\
<h2>Subscriptions</h2><table id=\"subscriptions\"><thead><tr><th>Subscription</th><th>Status</th><th>Items</th><th></th></tr></thead><tbody>{subs}</tbody></table>\
<h2>Invoices</h2><table id=\"invoices\"><thead><tr><th>Number</th><th>Status</th><th class=\"num\">Total</th></tr></thead><tbody>{invoices}</tbody></table></section>",
        esc(email)
    );
    page(StatusCode::OK, &format!("{MERCHANT} billing"), &body)
}

/// GET `/invoice/{id}`: a minimal hosted invoice.
pub(crate) async fn invoice_page(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let store = state.store();
    let Some(inv) = store.invoices.get(&id) else {
        return page(
            StatusCode::NOT_FOUND,
            "Not found",
            "<section><h1>Invoice not found</h1></section>",
        );
    };
    let currency = inv["currency"].as_str().unwrap_or("usd");
    let rows: String = inv["lines"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(l["description"].as_str().unwrap_or("")),
                money(l["amount"].as_i64().unwrap_or(0), currency)
            )
        })
        .collect();
    let body = format!(
        "<section><p class=\"muted\">{MERCHANT}</p><h1>Invoice {}</h1><p>Status: {}</p><table>{rows}<tfoot><tr><th>Total</th><th class=\"num\">{}</th></tr></tfoot></table></section>",
        esc(inv["number"].as_str().unwrap_or("")),
        esc(inv["status"].as_str().unwrap_or("")),
        money(inv["total"].as_i64().unwrap_or(0), currency)
    );
    page(StatusCode::OK, "Invoice", &body)
}
