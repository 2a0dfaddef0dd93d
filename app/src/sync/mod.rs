//! Procore settings per project and the project's own directory (Locations, Companies,
//! Roles, Users) that syncs with Procore: the choices and their rules, entry validation,
//! what the pages exchange with the server, and the pages.

pub mod api;
pub mod entries;
pub mod settings;
mod ui;

pub use entries::{check, fields_of, CheckedEntry, Fields};
pub use settings::{next_run, Direction, Frequency, Resource, ResourceChoice, SettingsForm};
pub use ui::{DirectoryPageView, ProjectSettingsPage};
