//! Safety badges (the `Badges` port and the PDF route): for a project holding Safety and
//! its **Safety Badge** add-on now (`licensing::add_ons`), one badge per synced user. The
//! project is resolved through the one access guard (`accounts::project_access`): another
//! company's project, or one Procore does not show the caller, is not found. The people
//! come from our database (the sync's directory entries), never from Procore.

mod http;
mod pdf;

use std::collections::BTreeMap;
use std::sync::Arc;

use app::badges::api::Badges;
use app::badges::{Badge, BadgeList};
use app::error::AppError;
use app::ids::{CompanyId, ProjectId};
use app::licensing::{AddOn, Module};
use app::ports::Caller;
use app::sync::Resource;
use async_trait::async_trait;
use sha2::{Digest, Sha256};

pub use http::router;
pub use pdf::render;

use crate::accounts::AccountService;
use crate::db::Db;
use crate::licensing::add_ons::{holding, missing};

const NOT_FOUND: &str = "No such project among this company's licensed projects.";
const NO_SAFETY: &str =
    "Safety badges come with Safety and its Safety Badge add-on: this project does not have Safety.";

/// The service.
pub struct BadgeService {
    db: Db,
    accounts: Arc<AccountService>,
}

/// A person's badge number on a project: `SB-` and ten characters (Crockford base 32) of
/// the SHA-256 of company, project and lower-cased email. Derived, so it is the same on
/// every download without being stored, and another project gives another number.
pub fn badge_number(company: CompanyId, project: ProjectId, email: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let digest = Sha256::digest(format!(
        "smartapp-badge|{}|{}|{}",
        company.get(),
        project.get(),
        email.trim().to_lowercase()
    ));
    let bits = u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]));
    let chars: String = (0..10)
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("SB-{}-{}", &chars[..5], &chars[5..])
}

impl BadgeService {
    /// A service on `db`, resolving projects through `accounts`.
    pub fn new(db: Db, accounts: Arc<AccountService>) -> Self {
        Self { db, accounts }
    }

    /// The project's badges page (NotFound for a project that is not the caller's or
    /// not licensed by the company; no people without the add-on).
    pub async fn list(&self, caller: &Caller, project: ProjectId) -> Result<BadgeList, AppError> {
        let shown = self.accounts.shown_project(caller, project).await?;
        let (company, project) = (shown.company(), shown.id());
        let terms = self
            .db
            .project_terms(company, project)
            .await?
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
        let held = holding(&self.db, company, project)
            .await?
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
        let eligible = held.add_on(AddOn::SafetyBadge);
        let people = if eligible {
            self.people(company, project).await?
        } else {
            Vec::new()
        };
        Ok(BadgeList {
            project,
            project_name: terms.name,
            eligible,
            safety: held.module(Module::Safety),
            paused: held.paused,
            admin: caller.is_admin,
            people,
        })
    }

    /// The list for the PDF: 403 (with what the add-on gives) without the add-on.
    pub async fn sheet(&self, caller: &Caller, project: ProjectId) -> Result<BadgeList, AppError> {
        let list = self.list(caller, project).await?;
        if list.eligible {
            return Ok(list);
        }
        Err(AppError::Forbidden(match (&list.paused, list.safety) {
            (Some(reason), _) => reason.clone(),
            (None, false) => NO_SAFETY.into(),
            (None, true) => missing(AddOn::SafetyBadge),
        }))
    }

    /// The project's live synced users, by name, each with their project role(s) (from
    /// the synced Roles), else their job title.
    async fn people(&self, company: CompanyId, project: ProjectId) -> Result<Vec<Badge>, AppError> {
        let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in self
            .db
            .directory_locals(company, project, Resource::Roles)
            .await?
        {
            let get = |k: &str| r.fields.get(k).cloned().unwrap_or_default();
            let role = get("role");
            if !r.deleted && !role.is_empty() {
                roles
                    .entry(get("email_address").to_lowercase())
                    .or_default()
                    .push(role);
            }
        }
        let mut people: Vec<Badge> = self
            .db
            .directory_locals(company, project, Resource::Users)
            .await?
            .into_iter()
            .filter(|u| !u.deleted)
            .map(|u| {
                let get = |k: &str| u.fields.get(k).cloned().unwrap_or_default();
                let email = get("email_address").to_lowercase();
                let role = match roles.get_mut(&email) {
                    Some(held) => {
                        held.sort();
                        held.dedup();
                        held.join(", ")
                    }
                    None => get("job_title"),
                };
                Badge {
                    name: app::sync::entries::label_of(Resource::Users, &u.fields),
                    company: get("company"),
                    role,
                    number: badge_number(company, project, &email),
                }
            })
            .collect();
        people.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.number.cmp(&b.number))
        });
        Ok(people)
    }
}

#[async_trait]
impl Badges for BadgeService {
    async fn list(&self, caller: &Caller, project: ProjectId) -> Result<BadgeList, AppError> {
        BadgeService::list(self, caller, project).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_numbers_are_stable_per_person_and_project() {
        let (c, p) = (CompanyId(8), ProjectId(562_949_953_421_312));
        let a = badge_number(c, p, "Ana.Diaz@harbor.example");
        assert_eq!(a, badge_number(c, p, " ana.diaz@harbor.example "));
        assert_eq!(a.len(), "SB-XXXXX-XXXXX".len());
        assert!(a.starts_with("SB-"));
        assert_ne!(
            a,
            badge_number(c, ProjectId(562_949_953_421_313), "ana.diaz@harbor.example")
        );
        assert_ne!(a, badge_number(c, p, "bo.lee@harbor.example"));
    }
}
