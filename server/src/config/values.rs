//! How single values are read and checked: URLs, keys, prices, the frame ancestors, and
//! whether the built-in sandboxes may start.

use base64::Engine;

use super::ConfigError;

pub(super) fn bad(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// Two variables that only make sense together (an id and its secret): both or neither.
pub(super) fn both_or_neither(
    get: &dyn Fn(&str) -> Option<String>,
    first: &'static str,
    second: &'static str,
) -> Result<Option<(String, String)>, ConfigError> {
    match (get(first), get(second)) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(bad(first, format!("is missing while {second} is set"))),
        (Some(_), None) => Err(bad(second, format!("is required when {first} is set"))),
    }
}

/// Whether the built-in sandboxes start. In them a test card licenses projects for free, so
/// they start only when neither Procore nor Stripe is configured and only where nobody else
/// can reach them (a loopback public URL). `SANDBOX=1` asks for them explicitly (the same
/// rules apply), `SANDBOX=0` forbids them. One real and one built-in service never mix.
pub(super) fn sandbox_mode(
    get: &dyn Fn(&str) -> Option<String>,
    public_base_url: &url::Url,
    procore: bool,
    stripe: bool,
) -> Result<bool, ConfigError> {
    let asked = match get("SANDBOX").as_deref().map(str::trim) {
        None => None,
        Some("1") | Some("true") => Some(true),
        Some("0") | Some("false") => Some(false),
        Some(other) => return Err(bad("SANDBOX", format!("`{other}` is not 1 or 0"))),
    };
    let mixed = "one real and one built-in service would let sandbox payments license real Procore projects; configure both PROCORE_CLIENT_ID and STRIPE_SECRET_KEY, or neither";
    match (procore, stripe, asked) {
        (true, true, Some(true)) => Err(bad(
            "SANDBOX",
            "is 1, but PROCORE_CLIENT_ID and STRIPE_SECRET_KEY configure the real services",
        )),
        (true, true, _) => Ok(false),
        (true, false, _) => Err(bad("STRIPE_SECRET_KEY", format!("is missing while real Procore is configured: {mixed}"))),
        (false, true, _) => Err(bad("PROCORE_CLIENT_ID", format!("is missing while real Stripe is configured: {mixed}"))),
        (false, false, Some(false)) => Err(bad(
            "SANDBOX",
            "is 0, but neither PROCORE_CLIENT_ID nor STRIPE_SECRET_KEY is set",
        )),
        (false, false, _) if !is_loopback(public_base_url) => Err(bad(
            "PUBLIC_BASE_URL",
            format!("`{public_base_url}` is not a loopback address, and the built-in Procore and Stripe sandboxes only run for this machine; set PROCORE_CLIENT_ID and STRIPE_SECRET_KEY to use the real services"),
        )),
        (false, false, _) => Ok(true),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost" || name.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

pub(super) fn parse_catalog(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<app::licensing::Catalog, ConfigError> {
    let mut catalog = app::licensing::Catalog::default();
    let cents = |name: &'static str, default: i64| -> Result<i64, ConfigError> {
        match get(name) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if n >= 0 => Ok(n),
                _ => Err(bad(
                    name,
                    format!("`{v}` is not a whole number of cents (0 or more)"),
                )),
            },
        }
    };
    catalog.planner_monthly_cents = cents(
        "CATALOG_PLANNER_MONTHLY_CENTS",
        catalog.planner_monthly_cents,
    )?;
    catalog.safety_monthly_cents =
        cents("CATALOG_SAFETY_MONTHLY_CENTS", catalog.safety_monthly_cents)?;
    catalog.planner_board_monthly_cents = cents(
        "CATALOG_PLANNER_BOARD_MONTHLY_CENTS",
        catalog.planner_board_monthly_cents,
    )?;
    catalog.safety_badge_monthly_cents = cents(
        "CATALOG_SAFETY_BADGE_MONTHLY_CENTS",
        catalog.safety_badge_monthly_cents,
    )?;
    let months = cents(
        "CATALOG_YEARLY_MONTHS",
        i64::from(catalog.yearly_multiplier_months),
    )?;
    catalog.yearly_multiplier_months = u32::try_from(months)
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| bad("CATALOG_YEARLY_MONTHS", "must be between 1 and 12"))?;
    let trial = cents("CATALOG_TRIAL_DAYS", 0)?;
    catalog.trial_days = u32::try_from(trial)
        .ok()
        .filter(|d| *d <= 730)
        .ok_or_else(|| bad("CATALOG_TRIAL_DAYS", "must be between 0 and 730 days"))?;
    Ok(catalog)
}

pub(super) fn parse_http_url(variable: &'static str, value: &str) -> Result<url::Url, ConfigError> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| bad(variable, format!("`{value}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad(
            variable,
            format!("`{value}` must be an http(s) URL with a host"),
        ));
    }
    Ok(url)
}

/// Space-separated `'self'` or http(s) origins (`https://app.procore.com`), as CSP takes them.
/// Procore's web origins that frame embedded apps (production regions, the developer
/// sandbox and the monthly sandbox's browser host).
pub const PROCORE_WEB_ORIGINS: [&str; 5] = [
    "https://app.procore.com",
    "https://us02.procore.com",
    "https://uk01.procore.com",
    "https://sandbox.procore.com",
    "https://api-sandbox-monthly.procore.com",
];

/// The built-in sandbox's Procore web shell runs on `localhost` (another origin than the
/// app's `127.0.0.1`) on a port chosen at start-up; allowed in sandbox mode only.
pub const SANDBOX_SHELL_SOURCE: &str = "http://localhost:*";

/// `FRAME_ANCESTORS`, or by default `'self'`, Procore's web origins and, in sandbox mode,
/// the sandbox shell.
pub(super) fn parse_frame_ancestors(
    value: Option<&str>,
    sandbox: bool,
) -> Result<Vec<String>, ConfigError> {
    let Some(value) = value else {
        let mut sources = vec!["'self'".to_string()];
        sources.extend(PROCORE_WEB_ORIGINS.iter().map(|o| o.to_string()));
        if sandbox {
            sources.push(SANDBOX_SHELL_SOURCE.into());
        }
        return Ok(sources);
    };
    value
        .split_whitespace()
        .map(|source| {
            if source == "'self'" {
                return Ok(source.to_string());
            }
            if source == SANDBOX_SHELL_SOURCE {
                return if sandbox {
                    Ok(source.to_string())
                } else {
                    Err(bad(
                        "FRAME_ANCESTORS",
                        format!("`{source}` is allowed only with the built-in sandbox"),
                    ))
                };
            }
            match url::Url::parse(source) {
                Ok(url)
                    if matches!(url.scheme(), "http" | "https")
                        && url.host().is_some()
                        && url.username().is_empty()
                        && url.path() == "/"
                        && url.query().is_none()
                        && url.fragment().is_none() =>
                {
                    Ok(url.origin().ascii_serialization())
                }
                _ => Err(bad(
                    "FRAME_ANCESTORS",
                    format!("`{source}` is not 'self' or an origin like https://app.procore.com"),
                )),
            }
        })
        .collect()
}

/// Decodes a base64 key of exactly 32 bytes.
pub fn parse_key(value: &str) -> Result<[u8; 32], String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| "is not valid base64".to_string())?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("must decode to 32 bytes, got {}", b.len()))
}
