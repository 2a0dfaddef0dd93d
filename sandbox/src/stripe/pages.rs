//! Hosted Checkout page (`session.url`) and the shared HTML helpers of every hosted page.
//!
//! Plain server-rendered HTML with stable labels, so a person, Playwright and a test using
//! only an HTTP client can all pay. Test cards: see `cards.rs`.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde_json::Value;

use super::cards::read_card;
use super::checkout::session_lines;
use super::creation::{fulfil, Payment};
use super::objects::money;
use super::store::Store;
use super::Shared;

/// Merchant name shown on every hosted page.
pub(crate) const MERCHANT: &str = "Smartapp";
/// The test cards, as the pages list them.
pub(crate) const TEST_CARDS: &str = "Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0341 is declined on later charges; 4000 0027 6000 3184 asks for authentication; 4000 0000 0000 0002 is declined.";

/// Escapes text for HTML bodies and attribute values.
pub(crate) fn esc(s: &str) -> String {
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
section{{flex:1 1 300px;min-width:0;background:#fff;border-radius:8px;padding:24px;box-shadow:0 2px 6px rgba(0,0,0,.08)}}
h1{{font-size:18px;margin:0 0 4px}} .muted{{color:#697386;font-size:14px}}
table{{width:100%;border-collapse:collapse;margin:16px 0}} td,th{{overflow-wrap:anywhere;padding:8px 4px;border-bottom:1px solid #e3e8ee;text-align:left;font-size:14px}}
td.num,th.num{{text-align:right}} .total{{font-size:28px;font-weight:600;margin:8px 0}}
label{{display:block;font-size:14px;margin:12px 0 4px}} input{{width:100%;box-sizing:border-box;padding:10px;border:1px solid #cfd7df;border-radius:6px;font-size:16px}}
.row{{display:flex;gap:12px}} .row>div{{flex:1}}
button{{width:100%;margin-top:20px;padding:12px;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:16px;font-weight:600;cursor:pointer}}
button.inline{{width:auto;margin:0;padding:8px 12px;font-size:14px}} button.danger{{background:#b3261e}} form.inline{{display:inline}}
h2{{font-size:16px;margin:24px 0 8px}}
.error{{background:#fdecea;color:#b3261e;padding:10px;border-radius:6px;margin:12px 0}} .badge{{background:#ffde92;color:#1a1f36;border-radius:4px;padding:2px 6px;font-size:12px}}
.notice{{background:#e6f4ea;color:#0e6245;padding:10px;border-radius:6px;margin:12px 0}}
a{{color:#635bff}}
</style></head><body><main>{body}</main></body></html>"#,
        title = esc(title)
    )
}

/// A complete HTML page.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    (status, Html(layout(title, body))).into_response()
}

/// "per month", "per year", "every 3 months".
pub(crate) fn per_interval(price: &Value) -> String {
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
    let expired = session["status"] == "expired" || super::renewals::session_expired(session);
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
    let recurring: i64 = lines
        .iter()
        .filter_map(|l| l["amount_total"].as_i64())
        .sum();
    let trial = store
        .session_extra
        .get(id)
        .and_then(|e| e.trial_period_days)
        .map(|d| {
            format!(
                "<p id=\"trial\">{d}-day free trial, then {} {}.</p>",
                money(recurring, currency),
                esc(&interval)
            )
        })
        .unwrap_or_default();
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
<div class="total" id="total">{recurring} <span class="muted">{interval}</span></div>{trial}
<table id="lines"><thead><tr><th>Item</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead><tbody>{rows}</tbody>
<tfoot><tr><th colspan="3">Total due today</th><th class="num">{total}</th></tr></tfoot></table>{back}</section>
<section><h1>Pay with card</h1>{error}<form method="post" action="/pay/{id}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" value="{email}" required>
<label for="card_number">Card number</label><input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" value="{card}">
<div class="row"><div><label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" placeholder="MM / YY" autocomplete="cc-exp" value="{exp}"></div>
<div><label for="cvc">CVC</label><input id="cvc" name="cvc" placeholder="CVC" autocomplete="cc-csc" value="{cvc}"></div></div>
<label for="name">Name on card</label><input id="name" name="name" autocomplete="cc-name" value="{name}">
{tax}<button type="submit" id="submit">Subscribe</button>
<p class="muted">{TEST_CARDS}</p></form></section>"#,
        total = money(total, currency),
        recurring = money(recurring, currency),
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
    if field("email").is_none_or(|e| !e.contains('@')) {
        return render_checkout(&state, &id, Some("Your email is incomplete."), &form);
    }
    let card = match read_card(&form) {
        Ok(card) => card,
        Err(e) => return render_checkout(&state, &id, Some(e), &form),
    };
    let payment = Payment {
        email: field("email").unwrap_or_default().to_owned(),
        name: field("name").map(str::to_owned),
        tax_id: field("tax_id").map(str::to_owned),
        card,
    };
    match fulfil(&state, &id, payment) {
        Ok(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        // Unknown, expired or already paid: the page explains which.
        Err(_) => render_checkout(&state, &id, None, &form),
    }
}
