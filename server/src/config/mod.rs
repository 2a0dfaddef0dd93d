//! Typed configuration from environment variables (an optional `.env` is read by `make run`).
//! A malformed value stops start-up with one line naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::telemetry::LogFormat;

/// What is wrong with one variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it, in one line.
    pub problem: String,
}

mod contacts;
mod values;

pub use contacts::unset_contacts;

use app::onboarding::MarketplaceApp;
pub use values::parse_key;
use values::{
    bad, both_or_neither, parse_catalog, parse_frame_ancestors, parse_http_url, sandbox_mode,
};

/// A registered Procore app and the Procore environment it lives in.
#[derive(Clone)]
pub struct ProcoreSettings {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret (never logged).
    pub client_secret: String,
    /// Login host, e.g. `https://login.procore.com`.
    pub login_base: url::Url,
    /// API host, e.g. `https://api.procore.com`.
    pub api_base: url::Url,
}

impl std::fmt::Debug for ProcoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcoreSettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("login_base", &self.login_base.as_str())
            .field("api_base", &self.api_base.as_str())
            .finish()
    }
}

/// Stripe account settings.
#[derive(Clone)]
pub struct StripeSettings {
    /// Secret API key (`sk_live_…`/`sk_test_…`; never logged).
    pub secret_key: String,
    /// Webhook signing secrets (`whsec_…`), newest first: `STRIPE_WEBHOOK_SECRET` may list
    /// two, comma-separated, while the endpoint's secret is rotated. Never logged.
    pub webhook_secrets: Vec<String>,
    /// API host, `https://api.stripe.com` unless testing.
    pub api_base: url::Url,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("secret_key", &"<redacted>")
            .field("webhook_secrets", &"<redacted>")
            .field("api_base", &self.api_base.as_str())
            .finish()
    }
}

/// The whole configuration of one server process.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (`LEPTOS_SITE_ADDR`, default 127.0.0.1:3000).
    pub listen_addr: SocketAddr,
    /// The address people and Procore use to reach us (`PUBLIC_BASE_URL`).
    pub public_base_url: url::Url,
    /// `DATABASE_URL`: `sqlite://…` (default, a file under the data dir) or `postgres://…`.
    pub database_url: String,
    /// Folder for the SQLite file and generated keys (`DATA_DIR`, default `data`).
    pub data_dir: PathBuf,
    /// Real Procore, or `None` with [`Config::sandbox`].
    pub procore: Option<ProcoreSettings>,
    /// Start the built-in Procore and Stripe sandboxes (neither service configured, and a
    /// loopback public URL; see [`sandbox_mode`]).
    pub sandbox: bool,
    /// Real Stripe, or `None` to start the built-in Stripe sandbox.
    pub stripe: Option<StripeSettings>,
    /// Port for the built-in Stripe sandbox (`SANDBOX_STRIPE_PORT`, 0 = any).
    pub sandbox_stripe_port: u16,
    /// Prices (`CATALOG_*_CENTS`, `CATALOG_YEARLY_MONTHS`).
    pub catalog: app::licensing::Catalog,
    /// Port for the built-in Procore sandbox (`SANDBOX_PROCORE_PORT`, 0 = any free port).
    pub sandbox_procore_port: u16,
    /// `TOKEN_ENCRYPTION_KEYS` (newest first) or `TOKEN_ENCRYPTION_KEY`: 32 bytes each,
    /// base64. Empty = generate one under the data dir (sandbox only).
    pub token_keys: Vec<[u8; 32]>,
    /// Mark the session cookie `Secure` (`COOKIE_SECURE`, default true).
    pub cookie_secure: bool,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// Procore's limits per connection (`PROCORE_RATE_LIMIT_HOURLY`, default 600;
    /// `PROCORE_RATE_LIMIT_SPIKE`, per 10 s, default 25).
    pub procore_rate_limits: crate::procore::RateLimits,
    /// `FRAME_ANCESTORS`: who may embed our pages (CSP `frame-ancestors`); default `'self'`,
    /// Procore's web origins and, with the built-in sandbox, its shell (`http://localhost:*`).
    pub frame_ancestors: Vec<String>,
    /// Procore's web origins the side panel accepts messages from (`PROCORE_WEB_ORIGINS`;
    /// the built-in sandbox's shell is added at start-up).
    pub procore_web_origins: Vec<String>,
    /// `SYNC_MAX_DELETES_PER_RUN`: the most records one sync run may delete (default 100).
    pub sync_delete_cap: u32,
    /// `TRUSTED_PROXIES`: the proxies (IPs or CIDRs, comma-separated) whose forwarded client
    /// address (`Forwarded` / `X-Forwarded-For`) the abuse limits believe; none by default.
    pub trusted_proxies: crate::http::client_address::TrustedProxies,
    /// `PROCORE_SAFETY_CLIENT_ID`: the Smartapp Safety app's client id, to recognise its
    /// installation in Procore's `app_installations` (sign-in uses `PROCORE_CLIENT_ID`, the
    /// Smartapp Planner app).
    pub procore_safety_client_id: Option<String>,
    /// Which app `procore` (the default sign-in) is: Smartapp Planner unless only the
    /// Safety pair is configured.
    pub procore_primary_app: MarketplaceApp,
    /// `PROCORE_SAFETY_CLIENT_ID` + `PROCORE_SAFETY_CLIENT_SECRET` beside the Planner pair:
    /// Smartapp Safety's own OAuth client (sign-in with `?app=safety`). Never logged.
    pub procore_safety: Option<OAuthCredentials>,
    /// `SUPPORT_EMAIL`, `SUPPORT_URL`, `PRIVACY_URL`, `TERMS_URL`: the footer's contacts
    /// (placeholders on `.invalid` when unset).
    pub contacts: app::ui::Contacts,
}

