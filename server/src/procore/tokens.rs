//! Keeps each user's Procore access token fresh. Refresh tokens are single-use, so refreshes
//! of one connection are serialised (an in-process lock, plus a PostgreSQL advisory lock so
//! replicas do not race) and the new pair is stored in one write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::crypto::TokenCipher;
use crate::db::{now, ConnectionRow, Db, DbKind};

use super::oauth::{OAuthError, ProcoreOAuth, TokenSet};

/// Refresh this long before expiry, so a token never dies mid-request.
const REFRESH_MARGIN_SECS: i64 = 120;

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
    locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
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
            locks: Mutex::new(HashMap::new()),
        }
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
        }
    }

    /// A valid access token for the user, refreshing first when it is about to expire.
    pub async fn access_token(&self, user_id: i64) -> Result<String, TokenError> {
        let row = self.load(user_id).await?;
        let access = self.open(&row.access_token_enc, user_id)?;
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
        let lock = {
            let mut locks = self.locks.lock().expect("token lock map is never poisoned");
            locks.entry(user_id).or_default().clone()
        };
        let _guard = lock.lock().await;
        let mut tx = None;
        if self.db.kind() == DbKind::Postgres {
            let mut t = self.db.pool().begin().await.map_err(unavailable)?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(user_id)
                .execute(&mut *t)
                .await
                .map_err(unavailable)?;
            tx = Some(t);
        }
        // Another task (or replica) may have refreshed while we waited for the lock. Reads
        // and the write go through the lock's own connection: waiting for a second pooled
        // connection while holding one could starve the pool under many refreshes.
        let row = match tx.as_mut() {
            Some(t) => Db::connection_on(&mut *t, user_id).await,
            None => self.db.connection(user_id).await,
        }
        .map_err(unavailable)?
        .ok_or(TokenError::ReauthRequired)?;
        let current = self.open(&row.access_token_enc, user_id)?;
        if current != stale && row.expires_at > now() + REFRESH_MARGIN_SECS {
            return Ok(current);
        }
        let refresh = match &row.refresh_token_enc {
            Some(sealed) => self.open(sealed, user_id)?,
            None => return Err(TokenError::ReauthRequired),
        };
        let fresh = match self.oauth.refresh(&refresh).await {
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
        match tx.as_mut() {
            Some(t) => Db::update_tokens_on(&mut *t, &sealed).await,
            None => self.db.update_tokens(&sealed).await,
        }
        .map_err(unavailable)?;
        if let Some(t) = tx {
            t.commit().await.map_err(unavailable)?;
        }
        tracing::info!(user_id, "Procore token refreshed");
        Ok(fresh.access_token)
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

fn unavailable(error: sqlx::Error) -> TokenError {
    tracing::error!(%error, "database error during token handling");
    TokenError::Unavailable("database error".into())
}
