//! The pages of Project Central, one file each.

mod auth_error;
mod chrome;
mod home;
mod project_central;

pub use auth_error::AuthError;
pub use chrome::{NotFound, SignInPanel, TopBar};
pub use home::Home;
pub use project_central::ProjectCentral;
