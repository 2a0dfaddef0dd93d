//! The Stripe client (async-stripe 1.0): prices by lookup key, customers, Checkout
//! Sessions with an idempotency key, and re-fetching objects to learn their current state.

use std::collections::HashMap;

use app::licensing::{BillingInterval, Catalog, CatalogItem};
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
    CreateCheckoutSessionTaxIdCollection, RetrieveCheckoutSession,
};
use stripe_product::price::{
    CreatePrice, CreatePriceProductData, CreatePriceRecurring, CreatePriceRecurringInterval,
    ListPrice,
};
use stripe_shared::{CheckoutSessionMode, CheckoutSessionPaymentStatus, CheckoutSessionStatus};

use crate::config::StripeSettings;

/// What went wrong talking to Stripe. Only an outage is "try again later"; a refusal of a
/// request we built is a bug of ours (logged with a reference), and a declined card is the
/// customer's to fix.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// Stripe could not be reached, timed out, or answered with a server error (5xx) or its
    /// rate limit (429): an outage, worth trying again later.
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    /// Stripe refused a request we built (a 4xx other than 402): a bug on our side.
    #[error("Stripe refused our request (HTTP {status}): {message}")]
    Refused {
        /// Stripe's HTTP status.
        status: u16,
        /// Stripe's error type, code, parameter and message.
        message: String,
    },
    /// Our side of the conversation is wrong: the client's configuration, an idempotency
    /// key, or an answer we cannot read (a bug, not an outage).
    #[error("Stripe client: {0}")]
    Client(String),
    /// The catalog has no price for what was asked.
    #[error("no Stripe price for {0}")]
    MissingPrice(String),
    /// Stripe could not charge the card (HTTP 402); nothing was changed.
    #[error("card declined: {message}")]
    Declined {
        /// Stripe's message for the card holder.
        message: String,
        /// The bank wants the card holder to authenticate (3-D Secure).
        needs_authentication: bool,
    },
}

impl BillingError {
    /// True for an outage (try again later), false for a refusal or a bug of ours.
    pub fn is_outage(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// What async-stripe says when an error answer is not Stripe's JSON (a proxy or load
/// balancer answered instead of Stripe): an outage, not a bug of ours.
const NOT_STRIPES_ERROR: [&str; 2] = [
    "error deserializing Stripe error",
    "Response was not valid UTF-8",
];

impl From<stripe::StripeError> for BillingError {
    fn from(error: stripe::StripeError) -> Self {
        match error {
            stripe::StripeError::Stripe(api, 402) => Self::Declined {
                needs_authentication: api.code
                    == Some(stripe_shared::ApiErrorsCode::AuthenticationRequired),
                message: api
                    .message
                    .clone()
                    .unwrap_or_else(|| "Your card was declined.".into()),
            },
            stripe::StripeError::Stripe(api, status) => {
                let message = format!(
                    "{}{}{}: {}",
                    api.type_.as_str(),
                    api.code
                        .as_ref()
                        .map(|c| format!(" ({})", c.as_str()))
                        .unwrap_or_default(),
                    api.param
                        .as_ref()
                        .map(|p| format!(" on {p}"))
                        .unwrap_or_default(),
                    api.message.as_deref().unwrap_or("no message"),
                );
                if status == 429 || status >= 500 {
                    Self::Unavailable(format!("HTTP {status}: {message}"))
                } else {
                    Self::Refused { status, message }
                }
            }
            stripe::StripeError::ClientError(reason) => Self::Unavailable(reason),
            stripe::StripeError::Timeout => Self::Unavailable("timed out".into()),
            stripe::StripeError::JSONDeserialize(reason)
                if NOT_STRIPES_ERROR.contains(&reason.as_str()) =>
            {
                Self::Unavailable(reason)
            }
            other @ (stripe::StripeError::JSONDeserialize(_)
            | stripe::StripeError::ConfigError(_)) => Self::Client(other.to_string()),
        }
    }
}

/// The state of a Checkout Session that fulfilment needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutState {
    /// Session id.
    pub id: String,
    /// Completed and paid.
    pub paid: bool,
    /// Expired (the customer never paid).
    pub expired: bool,
    /// The subscription it created.
    pub subscription: Option<String>,
    /// The customer it charged.
    pub customer: Option<String>,
    /// The invoice it created (the subscription's first), once paid.
    pub invoice: Option<String>,
    /// Hosted page URL (while open).
    pub url: Option<String>,
    /// When the session stops accepting payment (UTC unix seconds).
    pub expires_at: i64,
}

/// Stripe for this app: one client, the catalog, and the price ids once known.
pub struct StripeBilling {
    pub(super) client: stripe::Client,
    catalog: Catalog,
    prices: tokio::sync::Mutex<Option<HashMap<String, String>>>,
}

fn expandable_id<T: stripe_types::Object>(e: &stripe_types::Expandable<T>) -> String
where
    T::Id: ToString,
{
    e.id().to_string()
}

impl StripeBilling {
    /// A client for the configured Stripe (or the sandbox).
    pub fn new(settings: &StripeSettings, catalog: Catalog) -> anyhow::Result<Self> {
        let client = stripe::ClientBuilder::new(settings.secret_key.clone())
            .url(settings.api_base.as_str())
            .request_strategy(RequestStrategy::Once)
            .build()?;
        Ok(Self {
            client,
            catalog,
            prices: tokio::sync::Mutex::new(None),
        })
    }

