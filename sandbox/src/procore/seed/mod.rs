//! Deterministic demo data: two companies, their projects and three users, plus a separate
//! benchmark user with two scale-test companies (10,000 and 100 projects).
//!
//! Everything is derived from fixed word lists and arithmetic on the index, so every
//! run (and every test) sees identical ids, names and dates. Ids exceed 2^32 on purpose:
//! Procore ids are i64 and an app that stores them as i32 must break here, not in production.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::tokens::Principal;
use super::DemoUser;
use words::{CITIES, KINDS, PLACES, STAGES, STREETS};

mod words;

/// Summit Ridge Builders.
pub(crate) const SUMMIT_ID: i64 = 5_600_000_001;
/// Harbor Point Construction.
pub(crate) const HARBOR_ID: i64 = 5_600_000_002;
/// Scale Test 10k (benchmark user only).
pub(crate) const SCALE_10K_ID: i64 = 5_600_000_003;
/// Scale Test 100 (benchmark user only).
pub(crate) const SCALE_100_ID: i64 = 5_600_000_004;
const SUMMIT_PROJECTS: usize = 2_500;
const HARBOR_PROJECTS: usize = 36;
const SCALE_10K_PROJECTS: usize = 10_000;
const SCALE_100_PROJECTS: usize = 100;
/// Seconds between the creation of consecutive Summit projects (about 0.93 days).
const SUMMIT_STEP: i64 = 79_997;
/// Summit project indexes the non-admin PM is assigned to (all active on purpose).
const PM_ASSIGNED: [usize; 12] = [0, 3, 41, 88, 150, 333, 512, 777, 1024, 1500, 2048, 2499];
/// Every 125th Summit project (20 of 2,500) is permitted to the service account.
const SUMMIT_DMSA_EVERY: usize = 125;
/// Every 6th Harbor project (6 of 36) is permitted to the service account.
const HARBOR_DMSA_EVERY: usize = 6;
/// Id of the seeded app installation (the data-connection app every company installed).
pub(crate) const APP_INSTALLATION_ID: i64 = 7_300_000_000;
/// Base of the synthetic user ids given to client-credentials service accounts.
pub(crate) const SERVICE_USER_BASE: i64 = 7_199_000_000;

/// `{id, name}` reference embedded in a project.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct NamedRef {
    pub id: i64,
    pub name: String,
}

/// A project in the v1.1 "normal" view shape.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Project {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub project_number: String,
    pub active: bool,
    pub address: String,
    pub city: String,
    pub state_code: String,
    pub country_code: String,
    pub zip: String,
    pub time_zone: String,
    pub company: NamedRef,
    pub project_stage: NamedRef,
    pub origin_id: Option<String>,
    pub origin_data: Option<String>,
    pub origin_code: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub start_date: String,
    pub completion_date: String,
}

/// A company of the Procore account.
#[derive(Clone, Debug)]
pub(crate) struct Company {
    pub id: i64,
    pub name: String,
}

/// A user's place in a company directory.
#[derive(Clone, Debug)]
pub(crate) struct Membership {
    pub company_id: i64,
    pub admin: bool,
    pub my_company: bool,
}

/// A user who can sign in.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub id: i64,
    pub login: String,
    pub password: String,
    pub name: String,
    pub description: String,
    pub memberships: Vec<Membership>,
    pub assigned: HashSet<i64>,
}

/// Projects a company admin permitted the app's service account (DMSA) to see, chosen at
/// install in Procore's App Management (procore-api.md §3.3, §8.6).
#[derive(Clone, Debug)]
pub(crate) enum Permitted {
    /// "Applies to all projects" (the scale-test companies, so benchmarks see everything).
    All,
    /// An explicit list.
    Only(HashSet<i64>),
}

/// All seeded data with lookup indexes.
pub(crate) struct Seed {
    pub companies: Vec<Company>,
    pub users: Vec<User>,
    projects: Vec<Project>,
    by_id: HashMap<i64, usize>,
    /// Per company: the service account's permitted projects (absent → none).
    dmsa: HashMap<i64, Permitted>,
}