/// A second Procore OAuth app's credentials.
#[derive(Clone)]
pub struct OAuthCredentials {
    /// Client id.
    pub client_id: String,
    /// Client secret (never logged).
    pub client_secret: String,
}

impl std::fmt::Debug for OAuthCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let listen_addr: SocketAddr = match get("LEPTOS_SITE_ADDR") {
            Some(v) => v.trim().parse().map_err(|_| {
                bad(
                    "LEPTOS_SITE_ADDR",
                    format!("`{v}` is not an address like 127.0.0.1:3000"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let public_base_url = match get("PUBLIC_BASE_URL") {
            Some(v) => parse_http_url("PUBLIC_BASE_URL", &v)?,
            None => url::Url::parse(&format!("http://{listen_addr}/"))
                .expect("socket address forms a URL"),
        };
        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(v)
                if v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://") =>
            {
                v
            }
            Some(_) => {
                return Err(bad(
                    "DATABASE_URL",
                    "must start with sqlite: or postgres://",
                ))
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("project-central.db").display()
            ),
        };

        // Smartapp Planner's OAuth app (`PROCORE_PLANNER_CLIENT_*`, or the older
        // `PROCORE_CLIENT_*`) and Smartapp Safety's (`PROCORE_SAFETY_CLIENT_*`); either pair
        // works alone, and the first configured is the one people sign in with by default.
        let legacy = both_or_neither(&get, "PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET")?;
        let planner = both_or_neither(
            &get,
            "PROCORE_PLANNER_CLIENT_ID",
            "PROCORE_PLANNER_CLIENT_SECRET",
        )?;
        if legacy.is_some() && planner.is_some() {
            return Err(bad(
                "PROCORE_CLIENT_ID",
                "is set beside PROCORE_PLANNER_CLIENT_ID; use one of the two for Smartapp Planner",
            ));
        }
        let planner = planner.or(legacy);
        let safety_id = get("PROCORE_SAFETY_CLIENT_ID")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let safety_secret = get("PROCORE_SAFETY_CLIENT_SECRET").filter(|v| !v.trim().is_empty());
        if safety_secret.is_some() && safety_id.is_none() {
            return Err(bad(
                "PROCORE_SAFETY_CLIENT_ID",
                "is missing while PROCORE_SAFETY_CLIENT_SECRET is set",
            ));
        }
        let safety = safety_id.clone().zip(safety_secret);
        let (primary, primary_app, procore_safety) = match (planner, safety) {
            (Some(p), safety) => (
                Some(p),
                MarketplaceApp::Planner,
                safety.map(|(client_id, client_secret)| OAuthCredentials {
                    client_id,
                    client_secret,
                }),
            ),
            // The Safety app alone: it is the one people sign in with.
            (None, Some(s)) => (Some(s), MarketplaceApp::Safety, None),
            (None, None) => (None, MarketplaceApp::Planner, None),
        };
        let procore = match primary {
            None => None,
            Some((client_id, client_secret)) => {
                let login_base = parse_http_url(
                    "PROCORE_LOGIN_BASE",
                    &get("PROCORE_LOGIN_BASE")
                        .unwrap_or_else(|| "https://login.procore.com".into()),
                )?;
                let api_base = parse_http_url(
                    "PROCORE_API_BASE",
                    &get("PROCORE_API_BASE").unwrap_or_else(|| "https://api.procore.com".into()),
                )?;
                Some(ProcoreSettings {
                    client_id,
                    client_secret,
                    login_base,
                    api_base,
                })
            }
        };

        let port = |name: &'static str| -> Result<u16, ConfigError> {
            match get(name) {
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| bad(name, format!("`{v}` is not a port number"))),
                None => Ok(0),
            }
        };
        let sandbox_procore_port = port("SANDBOX_PROCORE_PORT")?;
        let sandbox_stripe_port = port("SANDBOX_STRIPE_PORT")?;
        if let Some(secret_key) = get("STRIPE_SECRET_KEY") {
            if !secret_key.starts_with("sk_") && !secret_key.starts_with("rk_") {
                return Err(bad(
                    "STRIPE_SECRET_KEY",
                    "must be a secret key starting with sk_ or rk_",
                ));
            }
        }
        let stripe = match both_or_neither(&get, "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")? {
            None => None,
            Some((secret_key, webhook_secret)) => {
                let webhook_secrets: Vec<String> = webhook_secret
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                if webhook_secrets.len() > 2
                    || webhook_secrets.iter().any(|v| !v.starts_with("whsec_"))
                {
                    return Err(bad(
                        "STRIPE_WEBHOOK_SECRET",
                        "must be one signing secret starting with whsec_, or two (newest first, comma-separated) during a rotation",
                    ));
                }
                let api_base = parse_http_url(
                    "STRIPE_API_BASE",
                    &get("STRIPE_API_BASE").unwrap_or_else(|| "https://api.stripe.com".into()),
                )?;
                Some(StripeSettings {
                    secret_key,
                    webhook_secrets,
                    api_base,
                })
            }
        };
        let catalog = parse_catalog(&get)?;
        let token_keys = match (get("TOKEN_ENCRYPTION_KEYS"), get("TOKEN_ENCRYPTION_KEY")) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "TOKEN_ENCRYPTION_KEY",
                    "is set beside TOKEN_ENCRYPTION_KEYS; list every key in TOKEN_ENCRYPTION_KEYS, newest first",
                ))
            }
            (Some(list), None) => list
                .split([',', ' ', '\n'])
                .filter(|k| !k.trim().is_empty())
                .map(|k| parse_key(k).map_err(|problem| bad("TOKEN_ENCRYPTION_KEYS", problem)))
                .collect::<Result<Vec<_>, _>>()?,
            (None, Some(one)) => {
                vec![parse_key(&one).map_err(|problem| bad("TOKEN_ENCRYPTION_KEY", problem))?]
            }
            (None, None) => Vec::new(),
        };
        if token_keys.is_empty() && procore.is_some() {
            return Err(bad(
                "TOKEN_ENCRYPTION_KEY",
                "is required with real Procore credentials (32 random bytes, base64; e.g. `openssl rand -base64 32`; several, newest first, in TOKEN_ENCRYPTION_KEYS while rotating)",
            ));
        }
        let sandbox = sandbox_mode(&get, &public_base_url, procore.is_some(), stripe.is_some())?;
        let cookie_secure = match get("COOKIE_SECURE").as_deref().map(str::trim) {
            None | Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(other) => {
                return Err(bad(
                    "COOKIE_SECURE",
                    format!("`{other}` is not true or false"),
                ))
            }
        };
        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(bad("LOG_FORMAT", format!("`{other}` is not text or json"))),
        };
        let frame_ancestors = parse_frame_ancestors(get("FRAME_ANCESTORS").as_deref(), sandbox)?;
        let procore_web_origins =
            crate::embedded::origins::parse(get("PROCORE_WEB_ORIGINS").as_deref())
                .map_err(|problem| bad("PROCORE_WEB_ORIGINS", problem))?;
        let rate_limit = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u32>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(bad(name, format!("`{v}` is not a positive whole number"))),
                },
            }
        };
        let procore_rate_limits = crate::procore::RateLimits {
            hourly: rate_limit(
                "PROCORE_RATE_LIMIT_HOURLY",
                crate::procore::RateLimits::default().hourly,
            )?,
            spike: rate_limit(
                "PROCORE_RATE_LIMIT_SPIKE",
                crate::procore::RateLimits::default().spike,
            )?,
        };
        let sync_delete_cap = rate_limit("SYNC_MAX_DELETES_PER_RUN", 100)?;
        let trusted_proxies = match get("TRUSTED_PROXIES") {
            None => Default::default(),
            Some(v) => crate::http::client_address::TrustedProxies::parse(&v)
                .map_err(|problem| bad("TRUSTED_PROXIES", problem))?,
        };
        let procore_safety_client_id = safety_id;
        let contacts = contacts::parse_contacts(&get)?;
        Ok(Self {
            contacts,
            procore_safety_client_id,
            procore_primary_app: primary_app,
            procore_safety,
            sync_delete_cap,
            trusted_proxies,
            listen_addr,
            public_base_url,
            database_url,
            data_dir,
            procore,
            sandbox,
            sandbox_procore_port,
            stripe,
            sandbox_stripe_port,
            catalog,
            token_keys,
            cookie_secure,
            log_format,
            procore_rate_limits,
            frame_ancestors,
            procore_web_origins,
        })
    }

    /// Whether browsers are told to use HTTPS only (HSTS): when `PUBLIC_BASE_URL` is https.
    pub fn https_only(&self) -> bool {
        self.public_base_url.scheme() == "https"
    }

    /// Where Procore sends the browser back after sign-in.
    pub fn oauth_redirect_url(&self) -> String {
        self.public_base_url
            .join("auth/procore/callback")
            .expect("a base URL joins a relative path")
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn empty_environment_means_sandbox_and_sqlite() {
        let c = config(&[]).unwrap();
        assert!(c.procore.is_none());
        assert!(c.database_url.starts_with("sqlite://"));
        assert_eq!(c.listen_addr.port(), 3000);
        assert_eq!(
            c.oauth_redirect_url(),
            "http://127.0.0.1:3000/auth/procore/callback"
        );
        assert!(c.cookie_secure);
        assert_eq!(
            c.procore_rate_limits,
            crate::procore::RateLimits {
                hourly: 600,
                spike: 25
            }
        );
    }

    #[test]
    fn planner_and_safety_apps_each_alone_or_together() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let base = [
            ("TOKEN_ENCRYPTION_KEY", key.as_str()),
            ("STRIPE_SECRET_KEY", "sk_test_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars: Vec<(&str, &str)> = base.to_vec();
            vars.extend_from_slice(extra);
            config(&vars)
        };
        let both = with(&[
            ("PROCORE_PLANNER_CLIENT_ID", "p-id"),
            ("PROCORE_PLANNER_CLIENT_SECRET", "p-secret"),
            ("PROCORE_SAFETY_CLIENT_ID", "s-id"),
            ("PROCORE_SAFETY_CLIENT_SECRET", "s-secret"),
        ])
        .unwrap();
        assert_eq!(both.procore.as_ref().unwrap().client_id, "p-id");
        assert_eq!(both.procore_safety.as_ref().unwrap().client_id, "s-id");
        assert!(
            !format!("{both:?}").contains("s-secret"),
            "secrets never printed"
        );
        let safety_alone = with(&[
            ("PROCORE_SAFETY_CLIENT_ID", "s-id"),
            ("PROCORE_SAFETY_CLIENT_SECRET", "s-secret"),
        ])
        .unwrap();
        assert_eq!(safety_alone.procore.unwrap().client_id, "s-id");
        assert_eq!(safety_alone.procore_primary_app, MarketplaceApp::Safety);
        let legacy = with(&[
            ("PROCORE_CLIENT_ID", "l-id"),
            ("PROCORE_CLIENT_SECRET", "l-secret"),
        ])
        .unwrap();
        assert_eq!(legacy.procore.unwrap().client_id, "l-id");
        assert!(with(&[
            ("PROCORE_CLIENT_ID", "l-id"),
            ("PROCORE_CLIENT_SECRET", "l"),
            ("PROCORE_PLANNER_CLIENT_ID", "p"),
            ("PROCORE_PLANNER_CLIENT_SECRET", "p"),
        ])
        .is_err());
        assert!(with(&[("PROCORE_SAFETY_CLIENT_SECRET", "s")]).is_err());
    }

    #[test]
    fn real_procore_needs_secret_and_key() {
        let e = config(&[("PROCORE_CLIENT_ID", "abc")]).unwrap_err();
        assert_eq!(e.variable, "PROCORE_CLIENT_SECRET");
        let e =
            config(&[("PROCORE_CLIENT_ID", "abc"), ("PROCORE_CLIENT_SECRET", "s")]).unwrap_err();
        assert_eq!(e.variable, "TOKEN_ENCRYPTION_KEY");
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let c = config(&[
            ("PROCORE_CLIENT_ID", "abc"),
            ("PROCORE_CLIENT_SECRET", "s"),
            ("TOKEN_ENCRYPTION_KEY", &key),
            ("STRIPE_SECRET_KEY", "sk_test_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ])
        .unwrap();
        assert!(!c.sandbox);
        let p = c.procore.unwrap();
        assert_eq!(p.api_base.as_str(), "https://api.procore.com/");
        assert_eq!(c.token_keys, vec![[7u8; 32]]);
        assert!(
            !format!("{p:?}").contains("\"s\""),
            "secret must not be printed"
        );
    }

    #[test]
    fn malformed_values_name_their_variable() {
        for (name, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("PUBLIC_BASE_URL", "not a url"),
            ("PUBLIC_BASE_URL", "ftp://x.example"),
            ("TOKEN_ENCRYPTION_KEY", "c2hvcnQ="),
            ("TOKEN_ENCRYPTION_KEY", "***"),
            ("COOKIE_SECURE", "maybe"),
            ("LOG_FORMAT", "xml"),
            ("SANDBOX_PROCORE_PORT", "70000"),
            ("STRIPE_SECRET_KEY", "pk_test_123"),
            ("CATALOG_PLANNER_MONTHLY_CENTS", "29.5"),
            ("CATALOG_SAFETY_MONTHLY_CENTS", "-1"),
            ("CATALOG_YEARLY_MONTHS", "13"),
            ("PROCORE_RATE_LIMIT_HOURLY", "lots"),
            ("PROCORE_RATE_LIMIT_HOURLY", "0"),
            ("PROCORE_RATE_LIMIT_SPIKE", "-25"),
        ] {
            let e = config(&[(name, value)]).unwrap_err();
            assert_eq!(e.variable, name, "{value}");
            assert!(e.to_string().starts_with(name));
        }
        let e = config(&[("PROCORE_CLIENT_SECRET", "s")]).unwrap_err();
        assert_eq!(e.variable, "PROCORE_CLIENT_ID");
    }

    #[test]
    fn stripe_and_catalog_settings() {
        let e = config(&[("STRIPE_SECRET_KEY", "sk_test_1")]).unwrap_err();
        assert_eq!(e.variable, "STRIPE_WEBHOOK_SECRET");
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let c = config(&[
            ("PROCORE_CLIENT_ID", "abc"),
            ("PROCORE_CLIENT_SECRET", "s"),
            ("TOKEN_ENCRYPTION_KEY", &key),
            ("STRIPE_SECRET_KEY", "sk_test_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
            ("CATALOG_PLANNER_BOARD_MONTHLY_CENTS", "1500"),
            ("CATALOG_YEARLY_MONTHS", "12"),
        ])
        .unwrap();
        let stripe = c.stripe.unwrap();
        assert_eq!(stripe.api_base.as_str(), "https://api.stripe.com/");
        assert!(!format!("{stripe:?}").contains("sk_test_1"));
        assert_eq!(c.catalog.planner_board_monthly_cents, 1500);
        assert_eq!(c.catalog.planner_monthly_cents, 29_500);
        assert_eq!(c.catalog.yearly_multiplier_months, 12);
    }

    #[test]
    fn sandboxes_start_only_when_asked_for_and_only_on_loopback() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let procore = [
            ("PROCORE_CLIENT_ID", "abc"),
            ("PROCORE_CLIENT_SECRET", "s"),
            ("TOKEN_ENCRYPTION_KEY", key.as_str()),
        ];
        let stripe = [
            ("STRIPE_SECRET_KEY", "sk_live_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ];
        assert!(config(&[]).unwrap().sandbox);
        assert!(
            config(&[("PUBLIC_BASE_URL", "http://localhost:3000")])
                .unwrap()
                .sandbox
        );
        assert!(config(&[("SANDBOX", "1")]).unwrap().sandbox);
        // One real service beside a built-in one: refused, naming the missing one.
        assert_eq!(config(&procore).unwrap_err().variable, "STRIPE_SECRET_KEY");
        assert_eq!(config(&stripe).unwrap_err().variable, "PROCORE_CLIENT_ID");
        // A misspelled variable no longer silently means "sandbox" on a public host.
        let public = [
            ("PUBLIC_BASE_URL", "https://central.example.com"),
            ("STRIPE_SECRET_KY", "sk_live_1"),
        ];
        assert_eq!(config(&public).unwrap_err().variable, "PUBLIC_BASE_URL");
        let public = [
            ("PUBLIC_BASE_URL", "https://central.example.com"),
            ("SANDBOX", "1"),
        ];
        assert_eq!(config(&public).unwrap_err().variable, "PUBLIC_BASE_URL");
        assert_eq!(config(&[("SANDBOX", "0")]).unwrap_err().variable, "SANDBOX");
        assert_eq!(
            config(&[("SANDBOX", "yes")]).unwrap_err().variable,
            "SANDBOX"
        );
        let both: Vec<_> = procore.iter().chain(stripe.iter()).copied().collect();
        assert!(!config(&both).unwrap().sandbox);
        let mut asked = both.clone();
        asked.push(("SANDBOX", "1"));
        assert_eq!(config(&asked).unwrap_err().variable, "SANDBOX");
    }

    #[test]
    fn frame_ancestors_are_self_or_origins() {
        let defaults = config(&[]).unwrap().frame_ancestors;
        assert_eq!(defaults[0], "'self'");
        assert!(defaults.iter().any(|s| s == "https://app.procore.com"));
        assert!(defaults.iter().any(|s| s == "https://sandbox.procore.com"));
        assert_eq!(
            defaults.last().unwrap(),
            "http://localhost:*",
            "sandbox shell"
        );
        let real = parse_frame_ancestors(None, false).unwrap();
        assert!(
            !real.iter().any(|s| s.contains("localhost")),
            "no shell without the sandbox"
        );
        assert!(parse_frame_ancestors(Some("http://localhost:*"), false).is_err());
        assert_eq!(
            config(&[("FRAME_ANCESTORS", "'self' http://localhost:*")])
                .unwrap()
                .frame_ancestors,
            ["'self'", "http://localhost:*"]
        );
        let listed = [(
            "FRAME_ANCESTORS",
            "'self'  https://app.procore.com http://127.0.0.1:8080/",
        )];
        assert_eq!(
            config(&listed).unwrap().frame_ancestors,
            ["'self'", "https://app.procore.com", "http://127.0.0.1:8080"]
        );
        for bad in [
            "*",
            "https://a.example/path",
            "app.procore.com",
            "'unsafe-inline'",
            "javascript:x",
            "https://a.example; script-src *",
        ] {
            assert_eq!(
                config(&[("FRAME_ANCESTORS", bad)]).unwrap_err().variable,
                "FRAME_ANCESTORS",
                "{bad}"
            );
        }
    }

    #[test]
    fn trusted_proxies_are_ips_or_ranges() {
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
        let listed = config(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")]).unwrap();
        assert!(!listed.trusted_proxies.is_empty());
        let bad = config(&[("TRUSTED_PROXIES", "10.0.0.0/8, lb.example")]).unwrap_err();
        assert_eq!(bad.variable, "TRUSTED_PROXIES");
        assert!(bad.problem.contains("lb.example"), "{}", bad.problem);
    }

    #[test]
    fn postgres_url_is_accepted() {
        let c = config(&[("DATABASE_URL", "postgres://postgres@127.0.0.1/test")]).unwrap();
        assert!(c.database_url.starts_with("postgres://"));
    }
}
