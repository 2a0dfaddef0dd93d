//! In-memory tables of Stripe objects, kept as the JSON Stripe would send.
//!
//! Objects are stored in their wire shape (built by `objects.rs`) so that a retrieve, a
//! list and a webhook all show exactly the same fields; a few facts Stripe keeps but does
//! not return (a session's raw line items, renewal switches) live in side tables.

use std::collections::{HashMap, HashSet};

use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{Map, Value};

/// One kind of object in creation order (lists are newest first, Stripe's order).
#[derive(Default)]
pub(crate) struct Table {
    order: Vec<String>,
    rows: HashMap<String, Value>,
}

impl Table {
    /// Stores a new object under its `id`.
    pub fn insert(&mut self, obj: Value) {
        let id = obj["id"].as_str().unwrap_or_default().to_owned();
        if self.rows.insert(id.clone(), obj).is_none() {
            self.order.push(id);
        }
    }

    /// The object with this id.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.rows.get(id)
    }

    /// Mutable access to the object with this id.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.rows.get_mut(id)
    }

    /// Every object, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Value> {
        self.order.iter().rev().filter_map(|id| self.rows.get(id))
    }

    /// Every id, oldest first (for sweeps that may mutate rows).
    pub fn ids(&self) -> Vec<String> {
        self.order.clone()
    }
}

/// What a checkout session was created with, beyond its public JSON.
#[derive(Clone, Debug)]
pub(crate) struct SessionExtra {
    /// (price id, quantity) per line, in request order.
    pub lines: Vec<(String, u64)>,
    /// `subscription_data[metadata]`, copied onto the subscription.
    pub subscription_metadata: Map<String, Value>,
    /// `subscription_data[trial_period_days]`: the subscription starts `trialing`.
    pub trial_period_days: Option<i64>,
    /// `subscription_data[description]`.
    pub subscription_description: Option<String>,
}

/// A subscription update waiting for its invoice to be paid (`pending_if_incomplete`).
#[derive(Clone, Debug)]
pub(crate) struct PendingPlan {
    /// Every item the subscription will have once the invoice is paid.
    pub items: Vec<Value>,
    /// The open invoice whose payment applies the update.
    pub invoice: String,
}

/// Every table of one emulator.
#[derive(Default)]
pub(crate) struct Store {
    pub products: Table,
    pub prices: Table,
    pub customers: Table,
    pub sessions: Table,
    pub session_extra: HashMap<String, SessionExtra>,
    pub subscriptions: Table,
    pub invoices: Table,
    pub portal_sessions: Table,
    pub portal_configs: Table,
    pub events: Table,
    pub payment_methods: Table,
    pub payment_intents: Table,
    pub charges: Table,
    pub invoice_payments: Table,
    pub refunds: Table,
    pub tax_ids: Table,
    /// Pending updates by subscription id (the public part is `pending_update`).
    pub pending_plans: HashMap<String, PendingPlan>,
    /// Customer or subscription ids whose next renewal must fail (`fail_next_renewal`).
    pub fail_next: HashSet<String>,
    /// Proration line items (`create_prorations`) waiting for the next renewal invoice,
    /// by subscription id: (description, amount in cents, subscription item id).
    pub pending_prorations: HashMap<String, Vec<(String, i64, String)>>,
}

impl Store {
    /// Finds any stored object by id, using its prefix to pick the table.
    pub fn find(&self, id: &str) -> Option<&Value> {
        let table = match id.split('_').next()? {
            "prod" => &self.products,
            "price" => &self.prices,
            "cus" => &self.customers,
            "cs" => &self.sessions,
            "sub" => &self.subscriptions,
            "in" => &self.invoices,
            "bps" => &self.portal_sessions,
            "bpc" => &self.portal_configs,
            "evt" => &self.events,
            "pm" => &self.payment_methods,
            "pi" => &self.payment_intents,
            "ch" => &self.charges,
            "inpay" => &self.invoice_payments,
            "re" => &self.refunds,
            "txi" => &self.tax_ids,
            _ => return None,
        };
        table.get(id)
    }

    /// The subscription holding item `si`, and the item's index in `items.data`.
    pub fn subscription_of_item(&self, si: &str) -> Option<(String, usize)> {
        self.subscriptions.newest_first().find_map(|sub| {
            let items = sub["items"]["data"].as_array()?;
            let idx = items.iter().position(|it| it["id"] == si)?;
            Some((sub["id"].as_str()?.to_owned(), idx))
        })
    }

    /// The price with this lookup key, if any (keys are unique among prices).
    pub fn price_by_lookup_key(&self, key: &str) -> Option<&Value> {
        self.prices.newest_first().find(|p| p["lookup_key"] == key)
    }
}

/// A fresh id with Stripe's prefix, e.g. `new_id("cus")` → `cus_Q5kq…` (24 random chars).
pub(crate) fn new_id(prefix: &str) -> String {
    let suffix: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("{prefix}_{suffix}")
}
