//! Everything that talks to Procore: OAuth, the REST client with pagination and rate-limit
//! handling, the token manager that keeps each user's connection fresh (tokens sealed at
//! rest by [`token_cipher`]), and [`ProcoreAccess`], which calls Procore as a given user.

pub mod access;
pub mod budget;
pub mod client;
pub mod link;
pub mod oauth;
pub mod rest;
pub mod token_cipher;
pub mod tokens;
pub mod types;

pub use access::ProcoreAccess;
pub use budget::{Budget, Priority, RateLimits};
pub use client::{ProcoreClient, ProcoreError, RetryPolicy};
pub use oauth::{ProcoreOAuth, TokenSet};
pub use tokens::{TokenError, TokenManager};
