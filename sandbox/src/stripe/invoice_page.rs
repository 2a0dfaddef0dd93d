//! The hosted invoice page (`hosted_invoice_url`), its Pay button and the PDF
//! (`invoice_pdf`).
//!
//! Paying here is on-session: a card that needs 3-D Secure (`…3184`) first shows a test
//! authentication step ("Complete authentication" / "Fail authentication"), as Stripe's
//! test cards do. The payer may type a different card (attached to the customer, not made
//! the default). A `return` path to a portal page sends the payer back there once paid.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::Value;

use super::cards::{self, Behaviour};
use super::objects::{money, ymd};
use super::pages::{esc, page, MERCHANT, TEST_CARDS};
use super::payments::{self, Attempt};
use super::pdf;
use super::webhooks::emit;
use super::Shared;

type Fields = HashMap<String, String>;

/// A `return` value that is safe to redirect to: one of our portal pages.
fn safe_return(fields: &Fields) -> Option<String> {
    let r = fields.get("return")?;
    let id = r.strip_prefix("/portal/bps_")?;
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())).then(|| r.clone())
}

/// GET `/invoice/{id}`.
pub(crate) async fn invoice_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<Fields>,
) -> Response {
    render(&state, &id, None, &q)
}

fn render(state: &Shared, id: &str, error: Option<&str>, fields: &Fields) -> Response {
    let store = state.store();
    let Some(inv) = store.invoices.get(id) else {
        return page(
            StatusCode::NOT_FOUND,
            "Invoice not found",
            "<section><h1>Invoice not found</h1></section>",
        );
    };
    let currency = inv["currency"].as_str().unwrap_or("usd");
    let amount = |k: &str| money(inv[k].as_i64().unwrap_or(0), currency);
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
    let status = inv["status"].as_str().unwrap_or("");
    let customer = inv["customer"].as_str().unwrap_or_default();
    let sub = payments::subscription_of(inv).and_then(|s| store.subscriptions.get(s));
    let card = cards::default_card(&store, customer, sub);
    let back = safe_return(fields)
        .map(|r| format!("<p><a href=\"{}\">← Back to billing</a></p>", esc(&r)))
        .unwrap_or_default();
    let message = match (error, fields.get("notice").map(String::as_str)) {
        (Some(e), _) => format!("<div class=\"error\" role=\"alert\">{}</div>", esc(e)),
        (None, Some("paid")) => {
            "<div class=\"notice\" role=\"status\">Payment received. Thank you!</div>".into()
        }
        _ => String::new(),
    };
    let pay = if status == "open" {
        let on_file = card
            .as_ref()
            .map(|c| format!("Card on file: {}.", esc(&cards::describe(c))))
            .unwrap_or_else(|| "No card on file: enter one below.".into());
        let ret = safe_return(fields)
            .map(|r| {
                format!(
                    "<input type=\"hidden\" name=\"return\" value=\"{}\">",
                    esc(&r)
                )
            })
            .unwrap_or_default();
        format!(
            r#"<h2>Pay this invoice</h2>{message}<form method="post" action="/invoice/{id}/pay">{ret}<p>{on_file}</p>
<label for="card_number">Card number (optional: pay with a different card)</label><input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number">
<div class="row"><div><label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" autocomplete="cc-exp"></div>
<div><label for="cvc">CVC</label><input id="cvc" name="cvc" autocomplete="cc-csc"></div></div>
<button type="submit" id="pay">Pay {due}</button><p class="muted">{TEST_CARDS}</p></form>"#,
            id = esc(id),
            due = amount("amount_remaining"),
        )
    } else {
        message
    };
    let when = match status {
        "paid" => format!(
            "Paid on {}",
            ymd(inv["status_transitions"]["paid_at"].as_i64().unwrap_or(0))
        ),
        "void" => "This invoice was voided.".into(),
        _ => format!("Attempts so far: {}", inv["attempt_count"]),
    };
    let body = format!(
        r#"<section><p class="muted">{MERCHANT} <span class="badge">TEST MODE</span></p><h1>Invoice {number}</h1>{back}
<p>Status: <strong id="status">{status}</strong>. {when}.</p><p class="muted">Issued {date} to {email}</p>
<table><thead><tr><th scope="col">Description</th><th scope="col" class="num">Amount</th></tr></thead><tbody>{rows}</tbody>
<tfoot><tr><th scope="row">Total</th><td class="num">{total}</td></tr><tr><th scope="row">Amount paid</th><td class="num">{paid}</td></tr>
<tr><th scope="row">Amount remaining</th><td class="num">{remaining}</td></tr></tfoot></table>
<p><a href="/invoice/{id}/pdf">Download invoice (PDF)</a></p>{pay}</section>"#,
        number = esc(inv["number"].as_str().unwrap_or("")),
        status = esc(status),
        date = ymd(inv["created"].as_i64().unwrap_or(0)),
        email = esc(inv["customer_email"].as_str().unwrap_or("")),
        total = amount("total"),
        paid = amount("amount_paid"),
        remaining = amount("amount_remaining"),
        id = esc(id),
    );
    let code = if error.is_some() {
        StatusCode::PAYMENT_REQUIRED
    } else {
        StatusCode::OK
    };
    page(code, &format!("Invoice from {MERCHANT}"), &body)
}

