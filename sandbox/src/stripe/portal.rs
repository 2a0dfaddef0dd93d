//! Customer Portal API: configurations (`/v1/billing_portal/configurations`) and sessions.
//!
//! Like a test-mode account whose portal settings were never saved in the Dashboard, the
//! sandbox has no default configuration: a session needs `configuration=bpc_…` (created
//! here; API-created configurations have `is_default: false`), otherwise Stripe's 400.
//! The portal page (`portal_page.rs`) shows only the features the configuration enables.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::api::{
    bool_at, list, map_at, merge_metadata, strings, ApiResult, Params, ReqCtx, StripeError,
};
use super::objects;
use super::store::new_id;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Stripe's answer when no configuration applies to a new portal session.
const NO_CONFIG: &str = "You can't create a portal session in test mode until you save your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.";

/// Routes below `/v1/billing_portal`.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/billing_portal/configurations",
            post(create_config).get(list_configs),
        )
        .route(
            "/billing_portal/configurations/{id}",
            get(get_config).post(update_config),
        )
        .route("/billing_portal/sessions", post(create_session))
}

/// A configuration with every feature off, as Stripe fills in omitted features.
fn blank(now: i64) -> Value {
    json!({
        "id": new_id("bpc"), "object": "billing_portal.configuration", "active": true,
        "application": null,
        "business_profile": {"headline": null, "privacy_policy_url": null, "terms_of_service_url": null},
        "created": now, "default_return_url": null,
        "features": {
            "customer_update": {"allowed_updates": [], "enabled": false},
            "invoice_history": {"enabled": false},
            "payment_method_update": {"enabled": false, "payment_method_configuration": null},
            "subscription_cancel": {"cancellation_reason": {"enabled": false,
                "options": ["too_expensive", "missing_features", "switched_service", "unused", "other"]},
                "enabled": false, "mode": "at_period_end", "proration_behavior": "none"},
            "subscription_update": {"billing_cycle_anchor": null, "default_allowed_updates": [],
                "enabled": false, "products": [], "proration_behavior": "none",
                "schedule_at_period_end": {"conditions": []}, "trial_update_behavior": "end_trial"},
        },
        "is_default": false, "livemode": false, "login_page": {"enabled": false, "url": null},
        "metadata": {}, "name": null, "updated": now,
    })
}

/// Checks `value` is one of `allowed` for `param`.
fn one_of(param: &str, value: &str, allowed: &[&str]) -> Result<(), StripeError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(StripeError::invalid(
        param,
        format!(
            "Invalid {param}: must be one of {} (got {value})",
            allowed.join(", ")
        ),
    ))
}

/// Applies create/update parameters to a configuration.
fn apply(cfg: &mut Value, p: &Params) -> Result<(), StripeError> {
    let features = p.0.get("features").cloned().unwrap_or(json!({}));
    let f = |name: &str| features.get(name).cloned();
    let param = |feature: &str, key: &str| format!("features[{feature}][{key}]");
    for name in [
        "customer_update",
        "invoice_history",
        "payment_method_update",
        "subscription_cancel",
        "subscription_update",
    ] {
        if let Some(v) = f(name) {
            if let Some(on) = bool_at(&v, "enabled", &param(name, "enabled"))? {
                cfg["features"][name]["enabled"] = on.into();
            }
        }
    }
    if let Some(v) = f("customer_update") {
        if v.get("allowed_updates").is_some() {
            let allowed = strings(v.get("allowed_updates"));
            for a in &allowed {
                let values = ["address", "email", "name", "phone", "shipping", "tax_id"];
                one_of(&param("customer_update", "allowed_updates"), a, &values)?;
            }
            cfg["features"]["customer_update"]["allowed_updates"] = json!(allowed);
        }
    }
    if let Some(v) = f("subscription_cancel") {
        let sc = &mut cfg["features"]["subscription_cancel"];
        if let Some(mode) = v.get("mode").and_then(Value::as_str) {
            one_of(
                &param("subscription_cancel", "mode"),
                mode,
                &["at_period_end", "immediately"],
            )?;
            sc["mode"] = mode.into();
        }
        if let Some(pb) = v.get("proration_behavior").and_then(Value::as_str) {
            let allowed = ["always_invoice", "create_prorations", "none"];
            one_of(
                &param("subscription_cancel", "proration_behavior"),
                pb,
                &allowed,
            )?;
            sc["proration_behavior"] = pb.into();
        }
        if let Some(reason) = v.get("cancellation_reason") {
            let key = "features[subscription_cancel][cancellation_reason][enabled]";
            if let Some(on) = bool_at(reason, "enabled", key)? {
                sc["cancellation_reason"]["enabled"] = on.into();
            }
            if reason.get("options").is_some() {
                sc["cancellation_reason"]["options"] = json!(strings(reason.get("options")));
            }
        }
    }
    if let Some(v) = f("subscription_update") {
        let su = &mut cfg["features"]["subscription_update"];
        if v.get("default_allowed_updates").is_some() {
            let allowed = strings(v.get("default_allowed_updates"));
            for a in &allowed {
                let values = ["price", "promotion_code", "quantity"];
                one_of(
                    &param("subscription_update", "default_allowed_updates"),
                    a,
                    &values,
                )?;
            }
            su["default_allowed_updates"] = json!(allowed);
        }
        if let Some(pb) = v.get("proration_behavior").and_then(Value::as_str) {
            let allowed = ["always_invoice", "create_prorations", "none"];
            one_of(
                &param("subscription_update", "proration_behavior"),
                pb,
                &allowed,
            )?;
            su["proration_behavior"] = pb.into();
        }
        if let Some(Value::Array(products)) = v.get("products") {
            su["products"] = products
                .iter()
                .map(|p| {
                    json!({"adjustable_quantity": {"enabled": false, "maximum": null, "minimum": 0},
                        "prices": strings(p.get("prices")), "product": p.get("product")})
                })
                .collect();
        }
    }
    if let Some(bp) = p.0.get("business_profile") {
        for key in ["headline", "privacy_policy_url", "terms_of_service_url"] {
            if let Some(v) = bp.get(key).and_then(Value::as_str) {
                cfg["business_profile"][key] = if v.is_empty() { Value::Null } else { v.into() };
            }
        }
    }
    if let Some(url) = p.0.get("default_return_url").and_then(Value::as_str) {
        cfg["default_return_url"] = if url.is_empty() {
            Value::Null
        } else {
            url.into()
        };
    }
    if let Some(name) = p.0.get("name").and_then(Value::as_str) {
        cfg["name"] = if name.is_empty() {
            Value::Null
        } else {
            name.into()
        };
    }
    if let Some(lp) = p.0.get("login_page") {
        if let Some(on) = bool_at(lp, "enabled", "login_page[enabled]")? {
            cfg["login_page"]["enabled"] = on.into();
        }
    }
    if let Some(m) = map_at(&p.0, "metadata", "metadata")? {
        merge_metadata(&mut cfg["metadata"], m.clone(), m.is_empty());
    }
    Ok(())
}

