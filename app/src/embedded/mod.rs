//! The embedded view: what Procore shows inside its iframe
//! (`/embedded?company_id=&project_id=&app=`, or the older `/embedded/{company}/{project}`).
//! It checks the URL's ids against the signed-in user's Procore access, then shows the
//! project's Smartapp status: modules and add-ons, billing standing, the last sync of each
//! resource, and the way to Project Central or to a licence. At company level (no project)
//! it lists the company's Smartapp projects the user may see ([`company`]); in Procore's
//! 400 px side panel (`/embedded/panel`) the project comes from Procore's `setup` message
//! ([`panel`]). Sign-in inside the frame runs in a popup (see `server/src/http/embedded.rs`).

pub mod api;
mod company;
mod offer;
#[cfg(feature = "ssr")]
pub mod panel;
mod ui;

pub use offer::{offer, EmbeddedApp, OfferLine};
pub use ui::EmbeddedPage;
