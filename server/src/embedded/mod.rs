//! The embedded view's back end: the ids in Procore's iframe URL are checked against the
//! signed-in user (member of the company here, project visible in Procore) before the
//! project's licence, standing and sync are read; the company-level list (Full Screen with
//! no project); the hand-off [`codes`] that sign the frame in after the popup sign-in; and
//! the web [`origins`] the side panel accepts Procore's messages from.

pub mod codes;
pub mod origins;

use std::sync::Arc;

use app::embedded::api::{
    EmbeddedCompany, EmbeddedLicence, EmbeddedPort, EmbeddedProjectLine, EmbeddedStatus,
};
use app::embedded::{offer, EmbeddedApp};
use app::error::AppError;
use app::ids::{CompanyId, ProjectId};
use app::licensing::Catalog;
use app::ports::{Caller, ProjectSync};
use async_trait::async_trait;
use tower_sessions::Session;

use crate::db::Db;
use crate::error::ServerResult;
use crate::http::session::AppSession;
use crate::procore::{ProcoreAccess, ProcoreError};
use crate::sync::standing::{licence, standing_reason};

/// What the user is told when the URL's company is not one of theirs.
pub const NOT_A_MEMBER: &str = "You are not a member of this Procore company in Smartapp, so its projects are not shown. If you joined it recently, sign in with Procore again; otherwise ask the company's Procore admin for access.";
/// What the user is told when Procore does not show them the URL's project.
pub const NOT_VISIBLE: &str =
    "This project was not found in Procore or is not visible to you. Ask the project's admin to add you to it in Procore.";

/// The embedded view over accounts, Procore, licences and sync.
pub struct EmbeddedService {
    db: Db,
    accounts: Arc<crate::accounts::AccountService>,
    procore: Arc<ProcoreAccess>,
    sync: Arc<dyn ProjectSync>,
    catalog: Catalog,
    planboard: Arc<crate::planboard::PlanBoardService>,
}

impl EmbeddedService {
    /// The company's name as the caller's membership records it.
    async fn company_name(&self, caller: &Caller, company: CompanyId) -> ServerResult<String> {
        Ok(self
            .db
            .companies_of(caller.user)
            .await?
            .into_iter()
            .find(|c| c.id == company)
            .map(|c| c.name)
            .unwrap_or_default())
    }

    /// The service over its dependencies.
    pub fn new(
        db: Db,
        accounts: Arc<crate::accounts::AccountService>,
        procore: Arc<ProcoreAccess>,
        sync: Arc<dyn ProjectSync>,
        catalog: Catalog,
        planboard: Arc<crate::planboard::PlanBoardService>,
    ) -> Self {
        Self {
            db,
            accounts,
            procore,
            sync,
            catalog,
            planboard,
        }
    }

    /// The caller in `company`, for this request only: only a company the user belongs to
    /// is accepted, and the session's current company is left as it is (a GET from another
    /// site must not switch the top-level session).
    async fn caller_in(&self, session: &Session, company: CompanyId) -> ServerResult<Caller> {
        let typed = AppSession(session);
        let user = typed.user().await?.ok_or(AppError::NotSignedIn)?;
        if !self.db.is_member(user, company).await? {
            tracing::info!(%user, %company, "embedded view: not a member of the URL's company");
            return Err(AppError::Forbidden(NOT_A_MEMBER.into()).into());
        }
        self.accounts.caller_in(session, company).await
    }

