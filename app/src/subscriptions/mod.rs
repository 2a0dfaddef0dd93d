//! Subscriptions after checkout: each licensed project's terms and standing, the rules of
//! Manage Subscription (what is an addition or a removal and when it takes effect), the
//! words shown before Confirm, and the project page.

pub mod api;
pub mod change;
pub mod standing;
mod ui;
pub mod wording;

pub use change::{plan, ChangeKind, ChangeProblem, ChangeRequest, Plan, Terms};
pub use standing::{date, Standing, StandingFacts};
pub use ui::ProjectPage;
pub use wording::{explain, PreviewAmounts};
