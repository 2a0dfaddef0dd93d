//! Keeps each user's Procore access token fresh. Refresh tokens are single-use, so refreshes
//! of one connection are serialised across processes by a lease row (`token:USER`), and the
//! new pair is stored in one write.

use std::time::Duration;

use super::token_cipher::TokenCipher;
use crate::accounts::ConnectionRow;
use crate::db::{now, Db};

use super::oauth::{OAuthError, ProcoreOAuth, TokenSet};

/// Refresh this long before expiry, so a token never dies mid-request.
const REFRESH_MARGIN_SECS: i64 = 120;
/// A refresh holds its lease at most this long (Procore's token call times out sooner).
const REFRESH_LEASE_SECS: i64 = 30;
/// How long a caller waits for another's refresh before giving up.
const REFRESH_PATIENCE: Duration = Duration::from_secs(25);

/// Why no access token is available.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No connection, or Procore refused our refresh token: sign in again.
    #[error("the Procore connection needs a new sign-in")]
    ReauthRequired,
    /// Procore or the database failed; try later.
    #[error("token refresh failed: {0}")]
    Unavailable(String),
}

/// Hands out valid access tokens per Procore user.
pub struct TokenManager {
    db: Db,
    cipher: TokenCipher,
    oauth: ProcoreOAuth,
    /// Other apps' OAuth clients by app key (a connection refreshes with its own).
    others: Vec<(String, ProcoreOAuth)>,
}

fn aad(user_id: i64) -> String {
    format!("procore-user:{user_id}")
}

impl TokenManager {
    /// A manager over the connections stored in `db`.
    pub fn new(db: Db, cipher: TokenCipher, oauth: ProcoreOAuth) -> Self {
        Self {
            db,
            cipher,
            oauth,
            others: Vec::new(),
        }
    }

    /// Adds another app's OAuth client (`key`: `safety`).
    pub fn with_app_client(mut self, key: &str, oauth: ProcoreOAuth) -> Self {
        self.others.push((key.to_string(), oauth));
        self
    }

    /// Whether marketplace app `key` has an OAuth client of its own here.
    pub fn has_app_client(&self, key: &str) -> bool {
        self.others.iter().any(|(k, _)| k == key)
    }

    /// The OAuth client of marketplace app `app` (a connection's `oauth_app`); the default
    /// app's when None or unknown.
    pub fn oauth_for(&self, app: Option<&str>) -> &ProcoreOAuth {
        app.and_then(|key| self.others.iter().find(|(k, _)| k == key))
            .map(|(_, oauth)| oauth)
            .unwrap_or(&self.oauth)
    }

    /// Encrypts a fresh token pair into a row for `user_id`.
    pub fn seal(&self, user_id: i64, tokens: &TokenSet) -> ConnectionRow {
        ConnectionRow {
            user_id,
            access_token_enc: self.cipher.encrypt(&tokens.access_token, &aad(user_id)),
            refresh_token_enc: tokens
                .refresh_token
                .as_ref()
                .map(|r| self.cipher.encrypt(r, &aad(user_id))),
            expires_at: tokens.expires_at,
            oauth_app: None,
        }
    }

    /// A valid access token for the user, refreshing first when it is about to expire.
    pub async fn access_token(&self, user_id: i64) -> Result<String, TokenError> {
        let row = self.load(user_id).await?;
        let access = self.open(&row.access_token_enc, user_id)?;
        if !self.cipher.is_current(&row.access_token_enc) {
            self.reseal(&row, &access).await?;
        }
        if row.expires_at > now() + REFRESH_MARGIN_SECS {
            return Ok(access);
        }
        self.refresh(user_id, &access).await
    }

    /// Procore refused `rejected` (e.g. revoked early): refresh unless another task already did.
    pub async fn after_rejection(
        &self,
        user_id: i64,
        rejected: &str,
    ) -> Result<String, TokenError> {
        self.refresh(user_id, rejected).await
    }

    async fn refresh(&self, user_id: i64, stale: &str) -> Result<String, TokenError> {
        // One refresh per connection across every process: a lease row, taken and given back
        // without holding a transaction or a pooled connection during Procore's token call.
        let name = format!("token:{user_id}");
        self.db
            .under_lease(&name, REFRESH_LEASE_SECS, REFRESH_PATIENCE, || {
                self.refresh_holding_lease(user_id, stale)
            })
            .await?
            .ok_or_else(|| TokenError::Unavailable("another refresh is taking too long".into()))
    }

