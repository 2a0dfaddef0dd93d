//! The server's integration tests, one binary: black-box tests of the whole application
//! over HTTP (`app`, `licensing`, `billing`, `return_page`, security `headers`), the Procore
//! client and token manager against the sandbox (`procore`), the stores (`store`), background jobs
//! (`jobs`) and the Stripe webhook inbox (`webhooks`) on SQLite and PostgreSQL.

mod access;
mod app;
mod badges;
mod billing;
mod bundles;
mod embedded;
mod embedded_query;
mod footer;
mod headers;
mod helpers;
mod installs;
mod jobs;
mod licensing;
mod onboarding;
mod planboard;
mod privacy;
mod procore;
mod return_page;
mod sandbox_credentials;
mod store;
mod subscriptions;
mod sync;
mod two_apps;
mod webhooks;
