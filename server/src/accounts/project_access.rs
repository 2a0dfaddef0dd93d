//! The one guard of every per-project port and route: a project id from the URL or the
//! client becomes a [`ShownProject`] only when it is a project the caller may see — for a
//! company admin any project of the caller's company, for anyone else one Procore shows
//! them (their kept list, refreshed from Procore when old). Anything else is "not found",
//! worded the same whether the project exists elsewhere or not at all, so ids cannot be
//! probed.

use app::error::AppError;
use app::ids::{CompanyId, ProjectId};
use app::ports::Caller;

use super::AccountService;
use crate::error::ServerResult;

/// What the caller is told for a project that is not theirs to see.
pub const PROJECT_NOT_FOUND: &str =
    "No such project among the projects Procore shows you in this company.";

/// A project of the caller's company that the caller may see. Only
/// [`AccountService::shown_project`] makes one; the ports read the project's rows with its
/// company and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownProject {
    company: CompanyId,
    project: ProjectId,
}

impl ShownProject {
    /// The caller's company (the project's rows are read in it).
    pub fn company(&self) -> CompanyId {
        self.company
    }

    /// The project's Procore id.
    pub fn id(&self) -> ProjectId {
        self.project
    }
}

impl AccountService {
    /// `project` as the caller's project, or NotFound. An admin sees every project of the
    /// company (whether it is one is for the caller's query, scoped to the company, to
    /// say); anyone else only the projects Procore shows them.
    pub async fn shown_project(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> ServerResult<ShownProject> {
        if project.get() <= 0 {
            return Err(AppError::NotFound(PROJECT_NOT_FOUND.into()).into());
        }
        if !caller.is_admin {
            self.fresh_visible_projects(caller).await?;
            if !self
                .db
                .is_visible_project(caller.user, caller.company, project)
                .await?
            {
                tracing::info!(user = %caller.user, company = %caller.company, %project, "project not shown to this user in Procore");
                return Err(AppError::NotFound(PROJECT_NOT_FOUND.into()).into());
            }
        }
        Ok(ShownProject {
            company: caller.company,
            project,
        })
    }
}
