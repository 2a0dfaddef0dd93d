//! The projects step of the licensing wizard: which Procore projects get which Smartapp
//! modules and add-ons, and the gating rules between the checkboxes.
//!
//! The same code runs in the browser (instant feedback on every click) and on the server
//! (the authority: a selection arriving from the client is re-checked with
//! [`LicenseSelection::validate`] before anything is charged).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::filter::ProjectLicense;
use super::modules::{AddOn, Module, ProjectLicenseChoice};
use super::problems::{SelectionError, SelectionProblem};

/// Procore projects of the company that are already licensed, with what they hold.
///
/// Shown under "Licensed" and not editable in the wizard; changes go through
/// Project Central → Manage Subscription.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LicensedProjects {
    by_id: BTreeMap<i64, ProjectLicense>,
}

impl LicensedProjects {
    /// No project licensed (the first visit).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the licence of `project_id`, replacing any earlier one.
    pub fn insert(&mut self, project_id: i64, license: ProjectLicense) {
        self.by_id.insert(project_id, license);
    }

    /// The licence of `project_id`, if it holds a module (for [`super::filter::matches`]).
    pub fn get(&self, project_id: i64) -> Option<&ProjectLicense> {
        // A record without any module (e.g. every subscription cancelled) is treated as
        // not licensed everywhere, so the filter and the gating rules always agree.
        self.by_id
            .get(&project_id)
            .filter(|license| license.is_licensed())
    }

    /// Whether `project_id` is licensed and therefore locked in the wizard.
    pub fn is_licensed(&self, project_id: i64) -> bool {
        self.get(project_id).is_some()
    }

    /// Number of licensed projects.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether no project is licensed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Licensed projects in project-id order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &ProjectLicense)> + '_ {
        self.by_id
            .iter()
            .filter(|(_, license)| license.is_licensed())
            .map(|(id, license)| (*id, license))
    }
}

impl FromIterator<(i64, ProjectLicense)> for LicensedProjects {
    fn from_iter<I: IntoIterator<Item = (i64, ProjectLicense)>>(iter: I) -> Self {
        Self {
            by_id: iter.into_iter().collect(),
        }
    }
}

/// Counts shown in the summary at the bottom of the projects step (and priced on the
/// subscription step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Procore projects selected.
    pub projects: u32,
    /// Projects with Planner.
    pub planner: u32,
    /// Projects with Safety.
    pub safety: u32,
    /// Projects with the Planner Board add-on (and Planner).
    pub planner_board: u32,
    /// Projects with the Safety Badge add-on (and Safety).
    pub safety_badge: u32,
}

impl Summary {
    /// The count for one module.
    pub fn module(&self, module: Module) -> u32 {
        match module {
            Module::Planner => self.planner,
            Module::Safety => self.safety,
        }
    }

    /// The count for one add-on.
    pub fn add_on(&self, add_on: AddOn) -> u32 {
        match add_on {
            AddOn::PlannerBoard => self.planner_board,
            AddOn::SafetyBadge => self.safety_badge,
        }
    }
}

/// The wizard's selection: chosen Procore projects with their modules and add-ons.
///
/// Every transition enforces the gating rules, so a selection built by clicks is always
/// consistent; one deserialized from the client may not be, hence [`Self::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LicenseSelection {
    // BTreeMap: deterministic order for the summary, serialization and checkout lines.
    projects: BTreeMap<i64, ProjectLicenseChoice>,
    /// The module newly selected projects start with (the app whose App Setup Instructions
    /// led here); not sent anywhere.
    default_module: Option<Module>,
}

impl LicenseSelection {
    /// An empty selection.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty selection whose newly selected projects start with `module` checked.
    pub fn starting_with(module: Module) -> Self {
        Self {
            default_module: Some(module),
            ..Self::default()
        }
    }

    /// A newly selected project's choice.
    fn fresh(&self, project_id: i64) -> ProjectLicenseChoice {
        let mut choice = ProjectLicenseChoice::new(project_id);
        if let Some(module) = self.default_module {
            choice.set_module_flag(module, true);
        }
        choice
    }

