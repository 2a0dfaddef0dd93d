//! Subscriptions (retrieve, list, update, cancel), subscription items and events.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};

use super::api::{expand, list, strings, ApiResult, Params, ReqCtx, StripeError};
use super::store::Store;
use super::subscriptions::{self, Update};
use super::updates;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Routes below `/v1` for billing objects.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/subscriptions",
            get(list_subscriptions).post(super::creation::create),
        )
        .route(
            "/subscriptions/{id}",
            get(get_subscription)
                .post(update_subscription)
                .delete(cancel_subscription),
        )
        .route("/subscription_items", get(list_items).post(create_item))
        .route(
            "/subscription_items/{id}",
            get(get_item).post(update_item).delete(delete_item),
        )
        .route("/events", get(list_events))
        .route("/events/{id}", get(get_event))
}

fn found(store: &Store, kind: &str, id: &str) -> Result<Value, StripeError> {
    store
        .find(id)
        .filter(|o| o["object"] == kind)
        .cloned()
        .ok_or_else(|| StripeError::no_such(kind, id))
}

async fn get_subscription(
    State(state): State<Shared>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let store = state.store();
    let mut sub = found(&store, "subscription", &id)?;
    expand(&mut sub, &p.expand(), &store);
    Ok(Json(sub))
}

async fn list_subscriptions(State(state): State<Shared>, p: Params) -> ApiResult {
    let (customer, price) = (p.str("customer"), p.str("price"));
    let status = p.str("status");
    let store = state.store();
    let items = store
        .subscriptions
        .newest_first()
        .filter(|s| customer.is_none_or(|c| s["customer"] == c))
        .filter(|s| match status {
            // Stripe's default hides canceled subscriptions; `all` shows everything.
            None => s["status"] != "canceled",
            Some("all") => true,
            Some(v) => s["status"] == v,
        })
        .filter(|s| {
            price.is_none_or(|pr| {
                s["items"]["data"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|i| i["price"]["id"] == pr))
            })
        })
        .cloned()
        .collect();
    let mut out = list(items, &p, "/v1/subscriptions")?;
    expand(&mut out, &p.expand(), &store);
    Ok(Json(out))
}

async fn update_subscription(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let update = Update::from_params(&p)?;
    let mut store = state.store();
    let mut sub = updates::apply(&state, &mut store, &id, update, &ctx)?;
    expand(&mut sub, &p.expand(), &store);
    Ok(Json(sub))
}

async fn cancel_subscription(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let now = state.now();
    let mut store = state.store();
    let sub = store
        .subscriptions
        .get_mut(&id)
        .ok_or_else(|| StripeError::no_such("subscription", &id))?;
    if sub["status"] == "canceled" {
        return Err(StripeError::invalid(
            "subscription",
            format!("No such subscription: '{id}'; it has already been canceled."),
        )
        .code("resource_missing"));
    }
    subscriptions::mark_canceled(sub, now, "cancellation_requested");
    if let Some(details) = p.0.get("cancellation_details") {
        for key in ["comment", "feedback"] {
            if let Some(v) = details.get(key).and_then(Value::as_str) {
                sub["cancellation_details"][key] = v.into();
            }
        }
    }
    let sub = sub.clone();
    store.pending_plans.remove(&id);
    emit(
        &state,
        &mut store,
        vec![EventSpec::new("customer.subscription.deleted", &sub)],
        Some(&ctx),
    );
    Ok(Json(sub))
}

fn item_of(store: &Store, si: &str) -> Result<(String, Value), StripeError> {
    let (sub_id, idx) = store
        .subscription_of_item(si)
        .ok_or_else(|| StripeError::no_such("subscription_item", si))?;
    let item = store
        .subscriptions
        .get(&sub_id)
        .map(|s| s["items"]["data"][idx].clone())
        .unwrap_or_default();
    Ok((sub_id, item))
}

async fn get_item(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult {
    Ok(Json(item_of(&state.store(), &id)?.1))
}

async fn list_items(State(state): State<Shared>, p: Params) -> ApiResult {
    let sub_id = p.req("subscription")?;
    let store = state.store();
    let sub = found(&store, "subscription", sub_id)?;
    let items = sub["items"]["data"].as_array().cloned().unwrap_or_default();
    Ok(Json(list(items, &p, "/v1/subscription_items")?))
}

/// Item params → one `items[0]` entry of a subscription update.
fn item_update(p: &Params, id: Option<&str>) -> Result<Update, StripeError> {
    let mut op = Map::new();
    if let Some(id) = id {
        op.insert("id".into(), id.into());
    }
    for key in ["price", "quantity", "metadata"] {
        if let Some(v) = p.0.get(key) {
            op.insert(key.into(), v.clone());
        }
    }
    let mut update = Update::from_params(p)?;
    update.items = vec![Value::Object(op)];
    update.metadata = None;
    Ok(update)
}

async fn create_item(
    State(state): State<Shared>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let sub_id = p.req("subscription")?.to_owned();
    p.req("price")?;
    let update = item_update(&p, None)?;
    let mut store = state.store();
    let sub = updates::apply(&state, &mut store, &sub_id, update, &ctx)?;
    // With `pending_if_incomplete` and a failed charge, the new item is still pending.
    let price = p.str("price").unwrap_or_default();
    let item = [
        &sub["items"]["data"],
        &sub["pending_update"]["subscription_items"],
    ]
    .into_iter()
    .filter_map(Value::as_array)
    .flatten()
    .find(|i| i["price"]["id"] == price)
    .cloned();
    Ok(Json(item.unwrap_or_default()))
}

async fn update_item(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let mut store = state.store();
    let (sub_id, _) = item_of(&store, &id)?;
    let update = item_update(&p, Some(&id))?;
    updates::apply(&state, &mut store, &sub_id, update, &ctx)?;
    Ok(Json(item_of(&store, &id)?.1))
}

async fn delete_item(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let mut store = state.store();
    let (sub_id, _) = item_of(&store, &id)?;
    let mut update = Update::from_params(&p)?;
    update.items = vec![json!({"id": id, "deleted": "true"})];
    updates::apply(&state, &mut store, &sub_id, update, &ctx)?;
    Ok(Json(
        json!({"id": id, "object": "subscription_item", "deleted": true}),
    ))
}

async fn get_event(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult {
    Ok(Json(found(&state.store(), "event", &id)?))
}

async fn list_events(State(state): State<Shared>, p: Params) -> ApiResult {
    let mut types = strings(p.0.get("types"));
    if let Some(t) = p.str("type") {
        types.push(t.to_owned());
    }
    let delivery_success = p.bool("delivery_success")?;
    let store = state.store();
    let matches = |pattern: &str, t: &str| match pattern.strip_suffix('*') {
        Some(prefix) => t.starts_with(prefix),
        None => pattern == t,
    };
    let items = store
        .events
        .newest_first()
        .filter(|e| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| matches(t, e["type"].as_str().unwrap_or("")))
        })
        .filter(|e| delivery_success.is_none_or(|ok| (e["pending_webhooks"] == 0) == ok))
        .cloned()
        .collect();
    Ok(Json(list(items, &p, "/v1/events")?))
}
