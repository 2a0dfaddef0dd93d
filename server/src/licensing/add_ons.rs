//! What a project may use now, module by module and add-on by add-on: the one notion of
//! "licensed" for the features the add-ons unlock (the Plan Board, Safety badges). It is
//! the project's licence as the sync reads it (`sync::standing::licence`: what is paid for
//! this period, `terms.current`) and its standing (Inactive: payment pending or Cancelled
//! pause everything, as they pause the sync). An add-on counts only with its module.

use app::ids::{CompanyId, ProjectId};
use app::licensing::{AddOn, Module, ProjectLicense};

use crate::db::Db;
use crate::error::ServerResult;
use crate::sync::standing::{licence, standing_reason};

/// A licensed project's modules and add-ons as usable now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// What the project is licensed for this period.
    pub license: ProjectLicense,
    /// Why nothing can be used now (Inactive: payment pending, Cancelled); None: usable.
    pub paused: Option<String>,
}

impl Holding {
    /// Whether the project holds `module` now.
    pub fn module(&self, module: Module) -> bool {
        self.paused.is_none()
            && match module {
                Module::Planner => self.license.planner,
                Module::Safety => self.license.safety,
            }
    }

    /// Whether the project holds `add_on` now (and so its module).
    pub fn add_on(&self, add_on: AddOn) -> bool {
        self.module(add_on.requires())
            && match add_on {
                AddOn::PlannerBoard => self.license.planner_board,
                AddOn::SafetyBadge => self.license.safety_badge,
            }
    }
}

/// The project's holding (None: the company has never licensed it).
pub async fn holding(
    db: &Db,
    company: CompanyId,
    project: ProjectId,
) -> ServerResult<Option<Holding>> {
    Ok(licence(db, company, project)
        .await?
        .map(|(terms, standing)| Holding {
            license: terms.terms.current,
            paused: standing_reason(&standing),
        }))
}

/// What a project that has `add_on`'s module but not the add-on is told when it asks for
/// the add-on's feature (a 403's words).
pub fn missing(add_on: AddOn) -> String {
    format!(
        "{} With it, {} A company admin adds it to this project under Manage Subscription on the project's page.",
        add_on.needed(),
        add_on.unlocks()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(license: ProjectLicense, paused: bool) -> Holding {
        Holding {
            license,
            paused: paused.then(|| "paused".to_string()),
        }
    }

    #[test]
    fn an_add_on_counts_only_with_its_module_and_while_the_project_is_not_paused() {
        let all = ProjectLicense {
            planner: true,
            planner_board: true,
            safety: true,
            safety_badge: true,
        };
        assert!(held(all, false).add_on(AddOn::PlannerBoard));
        assert!(held(all, false).add_on(AddOn::SafetyBadge));
        assert!(!held(all, true).add_on(AddOn::PlannerBoard));
        assert!(!held(all, true).module(Module::Safety));
        let board_without_planner = ProjectLicense {
            planner: false,
            ..all
        };
        assert!(!held(board_without_planner, false).add_on(AddOn::PlannerBoard));
        assert!(held(board_without_planner, false).add_on(AddOn::SafetyBadge));
        let planner_only = ProjectLicense {
            planner_board: false,
            ..all
        };
        assert!(held(planner_only, false).module(Module::Planner));
        assert!(!held(planner_only, false).add_on(AddOn::PlannerBoard));
    }

    #[test]
    fn the_refusal_names_the_add_on() {
        let words = missing(AddOn::PlannerBoard);
        assert!(words.contains("Planner Board add-on"), "{words}");
        assert!(missing(AddOn::SafetyBadge).contains("Safety Badge add-on"));
    }
}
