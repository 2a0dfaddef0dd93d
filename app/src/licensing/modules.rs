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

    /// The Procore Marketplace app through which this module's embedded view and sync
    /// run: a company must have it installed to license the module.
    pub fn marketplace_app(self) -> crate::onboarding::MarketplaceApp {
        match self {
            Module::Planner => crate::onboarding::MarketplaceApp::Planner,
            Module::Safety => crate::onboarding::MarketplaceApp::Safety,
        }
    }

    /// The two-apps rule in the wizard's words: what licensing this module needs in the
    /// Procore company (shown next to the module; the server's 422 says the same).
    pub fn app_note(self) -> String {
        format!(
            "{} needs the {} app installed in this Procore company (its embedded view and sync run through that app).",
            self.name(),
            self.marketplace_app().name()
        )
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

    /// The feature the add-on unlocks, as its page names it.
    pub fn feature(self) -> &'static str {
        match self {
            AddOn::PlannerBoard => "The Plan Board",
            AddOn::SafetyBadge => "Safety badges",
        }
    }

    /// "FEATURE needs the ADD-ON add-on." (a project without it is told so).
    pub fn needed(self) -> &'static str {
        match self {
            AddOn::PlannerBoard => "The Plan Board needs the Planner Board add-on.",
            AddOn::SafetyBadge => "Safety badges need the Safety Badge add-on.",
        }
    }

    /// What the add-on gives a project, in one sentence that follows "With it, " (the wizard, the pages of a project
    /// without it, the README).
    pub fn unlocks(self) -> &'static str {
        match self {
            AddOn::PlannerBoard => "company admins keep the project's plan items (title, owner, start, due, status) on its page in Project Central and publish them read-only to the project's Smartapp view inside Procore.",
            AddOn::SafetyBadge => "every synced user of the project gets a printable safety badge (name, company, role, badge number and QR code), all in one PDF.",
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
