//! `filters[...]` of the project list endpoints (procore-api.md §2.4, §4).
//!
//! Each endpoint honours the filters Procore documents for it; any other `filters[...]`
//! key is a 400 with Procore's `{"errors": ...}` body rather than being silently ignored,
//! so a client relying on a filter the endpoint lacks finds out here, not in production.

use std::collections::HashSet;

use super::seed::Project;

/// Filters of `GET /rest/v1.1/projects` (pysdk CorePortfolioProjectsApi, v1.1).
pub(crate) const V11_PROJECTS: &[&str] = &[
    "by_status",
    "name",
    "project_number",
    "updated_at",
    "origin_id",
    "id",
    "is_demo",
];
/// Filters of `GET /rest/v1.0/projects` (pysdk CorePortfolioProjectsApi, v1.0).
pub(crate) const V10_PROJECTS: &[&str] = &[
    "by_status",
    "name",
    "created_at",
    "updated_at",
    "origin_id",
    "id",
    "synced",
    "vendor_id",
    "custom_fields",
];
/// `GET /rest/v1.0/companies/{id}/projects` documents no filters.
pub(crate) const COMPANY_PROJECTS: &[&str] = &[];

/// Parsed project filters; `None` fields do not filter.
#[derive(Debug, Default)]
pub(crate) struct ProjectFilters {
    /// `Some(true)` active only, `Some(false)` inactive only, `None` all.
    active: Option<bool>,
    name: Option<String>,
    number: Option<String>,
    created: Option<(i64, i64)>,
    updated: Option<(i64, i64)>,
    origin_id: Option<String>,
    ids: Option<HashSet<i64>>,
    /// A filter no seeded project can satisfy (`is_demo=true`, `synced=true`, `vendor_id`).
    none: bool,
}

impl ProjectFilters {
    /// Drops the default "active only" (for endpoints that list every status).
    pub fn include_inactive(&mut self) {
        self.active = None;
    }

    /// True when the project passes every filter.
    pub fn matches(&self, p: &Project) -> bool {
        let in_range = |range: Option<(i64, i64)>, at: &str| {
            range.is_none_or(|(from, to)| {
                parse_instant(at, false).is_some_and(|t| from <= t && t <= to)
            })
        };
        !self.none
            && self.active.is_none_or(|a| p.active == a)
            && self
                .name
                .as_ref()
                .is_none_or(|n| p.name.to_lowercase().contains(n))
            && self
                .number
                .as_ref()
                .is_none_or(|n| p.project_number.eq_ignore_ascii_case(n))
            && in_range(self.created, &p.created_at)
            && in_range(self.updated, &p.updated_at)
            && self
                .origin_id
                .as_ref()
                .is_none_or(|o| p.origin_id.as_deref() == Some(o.as_str()))
            && self.ids.as_ref().is_none_or(|ids| ids.contains(&p.id))
    }
}

/// Reads the `filters[...]` of `params`, accepting only `allowed` names. Projects default
/// to active ones, as Procore's "Return a list of active Projects" says.
pub(crate) fn parse(
    params: &[(String, String)],
    allowed: &[&str],
) -> Result<ProjectFilters, String> {
    let mut f = ProjectFilters {
        active: Some(true),
        ..ProjectFilters::default()
    };
    for (key, value) in params {
        let Some(rest) = key.strip_prefix("filters[") else {
            continue;
        };
        let (name, tail) = rest.split_once(']').unwrap_or((rest, "?"));
        if !allowed.contains(&name) || !(tail.is_empty() || (tail == "[]" && name == "id")) {
            return Err(unknown(key, allowed));
        }
        let value = value.trim();
        match name {
            "by_status" => {
                f.active = match value {
                    "Active" => Some(true),
                    "Inactive" => Some(false),
                    "All" => None,
                    other => {
                        return Err(format!(
                            "filters[by_status] must be Active, Inactive or All, got {other:?}"
                        ))
                    }
                }
            }
            "name" => f.name = Some(value.to_lowercase()),
            "project_number" => f.number = Some(value.to_owned()),
            "origin_id" => f.origin_id = Some(value.to_owned()),
            "created_at" => f.created = Some(range(key, value)?),
            "updated_at" => f.updated = Some(range(key, value)?),
            "id" => {
                let ids = f.ids.get_or_insert_with(HashSet::new);
                for part in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    ids.insert(
                        part.parse()
                            .map_err(|_| format!("{key} must be integer ids, got {value:?}"))?,
                    );
                }
            }
            "is_demo" | "synced" => match value {
                // No seeded project is a demo project or synced (none has an origin_id).
                "true" => f.none = true,
                "false" => {}
                other => return Err(format!("{key} must be true or false, got {other:?}")),
            },
            "vendor_id" => {
                value
                    .parse::<i64>()
                    .map_err(|_| format!("{key} must be an integer, got {value:?}"))?;
                // The sandbox seeds no vendors, so no project has this one.
                f.none = true;
            }
            _ => return Err(format!("{key} is not emulated by the Procore sandbox")),
        }
    }
    Ok(f)
}