impl Seed {
    /// Builds the seed; deterministic and a few milliseconds (release; ~12,600 projects).
    pub fn generate() -> Self {
        let companies = vec![
            Company {
                id: SUMMIT_ID,
                name: "Summit Ridge Builders".into(),
            },
            Company {
                id: HARBOR_ID,
                name: "Harbor Point Construction".into(),
            },
            Company {
                id: SCALE_10K_ID,
                name: "Scale Test 10k".into(),
            },
            Company {
                id: SCALE_100_ID,
                name: "Scale Test 100".into(),
            },
        ];
        let mut projects = Vec::with_capacity(
            SUMMIT_PROJECTS + HARBOR_PROJECTS + SCALE_10K_PROJECTS + SCALE_100_PROJECTS,
        );
        let mut per_year: HashMap<(i64, i64), u32> = HashMap::new();
        for i in 0..SUMMIT_PROJECTS {
            let (place, kind) = (i % 50, (i / 50 + i % 50) % 50);
            let id = 562_000_000_001 + 7 * i as i64;
            projects.push(project(
                &companies[0],
                0,
                "SRB",
                4,
                i,
                SUMMIT_STEP,
                id,
                place,
                kind,
                i % 20 == 7,
                &mut per_year,
            ));
        }
        for i in 0..HARBOR_PROJECTS {
            let (place, kind) = ((3 * i + 11) % 50, (7 * i + 5) % 50);
            let id = 563_000_000_001 + 11 * i as i64;
            // Spread Harbor's fewer projects over the same years as Summit's.
            let when = i * 69;
            let mut p = project(
                &companies[1],
                1,
                "HPC",
                3,
                when,
                SUMMIT_STEP,
                id,
                place,
                kind,
                i % 12 == 5,
                &mut per_year,
            );
            p.zip = format!("{:05}", 98101 + (i % 20) as u32);
            projects.push(p);
        }
        // Scale-test companies for benchmarks: every project active, so the wizard lists
        // exactly 10,000 and 100. Both span the same years as Summit (2018 to mid-2024).
        scale_projects(
            &mut projects,
            &companies[2],
            2,
            "STK",
            SCALE_10K_PROJECTS,
            564_000_000_001,
            3,
            &mut per_year,
        );
        scale_projects(
            &mut projects,
            &companies[3],
            3,
            "STH",
            SCALE_100_PROJECTS,
            565_000_000_001,
            5,
            &mut per_year,
        );
        let by_id = projects
            .iter()
            .enumerate()
            .map(|(n, p)| (p.id, n))
            .collect();
        let member = |company_id, admin, my_company| Membership {
            company_id,
            admin,
            my_company,
        };
        let users = vec![
            User {
                id: 7_100_000_001,
                login: "admin@summitridge.example".into(),
                password: "sandbox-admin".into(),
                name: "Avery Admin".into(),
                description: "company admin of Summit Ridge Builders and Harbor Point Construction (sees every project)".into(),
                memberships: vec![member(SUMMIT_ID, true, true), member(HARBOR_ID, true, false)],
                assigned: HashSet::new(),
            },
            User {
                id: 7_100_000_002,
                login: "pm@summitridge.example".into(),
                password: "sandbox-pm".into(),
                name: "Parker Manager".into(),
                description: "member of Summit Ridge Builders, not an admin, assigned to 12 of its projects".into(),
                memberships: vec![member(SUMMIT_ID, false, true)],
                assigned: PM_ASSIGNED.iter().map(|&i| 562_000_000_001 + 7 * i as i64).collect(),
            },
            User {
                id: 7_100_000_003,
                login: "solo@harborpoint.example".into(),
                password: "sandbox-solo".into(),
                name: "Sam Solo".into(),
                description: "company admin of Harbor Point Construction only".into(),
                memberships: vec![member(HARBOR_ID, true, true)],
                assigned: HashSet::new(),
            },
            User {
                id: 7_100_000_004,
                login: "bench@scale.example".into(),
                password: "sandbox-bench".into(),
                name: "Blake Bench".into(),
                description: "company admin of Scale Test 10k (10,000 projects) and Scale Test 100 (100 projects), for benchmarks".into(),
                memberships: vec![member(SCALE_10K_ID, true, true), member(SCALE_100_ID, true, false)],
                assigned: HashSet::new(),
            },
        ];
        let every = |company: i64, first: i64, step: i64, count: usize, every: usize| {
            let ids = (0..count).step_by(every).map(|i| first + step * i as i64);
            (company, Permitted::Only(ids.collect()))
        };
        let dmsa = HashMap::from([
            every(
                SUMMIT_ID,
                562_000_000_001,
                7,
                SUMMIT_PROJECTS,
                SUMMIT_DMSA_EVERY,
            ),
            every(
                HARBOR_ID,
                563_000_000_001,
                11,
                HARBOR_PROJECTS,
                HARBOR_DMSA_EVERY,
            ),
            (SCALE_10K_ID, Permitted::All),
            (SCALE_100_ID, Permitted::All),
        ]);
        Seed {
            companies,
            users,
            projects,
            by_id,
            dmsa,
        }
    }

