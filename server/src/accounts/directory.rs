//! The `Directory` port: one page of the current company's Procore projects for the
//! Project Central table, from the caller's own project list ([`super::visible_projects`]).

use app::error::AppError;
use app::ports::{Caller, Directory};
use app::projects::{ProjectPage, ProjectQuery};
use async_trait::async_trait;

use super::AccountService;

#[async_trait]
impl Directory for AccountService {
    async fn projects(
        &self,
        caller: &Caller,
        query: ProjectQuery,
    ) -> Result<ProjectPage, AppError> {
        Ok(self.visible_page(caller, &query).await?)
    }
}