    /// Selects an unselected project or unselects a selected one (clearing its modules).
    pub fn toggle_project(
        &mut self,
        project_id: i64,
        licensed: &LicensedProjects,
    ) -> Result<(), SelectionError> {
        // Unselecting is always allowed, even for a project licensed since it was picked
        // (e.g. in another tab): it only brings the selection back to a valid state.
        if self.projects.remove(&project_id).is_some() {
            return Ok(());
        }
        if licensed.is_licensed(project_id) {
            return Err(SelectionError::AlreadyLicensed { project_id });
        }
        let choice = self.fresh(project_id);
        self.projects.insert(project_id, choice);
        Ok(())
    }

    /// Checks or unchecks a module; unchecking it also clears its add-on.
    pub fn set_module(
        &mut self,
        project_id: i64,
        module: Module,
        on: bool,
        licensed: &LicensedProjects,
    ) -> Result<(), SelectionError> {
        let choice = self.editable(project_id, licensed)?;
        choice.set_module_flag(module, on);
        if !on {
            choice.set_add_on_flag(module.add_on(), false);
        }
        Ok(())
    }

    /// Checks or unchecks an add-on; its checkbox is disabled until its module is chosen.
    pub fn set_add_on(
        &mut self,
        project_id: i64,
        add_on: AddOn,
        on: bool,
        licensed: &LicensedProjects,
    ) -> Result<(), SelectionError> {
        let choice = self.editable(project_id, licensed)?;
        // A disabled checkbox cannot be clicked either way, so refuse even `on == false`.
        if !choice.has_module(add_on.requires()) {
            return Err(SelectionError::ModuleNotSelected { project_id, add_on });
        }
        choice.set_add_on_flag(add_on, on);
        Ok(())
    }

    /// Selects every given project not yet selected ("select all matching"), skipping
    /// licensed ones; returns how many were newly selected.
    pub fn select_all(
        &mut self,
        project_ids: impl IntoIterator<Item = i64>,
        licensed: &LicensedProjects,
    ) -> usize {
        let mut added = 0;
        for project_id in project_ids {
            if licensed.is_licensed(project_id) || self.projects.contains_key(&project_id) {
                continue;
            }
            let choice = self.fresh(project_id);
            self.projects.insert(project_id, choice);
            added += 1;
        }
        added
    }

    /// Unselects every given project (clearing their modules); returns how many were removed.
    pub fn unselect_all(&mut self, project_ids: impl IntoIterator<Item = i64>) -> usize {
        project_ids
            .into_iter()
            .filter(|id| self.projects.remove(id).is_some())
            .count()
    }

    /// Unselects everything.
    pub fn clear(&mut self) {
        self.projects.clear();
    }

    /// Drops projects that became licensed since they were selected; returns their ids.
    pub fn remove_licensed(&mut self, licensed: &LicensedProjects) -> Vec<i64> {
        let gone: Vec<i64> = self
            .projects
            .keys()
            .copied()
            .filter(|id| licensed.is_licensed(*id))
            .collect();
        for id in &gone {
            self.projects.remove(id);
        }
        gone
    }

    /// Whether the project's checkbox is checked.
    pub fn is_selected(&self, project_id: i64) -> bool {
        self.projects.contains_key(&project_id)
    }

    /// Whether the project's Planner and Safety checkboxes are enabled.
    pub fn module_enabled(&self, project_id: i64) -> bool {
        // Licensed projects can never be selected by a transition, so "selected" suffices.
        self.is_selected(project_id)
    }

    /// Whether the project's `add_on` checkbox is enabled (its module is chosen).
    pub fn add_on_enabled(&self, project_id: i64, add_on: AddOn) -> bool {
        self.has_module(project_id, add_on.requires())
    }

    /// Whether `module` is checked for the project.
    pub fn has_module(&self, project_id: i64, module: Module) -> bool {
        self.choice(project_id)
            .is_some_and(|choice| choice.has_module(module))
    }

    /// Whether `add_on` is checked for the project.
    pub fn has_add_on(&self, project_id: i64, add_on: AddOn) -> bool {
        self.choice(project_id)
            .is_some_and(|choice| choice.has_add_on(add_on))
    }

