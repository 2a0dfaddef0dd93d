//! The Licensed / Not Licensed filter of the projects step, and what an already-licensed
//! project holds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::modules::{AddOn, Module, ProjectLicenseChoice};

/// What an already-licensed Procore project holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProjectLicense {
    /// Smartapp Planner licensed.
    #[serde(default)]
    pub planner: bool,
    /// Planner Board add-on licensed.
    #[serde(default)]
    pub planner_board: bool,
    /// Smartapp Safety licensed.
    #[serde(default)]
    pub safety: bool,
    /// Safety Badge add-on licensed.
    #[serde(default)]
    pub safety_badge: bool,
}

impl ProjectLicense {
    /// Whether the project holds at least one module (an add-on alone licenses nothing).
    pub fn is_licensed(&self) -> bool {
        self.planner || self.safety
    }

    /// Whether `module` is licensed.
    pub fn has_module(&self, module: Module) -> bool {
        match module {
            Module::Planner => self.planner,
            Module::Safety => self.safety,
        }
    }

    /// Whether `add_on` is licensed (together with its module).
    pub fn has_add_on(&self, add_on: AddOn) -> bool {
        let flag = match add_on {
            AddOn::PlannerBoard => self.planner_board,
            AddOn::SafetyBadge => self.safety_badge,
        };
        flag && self.has_module(add_on.requires())
    }

    /// What the bottom of the project's tile says: "Planner", "Safety" or
    /// "Planner & Safety"; `None` when nothing is licensed.
    pub fn modules_label(&self) -> Option<&'static str> {
        match (self.planner, self.safety) {
            (true, true) => Some("Planner & Safety"),
            (true, false) => Some("Planner"),
            (false, true) => Some("Safety"),
            (false, false) => None,
        }
    }
}

impl From<ProjectLicenseChoice> for ProjectLicense {
    // After a paid checkout each chosen project becomes licensed with exactly its choice.
    fn from(choice: ProjectLicenseChoice) -> Self {
        Self {
            planner: choice.planner,
            planner_board: choice.planner && choice.planner_board,
            safety: choice.safety,
            safety_badge: choice.safety && choice.safety_badge,
        }
    }
}

/// Which licensed projects the Licensed group shows.
///
/// The groups are disjoint, like the project tiles ("just Planner", "just Safety",
/// "both"): `Planner` is Planner without Safety, `Safety` is Safety without Planner,
/// `Both` has both; `All` is their union.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LicensedScope {
    /// Every licensed project.
    #[default]
    All,
    /// Licensed for Planner only.
    Planner,
    /// Licensed for Safety only.
    Safety,
    /// Licensed for both Planner and Safety.
    Both,
}

/// The filter above the project list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenseFilter {
    /// Projects that can still be licensed here.
    NotLicensed,
    /// Projects already licensed, optionally narrowed by module.
    Licensed(LicensedScope),
}

impl LicenseFilter {
    /// Every filter value, in menu order.
    pub const ALL: [LicenseFilter; 5] = [
        LicenseFilter::NotLicensed,
        LicenseFilter::Licensed(LicensedScope::All),
        LicenseFilter::Licensed(LicensedScope::Planner),
        LicenseFilter::Licensed(LicensedScope::Safety),
        LicenseFilter::Licensed(LicensedScope::Both),
    ];

    /// Whether a project with this licence (`None` = not licensed) is shown.
    pub fn matches(self, license: Option<&ProjectLicense>) -> bool {
        // A licence record without a module is the same as no licence (see
        // `LicensedProjects::get`), so both sides agree on what "licensed" means.
        let license = license.filter(|l| l.is_licensed());
        match (self, license) {
            (LicenseFilter::NotLicensed, l) => l.is_none(),
            (LicenseFilter::Licensed(_), None) => false,
            (LicenseFilter::Licensed(scope), Some(l)) => match scope {
                LicensedScope::All => true,
                LicensedScope::Planner => l.planner && !l.safety,
                LicensedScope::Safety => l.safety && !l.planner,
                LicensedScope::Both => l.planner && l.safety,
            },
        }
    }

    /// The value used in the page URL's query string.
    pub fn as_query_value(self) -> &'static str {
        match self {
            LicenseFilter::NotLicensed => "not-licensed",
            LicenseFilter::Licensed(LicensedScope::All) => "licensed",
            LicenseFilter::Licensed(LicensedScope::Planner) => "licensed-planner",
            LicenseFilter::Licensed(LicensedScope::Safety) => "licensed-safety",
            LicenseFilter::Licensed(LicensedScope::Both) => "licensed-both",
        }
    }

    /// The label shown in the filter menu.
    pub fn label(self) -> &'static str {
        match self {
            LicenseFilter::NotLicensed => "Not Licensed",
            LicenseFilter::Licensed(LicensedScope::All) => "Licensed",
            LicenseFilter::Licensed(LicensedScope::Planner) => "Licensed · Planner",
            LicenseFilter::Licensed(LicensedScope::Safety) => "Licensed · Safety",
            LicenseFilter::Licensed(LicensedScope::Both) => "Licensed · Both",
        }
    }
}

/// Whether a project with this licence (`None` = not licensed) passes `filter`.
pub fn matches(filter: LicenseFilter, license: Option<&ProjectLicense>) -> bool {
    filter.matches(license)
}

