//! The `Directory` port for server functions: the signed-in user's companies and projects,
//! read from our database (who belongs where) and Procore (the projects themselves).

use std::future::Future;
use std::sync::Arc;

use app::directory::{
    CompanySummary, ProjectPage, ProjectQuery, ProjectRow, Viewer, PROJECTS_PER_PAGE,
};
use app::error::AppError;
use app::ports::Directory;
use async_trait::async_trait;
use tower_sessions::Session;

use crate::auth::{COMPANY_ID, USER_ID};
use crate::db::now;
use crate::procore::client::ProjectsQuery;
use crate::procore::{ProcoreError, TokenError};
use crate::startup::Services;

/// Directory backed by the database and the Procore API.
pub struct ProcoreDirectory {
    services: Arc<Services>,
}

impl ProcoreDirectory {
    /// A directory over the shared services.
    pub fn new(services: Arc<Services>) -> Self {
        Self { services }
    }

    /// The signed-in user and their current company, checked against the database.
    pub async fn scope(&self, session: &Session) -> Result<(i64, i64), AppError> {
        let user_id = signed_in_user(session).await?;
        let company_id: i64 = session
            .get(COMPANY_ID)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotSignedIn)?;
        if !self
            .services
            .db
            .is_member(user_id, company_id)
            .await
            .map_err(internal)?
        {
            return Err(AppError::Forbidden(LOST_ACCESS.into()));
        }
        self.reverify(session, user_id, company_id).await?;
        Ok((user_id, company_id))
    }

    /// Membership and admin rights are learned at sign-in; Procore is asked again every
    /// few minutes, so someone removed or demoted there loses access here soon after.
    /// If Procore cannot answer, the stored state stands until the next request.
    async fn reverify(
        &self,
        session: &Session,
        user_id: i64,
        company_id: i64,
    ) -> Result<(), AppError> {
        let checked: Option<i64> = session.get(VERIFIED_AT).await.map_err(internal)?;
        if checked.is_some_and(|at| now() - at < REVERIFY_SECS) {
            return Ok(());
        }
        let client = &self.services.procore;
        let answer = self
            .with_token(user_id, |token| async move {
                let companies = client.companies(&token).await?;
                let member = companies.iter().any(|c| c.id == company_id && c.is_active);
                let admin = member && client.can_manage_apps(&token, company_id).await;
                Ok((member, admin))
            })
            .await;
        let (member, admin) = match answer {
            Ok(found) => found,
            Err(error) if error.needs_sign_in() => return Err(error),
            Err(error) => {
                tracing::warn!(%error, "could not re-check Procore access; keeping what we know");
                return Ok(());
            }
        };
        let db = &self.services.db;
        db.set_access(user_id, company_id, member, admin)
            .await
            .map_err(internal)?;
        session.insert(VERIFIED_AT, now()).await.map_err(internal)?;
        if member {
            Ok(())
        } else {
            tracing::info!(
                user_id,
                company_id,
                "Procore no longer lists the company for this user"
            );
            Err(AppError::Forbidden(LOST_ACCESS.into()))
        }
    }

    /// Runs a Procore call with the user's token; on a refused token refreshes once and retries.
    pub async fn with_token<T, F, Fut>(&self, user_id: i64, call: F) -> Result<T, AppError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, ProcoreError>>,
    {
        let tokens = &self.services.tokens;
        let token = tokens.access_token(user_id).await.map_err(token_error)?;
        match call(token.clone()).await {
            Err(ProcoreError::Unauthorized) => {
                let fresh = tokens
                    .after_rejection(user_id, &token)
                    .await
                    .map_err(token_error)?;
                call(fresh).await.map_err(procore_error)
            }
            other => other.map_err(procore_error),
        }
    }
}

