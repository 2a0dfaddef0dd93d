//! The `Directory` port: one page of the current company's Procore projects for the
//! Project Central table, read from Procore with the caller's own token.

use app::error::AppError;
use app::ids::ProjectId;
use app::ports::{Caller, Directory};
use app::projects::{ProjectPage, ProjectQuery, ProjectRow, PROJECTS_PER_PAGE};
use async_trait::async_trait;

use super::AccountService;
use crate::error::ServerResult;
use crate::procore::client::ProjectsQuery;

impl AccountService {
    async fn project_page(
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

#[async_trait]
impl Directory for AccountService {
    async fn projects(
        &self,
        caller: &Caller,
        query: ProjectQuery,
    ) -> Result<ProjectPage, AppError> {
        Ok(self.project_page(caller, query).await?)
    }
}