    async fn read(
        &self,
        session: &Session,
        company: CompanyId,
        project: ProjectId,
        app: Option<EmbeddedApp>,
    ) -> ServerResult<EmbeddedStatus> {
        let caller = self.caller_in(session, company).await?;
        let found = self
            .procore
            .as_user(caller.user, |client, token| async move {
                match client.project(&token, company.get(), project.get()).await {
                    Err(ProcoreError::Forbidden(message))
                        if message.contains(crate::installs::NOT_CONNECTED) =>
                    {
                        Err(ProcoreError::Forbidden(message))
                    }
                    Err(ProcoreError::NotFound) | Err(ProcoreError::Forbidden(_)) => Ok(None),
                    other => other.map(Some),
                }
            })
            .await;
        let found = match found {
            Err(crate::error::ServerError::Procore(ProcoreError::Forbidden(_))) => {
                // The app this user signed in through is uninstalled in the company.
                let app = self
                    .db
                    .record_not_connected(company, caller.user.get())
                    .await?;
                return Err(AppError::NotConnected {
                    name: app.name().into(),
                    key: app.key().into(),
                }
                .into());
            }
            other => other?,
        };
        // Procore answered this app's connection: if it was recorded as not connected
        // (before a reinstall), it is connected again.
        self.db
            .record_connected_via(company, caller.user.get())
            .await?;
        let Some(procore_project) = found else {
            tracing::info!(user = %caller.user, %project, "embedded view: project not visible");
            return Err(AppError::NotFound(NOT_VISIBLE.into()).into());
        };
        let company_name = self.company_name(&caller, company).await?;
        let licence = match licence(&self.db, company, project).await? {
            Some((terms, standing)) => {
                let renews_at = match &terms.subscription {
                    Some(id) => self.db.subscription_mirror(id).await?.map(|m| m.2),
                    None => None,
                };
                Some(EmbeddedLicence {
                    terms: terms.terms,
                    inactive_reason: standing_reason(&standing),
                    standing,
                    renews_at,
                })
            }
            None => None,
        };
        let (sync, sync_paused, sync_on) = match licence {
            Some(_) => match self.sync.overview(&caller, project).await {
                Ok(overview) => (
                    overview.resources,
                    overview.paused_reason,
                    overview.settings.procore_on,
                ),
                // A cancelled project keeps its licence row but has no settings page.
                Err(AppError::NotFound(_)) => (Vec::new(), None, false),
                Err(error) => return Err(error.into()),
            },
            None => (Vec::new(), None, false),
        };
        let plan_board = match licence {
            Some(_) => self.planboard.published(&caller, project).await?,
            None => None,
        };
        Ok(EmbeddedStatus {
            plan_board,
            company,
            company_name,
            project,
            project_name: procore_project.name,
            inactive_in_procore: procore_project.active == Some(false),
            offer: offer(&self.catalog, app),
            licence,
            can_license: caller.is_admin,
            sync,
            sync_paused,
            sync_on,
        })
    }
}

impl EmbeddedService {
    /// The company's licensed projects the user may see: every one for a company admin,
    /// otherwise those Procore shows them (their kept list, as Project Central's tiles), each
    /// with its standing; all from our records.
    async fn company_page(
        &self,
        session: &Session,
        company: CompanyId,
    ) -> ServerResult<EmbeddedCompany> {
        let caller = self.caller_in(session, company).await?;
        let mut licences = self.db.licences(company).await?;
        if !caller.is_admin {
            self.accounts.fresh_visible_projects(&caller).await?;
            let visible: std::collections::HashSet<i64> = self
                .db
                .visible_project_ids(caller.user, company)
                .await?
                .into_iter()
                .collect();
            licences.retain(|l| visible.contains(&l.project.get()));
        }
        let mut projects = Vec::with_capacity(licences.len());
        for l in licences {
            let project = ProjectId(l.project.get());
            let Some((terms, standing)) = licence(&self.db, company, project).await? else {
                continue;
            };
            projects.push(EmbeddedProjectLine {
                project,
                name: l.name,
                items: app::subscriptions::change::items_of(&terms.terms.current),
                standing,
            });
        }
        let company_name = self.company_name(&caller, company).await?;
        Ok(EmbeddedCompany {
            company,
            company_name,
            projects,
            can_license: caller.is_admin,
        })
    }
}

#[async_trait]
impl EmbeddedPort for EmbeddedService {
    async fn company(
        &self,
        session: &Session,
        company: CompanyId,
    ) -> Result<EmbeddedCompany, AppError> {
        Ok(self.company_page(session, company).await?)
    }

    async fn status(
        &self,
        session: &Session,
        company: CompanyId,
        project: ProjectId,
        app: Option<EmbeddedApp>,
    ) -> Result<EmbeddedStatus, AppError> {
        Ok(self.read(session, company, project, app).await?)
    }
}
