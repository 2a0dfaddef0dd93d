//! What the wizard tells the user when a click is refused or a selection is not ready
//! for Next or checkout.

use std::fmt;

use super::modules::AddOn;

/// Why a click in the wizard was refused; the message is what the user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectionError {
    /// The project is already licensed; it is changed from Manage Subscription instead.
    AlreadyLicensed {
        /// Procore project id.
        project_id: i64,
    },
    /// Module and add-on checkboxes are disabled until the project is selected.
    ProjectNotSelected {
        /// Procore project id.
        project_id: i64,
    },
    /// An add-on checkbox is disabled until its module is selected.
    ModuleNotSelected {
        /// Procore project id.
        project_id: i64,
        /// The add-on that was clicked.
        add_on: AddOn,
    },
}

impl SelectionError {
    /// The project the refused click was about.
    pub fn project_id(&self) -> i64 {
        match *self {
            SelectionError::AlreadyLicensed { project_id }
            | SelectionError::ProjectNotSelected { project_id }
            | SelectionError::ModuleNotSelected { project_id, .. } => project_id,
        }
    }
}

impl fmt::Display for SelectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectionError::AlreadyLicensed { .. } => f.write_str(
                "This project is already licensed. To change its modules or add-ons, \
                 open Project Central → Manage Subscription for this project.",
            ),
            SelectionError::ProjectNotSelected { .. } => {
                f.write_str("Select the project first; then choose Planner or Safety for it.")
            }
            SelectionError::ModuleNotSelected { add_on, .. } => write!(
                f,
                "Select {} first; {} is an add-on to it.",
                add_on.requires(),
                add_on
            ),
        }
    }
}

impl std::error::Error for SelectionError {}

/// Something that makes a selection unfit for Next or checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectionProblem {
    /// No project is selected.
    Empty,
    /// A project id that cannot be a Procore project (zero or negative).
    InvalidProjectId {
        /// The id as received.
        project_id: i64,
    },
    /// A selected project has neither Planner nor Safety.
    NoModule {
        /// Procore project id.
        project_id: i64,
    },
    /// An add-on is chosen without its module.
    AddOnWithoutModule {
        /// Procore project id.
        project_id: i64,
        /// The add-on chosen on its own.
        add_on: AddOn,
    },
    /// The project is already licensed and cannot be bought again here.
    AlreadyLicensed {
        /// Procore project id.
        project_id: i64,
    },
}

impl SelectionProblem {
    /// The project the problem is about, to show it inline on that row.
    pub fn project_id(&self) -> Option<i64> {
        match *self {
            SelectionProblem::Empty => None,
            SelectionProblem::InvalidProjectId { project_id }
            | SelectionProblem::NoModule { project_id }
            | SelectionProblem::AddOnWithoutModule { project_id, .. }
            | SelectionProblem::AlreadyLicensed { project_id } => Some(project_id),
        }
    }

    /// The message with the project's name, for when the caller knows it.
    pub fn describe(&self, project_name: &str) -> String {
        match self {
            SelectionProblem::Empty => self.to_string(),
            SelectionProblem::InvalidProjectId { project_id } => {
                format!("“{project_name}” (id {project_id}) is not a Procore project.")
            }
            SelectionProblem::NoModule { .. } => {
                format!("Choose Planner or Safety for “{project_name}” or unselect it.")
            }
            SelectionProblem::AddOnWithoutModule { add_on, .. } => format!(
                "{add_on} needs {} on “{project_name}”: select {} or remove {add_on}.",
                add_on.requires(),
                add_on.requires()
            ),
            SelectionProblem::AlreadyLicensed { .. } => format!(
                "“{project_name}” is already licensed; change it from Project Central → \
                 Manage Subscription."
            ),
        }
    }
}

impl fmt::Display for SelectionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectionProblem::Empty => {
                f.write_str("Select at least one Procore project and choose Planner or Safety.")
            }
            SelectionProblem::InvalidProjectId { project_id } => {
                write!(f, "{project_id} is not a Procore project id.")
            }
            SelectionProblem::NoModule { project_id } => write!(
                f,
                "Choose Planner or Safety for project {project_id} or unselect it."
            ),
            SelectionProblem::AddOnWithoutModule { project_id, add_on } => write!(
                f,
                "{add_on} needs {} on project {project_id}.",
                add_on.requires()
            ),
            SelectionProblem::AlreadyLicensed { project_id } => write!(
                f,
                "Project {project_id} is already licensed; change it from Project Central → \
                 Manage Subscription."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_error_messages_name_the_missing_step() {
        assert_eq!(
            SelectionError::ModuleNotSelected {
                project_id: 1,
                add_on: AddOn::SafetyBadge
            }
            .to_string(),
            "Select Safety first; Safety Badge is an add-on to it."
        );
        assert_eq!(
            SelectionError::ProjectNotSelected { project_id: 9 }.project_id(),
            9
        );
    }
}
