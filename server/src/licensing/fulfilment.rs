//! Fulfilment: a paid Checkout Session turns its order into licensed projects (once), and a
//! subscription's current Stripe status is applied to its projects. Both re-fetch the object
//! from Stripe, so webhooks may arrive in any order or twice. Also the SQL of the webhook
//! events already applied (deduplication by event id).

use std::collections::HashMap;

use app::ids::ProjectId;

use super::licences::NewLicence;
use super::status::SubscriptionStatus;
use super::LicensingService;
use crate::db::{now, Db};
use crate::error::{ServerError, ServerResult};

/// Stripe retries a webhook for up to three days; an event id older than this cannot come
/// back, so its record may go.
pub const STRIPE_RETRY_WINDOW_SECS: i64 = 3 * 24 * 3600;

fn parse_status(status: &str) -> ServerResult<SubscriptionStatus> {
    status
        .parse()
        .map_err(|e| ServerError::Corrupt(format!("Stripe subscription status: {e}")))
}

impl LicensingService {
    /// Applies a Checkout Session's current state: a paid session licenses its order's
    /// projects (once). Returns the number of projects the order covers when paid.
    pub async fn reconcile_session(&self, session_id: &str) -> ServerResult<u32> {
        let Some(order) = self.db.order_by_session(session_id).await? else {
            tracing::info!("Checkout Session of no order of ours; ignored");
            return Ok(0);
        };
        let state = self.billing.checkout_session(session_id).await?;
        if !state.paid {
            return Ok(0);
        }
        let ids: Vec<i64> = order.selection.choices().map(|c| c.project_id).collect();
        let names: HashMap<i64, String> = self
            .db
            .cached_project_names(order.company, &ids)
            .await?
            .into_iter()
            .collect();
        let projects: Vec<NewLicence> = order
            .selection
            .choices()
            .map(|c| NewLicence {
                project: ProjectId(c.project_id),
                name: names
                    .get(&c.project_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Procore project {}", c.project_id)),
                modules: (*c).into(),
            })
            .collect();
        let subscription = state.subscription.clone().unwrap_or_default();
        let status = match &state.subscription {
            Some(id) => parse_status(&self.billing.subscription_status(id).await?)?,
            None => SubscriptionStatus::Active,
        };
        let fulfilled = self
            .db
            .fulfil_order(
                &order,
                &subscription,
                state.customer.as_deref(),
                status,
                &projects,
            )
            .await?;
        if fulfilled {
            tracing::info!(
                order = order.id,
                projects = projects.len(),
                "order fulfilled"
            );
            // A status change applied while we were writing found no licences to update;
            // read the status once more now that they exist.
            if let Some(id) = &state.subscription {
                self.sync_subscription(id).await?;
            }
        }
        Ok(projects.len() as u32)
    }

    /// A Checkout Session ran out unpaid: its projects are free for other checkouts.
    pub async fn checkout_expired(&self, session_id: &str) -> ServerResult<()> {
        if let Some(order) = self.db.order_by_session(session_id).await? {
            let released = self.db.release_order(&order.id).await?;
            tracing::info!(
                order = order.id,
                released,
                "checkout expired; holds released"
            );
        }
        Ok(())
    }

    /// Applies a subscription's current status to its licensed projects.
    pub async fn sync_subscription(&self, subscription_id: &str) -> ServerResult<()> {
        let status = parse_status(&self.billing.subscription_status(subscription_id).await?)?;
        let changed = self
            .db
            .set_subscription_status(subscription_id, status)
            .await?;
        tracing::info!(%status, changed, "subscription status applied");
        Ok(())
    }
}

impl Db {
    /// True when this Stripe event was already applied (a duplicate delivery).
    pub async fn stripe_event_seen(&self, event_id: &str) -> Result<bool, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM stripe_events WHERE id = $1")
            .bind(event_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Records an applied Stripe event (deduplication of later deliveries).
    pub async fn record_stripe_event(
        &self,
        event_id: &str,
        event_type: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO stripe_events (id, event_type, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(event_id.to_string())
        .bind(event_type.to_string())
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets applied events older than Stripe's retry window; returns how many went.
    pub async fn prune_stripe_events(&self, older_than: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM stripe_events WHERE received_at < $1")
            .bind(older_than)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