fn unknown(key: &str, allowed: &[&str]) -> String {
    if allowed.is_empty() {
        return format!("Unknown filter {key}: this endpoint has no filters");
    }
    let list: Vec<String> = allowed.iter().map(|a| format!("filters[{a}]")).collect();
    format!("Unknown filter {key}. Valid filters: {}", list.join(", "))
}

/// `start...end`, each an ISO 8601 date or date-time (`Z` or `±HH:MM`), inclusive.
fn range(key: &str, value: &str) -> Result<(i64, i64), String> {
    let bad = || {
        format!("{key} must be an ISO 8601 range like 2024-01-01...2024-01-31 or 2024-01-01T00:00:00Z...2024-01-31T23:59:59Z, got {value:?}")
    };
    let (from, to) = value.split_once("...").ok_or_else(bad)?;
    let from = parse_instant(from.trim(), false).ok_or_else(bad)?;
    let to = parse_instant(to.trim(), true).ok_or_else(bad)?;
    Ok((from, to))
}

/// Unix seconds of `YYYY-MM-DD` (start of day, or its last second when `end_of_day`) or
/// `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM`.
pub(crate) fn parse_instant(s: &str, end_of_day: bool) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if s.len() < 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d) * 86_400;
    if s.len() == 10 {
        return Some(day + if end_of_day { 86_399 } else { 0 });
    }
    let b = s.as_bytes();
    if b[10] != b'T' || s.len() < 20 || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let offset = match &s[19..] {
        "Z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) && &tz[3..4] == ":" => {
            let mins = num(20..22)? * 60 + num(23..25)?;
            if tz.starts_with('+') {
                mins * 60
            } else {
                -mins * 60
            }
        }
        _ => return None,
    };
    Some(day + h * 3600 + mi * 60 + sec - offset)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    fn instants_and_ranges() {
        assert_eq!(parse_instant("1970-01-01", false), Some(0));
        assert_eq!(parse_instant("1970-01-01", true), Some(86_399));
        assert_eq!(
            parse_instant("2024-05-01T12:00:00Z", false),
            Some(1_714_564_800)
        );
        assert_eq!(
            parse_instant("2024-05-01T14:00:00+02:00", false),
            Some(1_714_564_800)
        );
        assert_eq!(parse_instant("2000-02-29", false), Some(951_782_400));
        assert_eq!(parse_instant("2024-13-01", false), None);
        assert_eq!(parse_instant("yesterday", false), None);
        assert!(range("k", "2024-01-01...2024-01-31").is_ok());
        assert!(range("k", "2024-01-01").is_err());
    }

    #[test]
    fn unknown_and_malformed_filters_are_rejected() {
        assert!(parse(&params("filters[color]=red"), V11_PROJECTS)
            .unwrap_err()
            .contains("filters[by_status]"));
        assert!(parse(
            &params("filters[created_at]=2020-01-01...2021-01-01"),
            V11_PROJECTS
        )
        .is_err());
        assert!(parse(
            &params("filters[created_at]=2020-01-01...2021-01-01"),
            V10_PROJECTS
        )
        .is_ok());
        assert!(parse(&params("filters[name]=a"), COMPANY_PROJECTS).is_err());
        assert!(parse(&params("filters[id][]=1&filters[id][]=2"), V11_PROJECTS).is_ok());
        assert!(parse(&params("filters[id][]=x"), V11_PROJECTS).is_err());
        assert!(parse(&params("filters[name][]=a"), V11_PROJECTS).is_err());
        assert!(parse(&params("filters[by_status]=Closed"), V11_PROJECTS).is_err());
        assert!(parse(&params("company_id=1&page=2&sort=name"), COMPANY_PROJECTS).is_ok());
    }
}