    /// The prices configured for this app.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Price ids by lookup key, creating any that are missing (idempotent: run at start-up
    /// and again lazily if that failed).
    pub async fn ensure_prices(&self) -> Result<HashMap<String, String>, BillingError> {
        let mut cached = self.prices.lock().await;
        if let Some(prices) = cached.as_ref() {
            return Ok(prices.clone());
        }
        let mut prices = HashMap::new();
        for item in CatalogItem::ALL {
            let mut product: Option<String> = None;
            for interval in [BillingInterval::Monthly, BillingInterval::Yearly] {
                let amount = self
                    .catalog
                    .unit_amount_cents(item, interval)
                    .map_err(|e| BillingError::MissingPrice(e.to_string()))?;
                if amount <= 0 {
                    continue; // included at no charge: no Stripe line item
                }
                let key = item.lookup_key(interval).to_string();
                let found = ListPrice::new()
                    .lookup_keys(vec![key.clone()])
                    .send(&self.client)
                    .await?;
                let existing = found
                    .data
                    .into_iter()
                    .find(|p| p.unit_amount == Some(amount) && p.active);
                let price = match existing {
                    Some(price) => price,
                    None => {
                        let recurring = CreatePriceRecurring::new(match interval {
                            BillingInterval::Monthly => CreatePriceRecurringInterval::Month,
                            BillingInterval::Yearly => CreatePriceRecurringInterval::Year,
                        });
                        let mut create = CreatePrice::new(stripe_types::Currency::USD)
                            .unit_amount(amount)
                            .recurring(recurring)
                            .lookup_key(key.clone())
                            .transfer_lookup_key(true);
                        create = match &product {
                            Some(id) => create.product(id.clone()),
                            None => create.product_data(CreatePriceProductData::new(format!(
                                "Smartapp {}",
                                item.name()
                            ))),
                        };
                        create
                            .customize()
                            .request_strategy(RequestStrategy::Idempotent(idempotency(&format!(
                                "price-{key}-{amount}"
                            ))?))
                            .send(&self.client)
                            .await?
                    }
                };
                product.get_or_insert_with(|| expandable_id(&price.product));
                prices.insert(key, price.id.to_string());
            }
        }
        *cached = Some(prices.clone());
        Ok(prices)
    }

    /// Creates the company's Stripe customer, with the billing email Stripe sends invoices,
    /// receipts and failed-payment notices to.
    pub async fn create_customer(
        &self,
        company_id: i64,
        company_name: &str,
        email: Option<&str>,
    ) -> Result<String, BillingError> {
        let mut create = stripe_core::customer::CreateCustomer::new()
            .name(company_name.to_string())
            .metadata(HashMap::from([(
                "procore_company_id".to_string(),
                company_id.to_string(),
            )]));
        if let Some(email) = email {
            create = create.email(email.to_string());
        }
        let customer = create
            .customize()
            .request_strategy(RequestStrategy::Idempotent(idempotency(&format!(
                "customer-{company_id}"
            ))?))
            .send(&self.client)
            .await?;
        Ok(customer.id.to_string())
    }

    /// Gives a customer made without a billing email (before this app passed one) `email`;
    /// one that has an email keeps it (the admin may have changed it in the portal).
    pub async fn set_missing_email(&self, customer: &str, email: &str) -> Result<(), BillingError> {
        let found = stripe_core::customer::RetrieveCustomer::new(customer.to_string())
            .send(&self.client)
            .await?;
        let stripe_core::customer::RetrieveCustomerReturned::Customer(current) = found else {
            return Ok(());
        };
        if current.email.as_deref().is_some_and(|e| !e.is_empty()) {
            return Ok(());
        }
        stripe_core::customer::UpdateCustomer::new(customer.to_string())
            .email(email.to_string())
            .send(&self.client)
            .await?;
        Ok(())
    }

