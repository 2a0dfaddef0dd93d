//! Accounts: who is signed in, which companies they belong to (and whether they are a
//! company admin there), the company switch, and the [`Caller`] every server function
//! starts from. Membership comes from our database and is re-checked with Procore
//! ([`access`]); the projects each user sees in Procore are kept briefly
//! ([`visible_projects`]); every per-project port and route resolves its project through
//! [`AccountService::shown_project`] ([`project_access`]).

mod access;
mod project_access;
mod store;
mod visible_projects;

pub use project_access::{ShownProject, PROJECT_NOT_FOUND};
pub use store::{ConnectionRow, StoredCompany, StoredUser};

use std::sync::Arc;

use app::account::{CompanySummary, Viewer};
use app::error::AppError;
use app::ids::{CompanyId, UserId};
use app::ports::{Accounts, Caller};
use async_trait::async_trait;
use tower_sessions::Session;

use crate::db::Db;
use crate::error::ServerResult;
use crate::http::session::AppSession;
use crate::procore::ProcoreAccess;

const LOST_ACCESS: &str = "You no longer have access to this company in Procore.";

/// Accounts over our database and Procore.
pub struct AccountService {
    db: Db,
    procore: Arc<ProcoreAccess>,
}

impl AccountService {
    /// The service over its dependencies.
    pub fn new(db: Db, procore: Arc<ProcoreAccess>) -> Self {
        Self { db, procore }
    }

    async fn build_caller(&self, session: &Session) -> ServerResult<Caller> {
        let session = AppSession(session);
        let user = session.user().await?.ok_or(AppError::NotSignedIn)?;
        let company = session.company().await?.ok_or(AppError::NotSignedIn)?;
        let Some(stored_admin) = self.db.membership(user, company).await? else {
            return Err(AppError::Forbidden(LOST_ACCESS.into()).into());
        };
        // When Procore was asked again, its answer is the one that counts.
        let is_admin = self
            .reverify(&session, user, company)
            .await?
            .unwrap_or(stored_admin);
        Ok(Caller {
            user,
            company,
            is_admin,
        })
    }

    /// The caller working in `company` for one request, without making it the session's
    /// current company: the session's own company goes through [`Self::build_caller`]
    /// (re-checked with Procore); another one of the user's companies is taken from the
    /// stored memberships.
    pub async fn caller_in(&self, session: &Session, company: CompanyId) -> ServerResult<Caller> {
        let typed = AppSession(session);
        let user = typed.user().await?.ok_or(AppError::NotSignedIn)?;
        if typed.company().await? == Some(company) {
            return self.build_caller(session).await;
        }
        let Some(is_admin) = self.db.membership(user, company).await? else {
            return Err(AppError::Forbidden(LOST_ACCESS.into()).into());
        };
        Ok(Caller {
            user,
            company,
            is_admin,
        })
    }

    async fn build_viewer(&self, session: &Session) -> ServerResult<Option<Viewer>> {
        let session = AppSession(session);
        let Some(user_id) = session.user().await? else {
            return Ok(None);
        };
        let Some(user) = self.db.user(user_id).await? else {
            return Ok(None);
        };
        let companies = self.db.companies_of(user_id).await?;
        let chosen = session.company().await?;
        let Some(company_id) = chosen
            .filter(|id| companies.iter().any(|c| c.id == *id))
            .or_else(|| companies.first().map(|c| c.id))
        else {
            return Err(AppError::Forbidden(
                "Your Procore account has no company Smartapp can use.".into(),
            )
            .into());
        };
        if chosen != Some(company_id) {
            session.set_company(company_id).await?;
        }
        let is_admin = companies.iter().any(|c| c.id == company_id && c.is_admin);
        Ok(Some(Viewer {
            is_admin,
            user_id,
            name: user.name,
            login: user.login,
            companies: companies
                .into_iter()
                .map(|c| CompanySummary {
                    id: c.id,
                    name: c.name,
                })
                .collect(),
            company_id,
        }))
    }

    async fn switch(&self, session: &Session, company: CompanyId) -> ServerResult<()> {
        let session = AppSession(session);
        let user: UserId = session.user().await?.ok_or(AppError::NotSignedIn)?;
        // The id comes from the client: only a company the user belongs to is accepted.
        if !self.db.is_member(user, company).await? {
            return Err(
                AppError::NotFound("That company is not one of yours in Procore.".into()).into(),
            );
        }
        Ok(session.set_company(company).await?)
    }
}

#[async_trait]
impl Accounts for AccountService {
    async fn viewer(&self, session: &Session) -> Result<Option<Viewer>, AppError> {
        Ok(self.build_viewer(session).await?)
    }

    async fn switch_company(&self, session: &Session, company: CompanyId) -> Result<(), AppError> {
        Ok(self.switch(session, company).await?)
    }

    async fn caller(&self, session: &Session) -> Result<Caller, AppError> {
        Ok(self.build_caller(session).await?)
    }
}
