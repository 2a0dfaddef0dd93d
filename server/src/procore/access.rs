//! Calls to Procore on behalf of one user: their access token, refreshed once and retried
//! when Procore refuses it, and their request budget (`user:ID`, shared by every process
//! and by people and background work; see [`super::budget`]).

use std::future::Future;
use std::sync::Arc;

use app::ids::UserId;

use super::budget::Priority;
use super::{ProcoreClient, ProcoreError, TokenManager};
use crate::error::ServerError;

/// The Procore client together with the users' tokens.
pub struct ProcoreAccess {
    /// The REST client (with the shared budget, unbound to any user).
    pub client: ProcoreClient,
    /// Per-user tokens.
    pub tokens: Arc<TokenManager>,
}

impl ProcoreAccess {
    /// Both halves.
    pub fn new(client: ProcoreClient, tokens: Arc<TokenManager>) -> Self {
        Self { client, tokens }
    }

    /// Runs `call` for a person waiting on the answer (see [`Self::as_user_with`]).
    pub async fn as_user<T, F, Fut>(&self, user: UserId, call: F) -> Result<T, ServerError>
    where
        F: Fn(ProcoreClient, String) -> Fut,
        Fut: Future<Output = Result<T, ProcoreError>>,
    {
        self.as_user_with(user, Priority::Person, call).await
    }

    /// Runs `call` for background work: it only uses the user's budget while a reserve is
    /// left for people, waiting otherwise.
    pub async fn as_user_in_background<T, F, Fut>(
        &self,
        user: UserId,
        call: F,
    ) -> Result<T, ServerError>
    where
        F: Fn(ProcoreClient, String) -> Fut,
        Fut: Future<Output = Result<T, ProcoreError>>,
    {
        self.as_user_with(user, Priority::Background, call).await
    }

    /// Runs `call` with the user's token and a client paced by the user's budget at
    /// `priority`; when Procore refuses the token, refreshes once and retries.
    pub async fn as_user_with<T, F, Fut>(
        &self,
        user: UserId,
        priority: Priority,
        call: F,
    ) -> Result<T, ServerError>
    where
        F: Fn(ProcoreClient, String) -> Fut,
        Fut: Future<Output = Result<T, ProcoreError>>,
    {
        let client = self.client.for_user(user.get(), priority);
        let token = self.tokens.access_token(user.get()).await?;
        match call(client.clone(), token.clone()).await {
            Err(ProcoreError::Unauthorized) => {
                let fresh = self.tokens.after_rejection(user.get(), &token).await?;
                Ok(call(client, fresh).await?)
            }
            other => Ok(other?),
        }
    }
}
