//! What the embedded view exchanges with the server: the project's status as the signed-in
//! user may see it, the port the server implements, and the server function over it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::offer::OfferLine;
use crate::error::AppError;
use crate::ids::{CompanyId, ProjectId};
use crate::subscriptions::{Standing, Terms};
use crate::sync::api::ResourceStatus;

/// A licensed project's licence as the embedded view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedLicence {
    /// Modules and add-ons now and at renewal.
    pub terms: Terms,
    /// Active, Trial, Ends on, Inactive: payment pending, Cancelled.
    pub standing: Standing,
    /// When the modules do not work now: why, and what brings them back.
    pub inactive_reason: Option<String>,
    /// Next renewal (end of the paid period), UTC unix seconds, when known.
    pub renews_at: Option<i64>,
}

/// One project's Smartapp status inside Procore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedStatus {
    /// The company (Procore's id, confirmed for this user).
    pub company: CompanyId,
    /// Its name.
    pub company_name: String,
    /// The project (confirmed visible to this user by Procore).
    pub project: ProjectId,
    /// Procore's name of the project.
    pub project_name: String,
    /// Procore marks the project inactive.
    pub inactive_in_procore: bool,
    /// The licence, or `None` when the company has not licensed the project.
    pub licence: Option<EmbeddedLicence>,
    /// What the project could have (shown when not licensed).
    pub offer: Vec<OfferLine>,
    /// Whether the user may license projects (company admins).
    pub can_license: bool,
    /// Each resource's last sync (licensed projects with sync settings).
    pub sync: Vec<ResourceStatus>,
    /// Why the project does not sync now, if so.
    pub sync_paused: Option<String>,
    /// Sync with Procore is switched on in the project's Procore settings.
    pub sync_on: bool,
    /// The published Plan Board (None: not published, or no Planner).
    pub plan_board: Option<Vec<crate::planboard::PlanItem>>,
}

/// One of the company's Smartapp projects on the company-level page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedProjectLine {
    /// The project's Procore id.
    pub project: ProjectId,
    /// Its name (as licensed).
    pub name: String,
    /// Modules and add-ons now.
    pub items: Vec<crate::licensing::CatalogItem>,
    /// Active, Trial, Ends on, Inactive: payment pending, Cancelled.
    pub standing: Standing,
}

/// The company-level page (Full Screen opened from the company's Apps menu: no project).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedCompany {
    /// The company (one the user belongs to here).
    pub company: CompanyId,
    /// Its name.
    pub company_name: String,
    /// The licensed projects the user may see: every one for a company admin, otherwise
    /// those Procore shows them.
    pub projects: Vec<EmbeddedProjectLine>,
    /// Whether the user may license projects (company admins).
    pub can_license: bool,
}

/// The embedded view's back end, provided as Leptos context ([`EmbeddedContext`]).
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait EmbeddedPort: Send + Sync + 'static {
    /// Confirms the user may see `company` and `project` (for this request only: the
    /// session's current company stays as it is), then reads the project's status.
    async fn status(
        &self,
        session: &tower_sessions::Session,
        company: CompanyId,
        project: ProjectId,
        app: Option<super::EmbeddedApp>,
    ) -> Result<EmbeddedStatus, AppError>;

    /// Confirms the user belongs to `company` (for this request only), then lists its
    /// licensed projects the user may see, from our records.
    async fn company(
        &self,
        session: &tower_sessions::Session,
        company: CompanyId,
    ) -> Result<EmbeddedCompany, AppError>;
}

/// The port, as server functions find it.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct EmbeddedContext(pub std::sync::Arc<dyn EmbeddedPort>);

/// The project's status for the embedded view. The ids come from Procore's URL, so the
/// server checks both with Procore before answering.
#[server(endpoint = "embedded_status", output = crate::codec::JsonText)]
pub async fn load_embedded_status(
    company: CompanyId,
    project: ProjectId,
    app: Option<super::EmbeddedApp>,
) -> Result<EmbeddedStatus, AppError> {
    use crate::ports::reply;
    let result = async {
        let port = use_context::<EmbeddedContext>()
            .ok_or_else(|| AppError::Internal("embedded-missing".into()))?;
        let session: tower_sessions::Session = leptos_axum::extract()
            .await
            .map_err(|_| AppError::NotSignedIn)?;
        port.0.status(&session, company, project, app).await
    };
    reply(result.await)
}

/// The company-level page's list. The id comes from Procore's URL, so the server checks the
/// user's membership first.
#[server(endpoint = "embedded_company", output = crate::codec::JsonText)]
pub async fn load_embedded_company(company: CompanyId) -> Result<EmbeddedCompany, AppError> {
    use crate::ports::reply;
    let result = async {
        let port = use_context::<EmbeddedContext>()
            .ok_or_else(|| AppError::Internal("embedded-missing".into()))?;
        let session: tower_sessions::Session = leptos_axum::extract()
            .await
            .map_err(|_| AppError::NotSignedIn)?;
        port.0.company(&session, company).await
    };
    reply(result.await)
}
