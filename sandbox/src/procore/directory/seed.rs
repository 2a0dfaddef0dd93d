//! Deterministic directory seed: per company a general contractor vendor (the company
//! itself), seven subcontractors, twelve people each, the role catalogue and the sign-in
//! users; per project 3–6 of those vendors, their people (a few dozen), a location tree
//! 2–3 levels deep and a handful of role assignments. Ids are arithmetic on the company
//! and project index, so they never depend on the order in which projects are touched.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::data::{Assignment, CompanyDir, DirUser, Location, ProjectDir, Vendor};
use super::words::{AREAS, FIRST, GC_TITLES, LAST, LEVELS, ROOMS, SUBS, SUB_TITLES};
use crate::procore::filters::parse_instant;
use crate::procore::seed::{Project, Seed};

const USER_BASE: i64 = 7_400_000_000;
const VENDOR_BASE: i64 = 7_500_000_000;
const ROLE_BASE: i64 = 7_600_000_000;
const LOCATION_BASE: i64 = 8_000_000_000;
const ASSIGNMENT_BASE: i64 = 8_100_000_000;
/// Subcontractors per company (vendor indexes 1..=SUBS_PER_COMPANY; 0 is the company).
const SUBS_PER_COMPANY: i64 = 7;
const PEOPLE_PER_VENDOR: i64 = 12;
const DAY: i64 = 86_400;
/// 2017-06-01T00:00:00Z: when the seeded company directories were created.
const DIRECTORY_START: i64 = 1_496_275_200;
/// 2024-06-03T14:05:00Z: the sign-in users' last login.
const LAST_LOGIN: i64 = 1_717_423_500;

/// The company role catalogue (procore-api.md §5.4).
pub(crate) const ROLE_NAMES: [&str; 6] = [
    "Project Owner",
    "Project Manager",
    "Superintendent",
    "Project Engineer",
    "Safety Manager",
    "Foreman",
];

