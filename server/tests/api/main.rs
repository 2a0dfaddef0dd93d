//! The server's integration tests, one binary: black-box tests of the whole application
//! over HTTP (`app`, `licensing`, `return_page`, security `headers`), the Procore client and
//! token manager against the sandbox (`procore`), the stores (`store`) and background jobs
//! (`jobs`) on SQLite and PostgreSQL.

mod app;
mod headers;
mod helpers;
mod jobs;
mod licensing;
mod procore;
mod return_page;
mod store;