#[async_trait]
impl Directory for ProcoreDirectory {
    async fn viewer(&self, session: &Session) -> Result<Option<Viewer>, AppError> {
        let Some(user_id) = session.get::<i64>(USER_ID).await.map_err(internal)? else {
            return Ok(None);
        };
        let db = &self.services.db;
        let Some(user) = db.user(user_id).await.map_err(internal)? else {
            return Ok(None);
        };
        let companies = db.companies_of(user_id).await.map_err(internal)?;
        let chosen: Option<i64> = session.get(COMPANY_ID).await.map_err(internal)?;
        let Some(company_id) = chosen
            .filter(|id| companies.iter().any(|c| c.id == *id))
            .or_else(|| companies.first().map(|c| c.id))
        else {
            return Err(AppError::Forbidden(
                "Your Procore account has no company Smartapp can use.".into(),
            ));
        };
        if chosen != Some(company_id) {
            session
                .insert(COMPANY_ID, company_id)
                .await
                .map_err(internal)?;
        }
        let is_admin = companies
            .iter()
            .any(|c| c.id == company_id && c.is_admin == 1);
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

    async fn switch_company(&self, session: &Session, company_id: i64) -> Result<(), AppError> {
        let user_id = signed_in_user(session).await?;
        // The id comes from the client: only a company the user belongs to is accepted.
        if !self
            .services
            .db
            .is_member(user_id, company_id)
            .await
            .map_err(internal)?
        {
            return Err(AppError::NotFound(
                "That company is not one of yours in Procore.".into(),
            ));
        }
        session
            .insert(COMPANY_ID, company_id)
            .await
            .map_err(internal)
    }

    async fn projects(
        &self,
        session: &Session,
        query: ProjectQuery,
    ) -> Result<ProjectPage, AppError> {
        let (user_id, company_id) = self.scope(session).await?;
        let wanted = ProjectsQuery {
            page: query.page,
            per_page: PROJECTS_PER_PAGE,
            name: Some(query.search.clone()),
        };
        let client = &self.services.procore;
        let page = self
            .with_token(user_id, |token| {
                let wanted = wanted.clone();
                async move { client.projects_page(&token, company_id, &wanted).await }
            })
            .await?;
        let count = page.items.len() as u64;
        let projects = page
            .items
            .into_iter()
            .map(|p| ProjectRow {
                id: p.id,
                name: p.name,
                number: p.project_number.filter(|n| !n.is_empty()),
                stage: p.project_stage.and_then(|s| s.name),
                location: match (p.city, p.state_code) {
                    (Some(city), Some(state)) => Some(format!("{city}, {state}")),
                    (Some(city), None) => Some(city),
                    (None, state) => state,
                },
            })
            .collect();
        let before = u64::from(query.page.saturating_sub(1)) * u64::from(PROJECTS_PER_PAGE);
        Ok(ProjectPage {
            projects,
            total: page.total.unwrap_or(before + count),
            page: query.page,
            per_page: PROJECTS_PER_PAGE,
        })
    }
}

/// Session key: when Procore last confirmed membership and admin rights (UTC unix seconds).
pub const VERIFIED_AT: &str = "access_verified_at";
/// How long a confirmation of access is trusted.
const REVERIFY_SECS: i64 = 15 * 60;
const LOST_ACCESS: &str = "You no longer have access to this company in Procore.";

/// The signed-in Procore user's id, or `NotSignedIn`.
async fn signed_in_user(session: &Session) -> Result<i64, AppError> {
    session
        .get(USER_ID)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotSignedIn)
}

/// Logs the detail and gives the user a reference to quote.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(%error, reference, "internal error");
    AppError::Internal(reference)
}

fn token_error(error: TokenError) -> AppError {
    match error {
        TokenError::ReauthRequired => AppError::ReauthRequired,
        TokenError::Unavailable(reason) => AppError::ProcoreUnavailable(reason),
    }
}

fn procore_error(error: ProcoreError) -> AppError {
    match error {
        ProcoreError::Unauthorized => AppError::ReauthRequired,
        ProcoreError::Forbidden(_) => {
            AppError::Forbidden("Procore does not let you see this company's projects.".into())
        }
        ProcoreError::NotFound => AppError::NotFound("Procore could not find that.".into()),
        ProcoreError::RateLimited { retry_after } => AppError::ProcoreRateLimited {
            retry_after_secs: retry_after.as_secs().max(1),
        },
        ProcoreError::Unavailable(reason) => AppError::ProcoreUnavailable(reason),
        other @ (ProcoreError::Rejected { .. } | ProcoreError::Decode(_)) => internal(other),
    }
}
