//! The one server-side error type, and the one place it becomes what the user sees
//! ([`AppError`]). Internal detail is logged with a short reference and never sent.

use app::error::AppError;

use crate::procore::{ProcoreError, TokenError};
use crate::stripe::BillingError;

/// Anything a service of ours can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A rule the person can act on (already worded for them).
    #[error(transparent)]
    App(#[from] AppError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Procore failed or refused.
    #[error("procore: {0}")]
    Procore(#[from] ProcoreError),
    /// No usable Procore token.
    #[error("procore token: {0}")]
    Token(#[from] TokenError),
    /// Stripe failed or refused.
    #[error("stripe: {0}")]
    Stripe(#[from] BillingError),
    /// The session store failed.
    #[error("session: {0}")]
    Session(#[from] tower_sessions::session::Error),
    /// Stored data we wrote ourselves could not be read back.
    #[error("stored data: {0}")]
    Corrupt(String),
}

impl ServerError {
    /// True when the way forward is a new sign-in with Procore.
    pub fn needs_sign_in(&self) -> bool {
        match self {
            Self::Token(TokenError::ReauthRequired) | Self::Procore(ProcoreError::Unauthorized) => {
                true
            }
            Self::App(error) => error.needs_sign_in(),
            _ => false,
        }
    }
}

/// Results of our services.
pub type ServerResult<T> = Result<T, ServerError>;

/// Logs the detail and gives the user a reference to quote.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(%error, reference, "internal error");
    AppError::Internal(reference)
}

impl From<ServerError> for AppError {
    fn from(error: ServerError) -> Self {
        match error {
            ServerError::App(error) => error,
            ServerError::Token(TokenError::ReauthRequired) => AppError::ReauthRequired,
            ServerError::Token(TokenError::Unavailable(reason)) => {
                AppError::ProcoreUnavailable(reason)
            }
            ServerError::Procore(error) => procore(error),
            ServerError::Stripe(BillingError::Declined { message, .. }) => {
                AppError::PaymentDeclined(format!(
                    "The card on file was declined ({message}). Nothing was changed. Update the card under Billing → Manage payment details and try again."
                ))
            }
            ServerError::Stripe(error) => {
                tracing::warn!(%error, "Stripe call failed");
                AppError::PaymentsUnavailable
            }
            other @ (ServerError::Db(_) | ServerError::Session(_) | ServerError::Corrupt(_)) => {
                internal(other)
            }
        }
    }
}

fn procore(error: ProcoreError) -> AppError {
    match error {
        ProcoreError::Unauthorized => AppError::ReauthRequired,
        ProcoreError::Forbidden(_) => {
            AppError::Forbidden("Procore does not let you see this company's projects.".into())
        }
        ProcoreError::NotFound => AppError::NotFound("Procore could not find that.".into()),
        ProcoreError::RateLimited { retry_after } => AppError::ProcoreRateLimited {
            retry_after_secs: retry_after.as_secs().max(1),
        },
        ProcoreError::Unavailable(reason) => AppError::ProcoreUnavailable(reason),
        other @ (ProcoreError::Rejected { .. } | ProcoreError::Decode(_)) => internal(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_outage_is_503_and_says_payments() {
        let app: AppError = ServerError::Stripe(BillingError::Stripe("timeout".into())).into();
        assert_eq!(app, AppError::PaymentsUnavailable);
        assert_eq!(app.status(), 503);
    }

    #[test]
    fn internal_detail_is_not_sent() {
        let app: AppError = ServerError::Corrupt("secret table name".into()).into();
        assert_eq!(app.status(), 500);
        assert!(!app.to_string().contains("secret"));
    }

    #[test]
    fn procore_states_map_to_fitting_statuses() {
        let status = |e: ProcoreError| AppError::from(ServerError::from(e)).status();
        assert_eq!(status(ProcoreError::Unauthorized), 401);
        assert_eq!(status(ProcoreError::Forbidden("x".into())), 403);
        assert_eq!(status(ProcoreError::NotFound), 404);
        assert_eq!(
            status(ProcoreError::RateLimited {
                retry_after: std::time::Duration::from_secs(3)
            }),
            429
        );
        assert_eq!(status(ProcoreError::Unavailable("x".into())), 502);
    }
}
