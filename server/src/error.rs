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
            // Only an outage is "try again in a few minutes"; Stripe refusing a request we
            // built, or our client failing, is a bug of ours: logged with a reference.
            ServerError::Stripe(error) if error.is_outage() => {
                tracing::warn!(%error, "Stripe is unavailable");
                AppError::PaymentsUnavailable
            }
            ServerError::Stripe(error) => internal(error),
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

    fn stripe_answer(status: u16, message: &str) -> stripe::StripeError {
        let api = stripe_shared::ApiErrors {
            advice_code: None,
            charge: None,
            code: None,
            decline_code: None,
            doc_url: None,
            message: Some(message.into()),
            network_advice_code: None,
            network_decline_code: None,
            param: Some("subscription_details[items]".into()),
            payment_intent: None,
            payment_method: None,
            payment_method_type: None,
            request_log_url: None,
            setup_intent: None,
            source: None,
            type_: if status == 402 {
                stripe_shared::ApiErrorsType::CardError
            } else if status >= 500 {
                stripe_shared::ApiErrorsType::ApiError
            } else {
                stripe_shared::ApiErrorsType::InvalidRequestError
            },
        };
        stripe::StripeError::Stripe(Box::new(api), status)
    }

    fn seen(error: stripe::StripeError) -> AppError {
        ServerError::Stripe(BillingError::from(error)).into()
    }

    #[test]
    fn stripe_outage_is_503_and_says_payments() {
        for outage in [
            stripe::StripeError::Timeout,
            stripe::StripeError::ClientError("connection refused".into()),
            stripe::StripeError::JSONDeserialize("error deserializing Stripe error".into()),
            stripe_answer(500, "An unknown error occurred"),
            stripe_answer(503, "Service unavailable"),
            stripe_answer(429, "Too many requests"),
        ] {
            let app = seen(outage);
            assert_eq!(app, AppError::PaymentsUnavailable);
            assert_eq!(app.status(), 503);
        }
    }

    #[test]
    fn stripe_refusing_our_request_is_a_bug_with_a_reference() {
        for refusal in [
            stripe_answer(400, "Invalid array"),
            stripe_answer(401, "Invalid API Key provided"),
            stripe_answer(404, "No such subscription: 'sub_1'"),
            stripe_answer(
                409,
                "Keys for idempotent requests can only be used with the same parameters",
            ),
        ] {
            let app = seen(refusal);
            assert!(matches!(app, AppError::Internal(_)), "{app:?}");
            assert_eq!(app.status(), 500);
            assert!(
                !app.to_string().contains("Invalid"),
                "Stripe's words stay in the log: {app}"
            );
        }
        // Our own client failing (an answer we cannot read, a bad key, a missing price) too.
        for ours in [
            BillingError::from(stripe::StripeError::JSONDeserialize(
                "missing field `id`".into(),
            )),
            BillingError::from(stripe::StripeError::ConfigError("bad header".into())),
            BillingError::MissingPrice("planner_yearly".into()),
        ] {
            assert!(!ours.is_outage());
            assert_eq!(AppError::from(ServerError::Stripe(ours)).status(), 500);
        }
    }

    #[test]
    fn a_declined_card_is_the_customers_to_fix_in_plain_words() {
        let app = seen(stripe_answer(402, "Your card was declined."));
        assert_eq!(app.status(), 402);
        let words = app.to_string();
        assert!(words.contains("Your card was declined."), "{words}");
        assert!(words.contains("Nothing was changed"), "{words}");
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
