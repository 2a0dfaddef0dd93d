//! The current company's Procore projects as Project Central lists them: the query rules,
//! the page of rows, and the server function that fetches it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::ProjectId;

/// One Procore project row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRow {
    /// Procore project id.
    pub id: ProjectId,
    /// Project name.
    pub name: String,
    /// Project number, when Procore has one.
    pub number: Option<String>,
    /// Stage (e.g. "Course of Construction").
    pub stage: Option<String>,
    /// City and state, for telling similar names apart.
    pub location: Option<String>,
}

/// Which page of which search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProjectQuery {
    /// Text to find in the project name (empty = all).
    pub search: String,
    /// 1-based page.
    pub page: u32,
}

/// Projects shown per page in Project Central.
pub const PROJECTS_PER_PAGE: u32 = 25;
/// Longest search text accepted.
pub const MAX_SEARCH_CHARS: usize = 100;

impl ProjectQuery {
    /// Checks and normalises a query coming from a URL or the client.
    pub fn parse(search: &str, page: u32) -> Result<Self, AppError> {
        let search = search.trim();
        if search.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::Invalid(format!(
                "Search text is limited to {MAX_SEARCH_CHARS} characters."
            )));
        }
        if search.chars().any(char::is_control) {
            return Err(AppError::Invalid(
                "Search text may not contain control characters.".into(),
            ));
        }
        Ok(Self {
            search: search.to_string(),
            page: page.clamp(1, 100_000),
        })
    }
}

/// One page of projects with the total, for the pager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPage {
    /// The rows on this page.
    pub projects: Vec<ProjectRow>,
    /// All projects matching the search.
    pub total: u64,
    /// This page (1-based).
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

impl ProjectPage {
    /// Number of pages (at least 1).
    pub fn page_count(&self) -> u32 {
        let per = u64::from(self.per_page.max(1));
        u32::try_from(self.total.div_ceil(per).max(1)).unwrap_or(u32::MAX)
    }
}

/// One page of the current company's projects matching `search`.
#[server(endpoint = "list_projects", output = crate::codec::JsonText)]
pub async fn list_projects(search: String, page: u32) -> Result<ProjectPage, AppError> {
    use crate::ports::{reply, serve};
    let query = reply(ProjectQuery::parse(&search, page))?;
    serve(|s, caller| async move { s.directory.projects(&caller, query).await }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_trims_and_clamps_page() {
        let q = ProjectQuery::parse("  tower ", 0).unwrap();
        assert_eq!(q.search, "tower");
        assert_eq!(q.page, 1);
    }

    #[test]
    fn query_rejects_overlong_and_control_text() {
        assert!(ProjectQuery::parse(&"x".repeat(101), 1).is_err());
        assert!(ProjectQuery::parse("a\u{0}b", 1).is_err());
        assert!(ProjectQuery::parse(&"é".repeat(100), 1).is_ok());
    }

    #[test]
    fn page_count_rounds_up() {
        let page = |total| ProjectPage {
            projects: vec![],
            total,
            page: 1,
            per_page: 25,
        };
        assert_eq!(page(0).page_count(), 1);
        assert_eq!(page(25).page_count(), 1);
        assert_eq!(page(26).page_count(), 2);
        assert_eq!(page(2_500).page_count(), 100);
    }
}