/// Deterministic 64-bit mix of a number (splitmix64).
pub(crate) fn mix(x: i64) -> u64 {
    let mut z = (x as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn company_index(s: &Seed, company_id: i64) -> i64 {
    s.companies
        .iter()
        .position(|c| c.id == company_id)
        .unwrap_or(0) as i64
}

fn vendor_id(ci: i64, v: i64) -> i64 {
    VENDOR_BASE + ci * 1000 + v
}

fn user_id(ci: i64, v: i64, n: i64) -> i64 {
    USER_BASE + ci * 100_000 + v * 100 + n
}

/// `summitridgebuilders.example` from "Summit Ridge Builders".
fn domain(name: &str) -> String {
    let host: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{}.example", host.to_lowercase())
}

/// A person's (first, last) name: `n`-th of vendor `v` of company `ci`.
pub(crate) fn person(ci: i64, v: i64, n: i64) -> (&'static str, &'static str) {
    let first = FIRST[((n * 3 + v * 7 + ci) % 40) as usize];
    let last = LAST[((n * 7 + v * 11 + ci * 5) % 40) as usize];
    (first, last)
}

/// The company directories of every seeded company.
pub(crate) fn companies(s: &Seed) -> HashMap<i64, CompanyDir> {
    let mut out = HashMap::new();
    for (ci, c) in s.companies.iter().enumerate() {
        let ci = ci as i64;
        let mut dir = CompanyDir::default();
        for v in 0..=SUBS_PER_COMPANY {
            let created = DIRECTORY_START + v * 3 * DAY;
            let (name, abbr, trade, web) = if v == 0 {
                let abbr: String = c.name.split(' ').filter_map(|w| w.chars().next()).collect();
                (c.name.clone(), abbr, "General Contractor", domain(&c.name))
            } else {
                let (n, a, t, w) = SUBS[((ci * 3 + v - 1) % SUBS.len() as i64) as usize];
                (n.to_owned(), a.to_owned(), t, w.to_owned())
            };
            let id = vendor_id(ci, v);
            dir.vendors.insert(
                id,
                Vendor {
                    id,
                    name,
                    abbreviated_name: Some(abbr),
                    address: Some(format!("{} Commerce Way", 100 + v * 110)),
                    city: Some("Denver".into()),
                    state_code: Some("CO".into()),
                    zip: Some(format!("{:05}", 80202 + v)),
                    country_code: Some("US".into()),
                    business_phone: Some(format!("+1 303 555 {:04}", 1000 + ci * 100 + v)),
                    email_address: Some(format!("office@{web}")),
                    website: Some(format!("https://www.{web}")),
                    is_active: true,
                    trade_name: Some(trade.into()),
                    created,
                    updated: created + (mix(id) % 400) as i64 * DAY,
                    ..Vendor::default()
                },
            );
            for n in 0..PEOPLE_PER_VENDOR {
                let (first, last) = person(ci, v, n);
                let id = user_id(ci, v, n);
                let created = DIRECTORY_START + (v * PEOPLE_PER_VENDOR + n) * 5 * DAY;
                let title = if v == 0 {
                    GC_TITLES[(n % 8) as usize]
                } else {
                    SUB_TITLES[(n % 6) as usize]
                };
                dir.users.insert(
                    id,
                    DirUser {
                        id,
                        first_name: first.into(),
                        last_name: last.into(),
                        email: format!("{}.{}@{web}", first, last).to_lowercase(),
                        job_title: Some(title.into()),
                        business_phone: Some(format!("+1 303 555 {:04}", 2000 + n * 10 + v)),
                        mobile_phone: Some(format!("+1 720 555 {:04}", 3000 + n * 10 + v)),
                        is_active: true,
                        is_employee: v == 0,
                        employee_id: (v == 0).then(|| format!("E{:04}", 100 + n)),
                        vendor_id: Some(vendor_id(ci, v)),
                        origin_id: None,
                        origin_data: None,
                        last_login_at: None,
                        created,
                        updated: created + (mix(id) % 600) as i64 * DAY,
                    },
                );
            }
        }
        for u in &s.users {
            let Some(m) = u.memberships.iter().find(|m| m.company_id == c.id) else {
                continue;
            };
            let (first, last) = u.name.split_once(' ').unwrap_or(("", &u.name));
            dir.users.insert(
                u.id,
                DirUser {
                    id: u.id,
                    first_name: first.into(),
                    last_name: last.into(),
                    email: u.login.clone(),
                    job_title: Some(
                        if m.admin {
                            "Company Admin"
                        } else {
                            "Project Manager"
                        }
                        .into(),
                    ),
                    business_phone: None,
                    mobile_phone: None,
                    is_active: true,
                    is_employee: m.my_company,
                    employee_id: None,
                    vendor_id: m.my_company.then(|| vendor_id(ci, 0)),
                    origin_id: None,
                    origin_data: None,
                    last_login_at: Some(LAST_LOGIN),
                    created: DIRECTORY_START,
                    updated: DIRECTORY_START + 30 * DAY,
                },
            );
        }
        dir.roles = ROLE_NAMES
            .iter()
            .enumerate()
            .map(|(k, r)| (ROLE_BASE + ci * 100 + k as i64, (*r).to_owned()))
            .collect();
        out.insert(c.id, dir);
    }
    out
}

/// Vendor indexes (0 = the company itself) seeded on a project: the company and 2–5 subs.
fn vendor_indexes(p: &Project) -> Vec<i64> {
    let h = mix(p.id);
    let subs = 2 + (h % 4) as i64;
    let start = ((h >> 8) % SUBS_PER_COMPANY as u64) as i64;
    let step = if (h >> 16).is_multiple_of(2) { 1 } else { 3 };
    let mut out = vec![0];
    out.extend((0..subs).map(|k| 1 + (start + k * step) % SUBS_PER_COMPANY));
    out
}

/// Ids of the vendors seeded on a project.
pub(crate) fn project_vendor_ids(s: &Seed, p: &Project) -> Vec<i64> {
    let ci = company_index(s, p.company.id);
    vendor_indexes(p)
        .into_iter()
        .map(|v| vendor_id(ci, v))
        .collect()
}

/// A project's seeded directory.
pub(crate) fn project(s: &Seed, p: &Project, company: &CompanyDir) -> ProjectDir {
    let ci = company_index(s, p.company.id);
    let index = s.project_index(p.id).unwrap_or(0) as i64;
    let h = mix(p.id);
    let created = parse_instant(&p.created_at, false).unwrap_or(DIRECTORY_START);
    let mut dir = ProjectDir {
        vendors: project_vendor_ids(s, p).into_iter().collect(),
        ..ProjectDir::default()
    };
    // People of the project's vendors: about two in three of each vendor's twelve.
    let mut by_vendor: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for v in vendor_indexes(p) {
        for n in 0..PEOPLE_PER_VENDOR {
            let id = user_id(ci, v, n);
            if (!mix(p.id ^ id).is_multiple_of(3) || n < 3) && company.users.contains_key(&id) {
                dir.users.insert(id);
                by_vendor.entry(v).or_default().push(id);
            }
        }
    }
    let mut owner = None;
    for u in &s.users {
        if let Some(m) = u.memberships.iter().find(|m| m.company_id == p.company.id) {
            if m.admin || u.assigned.contains(&p.id) {
                dir.users.insert(u.id);
                owner = owner.or(m.admin.then_some(u.id));
            }
        }
    }
    dir.locations = locations(h, index, created);
    // Roles: the owner, then the contractor's first three people, then a sub's foreman.
    let gc = by_vendor.get(&0).cloned().unwrap_or_default();
    let foreman = by_vendor
        .iter()
        .find(|(v, _)| **v > 0)
        .map(|(_, ids)| ids[0]);
    let picks = [
        ("Project Owner", owner),
        ("Project Manager", gc.first().copied()),
        ("Superintendent", gc.get(1).copied()),
        ("Project Engineer", gc.get(2).copied()),
        ("Foreman", foreman),
    ];
    for (k, (role, user)) in picks.into_iter().enumerate() {
        if let Some(user_id) = user {
            let id = ASSIGNMENT_BASE + index * 16 + k as i64;
            let role = role.to_owned();
            let created = created + (k as i64 + 1) * DAY;
            dir.roles.insert(
                id,
                Assignment {
                    id,
                    role,
                    user_id,
                    created,
                },
            );
        }
    }
    dir
}

/// 1–3 areas, each with 2–4 levels, some levels with rooms: 2–3 levels deep, ≤ 64 nodes.
fn locations(h: u64, index: i64, created: i64) -> BTreeMap<i64, Location> {
    let mut out = BTreeMap::new();
    let mut n = 0;
    let mut add = |name: &str, parent: Option<i64>, code: String| {
        let id = LOCATION_BASE + index * 64 + n;
        let at = created + n * 600;
        n += 1;
        out.insert(
            id,
            Location {
                id,
                node_name: name.to_owned(),
                parent_id: parent,
                code,
                created: at,
                updated: at,
            },
        );
        id
    };
    let areas = 1 + (h % 3) as usize;
    let first_area = ((h >> 4) % AREAS.len() as u64) as usize;
    let mut used = BTreeSet::new();
    for a in 0..areas {
        let area = AREAS[(first_area + a * 3) % AREAS.len()];
        if !used.insert(area) {
            continue;
        }
        let code = format!("{}", (b'A' + a as u8) as char);
        let area_id = add(area, None, code.clone());
        let levels = 2 + ((h >> (8 + a * 4)) % 3) as usize;
        for l in 0..levels {
            let level = LEVELS[(1 + l) % LEVELS.len()];
            let level_id = add(level, Some(area_id), format!("{code}{}", l + 1));
            let rooms = ((h >> (20 + a * 6 + l)) % 4) as usize;
            for r in 0..rooms {
                add(
                    ROOMS[(l + r * 3) % ROOMS.len()],
                    Some(level_id),
                    String::new(),
                );
            }
        }
    }
    out
}
