//! The pages of Project Central, one file each.

mod auth_error;
mod chrome;
mod home;
mod licensing;
mod project_central;

pub use auth_error::AuthError;
pub use chrome::{NotFound, SignInPanel, TopBar};
pub use home::Home;
pub use licensing::LicensingWizard;
pub use project_central::ProjectCentral;
