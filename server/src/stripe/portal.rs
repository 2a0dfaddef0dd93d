//! Stripe's Customer Portal: our portal configuration (found by its metadata, else created
//! once) and portal sessions for one customer. Real Stripe refuses portal sessions until a
//! configuration exists, so a fresh account needs no manual setup.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use stripe::{RequestStrategy, StripeRequest};
use stripe_billing::billing_portal_configuration::{
    CreateBillingPortalConfiguration, CreateBillingPortalConfigurationFeatures,
    CreateBillingPortalConfigurationFeaturesCustomerUpdate,
    CreateBillingPortalConfigurationFeaturesCustomerUpdateAllowedUpdates as AllowedUpdate,
    CreateBillingPortalConfigurationFeaturesSubscriptionCancel,
    CreateBillingPortalConfigurationFeaturesSubscriptionUpdate, InvoiceListParam,
    ListBillingPortalConfiguration, PaymentMethodUpdateParam,
};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;

use super::client::idempotency;
use super::{BillingError, StripeBilling};

/// The metadata that marks a portal configuration as Project Central's.
pub const PORTAL_MARK: (&str, &str) = ("app", "project-central");

/// True when a configuration's metadata says it is ours.
pub fn is_ours(metadata: Option<&HashMap<String, String>>) -> bool {
    metadata
        .and_then(|m| m.get(PORTAL_MARK.0))
        .is_some_and(|v| v == PORTAL_MARK.1)
}

/// What the portal offers: payment method, billing email, address and tax IDs, and
/// invoices. Subscriptions are changed in Project Central (which project holds which module
/// is ours to know), so cancelling and updating them in the portal is off.
fn features() -> CreateBillingPortalConfigurationFeatures {
    CreateBillingPortalConfigurationFeatures {
        customer_update: Some(CreateBillingPortalConfigurationFeaturesCustomerUpdate {
            allowed_updates: Some(vec![
                AllowedUpdate::Email,
                AllowedUpdate::TaxId,
                AllowedUpdate::Address,
            ]),
            enabled: true,
        }),
        invoice_history: Some(InvoiceListParam::new(true)),
        payment_method_update: Some(PaymentMethodUpdateParam::new(true)),
        subscription_cancel: Some(
            CreateBillingPortalConfigurationFeaturesSubscriptionCancel::new(false),
        ),
        subscription_update: Some(
            CreateBillingPortalConfigurationFeaturesSubscriptionUpdate::new(false),
        ),
    }
}

impl StripeBilling {
    /// The id of our portal configuration: the active one marked with [`PORTAL_MARK`], else a
    /// new one (idempotent: start-ups of several processes at once create one).
    pub async fn portal_configuration(
        &self,
        default_return_url: &str,
    ) -> Result<String, BillingError> {
        let found = ListBillingPortalConfiguration::new()
            .active(true)
            .limit(100)
            .send(&self.client)
            .await?;
        if let Some(ours) = found.data.iter().find(|c| is_ours(c.metadata.as_ref())) {
            return Ok(ours.id.to_string());
        }
        // The key names the return URL: two deployments sharing a Stripe account do not
        // replay each other's request (Stripe refuses a key reused with other parameters).
        let digest = Sha256::digest(default_return_url.as_bytes());
        let key = format!(
            "portal-configuration-v1-{}",
            digest[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let created = CreateBillingPortalConfiguration::new(features())
            .default_return_url(default_return_url.to_string())
            .name("Project Central".to_string())
            .metadata(HashMap::from([(
                PORTAL_MARK.0.to_string(),
                PORTAL_MARK.1.to_string(),
            )]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(idempotency(&key)?))
            .send(&self.client)
            .await?;
        tracing::info!(configuration = %created.id, "Stripe Customer Portal configuration created");
        Ok(created.id.to_string())
    }

    /// A portal session for `customer` under `configuration`; returns its URL (short-lived,
    /// a bearer link: redirect to it, never store or log it).
    pub async fn portal_session(
        &self,
        customer: &str,
        configuration: &str,
        return_url: &str,
    ) -> Result<String, BillingError> {
        let session = CreateBillingPortalSession::new()
            .customer(customer.to_string())
            .configuration(configuration.to_string())
            .return_url(return_url.to_string())
            .send(&self.client)
            .await?;
        Ok(session.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_mark_counts() {
        let ours = HashMap::from([("app".to_string(), "project-central".to_string())]);
        let theirs = HashMap::from([("app".to_string(), "other".to_string())]);
        assert!(is_ours(Some(&ours)));
        assert!(!is_ours(Some(&theirs)));
        assert!(!is_ours(None));
    }

    #[test]
    fn the_portal_leaves_subscriptions_to_the_app() {
        let f = serde_json::to_value(features()).unwrap();
        assert_eq!(f["subscription_cancel"]["enabled"], false);
        assert_eq!(f["subscription_update"]["enabled"], false);
        assert_eq!(f["payment_method_update"]["enabled"], true);
        assert_eq!(f["invoice_history"]["enabled"], true);
        assert_eq!(
            f["customer_update"]["allowed_updates"],
            serde_json::json!(["email", "tax_id", "address"])
        );
    }
}
