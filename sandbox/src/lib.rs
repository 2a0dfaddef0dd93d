//! Local emulators of the third-party services Project Central talks to.
//!
//! Procore and Stripe cannot be reached from development machines or CI, so this crate
//! serves faithful stand-ins on loopback ports: Procore (OAuth login + the REST endpoints
//! we call) and Stripe (API, hosted Checkout, signed webhooks). Integration tests start
//! them in-process with [`start_procore`] / [`start_stripe`]; the `sandbox` binary starts
//! both for a manual or Playwright run.

pub mod procore;
pub mod stripe;

pub use procore::{
    manifest, start_procore, start_procore_on, start_procore_split, DemoUser, MarketplaceApp,
    OAuthClient, ProcoreOptions, ProcoreSandbox, ProcoreStats, DOCUMENTED_HOURLY_LIMIT,
    DOCUMENTED_SPIKE_LIMIT, GENEROUS_HOURLY_LIMIT, GENEROUS_SPIKE_LIMIT,
};
pub use stripe::{
    start_stripe, DeliveryMode, StripeOptions, StripeSandbox, StripeStats, API_VERSION,
};

/// Options for every emulator this crate can start.
#[derive(Clone, Debug, Default)]
pub struct SandboxOptions {
    /// Settings of the Procore emulator.
    pub procore: ProcoreOptions,
    /// Settings of the Stripe emulator.
    pub stripe: StripeOptions,
}
