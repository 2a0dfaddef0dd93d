//! A project's Procore settings: the toggle, and for each of Locations, Companies, Roles and
//! Users the direction and the frequency of its sync, with when the next run is due.

use serde::{Deserialize, Serialize};

/// One kind of project data kept in step with Procore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// The project's location tree.
    Locations,
    /// The project's companies (Procore's project vendors).
    Companies,
    /// Who holds which named role on the project.
    Roles,
    /// The project team.
    Users,
}

impl Resource {
    /// Every resource, in the order they sync (companies before the users who work for
    /// them, users before the roles they hold).
    pub const ALL: [Self; 4] = [Self::Locations, Self::Companies, Self::Users, Self::Roles];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Locations => "locations",
            Self::Companies => "companies",
            Self::Roles => "roles",
            Self::Users => "users",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Locations => "Locations",
            // The name the page has (Procore's "project vendors" are the project's team).
            Self::Companies => "Project Team",
            Self::Roles => "Roles",
            Self::Users => "Users",
        }
    }

    /// Reads a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == value)
    }
}

/// Which way records travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Procore → Smartapp.
    FromProcore,
    /// Smartapp → Procore.
    ToProcore,
    /// Both ways; a conflict goes to the most recent change.
    Both,
}

impl Direction {
    /// Every direction.
    pub const ALL: [Self; 3] = [Self::FromProcore, Self::ToProcore, Self::Both];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Self::FromProcore => "from_procore",
            Self::ToProcore => "to_procore",
            Self::Both => "both",
        }
    }

    /// Our help centre's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::FromProcore => "Procore → Smartapp",
            Self::ToProcore => "Smartapp → Procore",
            Self::Both => "Both",
        }
    }

    /// Reads a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == value)
    }

    /// Procore's changes come here.
    pub fn pulls(self) -> bool {
        matches!(self, Self::FromProcore | Self::Both)
    }

    /// Our changes go to Procore.
    pub fn pushes(self) -> bool {
        matches!(self, Self::ToProcore | Self::Both)
    }
}

/// How often a resource syncs by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every hour.
    Hourly,
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
}

impl Frequency {
    /// Every frequency.
    pub const ALL: [Self; 3] = [Self::Hourly, Self::Daily, Self::Weekly];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Hourly => "hourly",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Hourly => "Hourly",
            Self::Daily => "Daily",
            Self::Weekly => "Weekly",
        }
    }

    /// Reads a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == value)
    }

    /// The period in seconds.
    pub fn period_secs(self) -> i64 {
        match self {
            Self::Hourly => 3_600,
            Self::Daily => 86_400,
            Self::Weekly => 7 * 86_400,
        }
    }
}

/// The next scheduled run after `now` (UTC unix seconds): the next boundary of the
/// frequency (top of the hour; midnight UTC; Monday midnight UTC), so every process
/// computes the same instant and runs share one unique key per boundary.
pub fn next_run(frequency: Frequency, now: i64) -> i64 {
    // 1970-01-01 was a Thursday: Monday 00:00 UTC is 4 days later.
    let offset = match frequency {
        Frequency::Weekly => 4 * 86_400,
        _ => 0,
    };
    let period = frequency.period_secs();
    let since = (now - offset).rem_euclid(period);
    now - since + period
}

/// One resource's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceChoice {
    /// Which resource.
    pub resource: Resource,
    /// Which way.
    pub direction: Direction,
    /// How often.
    pub frequency: Frequency,
}

/// What an admin saves: the toggle and the four choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    /// Procore ON/OFF.
    pub procore_on: bool,
    /// One choice per resource.
    pub choices: Vec<ResourceChoice>,
}

impl SettingsForm {
    /// Every resource once, in [`Resource::ALL`] order; else what is wrong.
    pub fn validated(mut self) -> Result<Self, String> {
        for resource in Resource::ALL {
            match self
                .choices
                .iter()
                .filter(|c| c.resource == resource)
                .count()
            {
                1 => {}
                0 => {
                    return Err(format!(
                        "Choose a direction and frequency for {}.",
                        resource.label()
                    ))
                }
                _ => return Err(format!("{} is listed more than once.", resource.label())),
            }
        }
        if self.choices.len() != Resource::ALL.len() {
            return Err("Only Locations, Project Team, Roles and Users sync.".into());
        }
        self.choices
            .sort_by_key(|c| Resource::ALL.iter().position(|r| *r == c.resource));
        Ok(self)
    }

    /// The defaults for a project turned ON for the first time: Procore → Smartapp, daily.
    pub fn defaults() -> Self {
        Self {
            procore_on: false,
            choices: Resource::ALL
                .into_iter()
                .map(|resource| ResourceChoice {
                    resource,
                    direction: Direction::FromProcore,
                    frequency: Frequency::Daily,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MON_2026_11_30: i64 = 1_795_996_800; // 2026-11-30T00:00:00Z, a Monday

    #[test]
    fn hourly_runs_at_the_next_top_of_the_hour() {
        let now = MON_2026_11_30 + 5 * 3600 + 17 * 60;
        assert_eq!(next_run(Frequency::Hourly, now), MON_2026_11_30 + 6 * 3600);
        // Exactly on the boundary: the next one, never now.
        assert_eq!(
            next_run(Frequency::Hourly, MON_2026_11_30),
            MON_2026_11_30 + 3600
        );
    }

    #[test]
    fn daily_runs_at_the_next_midnight_utc() {
        let now = MON_2026_11_30 + 23 * 3600 + 59 * 60;
        assert_eq!(next_run(Frequency::Daily, now), MON_2026_11_30 + 86_400);
    }

    #[test]
    fn weekly_runs_on_the_next_monday_midnight_utc() {
        let wednesday = MON_2026_11_30 + 2 * 86_400 + 3600;
        assert_eq!(
            next_run(Frequency::Weekly, wednesday),
            MON_2026_11_30 + 7 * 86_400
        );
        assert_eq!(
            next_run(Frequency::Weekly, MON_2026_11_30),
            MON_2026_11_30 + 7 * 86_400
        );
        assert_eq!(
            next_run(Frequency::Weekly, MON_2026_11_30 - 1),
            MON_2026_11_30
        );
    }

    #[test]
    fn a_form_needs_each_resource_once() {
        let mut form = SettingsForm::defaults();
        assert!(form.clone().validated().is_ok());
        form.choices.pop();
        assert!(form.clone().validated().unwrap_err().contains("Roles"));
        let mut twice = SettingsForm::defaults();
        twice.choices.push(twice.choices[0]);
        assert!(twice.validated().unwrap_err().contains("more than once"));
    }

    #[test]
    fn names_round_trip() {
        for r in Resource::ALL {
            assert_eq!(Resource::parse(r.key()), Some(r));
        }
        for d in Direction::ALL {
            assert_eq!(Direction::parse(d.key()), Some(d));
        }
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.key()), Some(f));
        }
        assert_eq!(Resource::parse("vendors"), None);
        // One name for the companies: the page's, in the settings table and messages too.
        assert_eq!(Resource::Companies.label(), "Project Team");
    }
}
