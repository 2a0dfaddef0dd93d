//! The embedded view: what Procore shows inside its iframe (`/embedded/{company}/{project}`,
//! full screen or in the 400 px side panel). It checks the URL's ids against the signed-in
//! user's Procore access, then shows the project's Smartapp status: modules and add-ons,
//! billing standing, the last sync of each resource, and the way to Project Central or to a
//! licence. Sign-in inside the frame runs in a popup (see `server/src/http/embedded.rs`).

pub mod api;
mod offer;
mod ui;

pub use offer::{offer, EmbeddedApp, OfferLine};
pub use ui::EmbeddedPage;
