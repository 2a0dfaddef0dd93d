//! The Project Central back end: configuration, database, Procore client, sign-in and the
//! services behind the app's server functions. `main.rs` only calls [`startup::run`].
#![recursion_limit = "512"]

pub mod auth;
pub mod billing;
pub mod config;
pub mod crypto;
pub mod db;
pub mod directory;
pub mod health;
pub mod licensing;
pub mod procore;
pub mod security;
pub mod startup;
pub mod telemetry;
