//! The Smartapp modules and add-ons a Procore project can be licensed for, and the choice
//! for one selected project.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Smartapp module that can be licensed for a Procore project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    /// Smartapp Planner.
    Planner,
    /// Smartapp Safety.
    Safety,
}

impl Module {
    /// Both modules, in the order the wizard shows them.
    pub const ALL: [Module; 2] = [Module::Planner, Module::Safety];

    /// Reads `planner` / `safety` (e.g. the `module` query parameter).
    pub fn from_key(value: &str) -> Option<Self> {
        match value {
            "planner" => Some(Self::Planner),
            "safety" => Some(Self::Safety),
            _ => None,
        }
    }

    /// The name shown in the wizard.
    pub fn name(self) -> &'static str {
        match self {
            Module::Planner => "Planner",
            Module::Safety => "Safety",
        }
    }

    /// The add-on this module enables.
    pub fn add_on(self) -> AddOn {
        match self {
            Module::Planner => AddOn::PlannerBoard,
            Module::Safety => AddOn::SafetyBadge,
        }
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An add-on that can be licensed on top of its module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddOn {
    /// Planner Board, available once Planner is selected.
    PlannerBoard,
    /// Safety Badge, available once Safety is selected.
    SafetyBadge,
}

impl AddOn {
    /// Both add-ons, in the order the wizard shows them.
    pub const ALL: [AddOn; 2] = [AddOn::PlannerBoard, AddOn::SafetyBadge];

    /// The module that must be selected before this add-on can be.
    pub fn requires(self) -> Module {
        match self {
            AddOn::PlannerBoard => Module::Planner,
            AddOn::SafetyBadge => Module::Safety,
        }
    }

    /// The name shown in the wizard.
    pub fn name(self) -> &'static str {
        match self {
            AddOn::PlannerBoard => "Planner Board",
            AddOn::SafetyBadge => "Safety Badge",
        }
    }
}

impl fmt::Display for AddOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The modules and add-ons chosen for one selected Procore project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectLicenseChoice {
    /// Procore project id.
    pub project_id: i64,
    /// Smartapp Planner chosen.
    #[serde(default)]
    pub planner: bool,
    /// Planner Board add-on chosen (only meaningful with Planner).
    #[serde(default)]
    pub planner_board: bool,
    /// Smartapp Safety chosen.
    #[serde(default)]
    pub safety: bool,
    /// Safety Badge add-on chosen (only meaningful with Safety).
    #[serde(default)]
    pub safety_badge: bool,
}

impl ProjectLicenseChoice {
    /// A freshly selected project: nothing chosen yet.
    pub fn new(project_id: i64) -> Self {
        Self {
            project_id,
            planner: false,
            planner_board: false,
            safety: false,
            safety_badge: false,
        }
    }

    /// Whether `module` is chosen.
    pub fn has_module(&self, module: Module) -> bool {
        match module {
            Module::Planner => self.planner,
            Module::Safety => self.safety,
        }
    }

    /// Whether `add_on` is chosen.
    pub fn has_add_on(&self, add_on: AddOn) -> bool {
        match add_on {
            AddOn::PlannerBoard => self.planner_board,
            AddOn::SafetyBadge => self.safety_badge,
        }
    }

    /// Whether at least one module is chosen (needed for Next).
    pub fn has_any_module(&self) -> bool {
        self.planner || self.safety
    }

    // Private: the only way to change a choice is through LicenseSelection's transitions,
    // which enforce the gating rules.
    pub(super) fn set_module_flag(&mut self, module: Module, on: bool) {
        match module {
            Module::Planner => self.planner = on,
            Module::Safety => self.safety = on,
        }
    }

    pub(super) fn set_add_on_flag(&mut self, add_on: AddOn, on: bool) {
        match add_on {
            AddOn::PlannerBoard => self.planner_board = on,
            AddOn::SafetyBadge => self.safety_badge = on,
        }
    }
}
