//! The sign-in in progress, kept in a short-lived signed cookie until Procore sends the
//! browser back: anonymous visitors write nothing durable (no session row per click on
//! "Sign in"). One cookie per attempt, named after its `state`, so a stray or forged
//! callback cannot disturb another sign-in in progress.

use axum::http::{HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::now;

/// How long a sign-in may take at Procore.
const LIFETIME_SECS: i64 = 600;
const PATH: &str = "/auth/procore";

/// What `/auth/procore/login` keeps for the callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// The `state` sent to Procore.
    pub state: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
    /// When the attempt lapses (UTC unix seconds).
    pub expires_at: i64,
    /// Started from the embedded view's popup: the callback hands the frame a code.
    #[serde(default)]
    pub popup: bool,
    /// Where to go after signing in (a path of ours, see [`safe_next`]).
    #[serde(default)]
    pub next: Option<String>,
    /// The marketplace app whose OAuth client this sign-in uses (`safety`); None: default.
    #[serde(default)]
    pub app: Option<String>,
}

/// `next` when it is a path on our own site (`/setup/planner`), never another host
/// (`//evil.example`, `/\evil.example`, `https://…`) or anything odd.
pub fn safe_next(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 200
        && next
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.?=&".contains(c));
    ok.then(|| next.to_string())
}

/// Issues and redeems sign-in cookies.
#[derive(Clone)]
pub struct SignInCookies {
    key: Vec<u8>,
    secure: bool,
}

impl std::fmt::Debug for SignInCookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInCookies").finish_non_exhaustive()
    }
}

fn cookie_name(state: &str) -> String {
    let digest = Sha256::digest(state.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("pc_signin_{hex}")
}

impl SignInCookies {
    /// Signing key derived from the token key (so no second secret to configure).
    pub fn new(token_key: &[u8; 32], secure: bool) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(token_key).expect("any key length");
        mac.update(b"project-central sign-in cookie v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
            secure,
        }
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(payload.as_bytes());
        mac
    }

    fn cookie(&self, name: &str, value: &str, max_age: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path={PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
        ))
        .expect("cookie text is ASCII")
    }

    /// The `Set-Cookie` for a new attempt (`popup`: from the embedded view's popup).
    pub fn issue(&self, state: &str, pkce_verifier: &str, popup: bool) -> HeaderValue {
        self.issue_to(state, pkce_verifier, popup, None, None)
    }

    /// [`Self::issue`], coming back to `next` (already checked by [`safe_next`]).
    pub fn issue_to(
        &self,
        state: &str,
        pkce_verifier: &str,
        popup: bool,
        next: Option<String>,
        app: Option<String>,
    ) -> HeaderValue {
        let pending = PendingSignIn {
            state: state.to_string(),
            pkce_verifier: pkce_verifier.to_string(),
            expires_at: now() + LIFETIME_SECS,
            popup,
            next,
            app,
        };
        let payload = B64.encode(serde_json::to_vec(&pending).expect("plain struct"));
        let signature = B64.encode(self.mac(&payload).finalize().into_bytes());
        self.cookie(
            &cookie_name(state),
            &format!("{payload}.{signature}"),
            LIFETIME_SECS,
        )
    }

    /// The attempt the callback's `state` belongs to, if its cookie is there, authentic and
    /// not lapsed; with the `Set-Cookie` that removes it (single use).
    pub fn redeem(&self, headers: &HeaderMap, state: &str) -> Option<(PendingSignIn, HeaderValue)> {
        let name = cookie_name(state);
        let value = super::cookie_value(headers, |n| n == name)?;
        let (payload, signature) = value.split_once('.')?;
        let signature = B64.decode(signature).ok()?;
        self.mac(payload).verify_slice(&signature).ok()?;
        let pending: PendingSignIn = serde_json::from_slice(&B64.decode(payload).ok()?).ok()?;
        if pending.state != state || pending.expires_at < now() {
            return None;
        }
        Some((pending, self.cookie(&name, "", 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_path_of_ours_only() {
        assert_eq!(
            safe_next("/setup/planner").as_deref(),
            Some("/setup/planner")
        );
        assert_eq!(
            safe_next("/licensing?module=safety").as_deref(),
            Some("/licensing?module=safety")
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "setup",
            "/a b",
            "/x\r\nSet-Cookie:",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
    use axum::http::header;

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).unwrap(),
        );
        headers
    }

    #[test]
    fn an_attempt_is_redeemed_once_by_its_own_state() {
        let cookies = SignInCookies::new(&[3u8; 32], true);
        let issued = cookies.issue("state-a", "verifier-a", true);
        let text = issued.to_str().unwrap();
        assert!(
            text.contains("HttpOnly")
                && text.contains("Secure")
                && text.contains("Path=/auth/procore")
        );
        let headers = request_with(&issued);
        let (pending, clear) = cookies.redeem(&headers, "state-a").expect("redeemed");
        assert_eq!(pending.pkce_verifier, "verifier-a");
        assert!(pending.popup);
        assert!(clear.to_str().unwrap().contains("Max-Age=0"));
        assert!(
            cookies.redeem(&headers, "state-b").is_none(),
            "another state finds nothing"
        );
    }

    #[test]
    fn forged_or_foreign_cookies_are_refused() {
        let cookies = SignInCookies::new(&[3u8; 32], false);
        let other_key = SignInCookies::new(&[4u8; 32], false);
        let issued = other_key.issue("state-a", "verifier-a", false);
        assert!(cookies.redeem(&request_with(&issued), "state-a").is_none());
        let issued = cookies.issue("state-a", "verifier-a", false);
        let tampered = issued.to_str().unwrap().replacen(".", "x.", 1);
        let tampered = HeaderValue::from_str(&tampered).unwrap();
        assert!(cookies
            .redeem(&request_with(&tampered), "state-a")
            .is_none());
    }
}
