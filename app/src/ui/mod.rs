//! Pieces every page shares: the top bar, the error and sign-in panels, the pager, the
//! search box, the 404 page and the footer.

mod backdrop;
mod error_panel;
mod footer;
mod not_found;
mod pager;
mod search_box;
mod sign_in_panel;
mod top_bar;

pub use backdrop::ProjectCentralBackdrop;
pub use error_panel::ErrorPanel;
pub use footer::{site_contacts, Contacts, SiteFooter};
pub use not_found::NotFound;
pub use pager::Pager;
pub use search_box::{debounce, urlencode, SearchBox};
pub use sign_in_panel::SignInPanel;
pub use top_bar::TopBar;
