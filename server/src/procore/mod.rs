//! Everything that talks to Procore: OAuth, the REST client with pagination and rate-limit
//! handling, and the token manager that keeps each user's connection fresh.

pub mod client;
pub mod link;
pub mod oauth;
pub mod tokens;
pub mod types;

pub use client::{ProcoreClient, ProcoreError, RetryPolicy};
pub use oauth::{ProcoreOAuth, TokenSet};
pub use tokens::{TokenError, TokenManager};
