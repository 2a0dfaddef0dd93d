//! Ports: what server functions need from the back end, in the product's words.
//! The `server` crate implements them (Procore over HTTP, the database); tests can
//! supply in-memory versions.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::Session;

use crate::directory::{ProjectPage, ProjectQuery, Viewer};
use crate::error::AppError;
use crate::licensing::api::{LicensedTile, OrderDraft, WizardPage};
use crate::licensing::{BillingInterval, Catalog, LicenseFilter, LicenseSelection};

/// Companies and projects the signed-in user can see in Procore.
#[async_trait]
pub trait Directory: Send + Sync + 'static {
    /// Who is signed in, their companies and the current one; `None` when signed out.
    async fn viewer(&self, session: &Session) -> Result<Option<Viewer>, AppError>;
    /// Make `company_id` the current company, if the user belongs to it.
    async fn switch_company(&self, session: &Session, company_id: i64) -> Result<(), AppError>;
    /// One page of the current company's Procore projects.
    async fn projects(
        &self,
        session: &Session,
        query: ProjectQuery,
    ) -> Result<ProjectPage, AppError>;
}

/// Licensing: the wizard's list, checkout and licensed projects.
#[async_trait]
pub trait Licensing: Send + Sync + 'static {
    /// One page of the company's projects with their licences.
    async fn wizard_projects(
        &self,
        session: &Session,
        search: &str,
        filter: LicenseFilter,
        page: u32,
    ) -> Result<WizardPage, AppError>;
    /// Every not-licensed project id matching `search`.
    async fn matching_ids(&self, session: &Session, search: &str) -> Result<Vec<i64>, AppError>;
    /// Prices.
    fn catalog(&self) -> Catalog;
    /// Validates, creates the order and the Checkout Session; returns the payment URL.
    async fn start_checkout(
        &self,
        session: &Session,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<String, AppError>;
    /// A saved order's selection (the company's own orders only).
    async fn order_draft(
        &self,
        session: &Session,
        order_id: &str,
    ) -> Result<Option<OrderDraft>, AppError>;
    /// The company's licensed projects.
    async fn licensed_tiles(&self, session: &Session) -> Result<Vec<LicensedTile>, AppError>;
    /// Reconciles a Checkout Session after Stripe's redirect.
    async fn confirm_checkout(
        &self,
        session: &Session,
        checkout_session_id: &str,
    ) -> Result<u32, AppError>;
}

/// Everything server functions reach, provided once as Leptos context.
#[derive(Clone)]
pub struct AppServices {
    /// Procore companies and projects.
    pub directory: Arc<dyn Directory>,
    /// Licensing and checkout.
    pub licensing: Arc<dyn Licensing>,
}

/// The services and the caller's session, or a clear error when either is missing.
pub async fn request_context() -> Result<(AppServices, Session), AppError> {
    let services = leptos::prelude::use_context::<AppServices>()
        .ok_or_else(|| AppError::Internal("services-missing".into()))?;
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::NotSignedIn)?;
    Ok((services, session))
}

/// Sets the response status for an error, so a failed call is not reported as a 500.
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                options.set_status(status);
            }
        }
    }
    result
}
