//! Licensing: choosing modules and add-ons per Procore project, the Licensed / Not
//! Licensed filter, the quote for the subscription step, and the wizard that shows them.
//!
//! The rules are pure code with no I/O, so the browser (instant feedback) and the server
//! (authority at checkout) run exactly the same rules.

pub mod api;
pub mod filter;
pub mod modules;
pub mod problems;
pub mod quote;
pub mod selection;
mod ui;

pub use filter::{matches, LicenseFilter, LicensedScope, ParseLicenseFilterError, ProjectLicense};
pub use modules::{AddOn, Module, ProjectLicenseChoice};
pub use problems::{SelectionError, SelectionProblem};
pub use quote::{
    format_usd, projects_label, quote, BillingInterval, Catalog, CatalogItem, DueToday,
    ParseBillingIntervalError, Quote, QuoteError, QuoteLine,
};
pub use selection::{LicenseSelection, LicensedProjects, Summary, ValidSelection};
pub use ui::{AddOnMissing, LicensingWizard};
