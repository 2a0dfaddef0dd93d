//! The directory's records and the store holding them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

use super::seed;
use super::ts;
use crate::procore::seed::{Project, Seed};

/// The id counter starts here: above every seeded id range.
pub(crate) const FIRST_NEW_ID: i64 = 9_000_000_000;

/// A company-directory user (the same record is the project user).
#[derive(Clone, Debug)]
pub(crate) struct DirUser {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_title: Option<String>,
    pub business_phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub is_active: bool,
    pub is_employee: bool,
    pub employee_id: Option<String>,
    pub vendor_id: Option<i64>,
    pub origin_id: Option<String>,
    pub origin_data: Option<String>,
    pub last_login_at: Option<i64>,
    pub created: i64,
    pub updated: i64,
}

impl DirUser {
    /// "First Last" (or the last name alone).
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    /// Procore's user JSON; `vendors` resolves `vendor{id,name}`.
    pub fn json(&self, vendors: &BTreeMap<i64, Vendor>) -> Value {
        let initials: String = [&self.first_name, &self.last_name]
            .iter()
            .filter_map(|s| s.chars().next())
            .flat_map(char::to_uppercase)
            .collect();
        let vendor = self
            .vendor_id
            .and_then(|id| vendors.get(&id))
            .map(|v| json!({ "id": v.id, "name": v.name }));
        json!({
            "id": self.id, "first_name": self.first_name, "last_name": self.last_name,
            "name": self.name(), "initials": initials, "email_address": self.email,
            "job_title": self.job_title, "business_phone": self.business_phone,
            "mobile_phone": self.mobile_phone, "is_active": self.is_active,
            "is_employee": self.is_employee, "employee_id": self.employee_id,
            "vendor": vendor, "permission_template": null,
            "origin_id": self.origin_id, "origin_data": self.origin_data,
            "contact_id": contact_id(self.id), "last_login_at": self.last_login_at.map(ts),
            "created_at": ts(self.created), "updated_at": ts(self.updated),
        })
    }
}

/// The contact record id behind a user (Procore keeps people as contacts too).
pub(crate) fn contact_id(user_id: i64) -> i64 {
    user_id + 100_000_000_000
}

/// A company-directory vendor.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vendor {
    pub id: i64,
    pub name: String,
    pub abbreviated_name: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state_code: Option<String>,
    pub zip: Option<String>,
    pub country_code: Option<String>,
    pub business_phone: Option<String>,
    pub email_address: Option<String>,
    pub website: Option<String>,
    pub is_active: bool,
    pub origin_id: Option<String>,
    pub origin_code: Option<String>,
    pub origin_data: Option<String>,
    pub trade_name: Option<String>,
    pub created: i64,
    pub updated: i64,
}

impl Vendor {
    /// Procore's vendor JSON with the vendor's projects.
    pub fn json(&self, project_ids: &[i64]) -> Value {
        json!({
            "id": self.id, "name": self.name, "abbreviated_name": self.abbreviated_name,
            "address": self.address, "city": self.city, "state_code": self.state_code,
            "zip": self.zip, "country_code": self.country_code,
            "business_phone": self.business_phone, "email_address": self.email_address,
            "website": self.website, "is_active": self.is_active,
            "origin_id": self.origin_id, "origin_code": self.origin_code,
            "origin_data": self.origin_data, "trade_name": self.trade_name,
            "project_ids": project_ids, "company_vendor": true,
            "created_at": ts(self.created), "updated_at": ts(self.updated),
        })
    }
}

/// A node of a project's location tree.
#[derive(Clone, Debug)]
pub(crate) struct Location {
    pub id: i64,
    pub node_name: String,
    pub parent_id: Option<i64>,
    pub code: String,
    pub created: i64,
    pub updated: i64,
}

/// A company role held by a user on a project.
#[derive(Clone, Debug)]
pub(crate) struct Assignment {
    pub id: i64,
    pub role: String,
    pub user_id: i64,
    pub created: i64,
}

/// A company's directory.
#[derive(Default)]
pub(crate) struct CompanyDir {
    pub users: BTreeMap<i64, DirUser>,
    pub vendors: BTreeMap<i64, Vendor>,
    /// The role catalogue: (id, name).
    pub roles: Vec<(i64, String)>,
}

/// A project's own directory.
#[derive(Default)]
pub(crate) struct ProjectDir {
    pub users: BTreeSet<i64>,
    pub vendors: BTreeSet<i64>,
    pub locations: BTreeMap<i64, Location>,
    pub roles: BTreeMap<i64, Assignment>,
}

impl ProjectDir {
    /// `A>B>C`: the node's path from the root.
    pub fn path_name(&self, id: i64) -> String {
        let mut parts = Vec::new();
        let mut at = self.locations.get(&id);
        while let Some(l) = at {
            parts.push(l.node_name.as_str());
            if parts.len() > 64 {
                break; // a cycle cannot be created, but never loop forever
            }
            at = l.parent_id.and_then(|p| self.locations.get(&p));
        }
        parts.reverse();
        parts.join(">")
    }

    /// The node and every node below it.
    pub fn subtree(&self, id: i64) -> Vec<i64> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            let at = out[i];
            out.extend(
                self.locations
                    .values()
                    .filter(|l| l.parent_id == Some(at))
                    .map(|l| l.id),
            );
            i += 1;
        }
        out
    }

    /// Procore's location JSON.
    pub fn location_json(&self, l: &Location) -> Value {
        json!({
            "id": l.id, "name": self.path_name(l.id), "node_name": l.node_name,
            "parent_id": l.parent_id, "code": l.code,
            "created_at": ts(l.created), "updated_at": ts(l.updated),
        })
    }
}

/// Every directory of the emulator.
pub(crate) struct Directory {
    pub companies: HashMap<i64, CompanyDir>,
    projects: HashMap<i64, ProjectDir>,
}

impl Directory {
    /// Builds the company directories; project directories come on first use.
    pub fn new(s: &Seed) -> Self {
        Directory {
            companies: seed::companies(s),
            projects: HashMap::new(),
        }
    }

    /// The company's directory (empty for an unknown company).
    pub fn company(&mut self, company_id: i64) -> &mut CompanyDir {
        self.companies.entry(company_id).or_default()
    }

    /// The project's directory, generating its seed the first time.
    pub fn project(&mut self, s: &Seed, project: &Project) -> &mut ProjectDir {
        if !self.projects.contains_key(&project.id) {
            let dir = seed::project(s, project, self.company(project.company.id));
            self.projects.insert(project.id, dir);
        }
        self.projects.entry(project.id).or_default()
    }

    /// Both the company's and the project's directories.
    pub fn both(&mut self, s: &Seed, project: &Project) -> (&mut CompanyDir, &mut ProjectDir) {
        self.project(s, project);
        let company = self.companies.entry(project.company.id).or_default();
        let dir = self.projects.entry(project.id).or_default();
        (company, dir)
    }

    /// Vendor id → ids of the company's projects it is on (seeded or changed since).
    pub fn vendor_projects(&self, s: &Seed, company_id: i64) -> HashMap<i64, Vec<i64>> {
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for p in s.projects_of(company_id) {
            match self.projects.get(&p.id) {
                Some(dir) => dir
                    .vendors
                    .iter()
                    .for_each(|v| out.entry(*v).or_default().push(p.id)),
                None => seed::project_vendor_ids(s, p)
                    .into_iter()
                    .for_each(|v| out.entry(v).or_default().push(p.id)),
            }
        }
        out
    }
}
