//! Stripe's form encoding: `application/x-www-form-urlencoded` with bracket notation
//! (`line_items[0][price]=…`, `metadata[k]=v`, `expand[]=…`), decoded into a JSON tree.
//!
//! No crate in the workspace does this (`serde_qs`/`serde_urlencoded` are not available),
//! and Stripe clients differ in what they send (stripe.md §1.7): async-stripe rc.10 leaves
//! brackets raw and indexes arrays, 0.41 percent-encodes them, stripe-python and curl users
//! write `a[]`. So keys are fully percent-decoded first, then split on brackets.

use serde_json::{Map, Value};

/// Why a body could not be decoded; the message names the offending key like Stripe does.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FormError {
    /// The top-level parameter at fault.
    pub param: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Decodes `a=1&b[c]=2&d[0]=x&d[1]=y` into `{"a":"1","b":{"c":"2"},"d":["x","y"]}`.
///
/// Leaves are always strings (Stripe coerces per parameter, so callers do too). An empty
/// key segment (`d[]`) appends; numeric segments index an array and must not leave holes
/// once sorted, matching how clients number them.
pub(crate) fn parse(raw: &str) -> Result<Value, FormError> {
    let mut root = Value::Object(Map::new());
    for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        let path = split_key(&key)?;
        insert(&mut root, &path, value.into_owned(), &key)?;
    }
    finish(&mut root);
    Ok(root)
}

/// One step of a bracket path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
    Append,
}

fn split_key(key: &str) -> Result<Vec<Seg>, FormError> {
    let bad = |why: &str| FormError {
        param: key.split('[').next().unwrap_or(key).to_owned(),
        message: format!("Invalid parameter name {key:?}: {why}."),
    };
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err(bad("it must start with a name"));
    }
    let mut segs = vec![Seg::Key(head.to_owned())];
    while !rest.is_empty() {
        let Some(stripped) = rest.strip_prefix('[') else {
            return Err(bad("expected '['"));
        };
        let Some(end) = stripped.find(']') else {
            return Err(bad("unclosed '['"));
        };
        let inner = &stripped[..end];
        segs.push(if inner.is_empty() {
            Seg::Append
        } else if let Ok(i) = inner.parse::<usize>() {
            Seg::Index(i)
        } else {
            Seg::Key(inner.to_owned())
        });
        rest = &stripped[end + 1..];
    }
    Ok(segs)
}

/// Arrays are built as objects keyed by a sortable index while parsing (indexes may come in
/// any order, e.g. `items[10]` before `items[2]`), then turned into JSON arrays by [`finish`].
const ARRAY_MARK: &str = "\u{0}array";

fn insert(node: &mut Value, path: &[Seg], value: String, key: &str) -> Result<(), FormError> {
    let conflict = || FormError {
        param: key.split('[').next().unwrap_or(key).to_owned(),
        message: format!("Invalid parameter {key:?}: it mixes a value and nested keys."),
    };
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    let is_array = !matches!(first, Seg::Key(_));
    if !node.is_object() {
        // `metadata=` (clear all) followed by `metadata[k]=v`: the nested form wins.
        if node.as_str() == Some("") {
            *node = Value::Object(Map::new());
        } else {
            return Err(conflict());
        }
    }
    let map = node.as_object_mut().expect("checked above");
    if is_array {
        map.insert(ARRAY_MARK.into(), Value::Bool(true));
    }
    let slot = match first {
        Seg::Key(k) => k.clone(),
        Seg::Index(i) => format!("{i:020}"),
        // An append gets the next free position after everything already present.
        Seg::Append => format!("{:020}", map.len().saturating_sub(1) + 1_000_000),
    };
    if rest.is_empty() {
        if map.get(&slot).is_some_and(Value::is_object) {
            if value.is_empty() {
                return Ok(());
            }
            return Err(conflict());
        }
        map.insert(slot, Value::String(value));
        return Ok(());
    }
    let child = map.entry(slot).or_insert_with(|| Value::Object(Map::new()));
    insert(child, rest, value, key)
}

fn finish(node: &mut Value) {
    if let Value::Object(map) = node {
        for v in map.values_mut() {
            finish(v);
        }
        if map.remove(ARRAY_MARK).is_some() {
            // Keys are zero-padded numbers, so the map's sorted order is the index order.
            let items: Vec<Value> = std::mem::take(map).into_iter().map(|(_, v)| v).collect();
            *node = Value::Array(items);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flat_and_nested_keys() {
        let v = parse("mode=subscription&metadata[order]=42&subscription_data[metadata][procore_company_id]=123").unwrap();
        assert_eq!(
            v,
            json!({"mode":"subscription","metadata":{"order":"42"},
                   "subscription_data":{"metadata":{"procore_company_id":"123"}}})
        );
    }

    #[test]
    fn indexed_arrays_sorted_numerically() {
        let raw = "line_items[10][price]=p10&line_items[2][price]=p2&line_items[2][quantity]=3";
        let v = parse(raw).unwrap();
        assert_eq!(
            v,
            json!({"line_items":[{"price":"p2","quantity":"3"},{"price":"p10"}]})
        );
    }

    #[test]
    fn empty_brackets_append() {
        let v = parse("expand[]=line_items&expand[]=customer&lookup_keys[]=a").unwrap();
        assert_eq!(
            v,
            json!({"expand":["line_items","customer"],"lookup_keys":["a"]})
        );
    }

    #[test]
    fn percent_encoded_brackets_and_plus() {
        // async-stripe 0.41 style: brackets encoded, '+' is a space, %26 and %3D are literal.
        let v = parse("metadata%5Bk+with+space%5D=v%26%3Dx&customer_email=a%2Bb%40example.com")
            .unwrap();
        assert_eq!(
            v,
            json!({"metadata":{"k with space":"v&=x"},"customer_email":"a+b@example.com"})
        );
    }

    #[test]
    fn success_url_keeps_template_braces() {
        let v = parse("success_url=https://x/s?session_id%3D{CHECKOUT_SESSION_ID}").unwrap();
        assert_eq!(
            v["success_url"],
            "https://x/s?session_id={CHECKOUT_SESSION_ID}"
        );
    }

    #[test]
    fn clearing_metadata_then_setting() {
        assert_eq!(
            parse("metadata=&metadata[a]=1").unwrap(),
            json!({"metadata":{"a":"1"}})
        );
        assert_eq!(parse("metadata=").unwrap(), json!({"metadata":""}));
    }

    #[test]
    fn malformed_keys_are_errors() {
        assert_eq!(parse("a[b=1").unwrap_err().param, "a");
        assert!(parse("[x]=1").is_err());
        assert!(parse("a=1&a[b]=2").is_err());
        assert!(parse("a[b]x=1").is_err());
    }

    #[test]
    fn empty_body() {
        assert_eq!(parse("").unwrap(), json!({}));
    }
}
