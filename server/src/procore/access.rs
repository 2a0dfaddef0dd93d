//! Calls to Procore on behalf of one user: their access token, refreshed once and retried
//! when Procore refuses it.

use std::future::Future;
use std::sync::Arc;

use app::ids::UserId;

use super::{ProcoreClient, ProcoreError, TokenManager};
use crate::error::ServerError;

/// The Procore client together with the users' tokens.
pub struct ProcoreAccess {
    /// The REST client.
    pub client: ProcoreClient,
    /// Per-user tokens.
    pub tokens: Arc<TokenManager>,
}

impl ProcoreAccess {
    /// Both halves.
    pub fn new(client: ProcoreClient, tokens: Arc<TokenManager>) -> Self {
        Self { client, tokens }
    }

    /// Runs `call` with the user's token; when Procore refuses it, refreshes once and retries.
    pub async fn as_user<T, F, Fut>(&self, user: UserId, call: F) -> Result<T, ServerError>
    where
        F: Fn(ProcoreClient, String) -> Fut,
        Fut: Future<Output = Result<T, ProcoreError>>,
    {
        let token = self.tokens.access_token(user.get()).await?;
        match call(self.client.clone(), token.clone()).await {
            Err(ProcoreError::Unauthorized) => {
                let fresh = self.tokens.after_rejection(user.get(), &token).await?;
                Ok(call(self.client.clone(), fresh).await?)
            }
            other => Ok(other?),
        }
    }
}
