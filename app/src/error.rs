//! The one error type server functions return, and what the user is told for each case.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a person can act on; internal details stay in the server log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No session, or it expired.
    #[error("Your session has ended. Sign in with Procore to continue.")]
    NotSignedIn,
    /// Procore no longer accepts our tokens for this user (revoked or reused refresh token).
    #[error("Procore asked us to sign you in again.")]
    ReauthRequired,
    /// The signed-in user may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist or is not visible to this user.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong; the message says how.
    #[error("{0}")]
    Invalid(String),
    /// Someone else is doing the same thing right now (e.g. licensing these projects).
    #[error("{0}")]
    Conflict(String),
    /// Procore could not be reached or answered with an error.
    #[error("Procore is not answering right now ({0}). Please try again in a minute.")]
    ProcoreUnavailable(String),
    /// Procore's rate limit for this user is used up.
    #[error("Procore's request limit is reached; it resets in about {retry_after_secs} s.")]
    ProcoreRateLimited {
        /// Seconds until Procore accepts requests again.
        retry_after_secs: u64,
    },
    /// A marketplace app is not connected to the company in Procore (uninstalled): its view
    /// and syncs are off until a company admin reconnects it.
    #[error("{name} is not connected to this company in Procore, so this view is off. Your Smartapp data is kept.")]
    NotConnected {
        /// The app's listed name ("Smartapp Planner").
        name: String,
        /// Its key, for the Reconnect page (`/reconnect/{key}`).
        key: String,
    },
    /// The card on file was declined (or needs its holder); nothing was changed.
    #[error("{0}")]
    PaymentDeclined(String),
    /// Stripe could not be reached or answered with an error.
    #[error("Payments are unavailable right now. Please try again in a few minutes.")]
    PaymentsUnavailable,
    /// Something failed on our side; the reference finds it in the log.
    #[error("Something went wrong on our side (reference {0}). Please try again.")]
    Internal(String),
    /// Transport or encoding failure of the server function itself.
    #[error("The server could not be reached: {0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::JsonTextEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }
}

impl AppError {
    /// The HTTP status that fits this error (server functions set it on the response).
    pub fn status(&self) -> u16 {
        match self {
            Self::NotSignedIn | Self::ReauthRequired => 401,
            Self::Forbidden(_) | Self::NotConnected { .. } => 403,
            Self::NotFound(_) => 404,
            Self::Invalid(_) => 422,
            Self::Conflict(_) => 409,
            Self::ProcoreRateLimited { .. } => 429,
            Self::ProcoreUnavailable(_) => 502,
            Self::PaymentDeclined(_) => 402,
            Self::PaymentsUnavailable => 503,
            Self::Internal(_) | Self::ServerFn(_) => 500,
        }
    }

    /// True when the way forward is to sign in (again).
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, Self::NotSignedIn | Self::ReauthRequired)
    }
}
