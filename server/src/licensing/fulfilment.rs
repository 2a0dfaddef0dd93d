//! Fulfilment: a paid Checkout Session turns its order into licensed projects (once), and a
//! subscription's current Stripe status is applied to its projects. Both re-fetch the object
//! from Stripe, so webhooks may arrive in any order or twice (the webhook inbox and its SQL
//! are in `webhooks`).

use std::collections::HashMap;

use app::ids::ProjectId;

use app::licensing::{format_usd, projects_label};

use super::licences::NewLicence;
use super::orders::Order;
use super::status::{OrderStatus, SubscriptionStatus};
use super::LicensingService;
use crate::error::{ServerError, ServerResult};
use crate::stripe::CheckoutState;
use crate::subscriptions::store::{record, ChangeRecord};

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
            self.record_checkout(&order, &state, &projects).await?;
            // A status change applied while we were writing found no licences to update;
            // read the status once more now that they exist.
            if let Some(id) = &state.subscription {
                self.sync_subscription(id).await?;
            }
        }
        Ok(projects.len() as u32)
    }

    /// The history of a paid Checkout: one purchase row per project, naming the invoice it
    /// paid (so the Billing page lists that invoice with these projects only) and what
    /// Stripe charged on it.
    async fn record_checkout(
        &self,
        order: &Order,
        state: &CheckoutState,
        projects: &[NewLicence],
    ) -> ServerResult<()> {
        let subscription = match &state.subscription {
            Some(id) => Some(self.billing.subscription(id).await?),
            None => None,
        };
        let invoice = state
            .invoice
            .clone()
            .or_else(|| subscription.as_ref().and_then(|s| s.latest_invoice.clone()));
        let paid = match &invoice {
            Some(id) => self.billing.invoice_state(id).await?.amount_paid,
            None => 0,
        };
        let paid = if paid > 0 {
            format!("{} was paid at checkout", format_usd(paid))
        } else {
            "nothing was charged at checkout".to_string()
        };
        let actor = self.subscriptions.actor(order.user).await?;
        let count = projects_label(projects.len() as u64);
        for p in projects {
            let r = ChangeRecord {
                // Time-ordered like every change's id: the history's tie-break within a second.
                id: format!("{}-{}", uuid::Uuid::now_v7().simple(), p.project),
                company: order.company,
                project: p.project,
                user: actor.user,
                actor: actor.name.clone(),
                action: "purchase".into(),
                detail: format!(
                    "Licensed {} ({} billing) through Checkout with this order of {count}; {paid}.",
                    p.modules.modules_label().unwrap_or("nothing"),
                    order.interval.as_str()
                ),
                target: None,
                status: "applied".into(),
                subscription: state.subscription.clone(),
                invoice: invoice.clone(),
            };
            record(self.db.pool(), &r).await?;
        }
        Ok(())
    }

    /// A Checkout Session ran out unpaid: its projects are free for other checkouts.
    pub async fn checkout_expired(&self, session_id: &str) -> ServerResult<()> {
        if let Some(order) = self.db.order_by_session(session_id).await? {
            let released = self.db.release_order(&order.id).await?;
            sqlx::query("UPDATE orders SET status = $2 WHERE id = $1 AND status = $3")
                .bind(order.id.clone())
                .bind(OrderStatus::Expired.as_str())
                .bind(OrderStatus::Pending.as_str())
                .execute(self.db.pool())
                .await?;
            tracing::info!(
                order = order.id,
                released,
                "checkout expired; holds released"
            );
        }
        Ok(())
    }

    /// Applies a subscription's current state (status, period, pending changes) to its
    /// licensed projects.
    pub async fn sync_subscription(&self, subscription_id: &str) -> ServerResult<()> {
        self.subscriptions.sync(subscription_id).await
    }
}
