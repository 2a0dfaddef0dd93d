//! Billing through Stripe: the catalog's prices (found or created by lookup key), Checkout
//! Sessions for orders, and the signed webhooks that turn paid orders into licences.

pub mod stripe_client;
pub mod webhook;

pub use stripe_client::{BillingError, CheckoutState, StripeBilling};