    /// The service account's permitted projects in a company.
    pub fn dmsa_permitted(&self, company_id: i64) -> Option<&Permitted> {
        self.dmsa.get(&company_id)
    }

    /// Users as printed by the binary and listed on the sign-in page.
    pub fn demo_users(&self) -> Vec<DemoUser> {
        self.users
            .iter()
            .map(|u| DemoUser {
                login: u.login.clone(),
                password: u.password.clone(),
                name: u.name.clone(),
                description: u.description.clone(),
            })
            .collect()
    }

    /// Finds a user by sign-in email (case-insensitive, like Procore logins).
    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        let login = login.trim();
        self.users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
    }

    /// Finds a user by id.
    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Finds a company by id.
    pub fn company(&self, id: i64) -> Option<&Company> {
        self.companies.iter().find(|c| c.id == id)
    }

    /// Companies the principal can see, with their `my_company` flag.
    pub fn companies_of(&self, who: &Principal) -> Vec<(&Company, bool)> {
        match who {
            // A service account is installed in every seeded company; none is "its" company.
            Principal::Service { .. } => self.companies.iter().map(|c| (c, false)).collect(),
            Principal::User(id) => self
                .user(*id)
                .map(|u| {
                    u.memberships
                        .iter()
                        .filter_map(|m| self.company(m.company_id).map(|c| (c, m.my_company)))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// `Some(is_admin)` when the principal belongs to the company. A service account is a
    /// directory user of every company that installed the app, never a company admin.
    pub fn membership(&self, who: &Principal, company_id: i64) -> Option<bool> {
        match who {
            Principal::Service { .. } => self.company(company_id).map(|_| false),
            Principal::User(id) => self
                .user(*id)?
                .memberships
                .iter()
                .find(|m| m.company_id == company_id)
                .map(|m| m.admin),
        }
    }

    /// True when the principal may read the project (admins: all of the company; others:
    /// assigned; service accounts: the projects an admin permitted).
    pub fn can_see(&self, who: &Principal, project: &Project) -> bool {
        match self.membership(who, project.company.id) {
            Some(true) => true,
            Some(false) => match who {
                Principal::User(id) => self
                    .user(*id)
                    .is_some_and(|u| u.assigned.contains(&project.id)),
                Principal::Service { .. } => match self.dmsa_permitted(project.company.id) {
                    Some(Permitted::All) => true,
                    Some(Permitted::Only(ids)) => ids.contains(&project.id),
                    None => false,
                },
            },
            None => false,
        }
    }

    /// Finds a project by id.
    pub fn project(&self, id: i64) -> Option<&Project> {
        self.by_id.get(&id).map(|&n| &self.projects[n])
    }

    /// Position of a project in the seed (stable; used to derive directory ids).
    pub fn project_index(&self, id: i64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    /// Projects of a company, in id order.
    pub fn projects_of(&self, company_id: i64) -> impl Iterator<Item = &Project> {
        self.projects
            .iter()
            .filter(move |p| p.company.id == company_id)
    }
}

/// Appends `count` active projects of a scale-test company: the Summit name pattern, with
/// " Phase II".." Phase IV" after each 2,500 so names stay unique within the company.
#[allow(clippy::too_many_arguments)]
fn scale_projects(
    projects: &mut Vec<Project>,
    company: &Company,
    company_index: i64,
    prefix: &str,
    count: usize,
    first_id: i64,
    id_step: i64,
    per_year: &mut HashMap<(i64, i64), u32>,
) {
    const PHASES: [&str; 4] = ["", " Phase II", " Phase III", " Phase IV"];
    // Spread over Summit's 2,500 creation slots, whatever the count.
    let step = SUMMIT_STEP * SUMMIT_PROJECTS as i64 / count as i64;
    for i in 0..count {
        let j = i % SUMMIT_PROJECTS;
        let (place, kind) = (j % 50, (j / 50 + j % 50) % 50);
        let mut p = project(
            company,
            company_index,
            prefix,
            4,
            i,
            step,
            first_id + id_step * i as i64,
            place,
            kind,
            false,
            per_year,
        );
        let phase = PHASES[(i / SUMMIT_PROJECTS) % PHASES.len()];
        if !phase.is_empty() {
            p.name.push_str(phase);
            p.display_name = format!("{} - {}", p.project_number, p.name);
        }
        projects.push(p);
    }
}

/// Builds project number `i` of a company from the word lists; `step` is the number of
/// seconds between the creation of consecutive projects.
#[allow(clippy::too_many_arguments)]
fn project(
    company: &Company,
    company_index: i64,
    prefix: &str,
    seq_width: usize,
    i: usize,
    step: i64,
    id: i64,
    place: usize,
    kind: usize,
    inactive: bool,
    per_year: &mut HashMap<(i64, i64), u32>,
) -> Project {
    const BASE: i64 = 1_514_764_800; // 2018-01-01T00:00:00Z
    const DAY: i64 = 86_400;
    let n = i as i64;
    let created = BASE + n * step;
    let updated = created + ((n * 7_919) % 400) * DAY + (n * 3_607) % DAY;
    let start = created + 30 * DAY;
    let completion = start + (180 + (n * 53) % 540) * DAY;
    let year = civil(created).0;
    let seq = per_year.entry((company.id, year)).or_insert(0);
    *seq += 1;
    let project_number = format!("{prefix}-{year}-{:0width$}", seq, width = seq_width);
    let name = format!("{} {}", PLACES[place], KINDS[kind]);
    let (city, state, zip, tz) = CITIES[(i * 7 + i / 24) % CITIES.len()];
    let stage = (i * 7 + i / 50) % STAGES.len();
    Project {
        id,
        display_name: format!("{project_number} - {name}"),
        name,
        project_number,
        active: !inactive,
        address: format!(
            "{} {}",
            100 + (i * 37) % 9_800,
            STREETS[(i * 5) % STREETS.len()]
        ),
        city: city.into(),
        state_code: state.into(),
        country_code: "US".into(),
        zip: format!("{:05}", zip + (i as u32 * 3) % 20),
        time_zone: tz.into(),
        company: NamedRef {
            id: company.id,
            name: company.name.clone(),
        },
        project_stage: NamedRef {
            id: 48_000_000_000 + company_index * 10 + stage as i64 + 1,
            name: STAGES[stage].into(),
        },
        origin_id: None,
        origin_data: None,
        origin_code: None,
        created_at: iso_timestamp(created),
        updated_at: iso_timestamp(updated),
        start_date: iso_date(start),
        completion_date: iso_date(completion),
    }
}

/// (year, month, day) of a Unix time, by Howard Hinnant's days-from-civil inverse.
fn civil(secs: i64) -> (i64, u32, u32) {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD`.
fn iso_date(secs: i64) -> String {
    let (y, m, d) = civil(secs);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the UTC form Procore returns.
pub(crate) fn iso_timestamp(secs: i64) -> String {
    let t = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso_date(secs),
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

#[cfg(test)]
mod tests;
