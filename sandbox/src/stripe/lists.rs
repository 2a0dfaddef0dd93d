//! Stripe lists (`limit`, `starting_after`, `ending_before`, newest first) and `expand[]`.

use serde_json::{json, Value};

use super::api::{Params, StripeError};
use super::store::Store;

/// Builds a Stripe list (`limit`, `starting_after`, `ending_before`) over newest-first `items`.
pub(crate) fn list(items: Vec<Value>, p: &Params, url: &str) -> Result<Value, StripeError> {
    let limit = p.int("limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(StripeError::invalid(
            "limit",
            "Invalid limit: must be between 1 and 100",
        ));
    }
    let limit = limit as usize;
    let position = |param: &str, id: &str| {
        items
            .iter()
            .position(|o| o["id"] == id)
            .ok_or_else(|| StripeError::no_such("object", id).param(param))
    };
    let (page, has_more) = match (p.str("starting_after"), p.str("ending_before")) {
        (Some(_), Some(_)) => {
            return Err(StripeError::invalid(
                "ending_before",
                "You may only specify one of these parameters: ending_before, starting_after.",
            ))
        }
        (Some(after), None) => {
            let rest = &items[position("starting_after", after)? + 1..];
            (
                rest.iter().take(limit).cloned().collect::<Vec<_>>(),
                rest.len() > limit,
            )
        }
        (None, Some(before)) => {
            let head = &items[..position("ending_before", before)?];
            let start = head.len().saturating_sub(limit);
            (head[start..].to_vec(), start > 0)
        }
        (None, None) => (
            items.iter().take(limit).cloned().collect(),
            items.len() > limit,
        ),
    };
    Ok(json!({"object": "list", "data": page, "has_more": has_more, "url": url}))
}

/// Applies `expand[]`: an id string at a path is replaced by the stored object; `data.`
/// paths apply to each element of a list.
pub(crate) fn expand(obj: &mut Value, paths: &[String], store: &Store) {
    for path in paths {
        let segs: Vec<&str> = path.split('.').collect();
        expand_path(obj, &segs, store);
    }
}

fn expand_path(obj: &mut Value, segs: &[&str], store: &Store) {
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    if *first == "data" {
        if let Some(items) = obj.get_mut("data").and_then(Value::as_array_mut) {
            for it in items {
                expand_path(it, rest, store);
            }
            return;
        }
    }
    let Some(field) = obj.get_mut(*first) else {
        return;
    };
    if rest.is_empty() {
        if let Some(id) = field.as_str() {
            if let Some(found) = store.find(id) {
                *field = found.clone();
            }
        }
    } else {
        expand_path(field, rest, store);
    }
}