async fn create_config(
    State(state): State<Shared>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    if p.0.get("features").is_none() {
        return Err(StripeError::missing_param("features"));
    }
    let mut cfg = blank(state.now());
    apply(&mut cfg, &p)?;
    let mut store = state.store();
    store.portal_configs.insert(cfg.clone());
    let events = vec![EventSpec::new("billing_portal.configuration.created", &cfg)];
    emit(&state, &mut store, events, Some(&ctx));
    Ok(Json(cfg))
}

async fn update_config(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let now = state.now();
    let active = p.bool("active")?;
    let mut store = state.store();
    let mut cfg = store
        .portal_configs
        .get(&id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("billing_portal.configuration", &id))?;
    apply(&mut cfg, &p)?;
    if let Some(a) = active {
        cfg["active"] = a.into();
    }
    cfg["updated"] = now.into();
    store.portal_configs.insert(cfg.clone());
    let events = vec![EventSpec::new("billing_portal.configuration.updated", &cfg)];
    emit(&state, &mut store, events, Some(&ctx));
    Ok(Json(cfg))
}

async fn get_config(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult {
    let store = state.store();
    store
        .portal_configs
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| StripeError::no_such("billing_portal.configuration", &id))
}

async fn list_configs(State(state): State<Shared>, p: Params) -> ApiResult {
    let (is_default, active) = (p.bool("is_default")?, p.bool("active")?);
    let store = state.store();
    let items = store
        .portal_configs
        .newest_first()
        .filter(|c| is_default.is_none_or(|v| c["is_default"] == v))
        .filter(|c| active.is_none_or(|v| c["active"] == v))
        .cloned()
        .collect();
    Ok(Json(list(items, &p, "/v1/billing_portal/configurations")?))
}

async fn create_session(State(state): State<Shared>, p: Params) -> ApiResult {
    let customer = p.req("customer")?;
    let mut store = state.store();
    if store.customers.get(customer).is_none() {
        return Err(StripeError::no_such("customer", customer).param("customer"));
    }
    let config = match p.str("configuration") {
        Some(id) => store.portal_configs.get(id).cloned().ok_or_else(|| {
            StripeError::no_such("billing_portal.configuration", id).param("configuration")
        })?,
        None => store
            .portal_configs
            .newest_first()
            .find(|c| c["is_default"] == true)
            .cloned()
            .ok_or_else(|| StripeError::invalid("configuration", NO_CONFIG))?,
    };
    if config["active"] != true {
        return Err(StripeError::invalid(
            "configuration",
            format!(
                "The configuration `{}` is not active. Activate it or use another configuration.",
                config["id"].as_str().unwrap_or_default()
            ),
        ));
    }
    let return_url = p
        .str("return_url")
        .or(config["default_return_url"].as_str());
    let id = new_id("bps");
    let url = format!("{}/portal/{id}", state.base_url);
    let config_id = config["id"].as_str().unwrap_or_default();
    let session = objects::portal_session(&id, customer, config_id, return_url, &url, state.now());
    store.portal_sessions.insert(session.clone());
    Ok(Json(session))
}
