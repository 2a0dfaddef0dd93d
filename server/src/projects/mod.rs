//! Project Central's table of the company's Procore projects (the app's `Directory` port).
//! Admins see every project: from the company's project cache when a complete, fresh one
//! exists (no Procore call), else one page straight from Procore (one call, Procore's own
//! search and paging). Others see only the projects Procore shows them, from their own list
//! kept for a few minutes (`accounts`).

use std::sync::Arc;

use app::error::AppError;
use app::ids::ProjectId;
use app::ports::{Caller, Directory};
use app::projects::{ProjectPage, ProjectQuery, ProjectRow, PROJECTS_PER_PAGE};
use async_trait::async_trait;

use crate::accounts::AccountService;
use crate::db::Db;
use crate::error::ServerResult;
use crate::licensing::project_cache::CacheQuery;
use crate::procore::client::ProjectsQuery;
use crate::procore::types::place;
use crate::procore::ProcoreAccess;

/// The Project Central table over our caches and Procore.
pub struct ProjectDirectory {
    db: Db,
    accounts: Arc<AccountService>,
    procore: Arc<ProcoreAccess>,
}

impl ProjectDirectory {
    /// The directory over what it uses.
    pub fn new(db: Db, accounts: Arc<AccountService>, procore: Arc<ProcoreAccess>) -> Self {
        Self {
            db,
            accounts,
            procore,
        }
    }

    async fn page(&self, caller: &Caller, query: ProjectQuery) -> ServerResult<ProjectPage> {
        if !caller.is_admin {
            return self.accounts.visible_page(caller, &query).await;
        }
        if self
            .db
            .cache_state(caller.company)
            .await?
            .is_complete_and_fresh()
        {
            return self.cached_page(caller, query).await;
        }
        self.procore_page(caller, query).await
    }

    async fn cached_page(&self, caller: &Caller, query: ProjectQuery) -> ServerResult<ProjectPage> {
        let wanted = CacheQuery {
            visible_to: None,
            search: query.search.clone(),
            filter: None,
            offset: i64::from(query.page.saturating_sub(1)) * i64::from(PROJECTS_PER_PAGE),
            limit: i64::from(PROJECTS_PER_PAGE),
        };
        let (rows, total) = self
            .db
            .cached_projects_page(caller.company, &wanted)
            .await?;
        Ok(ProjectPage {
            projects: rows
                .into_iter()
                .map(|p| ProjectRow {
                    id: p.id,
                    name: p.name,
                    number: p.project_number.filter(|n| !n.is_empty()),
                    stage: p.stage,
                    location: place(p.city, p.state_code),
                })
                .collect(),
            total: total.max(0) as u64,
            page: query.page,
            per_page: PROJECTS_PER_PAGE,
        })
    }

    async fn procore_page(
        &self,
        caller: &Caller,
        query: ProjectQuery,
    ) -> ServerResult<ProjectPage> {
        let wanted = ProjectsQuery {
            page: query.page,
            per_page: PROJECTS_PER_PAGE,
            name: Some(query.search.clone()),
        };
        let company = caller.company.get();
        let page = self
            .procore
            .as_user(caller.user, |client, token| {
                let wanted = wanted.clone();
                async move { client.projects_page(&token, company, &wanted).await }
            })
            .await?;
        let count = page.items.len() as u64;
        let projects = page
            .items
            .into_iter()
            .map(|p| ProjectRow {
                id: ProjectId(p.id),
                name: p.name,
                number: p.project_number.filter(|n| !n.is_empty()),
                stage: p.project_stage.and_then(|s| s.name),
                location: place(p.city, p.state_code),
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

#[async_trait]
impl Directory for ProjectDirectory {
    async fn projects(
        &self,
        caller: &Caller,
        query: ProjectQuery,
    ) -> Result<ProjectPage, AppError> {
        Ok(self.page(caller, query).await?)
    }
}
