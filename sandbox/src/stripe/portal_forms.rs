//! Handlers of the Customer Portal page's forms (`portal_page.rs` renders them): new
//! card, billing information, tax ID, cancel and quantity updates. Each checks that the
//! session's configuration enables the feature, then redirects back with a notice.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::{json, Value};

use super::api::ReqCtx;
use super::cards;
use super::portal_page::{enabled, may_update, not_found, render, session, Fields};
use super::store::new_id;
use super::subscriptions::{mark_canceled, Update};
use super::updates;
use super::webhooks::{emit, EventSpec};
use super::Shared;

fn done(id: &str, notice: &str) -> Response {
    let to = format!("/portal/{id}?notice={notice}");
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

fn refused(state: &Shared, id: &str, why: &str) -> Response {
    let mut res = render(state, id, Some(why), &Fields::new());
    *res.status_mut() = StatusCode::FORBIDDEN;
    res
}

/// POST `/portal/{id}/card`: a new default card.
pub(crate) async fn update_card(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let now = state.now();
    let mut store = state.store();
    let (ps, cfg) = match session(&store, &id) {
        Some(found) => found,
        None => return not_found(),
    };
    if !enabled(&cfg, "payment_method_update") {
        drop(store);
        return refused(&state, &id, "Updating the card is not enabled.");
    }
    let card = match cards::read_card(&fields) {
        Ok(card) => card,
        Err(e) => {
            drop(store);
            return render(&state, &id, Some(e), &Fields::new());
        }
    };
    let customer = ps["customer"].as_str().unwrap_or_default().to_owned();
    let email = store
        .customers
        .get(&customer)
        .and_then(|c| c["email"].as_str())
        .map(str::to_owned);
    let pm = cards::payment_method(&card, None, email.as_deref(), &customer, now);
    let events = cards::attach(&mut store, pm, true);
    emit(&state, &mut store, events, None);
    done(&id, "card")
}

/// POST `/portal/{id}/customer`: billing email, name and address.
pub(crate) async fn update_customer(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let mut store = state.store();
    let (ps, cfg) = match session(&store, &id) {
        Some(found) => found,
        None => return not_found(),
    };
    let value = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if value("email").is_some_and(|e| !e.contains('@')) {
        drop(store);
        return render(
            &state,
            &id,
            Some("Enter a valid email address."),
            &Fields::new(),
        );
    }
    let customer = ps["customer"].as_str().unwrap_or_default();
    let Some(c) = store.customers.get_mut(customer) else {
        return done(&id, "customer");
    };
    let mut previous = json!({});
    for key in ["email", "name"] {
        if let Some(v) = value(key).filter(|_| may_update(&cfg, key)) {
            if c[key] != v {
                previous[key] = c[key].clone();
                c[key] = v.into();
            }
        }
    }
    let keys = ["line1", "line2", "city", "state", "postal_code", "country"];
    if may_update(&cfg, "address")
        && keys
            .iter()
            .any(|k| fields.contains_key(&format!("address_{k}")))
    {
        let mut address = json!({});
        for key in keys {
            address[key] = value(&format!("address_{key}")).map_or(Value::Null, |v| {
                let v = if key == "country" {
                    v.to_uppercase()
                } else {
                    v.to_owned()
                };
                Value::String(v)
            });
        }
        if c["address"] != address {
            previous["address"] = c["address"].clone();
            c["address"] = address;
        }
    }
    if previous.as_object().is_some_and(|m| !m.is_empty()) {
        let event = EventSpec::updated("customer.updated", c, previous);
        emit(&state, &mut store, vec![event], None);
    }
    done(&id, "customer")
}

/// POST `/portal/{id}/tax_id`: adds a tax ID.
pub(crate) async fn add_tax_id(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let now = state.now();
    let mut store = state.store();
    let (ps, cfg) = match session(&store, &id) {
        Some(found) => found,
        None => return not_found(),
    };
    if !may_update(&cfg, "tax_id") {
        drop(store);
        return refused(&state, &id, "Adding tax IDs is not enabled.");
    }
    let Some(value) = fields
        .get("tax_id")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    else {
        drop(store);
        return render(&state, &id, Some("Enter a tax ID."), &Fields::new());
    };
    let customer = ps["customer"].as_str().unwrap_or_default();
    let (_, event) = cards::add_tax_id(&mut store, customer, value, None, now);
    emit(&state, &mut store, vec![event], None);
    done(&id, "tax_id")
}

/// POST `/portal/{id}/cancel/{sub}`: cancels as the configuration's `mode` says.
pub(crate) async fn cancel(
    State(state): State<Shared>,
    Path((id, sub_id)): Path<(String, String)>,
) -> Response {
    let now = state.now();
    let mut store = state.store();
    let (ps, cfg) = match session(&store, &id) {
        Some(found) => found,
        None => return not_found(),
    };
    let owned = store
        .subscriptions
        .get(&sub_id)
        .is_some_and(|s| s["customer"] == ps["customer"]);
    if !enabled(&cfg, "subscription_cancel") || !owned {
        drop(store);
        return refused(
            &state,
            &id,
            "Canceling this subscription is not possible here.",
        );
    }
    let sub = store.subscriptions.get_mut(&sub_id).expect("checked above");
    let immediately = cfg["features"]["subscription_cancel"]["mode"] == "immediately";
    let (event, notice) = if immediately {
        mark_canceled(sub, now, "cancellation_requested");
        let event = EventSpec::new("customer.subscription.deleted", sub);
        store.pending_plans.remove(&sub_id);
        (event, "canceled")
    } else {
        let previous =
            json!({"cancel_at_period_end": false, "cancel_at": sub["cancel_at"].clone()});
        sub["cancel_at_period_end"] = true.into();
        sub["cancel_at"] = sub["items"]["data"][0]["current_period_end"].clone();
        sub["cancellation_details"]["reason"] = "cancellation_requested".into();
        let e = EventSpec::updated("customer.subscription.updated", sub, previous);
        (e, "cancel_at_period_end")
    };
    emit(&state, &mut store, vec![event], None);
    done(&id, notice)
}

/// POST `/portal/{id}/update/{sub}`: new quantities, prorated as configured.
pub(crate) async fn update_subscription(
    State(state): State<Shared>,
    Path((id, sub_id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let mut store = state.store();
    let (ps, cfg) = match session(&store, &id) {
        Some(found) => found,
        None => return not_found(),
    };
    let sub = store
        .subscriptions
        .get(&sub_id)
        .filter(|s| s["customer"] == ps["customer"])
        .cloned();
    let Some(sub) = sub.filter(|_| enabled(&cfg, "subscription_update")) else {
        drop(store);
        return refused(
            &state,
            &id,
            "Updating this subscription is not possible here.",
        );
    };
    let items: Vec<Value> = sub["items"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let si = i["id"].as_str()?;
            let qty = fields.get(&format!("qty-{si}"))?.trim();
            Some(json!({"id": si, "quantity": qty}))
        })
        .collect();
    let update = Update {
        items,
        proration: cfg["features"]["subscription_update"]["proration_behavior"]
            .as_str()
            .unwrap_or("none")
            .to_owned(),
        metadata: None,
        cancel_at_period_end: None,
        description: None,
        payment_behavior: "allow_incomplete".into(),
        proration_date: None,
    };
    let ctx = ReqCtx {
        request_id: new_id("req"),
        idempotency_key: None,
    };
    let result = updates::apply(&state, &mut store, &sub_id, update, &ctx);
    drop(store);
    match result {
        Ok(_) => done(&id, "updated"),
        Err(e) => render(&state, &id, Some(e.message()), &Fields::new()),
    }
}
