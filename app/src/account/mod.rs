//! The account: who is signed in with Procore, their companies, and the sign-in pages
//! (the landing page and the page a failed sign-in lands on), and disconnecting Procore.

pub mod api;
mod auth_error;
mod disconnect;
mod home;

pub use api::{get_viewer, switch_company, viewer_resource, CompanySummary, SwitchCompany, Viewer};
pub use auth_error::AuthError;
pub use disconnect::DisconnectProcore;
pub use home::Home;