/// A filter value in the URL that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLicenseFilterError {
    /// The value as received.
    pub value: String,
}

impl fmt::Display for ParseLicenseFilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown licence filter {:?}; expected one of not-licensed, licensed, \
             licensed-planner, licensed-safety, licensed-both",
            self.value
        )
    }
}

impl std::error::Error for ParseLicenseFilterError {}

impl FromStr for LicenseFilter {
    type Err = ParseLicenseFilterError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        // Exact match only: one spelling per filter keeps URLs canonical.
        LicenseFilter::ALL
            .into_iter()
            .find(|f| f.as_query_value() == value)
            .ok_or_else(|| ParseLicenseFilterError {
                value: value.to_string(),
            })
    }
}

impl fmt::Display for LicenseFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_query_value())
    }
}

// Serialized as the query value, so server-function arguments and URLs agree.
impl Serialize for LicenseFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_query_value())
    }
}

impl<'de> Deserialize<'de> for LicenseFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        value.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lic(planner: bool, safety: bool) -> ProjectLicense {
        ProjectLicense {
            planner,
            safety,
            ..ProjectLicense::default()
        }
    }

    // Which of: not licensed, planner only, safety only, both, a module-less record.
    fn shown(filter: LicenseFilter) -> [bool; 5] {
        let cases = [
            None,
            Some(lic(true, false)),
            Some(lic(false, true)),
            Some(lic(true, true)),
            Some(ProjectLicense {
                planner_board: true,
                safety_badge: true,
                ..ProjectLicense::default()
            }),
        ];
        cases.map(|l| matches(filter, l.as_ref()))
    }

    #[test]
    fn not_licensed_shows_only_projects_without_a_module() {
        assert_eq!(
            shown(LicenseFilter::NotLicensed),
            [true, false, false, false, true]
        );
    }

    #[test]
    fn licensed_scopes_are_disjoint_and_all_is_their_union() {
        use LicensedScope::*;
        assert_eq!(
            shown(LicenseFilter::Licensed(All)),
            [false, true, true, true, false]
        );
        assert_eq!(
            shown(LicenseFilter::Licensed(Planner)),
            [false, true, false, false, false]
        );
        assert_eq!(
            shown(LicenseFilter::Licensed(Safety)),
            [false, false, true, false, false]
        );
        assert_eq!(
            shown(LicenseFilter::Licensed(Both)),
            [false, false, false, true, false]
        );
    }

    #[test]
    fn add_ons_do_not_change_the_group() {
        let with_add_ons = ProjectLicense {
            planner: true,
            planner_board: true,
            safety: false,
            safety_badge: true,
        };
        assert!(matches(
            LicenseFilter::Licensed(LicensedScope::Planner),
            Some(&with_add_ons)
        ));
        assert!(with_add_ons.has_add_on(AddOn::PlannerBoard));
        // Safety Badge without Safety is not a licensed add-on.
        assert!(!with_add_ons.has_add_on(AddOn::SafetyBadge));
    }

    #[test]
    fn query_values_parse_and_print_round_trip() {
        let values = [
            "not-licensed",
            "licensed",
            "licensed-planner",
            "licensed-safety",
            "licensed-both",
        ];
        for (filter, value) in LicenseFilter::ALL.into_iter().zip(values) {
            assert_eq!(filter.to_string(), value);
            assert_eq!(value.parse::<LicenseFilter>(), Ok(filter));
        }
        assert_eq!(
            "licensed-both".parse(),
            Ok(LicenseFilter::Licensed(LicensedScope::Both))
        );
    }

    #[test]
    fn unknown_query_values_are_errors() {
        for bad in [
            "",
            "Licensed",
            "licensed-",
            "licensed-all",
            "not_licensed",
            " licensed",
            "unlicensed",
        ] {
            let err = bad.parse::<LicenseFilter>().unwrap_err();
            assert_eq!(err.value, bad);
            assert!(err.to_string().contains("licensed-planner"));
        }
    }

    #[test]
    fn serde_uses_the_query_values() {
        let f = LicenseFilter::Licensed(LicensedScope::Safety);
        assert_eq!(serde_json::to_string(&f).unwrap(), r#""licensed-safety""#);
        assert_eq!(
            serde_json::from_str::<LicenseFilter>(r#""not-licensed""#).unwrap(),
            LicenseFilter::NotLicensed
        );
        assert!(serde_json::from_str::<LicenseFilter>(r#""both""#).is_err());
    }

    #[test]
    fn labels_for_menu_and_tiles() {
        assert_eq!(LicenseFilter::NotLicensed.label(), "Not Licensed");
        assert_eq!(lic(true, true).modules_label(), Some("Planner & Safety"));
        assert_eq!(lic(true, false).modules_label(), Some("Planner"));
        assert_eq!(lic(false, true).modules_label(), Some("Safety"));
        assert_eq!(lic(false, false).modules_label(), None);
    }

    #[test]
    fn licence_from_choice_drops_orphan_add_ons() {
        let choice = ProjectLicenseChoice {
            project_id: 1,
            planner: true,
            planner_board: true,
            safety: false,
            safety_badge: true,
        };
        assert_eq!(
            ProjectLicense::from(choice),
            ProjectLicense {
                planner: true,
                planner_board: true,
                safety: false,
                safety_badge: false,
            }
        );
    }
}
