//! What a Stripe event means for licensing: each event names an object whose *current*
//! state is re-fetched from Stripe and applied, so events may be applied in any order and
//! more than once with the effect of once.

use super::LicensingService;
use crate::error::ServerResult;

/// The parts of a verified Stripe event that licensing reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeEventRef {
    /// `evt_…`.
    pub id: String,
    /// e.g. `invoice.paid`.
    pub kind: String,
    /// The id of `data.object`.
    pub object_id: Option<String>,
    /// The subscription an invoice belongs to (current and older invoice shapes).
    pub subscription: Option<String>,
}

impl LicensingService {
    /// Applies one Stripe event (idempotent: re-reads the object's current state).
    pub async fn apply_stripe_event(&self, event: &StripeEventRef) -> ServerResult<()> {
        match (
            event.kind.as_str(),
            event.object_id.as_deref(),
            event.subscription.as_deref(),
        ) {
            (
                "checkout.session.completed" | "checkout.session.async_payment_succeeded",
                Some(id),
                _,
            ) => self.reconcile_session(id).await.map(|_| ()),
            ("checkout.session.expired", Some(id), _) => self.checkout_expired(id).await,
            (kind, Some(id), _) if kind.starts_with("customer.subscription.") => {
                self.sync_subscription(id).await
            }
            (
                "invoice.paid"
                | "invoice.payment_failed"
                | "invoice.payment_action_required"
                | "invoice.voided",
                invoice,
                subscription,
            ) => {
                if let Some(subscription) = subscription {
                    self.sync_subscription(subscription).await?;
                }
                // Changes that waited for this invoice (a card that needed its holder).
                if let Some(id) = invoice {
                    self.subscriptions.invoice_settled(id).await?;
                }
                // The failed-payment banner follows the invoice itself.
                match invoice {
                    Some(id) => {
                        crate::billing::alerts::invoice_changed(&self.db, &self.billing, id).await
                    }
                    None => Ok(()),
                }
            }
            _ => {
                tracing::debug!(kind = event.kind, "Stripe event not used");
                Ok(())
            }
        }
    }
}
