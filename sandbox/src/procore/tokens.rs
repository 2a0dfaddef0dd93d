//! In-memory store of authorization codes, access tokens and refresh tokens.
//!
//! Semantics follow Procore (a Doorkeeper server): codes are single-use, refresh tokens
//! rotate and die on first use, and revoking either half of a pair revokes both.
//!
//! Shapes follow Procore too: access tokens are long JWTs (the docs' example starts
//! `eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzUxMiJ9`, i.e. `{"typ":"JWT","alg":"ES512"}`), refresh
//! tokens and codes are 64 lowercase hex characters (`"refresh_token":"76ba4c5c75c96f608..."`).
//! Validation stays a lookup of the exact string, so a token edited by hand is rejected.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Who a token acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Principal {
    /// A signed-in user (authorization code flow).
    User(i64),
    /// A developer-managed service account (client credentials flow).
    Service { client_id: String, user_id: i64 },
}

impl Principal {
    /// The Procore user id behind the token (`resource_owner_id`).
    pub fn user_id(&self) -> i64 {
        match self {
            Principal::User(id) => *id,
            Principal::Service { user_id, .. } => *user_id,
        }
    }
}

/// PKCE challenge stored with a code (RFC 7636).
#[derive(Clone, Debug)]
pub(crate) struct Challenge {
    pub value: String,
    pub s256: bool,
}

impl Challenge {
    /// True when `verifier` answers the challenge.
    pub fn verify(&self, verifier: &str) -> bool {
        if self.s256 {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == self.value
        } else {
            verifier == self.value
        }
    }
}

/// An authorization code waiting to be exchanged.
#[derive(Clone, Debug)]
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: i64,
    pub challenge: Option<Challenge>,
    pub expires_at: Instant,
}

/// A live access token.
#[derive(Clone, Debug)]
pub(crate) struct AccessToken {
    pub principal: Principal,
    pub client_id: String,
    pub created_at: u64,
    pub expires_at: Instant,
    pub refresh_token: Option<String>,
}

#[derive(Clone, Debug)]
struct RefreshToken {
    client_id: String,
    principal: Principal,
    access_token: String,
}

/// Token pair returned by a grant.
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub created_at: u64,
}

/// Why a code exchange failed; each maps to `invalid_grant`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CodeError {
    Invalid,
    Pkce,
}

/// All OAuth grants of one emulator.
#[derive(Default)]
pub(crate) struct AuthStore {
    codes: HashMap<String, AuthCode>,
    /// Codes already exchanged, with the access token issued for them, so a replay can revoke it.
    used_codes: HashMap<String, Option<String>>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
}

/// Current Unix time in seconds.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Current Unix time in milliseconds (rate-limit windows roll at this resolution).
pub(crate) fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// 32 random bytes as 64 lowercase hex characters, like Doorkeeper's refresh tokens and codes.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Header of every access token: the one in Procore's documented example.
const JWT_HEADER: &str = r#"{"typ":"JWT","alg":"ES512"}"#;

/// A JWT-shaped access token: base64url header, claims and a 132-byte (ES512-sized)
/// signature. The signature is random: the emulator never verifies it, it looks tokens up.
pub(crate) fn jwt_token(principal: &Principal, client_id: &str, iat: u64, ttl: Duration) -> String {
    let mut jti = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut jti);
    let jti: String = jti.iter().map(|b| format!("{b:02x}")).collect();
    let (kind, grant) = match principal {
        Principal::User(_) => ("user", "authorization_code"),
        Principal::Service { .. } => ("service_account", "client_credentials"),
    };
    let claims = serde_json::json!({
        "ait": "access_token",
        "iss": "https://login.procore.com",
        "aud": "https://api.procore.com",
        "sub": principal.user_id().to_string(),
        "uid": principal.user_id(),
        "aid": client_id,
        "azp": client_id,
        "login_type": kind,
        "grant_type": grant,
        "scopes": ["procore.api"],
        "zone": "us01",
        "data_center": "us-east-1",
        "env": "sandbox",
        "iat": iat,
        "nbf": iat,
        "exp": iat + ttl.as_secs(),
        "jti": jti,
        "sid": random_token(),
    });
    let mut signature = [0u8; 132];
    rand::thread_rng().fill_bytes(&mut signature);
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(JWT_HEADER),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

impl AuthStore {
    /// Stores a new code and returns it.
    pub fn create_code(&mut self, code: AuthCode) -> String {
        let now = Instant::now();
        self.codes.retain(|_, c| c.expires_at > now);
        let value = random_token();
        self.codes.insert(value.clone(), code);
        value
    }

