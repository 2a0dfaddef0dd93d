//! v1.x pagination: `page`/`per_page` query parameters and the `Total`, `Per-Page` and
//! `Link` response headers, with the rel sets documented by Procore.

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// Parsed `page`/`per_page`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub page: usize,
    pub per_page: usize,
}

/// Reads `page` (default 1) and `per_page` (default `default`, capped at `max`).
///
/// Non-numeric or < 1 values are a 400, matching the brief's contract for the app.
pub(crate) fn parse(
    params: &[(String, String)],
    default: usize,
    max: usize,
) -> Result<PageRequest, String> {
    let read = |key: &str, default: usize| -> Result<usize, String> {
        match params.iter().find(|(k, _)| k == key) {
            None => Ok(default),
            Some((_, v)) => match v.trim().parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(format!("{key} must be a positive integer")),
            },
        }
    };
    Ok(PageRequest {
        page: read("page", 1)?,
        per_page: read("per_page", default)?.min(max),
    })
}

impl PageRequest {
    /// The slice of `items` this page covers (empty past the end).
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page - 1)
            .saturating_mul(self.per_page)
            .min(items.len());
        let end = start.saturating_add(self.per_page).min(items.len());
        &items[start..end]
    }

    /// Number of the last page (at least 1, so an empty list still has a page 1).
    pub fn last_page(&self, total: usize) -> usize {
        total.div_ceil(self.per_page).max(1)
    }
}

/// Builds the pagination headers.
///
/// Rels: page 1 → next,last; page 2 → first,next,last; page ≥ 3 → first,prev,next,last;
/// the last page omits next. When everything fits on one page no `Link` header is sent
/// (there is nowhere to go). `base` is `scheme://host/path`; `raw_query` is kept verbatim
/// except for `page`, which is appended last.
pub(crate) fn headers(
    req: PageRequest,
    total: usize,
    base: &str,
    raw_query: Option<&str>,
) -> HeaderMap {
    let mut out = HeaderMap::new();
    out.insert(HeaderName::from_static("total"), HeaderValue::from(total));
    out.insert(
        HeaderName::from_static("per-page"),
        HeaderValue::from(req.per_page),
    );
    let last = req.last_page(total);
    if last <= 1 && req.page <= 1 {
        return out;
    }
    let kept: Vec<&str> = raw_query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            key != "page"
        })
        .collect();
    let url = |page: usize| {
        let mut q = kept.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        format!("<{base}?{q}page={page}>")
    };
    let p = req.page;
    let mut links = Vec::new();
    if p >= 2 {
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    if p >= 3 {
        links.push(format!("{}; rel=\"prev\"", url(p - 1)));
    }
    if p < last {
        links.push(format!("{}; rel=\"next\"", url(p + 1)));
    }
    links.push(format!("{}; rel=\"last\"", url(last)));
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        out.insert(axum::http::header::LINK, value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn parse_defaults_caps_and_rejects() {
        assert_eq!(
            parse(&params(""), 100, 300),
            Ok(PageRequest {
                page: 1,
                per_page: 100
            })
        );
        assert_eq!(
            parse(&params("per_page=1000&page=3"), 100, 300),
            Ok(PageRequest {
                page: 3,
                per_page: 300
            })
        );
        assert!(parse(&params("per_page=abc"), 100, 300).is_err());
        assert!(parse(&params("page=0"), 100, 300).is_err());
    }

    #[test]
    fn link_rels_follow_procore_docs() {
        let base = "http://h/rest/v1.1/projects";
        let link = |page| {
            let h = headers(
                PageRequest { page, per_page: 10 },
                45,
                base,
                Some("company_id=1&page=9&per_page=10"),
            );
            h.get("link").map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            link(1).unwrap(),
            "<http://h/rest/v1.1/projects?company_id=1&per_page=10&page=2>; rel=\"next\", <http://h/rest/v1.1/projects?company_id=1&per_page=10&page=5>; rel=\"last\""
        );
        assert!(link(2).unwrap().starts_with(
            "<http://h/rest/v1.1/projects?company_id=1&per_page=10&page=1>; rel=\"first\", <"
        ));
        assert!(!link(2).unwrap().contains("prev"));
        assert!(link(3).unwrap().contains("page=2>; rel=\"prev\""));
        assert!(!link(5).unwrap().contains("next"));
        let single = headers(
            PageRequest {
                page: 1,
                per_page: 100,
            },
            45,
            base,
            None,
        );
        assert!(single.get("link").is_none());
        assert_eq!(single.get("total").unwrap(), "45");
    }
}