    /// The choice for one project, if it is selected.
    pub fn choice(&self, project_id: i64) -> Option<&ProjectLicenseChoice> {
        self.projects.get(&project_id)
    }

    /// Selected projects in project-id order.
    pub fn choices(&self) -> impl Iterator<Item = &ProjectLicenseChoice> + '_ {
        self.projects.values()
    }

    /// Number of selected projects.
    pub fn len(&self) -> usize {
        self.projects.len()
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.projects.is_empty()
    }

    /// The counts for the summary; an add-on counts only together with its module,
    /// because only then can it be bought.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in self.projects.values() {
            // Saturating: u32::MAX projects cannot be displayed or bought anyway, and a
            // count must never wrap to a small number.
            let bump = |n: &mut u32, yes: bool| *n = n.saturating_add(u32::from(yes));
            bump(&mut s.projects, true);
            bump(&mut s.planner, c.planner);
            bump(&mut s.safety, c.safety);
            bump(&mut s.planner_board, c.planner && c.planner_board);
            bump(&mut s.safety_badge, c.safety && c.safety_badge);
        }
        s
    }

    /// Checks everything Next and checkout need; on the server this is the authority for
    /// a selection sent by the client (which may be hand-crafted JSON).
    ///
    /// It cannot know whether the ids belong to the current company: the caller checks
    /// that against Procore.
    pub fn validate(
        &self,
        licensed: &LicensedProjects,
    ) -> Result<ValidSelection, Vec<SelectionProblem>> {
        let mut problems = Vec::new();
        if self.projects.is_empty() {
            problems.push(SelectionProblem::Empty);
        }
        for choice in self.projects.values() {
            let project_id = choice.project_id;
            if project_id <= 0 {
                problems.push(SelectionProblem::InvalidProjectId { project_id });
                continue;
            }
            if licensed.is_licensed(project_id) {
                problems.push(SelectionProblem::AlreadyLicensed { project_id });
                continue;
            }
            if !choice.has_any_module() {
                problems.push(SelectionProblem::NoModule { project_id });
            }
            for add_on in AddOn::ALL {
                if choice.has_add_on(add_on) && !choice.has_module(add_on.requires()) {
                    problems.push(SelectionProblem::AddOnWithoutModule { project_id, add_on });
                }
            }
        }
        if problems.is_empty() {
            Ok(ValidSelection {
                selection: self.clone(),
            })
        } else {
            Err(problems)
        }
    }

    // The choice of a project a module or add-on click may change.
    fn editable(
        &mut self,
        project_id: i64,
        licensed: &LicensedProjects,
    ) -> Result<&mut ProjectLicenseChoice, SelectionError> {
        // Licensed first: a click on a licensed row must show the Manage Subscription
        // toast, not "select the project first".
        if licensed.is_licensed(project_id) {
            return Err(SelectionError::AlreadyLicensed { project_id });
        }
        self.projects
            .get_mut(&project_id)
            .ok_or(SelectionError::ProjectNotSelected { project_id })
    }
}

// On the wire the selection is `{"projects": [choice, ...]}`: a list is natural JSON and
// form encoding, and holding the id once per choice means key and id cannot disagree.
#[derive(Serialize)]
struct WireRef<'a> {
    projects: Vec<&'a ProjectLicenseChoice>,
}

#[derive(Deserialize)]
struct WireOwned {
    #[serde(default)]
    projects: Vec<ProjectLicenseChoice>,
}

impl Serialize for LicenseSelection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireRef {
            projects: self.projects.values().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LicenseSelection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireOwned::deserialize(deserializer)?;
        let mut projects = BTreeMap::new();
        for choice in wire.projects {
            // A project listed twice is ambiguous (which modules win?): reject the input
            // rather than silently keep one.
            if projects.insert(choice.project_id, choice).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "project {} is listed more than once",
                    choice.project_id
                )));
            }
        }
        Ok(Self {
            projects,
            default_module: None,
        })
    }
}

/// A selection that passed [`LicenseSelection::validate`]; only such a selection is quoted
/// for checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidSelection {
    selection: LicenseSelection,
}

