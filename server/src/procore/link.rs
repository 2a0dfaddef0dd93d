//! Parsing of the `Link` response header Procore uses for pagination (RFC 8288 subset).

/// The URL with `rel="<rel>"` in a `Link` header value, if any.
pub fn find_rel(header: &str, rel: &str) -> Option<String> {
    split_links(header).into_iter().find_map(|part| {
        let (target, params) = part.split_once(';').unwrap_or((part, ""));
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let wanted = params.split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        });
        wanted.then(|| target.to_string())
    })
}

/// Splits on commas that are outside `<…>` (URLs may contain commas).
fn split_links(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in header.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(header[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(header[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::find_rel;

    const PAGE_3: &str = r#"<https://api.procore.com/rest/v1.1/projects?company_id=1&page=1&per_page=5>; rel="first", <https://api.procore.com/rest/v1.1/projects?company_id=1&page=2&per_page=5>; rel="prev", <https://api.procore.com/rest/v1.1/projects?company_id=1&page=4&per_page=5>; rel="next", <https://api.procore.com/rest/v1.1/projects?company_id=1&page=30&per_page=5>; rel="last""#;

    #[test]
    fn finds_each_relation() {
        assert_eq!(
            find_rel(PAGE_3, "next").unwrap(),
            "https://api.procore.com/rest/v1.1/projects?company_id=1&page=4&per_page=5"
        );
        assert!(find_rel(PAGE_3, "prev").unwrap().contains("page=2"));
        assert!(find_rel(PAGE_3, "first").unwrap().contains("page=1&"));
        assert!(find_rel(PAGE_3, "last").unwrap().contains("page=30"));
    }

    #[test]
    fn last_page_has_no_next() {
        let last = r#"<https://x/p?page=1>; rel="first", <https://x/p?page=29>; rel="prev", <https://x/p?page=30>; rel="last""#;
        assert_eq!(find_rel(last, "next"), None);
    }

    #[test]
    fn tolerates_spacing_case_unquoted_and_commas_in_urls() {
        assert_eq!(
            find_rel("<https://x/a?f=1,2>;rel=next", "next").unwrap(),
            "https://x/a?f=1,2"
        );
        assert_eq!(
            find_rel(" <https://x/b> ; REL=\"prev next\" ", "next").unwrap(),
            "https://x/b"
        );
        assert_eq!(find_rel("", "next"), None);
        assert_eq!(find_rel("garbage; rel=next", "next"), None);
    }
}