    async fn refresh_holding_lease(&self, user_id: i64, stale: &str) -> Result<String, TokenError> {
        // Another task (or process) may have refreshed while we waited for the lease.
        let row = self.load(user_id).await?;
        let current = self.open(&row.access_token_enc, user_id)?;
        if current != stale && row.expires_at > now() + REFRESH_MARGIN_SECS {
            return Ok(current);
        }
        let refresh = match &row.refresh_token_enc {
            Some(sealed) => self.open(sealed, user_id)?,
            None => return Err(TokenError::ReauthRequired),
        };
        let fresh = match self
            .oauth_for(row.oauth_app.as_deref())
            .refresh(&refresh)
            .await
        {
            Ok(fresh) => fresh,
            Err(OAuthError::InvalidGrant) => {
                tracing::warn!(
                    user_id,
                    "Procore refused the refresh token; connection dropped"
                );
                self.db
                    .delete_connection(user_id)
                    .await
                    .map_err(unavailable)?;
                return Err(TokenError::ReauthRequired);
            }
            Err(OAuthError::Unavailable(reason)) => return Err(TokenError::Unavailable(reason)),
        };
        let sealed = self.seal(user_id, &fresh);
        self.db.update_tokens(&sealed).await.map_err(unavailable)?;
        tracing::info!(user_id, "Procore token refreshed");
        Ok(fresh.access_token)
    }

    /// Re-encrypts a connection under the newest key (after a key rotation).
    async fn reseal(&self, row: &ConnectionRow, access: &str) -> Result<(), TokenError> {
        let refresh = match &row.refresh_token_enc {
            Some(sealed) => Some(self.open(sealed, row.user_id)?),
            None => None,
        };
        let tokens = TokenSet {
            access_token: access.to_string(),
            refresh_token: refresh,
            expires_at: row.expires_at,
        };
        let sealed = self.seal(row.user_id, &tokens);
        self.db.update_tokens(&sealed).await.map_err(unavailable)?;
        tracing::info!(
            user_id = row.user_id,
            "Procore tokens re-encrypted under the newest key"
        );
        Ok(())
    }

    /// Disconnect Procore: revokes the user's tokens at Procore and forgets them here. The
    /// tokens are deleted even if Procore cannot be reached (they are then left to expire).
    pub async fn disconnect(&self, user_id: i64) -> Result<(), TokenError> {
        let Some(row) = self.db.connection(user_id).await.map_err(unavailable)? else {
            return Ok(());
        };
        self.db
            .delete_connection(user_id)
            .await
            .map_err(unavailable)?;
        let access = self.open(&row.access_token_enc, user_id).ok();
        let refresh = row
            .refresh_token_enc
            .as_deref()
            .and_then(|sealed| self.open(sealed, user_id).ok());
        for token in [refresh, access].into_iter().flatten() {
            if let Err(error) = self
                .oauth_for(row.oauth_app.as_deref())
                .revoke(&token)
                .await
            {
                tracing::warn!(%error, user_id, "Procore token not revoked; deleted here anyway");
            }
        }
        tracing::info!(user_id, "Procore disconnected");
        Ok(())
    }

    async fn load(&self, user_id: i64) -> Result<ConnectionRow, TokenError> {
        self.db
            .connection(user_id)
            .await
            .map_err(unavailable)?
            .ok_or(TokenError::ReauthRequired)
    }

    fn open(&self, sealed: &str, user_id: i64) -> Result<String, TokenError> {
        self.cipher.decrypt(sealed, &aad(user_id)).map_err(|error| {
            tracing::error!(user_id, %error, "stored Procore token cannot be decrypted (key changed?)");
            TokenError::ReauthRequired
        })
    }
}

impl From<sqlx::Error> for TokenError {
    fn from(error: sqlx::Error) -> Self {
        unavailable(error)
    }
}

fn unavailable(error: sqlx::Error) -> TokenError {
    tracing::error!(%error, "database error during token handling");
    TokenError::Unavailable("database error".into())
}
