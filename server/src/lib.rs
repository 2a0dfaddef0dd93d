//! The Project Central back end. `main.rs` reads the configuration and calls
//! [`startup::run`], which wires everything. One module per concern: infrastructure
//! ([`config`], [`telemetry`], [`error`], [`db`], [`procore`], [`stripe`], [`sandboxes`]),
//! HTTP edges ([`http`]), background work ([`jobs`], [`webhooks`]), and the features, one
//! folder each with its own SQL. What each module holds is listed once, in the README's
//! "Architecture" section, and each module's own `//!` comment says more.
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
