//! The Project Central back end. `main.rs` reads the configuration and calls
//! [`startup::run`], which wires everything:
//! - infrastructure: [`config`], [`telemetry`], [`error`] (the one server error type),
//!   [`db`] (pool, migrations, session store), [`procore`] and [`stripe`] (one client each),
//!   [`jobs`] (background work on apalis over our own database);
//! - HTTP edges: [`http`] (sign-in, Stripe webhook, probes, security layers, typed session),
//!   and [`webhooks`] (the inbox the Stripe webhook stores into, and its worker);
//! - features, each with its own SQL: [`accounts`] (who is signed in, companies, the caller,
//!   the projects each user sees), [`projects`] (Project Central's project table),
//!   [`licensing`] (project cache, checkout with reservations, fulfilment, purchases into a
//!   subscription), [`subscriptions`] (each project's terms, Manage Subscription, Stripe
//!   sync, moves, reconciliation) and [`billing`]
//!   (invoices, payment details, failed payments, the Customer Portal).
#![recursion_limit = "512"]

pub mod accounts;
pub mod badges;
pub mod billing;
pub mod config;
pub mod db;
pub mod embedded;
pub mod error;
pub mod http;
pub mod installs;
pub mod jobs;
pub mod licensing;
pub mod planboard;
pub mod privacy;
pub mod procore;
pub mod projects;
pub mod sandboxes;
pub mod startup;
pub mod stripe;
pub mod subscriptions;
pub mod sync;
pub mod telemetry;
pub mod webhooks;
