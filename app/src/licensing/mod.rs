//! Licensing wizard rules: choosing modules and add-ons per Procore project, the
//! Licensed / Not Licensed filter, and the quote for the subscription step.
//!
//! Pure code with no I/O, so the browser (instant feedback) and the server (authority
//! at checkout) run exactly the same rules.

pub mod api;
pub mod filter;
pub mod quote;
pub mod selection;

pub use filter::{matches, LicenseFilter, LicensedScope, ParseLicenseFilterError, ProjectLicense};
pub use quote::{
    format_usd, quote, BillingInterval, Catalog, CatalogItem, ParseBillingIntervalError, Quote,
    QuoteError, QuoteLine,
};
pub use selection::{
    AddOn, LicenseSelection, LicensedProjects, Module, ProjectLicenseChoice, SelectionError,
    SelectionProblem, Summary, ValidSelection,
};
