//! The one Stripe client: the price catalog (found or created by lookup key), customers,
//! Checkout Sessions for orders, and re-fetching objects to learn their current state.
//! The webhook receiver is an HTTP edge (`http/webhooks.rs`); what events do is fulfilment
//! (`licensing/fulfilment.rs`).

pub mod client;
pub mod invoices;
pub mod portal;
pub mod signature;
pub mod subscriptions;

pub use client::{BillingError, CheckoutState, StripeBilling};