    /// Consumes a code: whatever the outcome, it can never be used again (RFC 6749 §4.1.2).
    pub fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
        ttl: Duration,
    ) -> Result<Issued, CodeError> {
        if let Some(previous) = self.used_codes.get(code) {
            // A replayed code may mean it leaked: revoke what it produced, as the RFC advises.
            if let Some(access) = previous.clone() {
                self.revoke(&access);
            }
            return Err(CodeError::Invalid);
        }
        let Some(stored) = self.codes.remove(code) else {
            return Err(CodeError::Invalid);
        };
        self.used_codes.insert(code.to_owned(), None);
        if stored.expires_at <= Instant::now()
            || stored.client_id != client_id
            || stored.redirect_uri != redirect_uri
        {
            return Err(CodeError::Invalid);
        }
        if let Some(challenge) = &stored.challenge {
            if !verifier.is_some_and(|v| challenge.verify(v)) {
                return Err(CodeError::Pkce);
            }
        }
        let issued = self.issue(Principal::User(stored.user_id), client_id, true, ttl);
        self.used_codes
            .insert(code.to_owned(), Some(issued.access_token.clone()));
        Ok(issued)
    }

    /// Rotates a refresh token: the old pair dies immediately, a new pair is returned.
    pub fn rotate_refresh(
        &mut self,
        refresh: &str,
        client_id: &str,
        ttl: Duration,
    ) -> Option<Issued> {
        let stored = self.refresh.get(refresh)?;
        if stored.client_id != client_id {
            return None;
        }
        let stored = self.refresh.remove(refresh)?;
        // Doorkeeper keeps access and refresh token in one record, so the old access token goes too.
        self.access.remove(&stored.access_token);
        Some(self.issue(stored.principal, client_id, true, ttl))
    }

    /// Issues a token (and a refresh token when `with_refresh`).
    pub fn issue(
        &mut self,
        principal: Principal,
        client_id: &str,
        with_refresh: bool,
        ttl: Duration,
    ) -> Issued {
        let created_at = unix_now();
        let access_token = jwt_token(&principal, client_id, created_at, ttl);
        let refresh_token = with_refresh.then(random_token);
        if let Some(refresh) = &refresh_token {
            self.refresh.insert(
                refresh.clone(),
                RefreshToken {
                    client_id: client_id.to_owned(),
                    principal: principal.clone(),
                    access_token: access_token.clone(),
                },
            );
        }
        self.access.insert(
            access_token.clone(),
            AccessToken {
                principal,
                client_id: client_id.to_owned(),
                created_at,
                expires_at: Instant::now() + ttl,
                refresh_token: refresh_token.clone(),
            },
        );
        Issued {
            access_token,
            refresh_token,
            expires_in: ttl.as_secs(),
            created_at,
        }
    }

    /// Returns the token if it exists, is not revoked and has not expired.
    pub fn valid_access(&self, token: &str) -> Option<&AccessToken> {
        self.access
            .get(token)
            .filter(|t| t.expires_at > Instant::now())
    }

    /// Client that owns `token` (access or refresh), if any.
    pub fn client_of(&self, token: &str) -> Option<&str> {
        if let Some(a) = self.access.get(token) {
            return Some(&a.client_id);
        }
        self.refresh.get(token).map(|r| r.client_id.as_str())
    }

    /// Revokes an access or refresh token together with its other half.
    pub fn revoke(&mut self, token: &str) {
        if let Some(access) = self.access.remove(token) {
            if let Some(refresh) = access.refresh_token {
                self.refresh.remove(&refresh);
            }
        } else if let Some(refresh) = self.refresh.remove(token) {
            self.access.remove(&refresh.access_token);
        }
    }

    /// Test switch: marks every access token as expired now (refresh tokens stay usable).
    pub fn expire_all_access_tokens(&mut self) {
        let now = Instant::now();
        for token in self.access.values_mut() {
            token.expires_at = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_challenge_matches_rfc7636_example() {
        let c = Challenge {
            value: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            s256: true,
        };
        assert!(c.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!c.verify("wrong"));
    }

    #[test]
    fn refresh_tokens_and_codes_are_64_hex_chars() {
        let t = random_token();
        assert_eq!(t.len(), 64);
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_ne!(t, random_token());
    }

    #[test]
    fn access_tokens_are_long_jwts() {
        let mut store = AuthStore::default();
        let issued = store.issue(
            Principal::User(7),
            "client",
            true,
            Duration::from_secs(5400),
        );
        let t = &issued.access_token;
        assert!((700..=1400).contains(&t.len()), "{} chars", t.len());
        assert!(t.starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzUxMiJ9."));
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["sub"], "7");
        assert_eq!(claims["exp"].as_u64(), Some(issued.created_at + 5400));
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 132);
        assert!(store.valid_access(t).is_some());
        // Same claims, another signature: not a token the store issued.
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            URL_SAFE_NO_PAD.encode([0u8; 132])
        );
        assert!(store.valid_access(&forged).is_none());
        assert_eq!(issued.refresh_token.unwrap().len(), 64);
    }
}