/// The test 3-D Secure step: the same form again, with the payer's answer.
fn challenge(id: &str, pm: &str, fields: &Fields) -> Response {
    let ret = safe_return(fields)
        .map(|r| {
            format!(
                "<input type=\"hidden\" name=\"return\" value=\"{}\">",
                esc(&r)
            )
        })
        .unwrap_or_default();
    let form = |answer: &str, label: &str, class: &str| {
        format!(
            r#"<form method="post" action="/invoice/{id}/pay">{ret}<input type="hidden" name="payment_method" value="{pm}"><input type="hidden" name="authentication" value="{answer}"><button type="submit" class="{class}">{label}</button></form>"#,
            id = esc(id),
            pm = esc(pm),
        )
    };
    let body = format!(
        "<section><p class=\"muted\">{MERCHANT} <span class=\"badge\">TEST MODE</span></p><h1>Authenticate this payment</h1>\
<p>Your bank asks you to confirm this payment (3-D Secure test page).</p>{}{}</section>",
        form("complete", "Complete authentication", ""),
        form("fail", "Fail authentication", "danger"),
    );
    page(StatusCode::OK, "Authenticate payment", &body)
}

/// POST `/invoice/{id}/pay`: pays with the card typed, the card chosen, or the default.
pub(crate) async fn pay(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let now = state.now();
    let mut store = state.store();
    let Some(inv) = store.invoices.get(&id).cloned() else {
        drop(store);
        return render(&state, &id, None, &fields);
    };
    let back = format!("/invoice/{id}");
    if inv["status"] != "open" {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
    }
    let customer = inv["customer"].as_str().unwrap_or_default().to_owned();
    let mut events = Vec::new();
    let typed = fields
        .get("card_number")
        .is_some_and(|n| !n.trim().is_empty());
    let chosen = fields
        .get("payment_method")
        .filter(|pm| {
            store
                .payment_methods
                .get(pm)
                .is_some_and(|o| o["customer"] == customer.as_str())
        })
        .cloned();
    let pm: Option<Value> = if typed {
        match cards::read_card(&fields) {
            Err(e) => {
                drop(store);
                return render(&state, &id, Some(e), &fields);
            }
            Ok(card) => {
                let email = inv["customer_email"].as_str();
                let pm = cards::payment_method(&card, None, email, &customer, now);
                events.extend(cards::attach(&mut store, pm.clone(), false));
                Some(pm)
            }
        }
    } else if let Some(pm) = chosen {
        store.payment_methods.get(&pm).cloned()
    } else {
        let sub = payments::subscription_of(&inv).and_then(|s| store.subscriptions.get(s));
        cards::default_card(&store, &customer, sub)
    };
    let answer = fields.get("authentication").map(String::as_str);
    let pm_id = pm
        .as_ref()
        .and_then(|p| p["id"].as_str())
        .map(str::to_owned);
    if let (Some(p), Some(pm_id)) = (&pm, &pm_id) {
        if cards::behaviour(p) == Behaviour::NeedsAuthentication && answer.is_none() {
            emit(&state, &mut store, events, None);
            return challenge(&id, pm_id, &fields);
        }
    }
    let attempt = Attempt {
        payment_method: pm_id,
        on_session: answer != Some("fail"),
        ..Attempt::default()
    };
    let keep = inv["next_payment_attempt"].as_i64();
    let (result, more) = payments::attempt(&mut store, &id, &attempt, keep, now);
    events.extend(more);
    emit(&state, &mut store, events, None);
    drop(store);
    match result {
        Ok(()) => {
            let to = safe_return(&fields)
                .map(|r| format!("{r}?notice=paid"))
                .unwrap_or_else(|| format!("{back}?notice=paid"));
            (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
        }
        Err(decline) => render(&state, &id, Some(decline.page_message()), &fields),
    }
}

/// GET `/invoice/{id}/pdf`: the invoice as a one-page PDF.
pub(crate) async fn invoice_pdf(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let store = state.store();
    let Some(inv) = store.invoices.get(&id) else {
        return (StatusCode::NOT_FOUND, "invoice not found").into_response();
    };
    let bytes = pdf::invoice(inv);
    let name = format!(
        "inline; filename=\"Invoice-{}.pdf\"",
        inv["number"].as_str().unwrap_or("draft")
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response()
}
