//! Project Central: the current company's Procore projects (search, paging) and its
//! licensed Smartapp projects.

pub mod api;
mod ui;

pub use api::{
    list_projects, ListProjects, ProjectPage, ProjectQuery, ProjectRow, MAX_SEARCH_CHARS,
    PROJECTS_PER_PAGE,
};
pub use ui::ProjectCentral;
