//! List helpers of the directory endpoints: `filters[...]`, sorting and paging.

use axum::response::IntoResponse;
use axum::Json;
use serde_json::Value;

use super::{bad, Res};
use crate::procore::filters::parse_instant;
use crate::procore::paging;
use crate::procore::rest::param;

/// v1.x directory lists: 100 per page by default, at most 1,000 (larger values are clamped).
const DEFAULT_PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 1000;

/// `filters[...]` of a directory list. Unknown filters are ignored, as Procore does.
pub(crate) struct Filters<'a>(&'a [(String, String)]);

impl<'a> Filters<'a> {
    pub fn new(params: &'a [(String, String)]) -> Self {
        Filters(params)
    }

    /// The value of `filters[name]`, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        param(self.0, &format!("filters[{name}]"))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// Ids of `filters[name]`, `filters[name][]` (repeatable) or a comma list; `None` if absent.
    pub fn ids(&self, name: &str) -> Res<Option<Vec<i64>>> {
        let (one, many) = (format!("filters[{name}]"), format!("filters[{name}][]"));
        let mut out: Option<Vec<i64>> = None;
        for (k, v) in self.0.iter().filter(|(k, _)| *k == one || *k == many) {
            let list = out.get_or_insert_with(Vec::new);
            for part in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                list.push(
                    part.parse()
                        .map_err(|_| bad(format!("{k} must be integer ids, got {v:?}")))?,
                );
            }
        }
        Ok(out)
    }

    /// An inclusive `A...B` range of Unix seconds from `filters[name]`.
    pub fn range(&self, name: &str) -> Res<Option<(i64, i64)>> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let parsed = v.split_once("...").and_then(|(a, b)| {
            Some((
                parse_instant(a.trim(), false)?,
                parse_instant(b.trim(), true)?,
            ))
        });
        match parsed {
            Some(r) => Ok(Some(r)),
            None => Err(bad(format!(
                "filters[{name}] must be an ISO 8601 range like 2024-01-01T00:00:00Z...2024-01-31T23:59:59Z, got {v:?}"
            ))),
        }
    }

    /// The lower-cased `filters[search]`.
    pub fn search(&self) -> Option<String> {
        self.get("search").map(str::to_lowercase)
    }
}

/// True when `t` lies in the optional inclusive range.
pub(crate) fn within(range: Option<(i64, i64)>, t: i64) -> bool {
    range.is_none_or(|(a, b)| a <= t && t <= b)
}

/// Pages `items` (already filtered, in id order) and renders the page. With `sort`
/// (one of `sorts`, optionally `-` for descending) every item is rendered and sorted by
/// that key of its JSON, ties by id.
pub(crate) fn list_response<T>(
    items: &[T],
    render: impl Fn(&T) -> Value,
    params: &[(String, String)],
    sorts: &[&str],
    base: &str,
    raw: Option<&str>,
) -> Res {
    let req = paging::parse(params, DEFAULT_PER_PAGE, MAX_PER_PAGE).map_err(bad)?;
    let headers = paging::headers(req, items.len(), base, raw);
    let body: Vec<Value> = match param(params, "sort").map(str::trim) {
        None | Some("") | Some("id") => req.slice(items).iter().map(&render).collect(),
        Some(sort) => {
            let (desc, key) = match sort.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, sort),
            };
            if key != "id" && !sorts.contains(&key) {
                return Err(bad(format!(
                    "sort must be one of id, {}, optionally prefixed by -, got {sort:?}",
                    sorts.join(", ")
                )));
            }
            let mut all: Vec<Value> = items.iter().map(&render).collect();
            all.sort_by(|a, b| {
                let o = cmp_json(&a[key], &b[key]).then(cmp_json(&a["id"], &b["id"]));
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
            req.slice(&all).to_vec()
        }
    };
    Ok((headers, Json(body)).into_response())
}

fn cmp_json(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}
