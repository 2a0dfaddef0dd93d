//! Subscriptions after checkout (issue 8): one live Stripe subscription per company and
//! interval, one item per priced module with quantity = projects holding it; which
//! project holds which module stays in our database ([`store`]). Changes to a project
//! ([`changes`]) are applied when Stripe confirms; Stripe's state is applied to our rows
//! by [`sync`] (webhooks, the hourly [`reconcile`] job, Re-check with Stripe); projects
//! that switch interval move at the period end ([`moves`]). Implements the app's
//! `Subscriptions` port ([`port`]).

pub mod changes;
pub mod moves;
pub mod port;
pub mod quantities;
pub mod reconcile;
pub mod store;
pub mod sync;

use std::sync::Arc;
use std::time::Duration;

use app::error::AppError;
use app::ids::CompanyId;

use crate::accounts::AccountService;
use crate::db::Db;
use crate::error::ServerResult;
use crate::stripe::StripeBilling;

/// Who made a change, for the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The person (None: Stripe or a job).
    pub user: Option<i64>,
    /// Their name.
    pub name: String,
}

impl Actor {
    /// Stripe (a webhook or a job applying Stripe's state).
    pub fn stripe() -> Self {
        Self {
            user: None,
            name: "Stripe".into(),
        }
    }
}

/// Subscriptions over the database and Stripe.
pub struct SubscriptionService {
    db: Db,
    pub(crate) accounts: Arc<AccountService>,
    billing: Arc<StripeBilling>,
}

impl SubscriptionService {
    /// The service over what it uses.
    pub fn new(db: Db, accounts: Arc<AccountService>, billing: Arc<StripeBilling>) -> Self {
        Self {
            db,
            accounts,
            billing,
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Stripe.
    pub fn billing(&self) -> &StripeBilling {
        &self.billing
    }

    /// Runs `work` as the only change to the company's subscriptions in any process (a
    /// lease in the database), so quantities computed from our rows cannot interleave.
    pub async fn one_at_a_time<T, Fut>(
        &self,
        company: CompanyId,
        work: impl FnOnce() -> Fut,
    ) -> ServerResult<T>
    where
        Fut: std::future::Future<Output = ServerResult<T>>,
    {
        let name = format!("subscription:{company}");
        self.db
            .under_lease(&name, 120, Duration::from_secs(30), work)
            .await?
            .ok_or_else(|| {
                AppError::Conflict(
                    "Another change to this company's subscription is being made. Try again in a moment.".into(),
                )
                .into()
            })
    }

    /// The caller's name for the history.
    pub async fn actor(&self, user: app::ids::UserId) -> ServerResult<Actor> {
        let name = self
            .db
            .user(user)
            .await?
            .map(|u| u.name)
            .unwrap_or_else(|| format!("User {user}"));
        Ok(Actor {
            user: Some(user.get()),
            name,
        })
    }
}
