//! Ports: what server functions need from the back end, in the product's words.
//! The `server` crate implements them (Procore over HTTP, the database); tests can
//! supply in-memory versions.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::Session;

use crate::directory::{ProjectPage, ProjectQuery, Viewer};
use crate::error::AppError;

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

/// Everything server functions reach, provided once as Leptos context.
#[derive(Clone)]
pub struct AppServices {
    /// Procore companies and projects.
    pub directory: Arc<dyn Directory>,
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
