//! The Project Central back end. `main.rs` reads the configuration and calls
//! [`startup::run`], which wires everything:
//! - infrastructure: [`config`], [`telemetry`], [`error`] (the one server error type),
//!   [`db`] (pool, migrations, session store), [`procore`] and [`stripe`] (one client each),
//!   [`jobs`] (background work on apalis over our own database);
//! - HTTP edges: [`http`] (sign-in, Stripe webhook, probes, security layers, typed session);
//! - features, each with its own SQL: [`accounts`] (who is signed in, companies, the caller,
//!   the projects each user sees), [`projects`] (Project Central's project table) and
//!   [`licensing`] (project cache, checkout with reservations, fulfilment).
#![recursion_limit = "512"]

pub mod accounts;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod jobs;
pub mod licensing;
pub mod procore;
pub mod projects;
pub mod startup;
pub mod stripe;
pub mod telemetry;
