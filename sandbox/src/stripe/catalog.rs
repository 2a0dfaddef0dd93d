//! Products, prices (with lookup keys) and customers.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::api::{self, expand, list, merge_metadata, ApiResult, Params, ReqCtx, StripeError};
use super::cards;
use super::objects::{self, Recurring};
use super::payment_methods;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Routes below `/v1` for the catalogue and customers.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/products", post(create_product).get(list_products))
        .route("/products/{id}", get(get_product).post(update_product))
        .route("/prices", post(create_price).get(list_prices))
        .route("/prices/{id}", get(get_price).post(update_price))
        .route("/customers", post(create_customer).get(list_customers))
        .route("/customers/{id}", get(get_customer).post(update_customer))
}

async fn create_product(State(state): State<Shared>, p: Params) -> ApiResult {
    let name = p.req("name")?;
    let metadata = p.map("metadata")?.unwrap_or_default();
    let mut product = objects::product(name, p.str("description"), metadata, state.now());
    if let Some(active) = p.bool("active")? {
        product["active"] = active.into();
    }
    state.store().products.insert(product.clone());
    Ok(Json(product))
}

async fn get_product(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult {
    let store = state.store();
    let product = store
        .products
        .get(&id)
        .ok_or_else(|| StripeError::no_such("product", &id))?;
    Ok(Json(product.clone()))
}

async fn update_product(
    State(state): State<Shared>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let now = state.now();
    let mut store = state.store();
    let product = store
        .products
        .get_mut(&id)
        .ok_or_else(|| StripeError::no_such("product", &id))?;
    for key in ["name", "description"] {
        if let Some(v) = p.str(key) {
            product[key] = v.into();
        }
    }
    if let Some(active) = p.bool("active")? {
        product["active"] = active.into();
    }
    if let Some(m) = p.map("metadata")? {
        merge_metadata(&mut product["metadata"], m.clone(), m.is_empty());
    }
    product["updated"] = now.into();
    Ok(Json(product.clone()))
}

async fn list_products(State(state): State<Shared>, p: Params) -> ApiResult {
    let active = p.bool("active")?;
    let store = state.store();
    let items = store
        .products
        .newest_first()
        .filter(|o| active.is_none_or(|a| o["active"] == a))
        .cloned()
        .collect();
    Ok(Json(list(items, &p, "/v1/products")?))
}

async fn create_price(State(state): State<Shared>, p: Params) -> ApiResult {
    let now = state.now();
    let currency = p.req("currency")?.to_ascii_lowercase();
    let unit_amount = p
        .int("unit_amount")?
        .ok_or_else(|| StripeError::missing_param("unit_amount"))?;
    if unit_amount < 0 {
        return Err(StripeError::invalid(
            "unit_amount",
            "This value must be greater than or equal to 0.",
        ));
    }
    let recurring = match p.0.get("recurring") {
        None => None,
        Some(r) => {
            let interval = r
                .get("interval")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !matches!(interval, "day" | "week" | "month" | "year") {
                return Err(StripeError::invalid(
                    "recurring[interval]",
                    format!("Invalid recurring[interval]: must be one of day, week, month, or year (got {interval:?})"),
                ));
            }
            let count = api::int_at(r, "interval_count", "recurring[interval_count]")?.unwrap_or(1);
            if count < 1 {
                return Err(StripeError::invalid(
                    "recurring[interval_count]",
                    "interval_count must be at least 1.",
                ));
            }
            Some(Recurring {
                interval: interval.to_owned(),
                interval_count: count,
            })
        }
    };
    let lookup_key = p.str("lookup_key");
    if lookup_key.is_some_and(|k| k.chars().count() > 200) {
        return Err(StripeError::invalid(
            "lookup_key",
            "lookup_key must be at most 200 characters.",
        ));
    }
    let transfer = p.bool("transfer_lookup_key")?.unwrap_or(false);
    let metadata = p.map("metadata")?.unwrap_or_default();
    let mut store = state.store();
    let product_id = match (p.str("product"), p.0.get("product_data")) {
        (Some(id), _) => {
            if store.products.get(id).is_none() {
                return Err(StripeError::no_such("product", id).param("product"));
            }
            id.to_owned()
        }
        (None, Some(data)) => {
            let name = data
                .get("name")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let name = name.ok_or_else(|| StripeError::missing_param("product_data[name]"))?;
            let product = objects::product(name, None, Default::default(), now);
            let id = product["id"].as_str().unwrap_or_default().to_owned();
            store.products.insert(product);
            id
        }
        (None, None) => return Err(StripeError::missing_param("product")),
    };
    if let Some(key) = lookup_key {
        let holder = store
            .price_by_lookup_key(key)
            .map(|p| p["id"].as_str().unwrap_or_default().to_owned());
        if let Some(holder) = holder {
            if !transfer {
                return Err(StripeError::invalid(
                    "lookup_key",
                    format!("A price (`{holder}`) already uses that lookup key."),
                ));
            }
            // transfer_lookup_key moves the key atomically onto the new price.
            if let Some(old) = store.prices.get_mut(&holder) {
                old["lookup_key"] = Value::Null;
            }
        }
    }
    let price = objects::price(
        &product_id,
        &currency,
        unit_amount,
        recurring.as_ref(),
        lookup_key,
        p.str("nickname"),
        metadata,
        now,
    );
    store.prices.insert(price.clone());
    let mut out = price;
    expand(&mut out, &p.expand(), &store);
    Ok(Json(out))
}

async fn get_price(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let store = state.store();
    let mut price = store
        .prices
        .get(&id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("price", &id))?;
    expand(&mut price, &p.expand(), &store);
    Ok(Json(price))
}

async fn update_price(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let mut store = state.store();
    if store.prices.get(&id).is_none() {
        return Err(StripeError::no_such("price", &id));
    }
    if let Some(key) = p.str("lookup_key") {
        let holder = store
            .price_by_lookup_key(key)
            .and_then(|o| o["id"].as_str())
            .map(str::to_owned);
        match holder {
            Some(h) if h != id && p.bool("transfer_lookup_key")? != Some(true) => {
                return Err(StripeError::invalid(
                    "lookup_key",
                    format!("A price (`{h}`) already uses that lookup key."),
                ));
            }
            Some(h) if h != id => {
                if let Some(old) = store.prices.get_mut(&h) {
                    old["lookup_key"] = Value::Null;
                }
            }
            _ => {}
        }
    }
    let price = store.prices.get_mut(&id).expect("checked above");
    if let Some(key) = p.str("lookup_key") {
        price["lookup_key"] = key.into();
    }
    if let Some(nick) = p.str("nickname") {
        price["nickname"] = nick.into();
    }
    if let Some(active) = p.bool("active")? {
        price["active"] = active.into();
    }
    if let Some(m) = p.map("metadata")? {
        merge_metadata(&mut price["metadata"], m.clone(), m.is_empty());
    }
    Ok(Json(price.clone()))
}

async fn list_prices(State(state): State<Shared>, p: Params) -> ApiResult {
    let keys = api::strings(p.0.get("lookup_keys"));
    if keys.len() > 10 {
        return Err(StripeError::invalid(
            "lookup_keys",
            "You may only specify up to 10 lookup keys.",
        ));
    }
    let active = p.bool("active")?;
    let product = p.str("product");
    let type_ = p.str("type");
    let currency = p.str("currency");
    let store = state.store();
    let items = store
        .prices
        .newest_first()
        .filter(|o| keys.is_empty() || keys.iter().any(|k| o["lookup_key"] == k.as_str()))
        .filter(|o| active.is_none_or(|a| o["active"] == a))
        .filter(|o| product.is_none_or(|v| o["product"] == v))
        .filter(|o| type_.is_none_or(|v| o["type"] == v))
        .filter(|o| currency.is_none_or(|v| o["currency"] == v))
        .cloned()
        .collect();
    let mut out = list(items, &p, "/v1/prices")?;
    expand(&mut out, &p.expand(), &store);
    Ok(Json(out))
}

async fn create_customer(
    State(state): State<Shared>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let metadata = p.map("metadata")?.unwrap_or_default();
    let now = state.now();
    let mut customer = objects::customer(p.str("email"), p.str("name"), metadata, now);
    if let Some(d) = p.str("description") {
        customer["description"] = d.into();
    }
    let id = customer["id"].as_str().unwrap_or_default().to_owned();
    let mut store = state.store();
    // `payment_method` is attached to the new customer (a declined card creates nothing);
    // the invoice default may only name that card.
    let card = match p.str("payment_method") {
        Some(pm) => payment_methods::to_attach(&store, pm, &id, now)?.map(|o| (pm, o)),
        None => None,
    };
    if let Some(default) = p.0["invoice_settings"]["default_payment_method"]
        .as_str()
        .filter(|v| !v.is_empty())
    {
        let (named, pm) = card.as_ref().ok_or_else(|| not_attached(default))?;
        if default != *named && pm["id"] != default {
            return Err(not_attached(default));
        }
        customer["invoice_settings"]["default_payment_method"] = pm["id"].clone();
    }
    store.customers.insert(customer.clone());
    let mut events = vec![EventSpec::new("customer.created", &customer)];
    if let Some((_, pm)) = card {
        events.extend(cards::attach(&mut store, pm, false));
    }
    emit(&state, &mut store, events, Some(&ctx));
    Ok(Json(customer))
}

/// Stripe's answer to an invoice default that is not one of the customer's cards.
fn not_attached(pm: &str) -> StripeError {
    StripeError::invalid(
        "invoice_settings[default_payment_method]",
        format!("The customer does not have a payment method with the ID {pm}. The payment method must be attached to the customer."),
    )
}

async fn get_customer(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let store = state.store();
    let mut customer = store
        .customers
        .get(&id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("customer", &id))?;
    expand(&mut customer, &p.expand(), &store);
    Ok(Json(customer))
}

async fn update_customer(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let mut store = state.store();
    // Cards attached to this customer, the only valid invoice defaults.
    let owned: Vec<String> = store
        .payment_methods
        .newest_first()
        .filter(|pm| pm["customer"] == id.as_str())
        .filter_map(|pm| pm["id"].as_str().map(str::to_owned))
        .collect();
    let customer = store
        .customers
        .get_mut(&id)
        .ok_or_else(|| StripeError::no_such("customer", &id))?;
    let mut previous = json!({});
    for key in ["email", "name", "description", "phone"] {
        if let Some(v) = p.str(key) {
            previous[key] = customer[key].clone();
            customer[key] = v.into();
        }
    }
    if let Some(m) = p.map("metadata")? {
        previous["metadata"] = customer["metadata"].clone();
        merge_metadata(&mut customer["metadata"], m.clone(), m.is_empty());
    }
    if let Some(pm) = p.0["invoice_settings"]["default_payment_method"].as_str() {
        let param = "invoice_settings[default_payment_method]";
        let pm = Some(pm).filter(|v| !v.is_empty());
        if pm.is_some_and(|pm| !owned.contains(&pm.to_owned())) {
            return Err(StripeError::invalid(
                param,
                format!("No such PaymentMethod: '{}'", pm.unwrap_or_default()),
            )
            .code("resource_missing"));
        }
        previous["invoice_settings"] = customer["invoice_settings"].clone();
        customer["invoice_settings"]["default_payment_method"] = pm.into();
    }
    let customer = customer.clone();
    emit(
        &state,
        &mut store,
        vec![EventSpec::updated("customer.updated", &customer, previous)],
        Some(&ctx),
    );
    Ok(Json(customer))
}

async fn list_customers(State(state): State<Shared>, p: Params) -> ApiResult {
    let email = p.str("email");
    let store = state.store();
    let items = store
        .customers
        .newest_first()
        .filter(|o| email.is_none_or(|e| o["email"] == e))
        .cloned()
        .collect();
    Ok(Json(list(items, &p, "/v1/customers")?))
}