impl ValidSelection {
    /// The validated selection.
    pub fn selection(&self) -> &LicenseSelection {
        &self.selection
    }

    /// Selected projects in project-id order.
    pub fn choices(&self) -> impl Iterator<Item = &ProjectLicenseChoice> + '_ {
        self.selection.choices()
    }

    /// The counts to quote.
    pub fn summary(&self) -> Summary {
        self.selection.summary()
    }

    /// Gives the selection back (e.g. to keep editing after Back).
    pub fn into_selection(self) -> LicenseSelection {
        self.selection
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> LicensedProjects {
        LicensedProjects::new()
    }

    fn planner_only() -> ProjectLicense {
        ProjectLicense {
            planner: true,
            ..ProjectLicense::default()
        }
    }

    fn licensed(ids: &[i64]) -> LicensedProjects {
        ids.iter().map(|id| (*id, planner_only())).collect()
    }

    fn selected(ids: &[i64]) -> LicenseSelection {
        let mut s = LicenseSelection::new();
        for id in ids {
            s.toggle_project(*id, &none()).unwrap();
        }
        s
    }

    #[test]
    fn the_app_that_led_here_starts_checked_on_each_new_project() {
        let mut s = LicenseSelection::starting_with(Module::Safety);
        s.toggle_project(7, &none()).unwrap();
        assert_eq!(s.select_all([8, 9], &none()), 2);
        for id in [7, 8, 9] {
            let choice = s.choice(id).unwrap();
            assert!(choice.has_module(Module::Safety) && !choice.has_module(Module::Planner));
        }
        // What travels to the server is only the choices.
        let back: LicenseSelection =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert!(back.choice(9).unwrap().has_module(Module::Safety));
    }

    #[test]
    fn add_on_requires_its_module_and_module_enables_its_add_on() {
        for add_on in AddOn::ALL {
            assert_eq!(add_on.requires().add_on(), add_on);
        }
        assert_eq!(AddOn::PlannerBoard.requires(), Module::Planner);
        assert_eq!(AddOn::SafetyBadge.requires(), Module::Safety);
        assert_eq!(AddOn::SafetyBadge.to_string(), "Safety Badge");
        assert_eq!(Module::Planner.to_string(), "Planner");
    }

    #[test]
    fn toggle_selects_then_unselects() {
        let mut s = LicenseSelection::new();
        assert!(!s.is_selected(7));
        s.toggle_project(7, &none()).unwrap();
        assert!(s.is_selected(7));
        assert_eq!(s.choice(7), Some(&ProjectLicenseChoice::new(7)));
        s.toggle_project(7, &none()).unwrap();
        assert!(!s.is_selected(7));
        assert!(s.is_empty());
    }

    #[test]
    fn modules_disabled_until_project_selected() {
        let mut s = LicenseSelection::new();
        assert!(!s.module_enabled(7));
        for module in Module::ALL {
            for on in [true, false] {
                assert_eq!(
                    s.set_module(7, module, on, &none()),
                    Err(SelectionError::ProjectNotSelected { project_id: 7 })
                );
            }
        }
        s.toggle_project(7, &none()).unwrap();
        assert!(s.module_enabled(7));
        s.set_module(7, Module::Safety, true, &none()).unwrap();
        assert!(s.has_module(7, Module::Safety));
        assert!(!s.has_module(7, Module::Planner));
    }

    #[test]
    fn add_ons_disabled_until_project_selected() {
        let mut s = LicenseSelection::new();
        for add_on in AddOn::ALL {
            assert_eq!(
                s.set_add_on(7, add_on, true, &none()),
                Err(SelectionError::ProjectNotSelected { project_id: 7 })
            );
        }
    }

    #[test]
    fn planner_enables_planner_board_but_not_safety_badge() {
        let mut s = selected(&[7]);
        assert!(!s.add_on_enabled(7, AddOn::PlannerBoard));
        assert!(!s.add_on_enabled(7, AddOn::SafetyBadge));
        s.set_module(7, Module::Planner, true, &none()).unwrap();
        assert!(s.add_on_enabled(7, AddOn::PlannerBoard));
        assert!(!s.add_on_enabled(7, AddOn::SafetyBadge));
        assert_eq!(
            s.set_add_on(7, AddOn::SafetyBadge, true, &none()),
            Err(SelectionError::ModuleNotSelected {
                project_id: 7,
                add_on: AddOn::SafetyBadge
            })
        );
        s.set_add_on(7, AddOn::PlannerBoard, true, &none()).unwrap();
        assert!(s.has_add_on(7, AddOn::PlannerBoard));
        assert!(!s.has_add_on(7, AddOn::SafetyBadge));
    }

    #[test]
    fn safety_enables_safety_badge_but_not_planner_board() {
        let mut s = selected(&[7]);
        s.set_module(7, Module::Safety, true, &none()).unwrap();
        assert!(s.add_on_enabled(7, AddOn::SafetyBadge));
        assert!(!s.add_on_enabled(7, AddOn::PlannerBoard));
        assert_eq!(
            s.set_add_on(7, AddOn::PlannerBoard, true, &none()),
            Err(SelectionError::ModuleNotSelected {
                project_id: 7,
                add_on: AddOn::PlannerBoard
            })
        );
        s.set_add_on(7, AddOn::SafetyBadge, true, &none()).unwrap();
        assert!(s.has_add_on(7, AddOn::SafetyBadge));
    }

    #[test]
    fn disabled_add_on_refuses_unchecking_too() {
        let mut s = selected(&[7]);
        assert_eq!(
            s.set_add_on(7, AddOn::PlannerBoard, false, &none()),
            Err(SelectionError::ModuleNotSelected {
                project_id: 7,
                add_on: AddOn::PlannerBoard
            })
        );
    }

    #[test]
    fn add_on_can_be_unchecked_while_module_stays() {
        let mut s = selected(&[7]);
        s.set_module(7, Module::Planner, true, &none()).unwrap();
        s.set_add_on(7, AddOn::PlannerBoard, true, &none()).unwrap();
        s.set_add_on(7, AddOn::PlannerBoard, false, &none())
            .unwrap();
        assert!(!s.has_add_on(7, AddOn::PlannerBoard));
        assert!(s.has_module(7, Module::Planner));
    }

    #[test]
    fn unchecking_a_module_clears_only_its_add_on() {
        let mut s = selected(&[7]);
        for module in Module::ALL {
            s.set_module(7, module, true, &none()).unwrap();
            s.set_add_on(7, module.add_on(), true, &none()).unwrap();
        }
        s.set_module(7, Module::Planner, false, &none()).unwrap();
        let c = *s.choice(7).unwrap();
        assert_eq!(
            c,
            ProjectLicenseChoice {
                project_id: 7,
                planner: false,
                planner_board: false,
                safety: true,
                safety_badge: true,
            }
        );
        // Re-checking Planner does not bring Planner Board back.
        s.set_module(7, Module::Planner, true, &none()).unwrap();
        assert!(!s.has_add_on(7, AddOn::PlannerBoard));
        s.set_module(7, Module::Safety, false, &none()).unwrap();
        assert!(!s.has_add_on(7, AddOn::SafetyBadge));
        assert!(!s.add_on_enabled(7, AddOn::SafetyBadge));
    }

    #[test]
    fn unselecting_a_project_clears_its_modules_and_add_ons() {
        let mut s = selected(&[7]);
        s.set_module(7, Module::Planner, true, &none()).unwrap();
        s.set_add_on(7, AddOn::PlannerBoard, true, &none()).unwrap();
        s.set_module(7, Module::Safety, true, &none()).unwrap();
        s.toggle_project(7, &none()).unwrap();
        assert!(!s.module_enabled(7));
        s.toggle_project(7, &none()).unwrap();
        assert_eq!(s.choice(7), Some(&ProjectLicenseChoice::new(7)));
    }

    #[test]
    fn licensed_project_cannot_be_selected_or_edited() {
        let lic = licensed(&[5]);
        let mut s = LicenseSelection::new();
        let err = SelectionError::AlreadyLicensed { project_id: 5 };
        assert_eq!(s.toggle_project(5, &lic), Err(err));
        assert_eq!(s.set_module(5, Module::Planner, true, &lic), Err(err));
        assert_eq!(s.set_add_on(5, AddOn::PlannerBoard, true, &lic), Err(err));
        assert!(s.is_empty());
        assert_eq!(err.project_id(), 5);
        let msg = err.to_string();
        assert!(
            msg.contains("Project Central → Manage Subscription"),
            "{msg}"
        );
    }

    #[test]
    fn licensed_project_selected_earlier_can_only_be_unselected() {
        let mut s = selected(&[5, 6]);
        let lic = licensed(&[5]);
        assert_eq!(
            s.set_module(5, Module::Safety, true, &lic),
            Err(SelectionError::AlreadyLicensed { project_id: 5 })
        );
        s.toggle_project(5, &lic).unwrap();
        assert!(!s.is_selected(5));
        assert!(s.is_selected(6));
    }

    #[test]
    fn license_without_module_counts_as_not_licensed() {
        let lic: LicensedProjects = [(5, ProjectLicense::default()), (6, planner_only())]
            .into_iter()
            .collect();
        assert!(!lic.is_licensed(5));
        assert!(lic.is_licensed(6));
        assert_eq!(lic.len(), 1);
        let mut s = LicenseSelection::new();
        s.toggle_project(5, &lic).unwrap();
        assert!(s.is_selected(5));
    }

    #[test]
    fn select_all_skips_licensed_and_already_selected() {
        let mut s = selected(&[2]);
        s.set_module(2, Module::Planner, true, &none()).unwrap();
        let added = s.select_all([1, 2, 3, 4, 3], &licensed(&[4]));
        assert_eq!(added, 2);
        assert_eq!(
            s.choices().map(|c| c.project_id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        // The existing choice is kept, not reset.
        assert!(s.has_module(2, Module::Planner));
    }

    #[test]
    fn select_all_handles_ten_thousand_projects() {
        let mut s = LicenseSelection::new();
        let lic: LicensedProjects = (1..=100).map(|id| (id, planner_only())).collect();
        assert_eq!(s.select_all(1..=10_000, &lic), 9_900);
        assert_eq!(s.summary().projects, 9_900);
    }

    #[test]
    fn unselect_all_and_clear() {
        let mut s = selected(&[1, 2, 3]);
        s.set_module(2, Module::Safety, true, &none()).unwrap();
        assert_eq!(s.unselect_all([2, 9]), 1);
        assert_eq!(s.len(), 2);
        s.toggle_project(2, &none()).unwrap();
        assert!(!s.has_module(2, Module::Safety));
        s.clear();
        assert!(s.is_empty());
        assert_eq!(s.summary(), Summary::default());
    }

    #[test]
    fn remove_licensed_prunes_newly_licensed_projects() {
        let mut s = selected(&[1, 2, 3]);
        assert_eq!(s.remove_licensed(&licensed(&[1, 3, 8])), vec![1, 3]);
        assert_eq!(s.choices().map(|c| c.project_id).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn summary_counts_projects_modules_and_add_ons() {
        let mut s = selected(&[1, 2, 3, 4]);
        let n = none();
        s.set_module(1, Module::Planner, true, &n).unwrap();
        s.set_add_on(1, AddOn::PlannerBoard, true, &n).unwrap();
        s.set_module(2, Module::Planner, true, &n).unwrap();
        s.set_module(2, Module::Safety, true, &n).unwrap();
        s.set_add_on(2, AddOn::SafetyBadge, true, &n).unwrap();
        s.set_module(3, Module::Safety, true, &n).unwrap();
        let summary = s.summary();
        assert_eq!(
            summary,
            Summary {
                projects: 4,
                planner: 2,
                safety: 2,
                planner_board: 1,
                safety_badge: 1,
            }
        );
        assert_eq!(summary.module(Module::Planner), 2);
        assert_eq!(summary.add_on(AddOn::SafetyBadge), 1);
    }

    #[test]
    fn validate_accepts_a_consistent_selection() {
        let mut s = selected(&[1, 2]);
        s.set_module(1, Module::Planner, true, &none()).unwrap();
        s.set_module(2, Module::Safety, true, &none()).unwrap();
        let valid = s.validate(&licensed(&[3])).unwrap();
        assert_eq!(valid.selection(), &s);
        assert_eq!(valid.summary().planner, 1);
        assert_eq!(valid.choices().count(), 2);
        assert_eq!(valid.into_selection(), s);
    }

    #[test]
    fn validate_rejects_empty_selection() {
        let problems = LicenseSelection::new().validate(&none()).unwrap_err();
        assert_eq!(problems, vec![SelectionProblem::Empty]);
        assert_eq!(problems[0].project_id(), None);
    }

    #[test]
    fn validate_rejects_selected_project_without_module() {
        let mut s = selected(&[1, 2]);
        s.set_module(1, Module::Planner, true, &none()).unwrap();
        let problems = s.validate(&none()).unwrap_err();
        assert_eq!(problems, vec![SelectionProblem::NoModule { project_id: 2 }]);
        assert_eq!(
            problems[0].describe("Tower A"),
            "Choose Planner or Safety for “Tower A” or unselect it."
        );
        assert_eq!(
            problems[0].to_string(),
            "Choose Planner or Safety for project 2 or unselect it."
        );
    }

    fn from_json(json: &str) -> LicenseSelection {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn validate_catches_hand_crafted_add_on_without_module() {
        let s = from_json(
            r#"{"projects":[{"project_id":1,"planner":true,"safety_badge":true},
                            {"project_id":2,"planner_board":true}]}"#,
        );
        let problems = s.validate(&none()).unwrap_err();
        assert_eq!(
            problems,
            vec![
                SelectionProblem::AddOnWithoutModule {
                    project_id: 1,
                    add_on: AddOn::SafetyBadge
                },
                SelectionProblem::NoModule { project_id: 2 },
                SelectionProblem::AddOnWithoutModule {
                    project_id: 2,
                    add_on: AddOn::PlannerBoard
                },
            ]
        );
        // The summary never counts an add-on without its module.
        assert_eq!(s.summary().safety_badge, 0);
        assert_eq!(s.summary().planner_board, 0);
    }

    #[test]
    fn validate_catches_hand_crafted_licensed_and_bad_ids() {
        let s = from_json(
            r#"{"projects":[{"project_id":0,"planner":true},
                            {"project_id":-3,"safety":true},
                            {"project_id":5,"planner":true}]}"#,
        );
        let problems = s.validate(&licensed(&[5])).unwrap_err();
        assert_eq!(
            problems,
            vec![
                SelectionProblem::InvalidProjectId { project_id: -3 },
                SelectionProblem::InvalidProjectId { project_id: 0 },
                SelectionProblem::AlreadyLicensed { project_id: 5 },
            ]
        );
        assert!(problems[2].to_string().contains("Manage Subscription"));
    }

    #[test]
    fn validate_reports_empty_json_selection() {
        assert_eq!(
            from_json("{}").validate(&none()).unwrap_err(),
            vec![SelectionProblem::Empty]
        );
    }

    #[test]
    fn deserialize_rejects_duplicate_and_malformed_projects() {
        let dup = r#"{"projects":[{"project_id":1,"planner":true},{"project_id":1}]}"#;
        let err = serde_json::from_str::<LicenseSelection>(dup).unwrap_err();
        assert!(err.to_string().contains("more than once"), "{err}");
        assert!(serde_json::from_str::<LicenseSelection>(r#"{"projects":[{}]}"#).is_err());
        assert!(serde_json::from_str::<LicenseSelection>(r#"{"projects":{"1":{}}}"#).is_err());
    }

    #[test]
    fn serde_round_trip_keeps_the_selection() {
        let mut s = selected(&[20, 3]);
        s.set_module(3, Module::Planner, true, &none()).unwrap();
        s.set_add_on(3, AddOn::PlannerBoard, true, &none()).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"projects":[{"project_id":3,"planner":true,"planner_board":true,"safety":false,"safety_badge":false},{"project_id":20,"planner":false,"planner_board":false,"safety":false,"safety_badge":false}]}"#
        );
        assert_eq!(from_json(&json), s);
    }
}