    /// A subscription-mode Checkout Session for an order, open until `expires_at` (at least
    /// 30 minutes ahead, Stripe's minimum); the same order id always gives the same session
    /// (Stripe idempotency), so a retried request cannot open a second one.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_checkout(
        &self,
        order_id: &str,
        company_id: i64,
        customer: &str,
        lines: &[(String, u64)],
        success_url: &str,
        cancel_url: &str,
        expires_at: i64,
    ) -> Result<CheckoutState, BillingError> {
        let metadata = HashMap::from([
            ("order_id".to_string(), order_id.to_string()),
            ("procore_company_id".to_string(), company_id.to_string()),
        ]);
        let mut subscription = CreateCheckoutSessionSubscriptionData::new();
        subscription.metadata = Some(metadata.clone());
        if self.catalog.trial_days > 0 {
            subscription.trial_period_days = Some(self.catalog.trial_days);
        }
        let items = lines
            .iter()
            .map(|(price, quantity)| CreateCheckoutSessionLineItems {
                price: Some(price.clone()),
                quantity: Some(*quantity),
                ..Default::default()
            })
            .collect::<Vec<_>>();
        let session = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Subscription)
            .customer(customer.to_string())
            .client_reference_id(order_id.to_string())
            .metadata(metadata)
            .subscription_data(subscription)
            .tax_id_collection(CreateCheckoutSessionTaxIdCollection {
                enabled: true,
                required: None,
            })
            .line_items(items)
            .success_url(success_url.to_string())
            .cancel_url(cancel_url.to_string())
            .expires_at(expires_at)
            .customize()
            .request_strategy(RequestStrategy::Idempotent(idempotency(&format!(
                "checkout-{order_id}"
            ))?))
            .send(&self.client)
            .await?;
        Ok(state(session))
    }

    /// A Checkout Session's current state.
    pub async fn checkout_session(&self, id: &str) -> Result<CheckoutState, BillingError> {
        let session = RetrieveCheckoutSession::new(id.to_string())
            .send(&self.client)
            .await?;
        Ok(state(session))
    }

    /// Expires an open Checkout Session (its customer can no longer pay); an already
    /// completed or expired one is left as it is.
    pub async fn expire_checkout(&self, id: &str) -> Result<CheckoutState, BillingError> {
        let current = self.checkout_session(id).await?;
        if current.paid || current.expired {
            return Ok(current);
        }
        let session = stripe_checkout::checkout_session::ExpireCheckoutSession::new(id.to_string())
            .send(&self.client)
            .await?;
        Ok(state(session))
    }

    /// Cancels a subscription now; its licences lapse when Stripe's event arrives.
    pub async fn cancel_subscription(&self, id: &str) -> Result<(), BillingError> {
        stripe_billing::subscription::CancelSubscription::new(id.to_string())
            .send(&self.client)
            .await?;
        Ok(())
    }

    /// A subscription's current status (`active`, `past_due`, `canceled`, …).
    pub async fn subscription_status(&self, id: &str) -> Result<String, BillingError> {
        let subscription = stripe_billing::subscription::RetrieveSubscription::new(id.to_string())
            .send(&self.client)
            .await?;
        Ok(subscription.status.to_string())
    }
}

pub(super) fn idempotency(key: &str) -> Result<IdempotencyKey, BillingError> {
    IdempotencyKey::new(key)
        .map_err(|e| BillingError::Client(format!("idempotency key {key}: {e}")))
}

fn state(session: stripe_shared::CheckoutSession) -> CheckoutState {
    CheckoutState {
        id: session.id.to_string(),
        paid: session.status == Some(CheckoutSessionStatus::Complete)
            && matches!(
                session.payment_status,
                CheckoutSessionPaymentStatus::Paid
                    | CheckoutSessionPaymentStatus::NoPaymentRequired
            ),
        expired: session.status == Some(CheckoutSessionStatus::Expired),
        subscription: session.subscription.as_ref().map(expandable_id),
        customer: session.customer.as_ref().map(expandable_id),
        invoice: session
            .invoice
            .as_ref()
            .and_then(|i| i.id().as_ref().map(|id| id.to_string())),
        url: session.url,
        expires_at: session.expires_at,
    }
}
