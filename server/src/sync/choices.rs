//! What a directory form may hold (issue 20, item 16): a person's Company is one of the
//! project's companies in Procore, a role is one of the company's role catalogue and its
//! holder one of the project's people. The form offers these lists and the server refuses
//! anything else at entry (a 422 naming the choices), so nothing typed is created in
//! Procore without its company and blanked by the next pull. The lists come from our
//! database: the linked Project Team entries, the catalogue the last Roles run kept, the
//! project's Users entries.

use app::error::AppError;
use app::ids::{CompanyId, ProjectId};
use app::sync::api::{EntryChoices, PersonChoice};
use app::sync::{CheckedEntry, Resource};

use crate::db::Db;
use crate::error::ServerResult;

impl Db {
    /// Replaces the company's role catalogue with `names` (a Roles run's read of Procore).
    pub async fn replace_role_catalogue(
        &self,
        company: CompanyId,
        names: &[String],
        at: i64,
    ) -> ServerResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM company_role_catalogue WHERE company_id = $1")
            .bind(company.get())
            .execute(&mut *tx)
            .await?;
        let mut seen = std::collections::BTreeSet::new();
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            if seen.insert(name.to_lowercase()) {
                sqlx::query(
                    "INSERT INTO company_role_catalogue (company_id, name, fetched_at) VALUES ($1, $2, $3)",
                )
                .bind(company.get())
                .bind(name)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The lists the project's directory forms offer.
    pub async fn entry_choices(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<EntryChoices> {
        let companies: Vec<(String,)> = sqlx::query_as(
            "SELECT label FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = 'companies' AND deleted_at IS NULL AND procore_id IS NOT NULL ORDER BY label",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_all(self.pool())
        .await?;
        let roles: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM company_role_catalogue WHERE company_id = $1 ORDER BY name",
        )
        .bind(company.get())
        .fetch_all(self.pool())
        .await?;
        let people: Vec<(String, String)> = sqlx::query_as(
            "SELECT natural_key, label FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = 'users' AND deleted_at IS NULL ORDER BY label, natural_key",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_all(self.pool())
        .await?;
        Ok(EntryChoices {
            companies: companies.into_iter().map(|r| r.0).collect(),
            roles: roles.into_iter().map(|r| r.0).collect(),
            people: people
                .into_iter()
                .map(|(email, name)| PersonChoice { email, name })
                .collect(),
        })
    }
}

/// Checks an entry's references against `choices`, spelling each as the list does; the
/// message names what may be chosen.
pub fn check_choices(
    resource: Resource,
    entry: &mut CheckedEntry,
    choices: &EntryChoices,
) -> Result<(), AppError> {
    match resource {
        Resource::Users => {
            let Some(typed) = entry.fields.get("company").filter(|c| !c.is_empty()) else {
                return Ok(());
            };
            match pick(&choices.companies, typed) {
                Some(found) => {
                    entry.fields.insert("company".into(), found);
                    Ok(())
                }
                None => Err(AppError::Invalid(format!(
                    "\u{201c}{typed}\u{201d} is not one of this project's companies in Procore. {}",
                    offer(
                        "Choose",
                        &choices.companies,
                        "companies",
                        "Add it under Project Team and sync it first, or leave Company empty."
                    )
                ))),
            }
        }
        Resource::Roles => {
            let role = entry.fields.get("role").cloned().unwrap_or_default();
            if !choices.roles.is_empty() {
                match pick(&choices.roles, &role) {
                    Some(found) => {
                        entry.fields.insert("role".into(), found);
                    }
                    None => {
                        return Err(AppError::Invalid(format!(
                            "\u{201c}{role}\u{201d} is not a role of this company in Procore. {}",
                            offer("Choose", &choices.roles, "roles", "")
                        )))
                    }
                }
            }
            let email = entry
                .fields
                .get("email_address")
                .cloned()
                .unwrap_or_default();
            if choices
                .people
                .iter()
                .any(|p| p.email.eq_ignore_ascii_case(&email))
            {
                Ok(())
            } else {
                Err(AppError::Invalid(format!(
                    "{email} is not one of this project's people. Add them under Users first, then give them a role."
                )))
            }
        }
        Resource::Locations | Resource::Companies => Ok(()),
    }
}

/// The listed spelling of `typed`, compared without case or outer spaces.
fn pick(list: &[String], typed: &str) -> Option<String> {
    let typed = typed.trim();
    list.iter().find(|c| c.eq_ignore_ascii_case(typed)).cloned()
}

fn offer(verb: &str, list: &[String], noun: &str, otherwise: &str) -> String {
    match list.len() {
        0 => format!("No {noun} are synced from Procore yet. {otherwise}")
            .trim()
            .to_string(),
        n if n <= 8 => format!("{verb} one of: {}. {otherwise}", list.join(", "))
            .trim()
            .to_string(),
        n => format!("{verb} one of the {n} {noun} in the list. {otherwise}")
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::sync::Fields;

    fn entry(pairs: &[(&str, &str)]) -> CheckedEntry {
        CheckedEntry {
            key: "k".into(),
            label: "l".into(),
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Fields>(),
        }
    }

    fn choices() -> EntryChoices {
        EntryChoices {
            companies: vec!["Acme Concrete".into(), "Bright Electric".into()],
            roles: vec!["Project Manager".into(), "Superintendent".into()],
            people: vec![PersonChoice {
                email: "pat@x.io".into(),
                name: "Pat Lee".into(),
            }],
        }
    }

    #[test]
    fn a_person_company_must_be_a_project_company_and_takes_its_spelling() {
        let mut ok = entry(&[("company", " acme concrete ")]);
        check_choices(Resource::Users, &mut ok, &choices()).unwrap();
        assert_eq!(ok.fields["company"], "Acme Concrete");
        let mut none = entry(&[("company", "")]);
        check_choices(Resource::Users, &mut none, &choices()).unwrap();
        let mut bad = entry(&[("company", "Acme Roofing")]);
        let AppError::Invalid(message) =
            check_choices(Resource::Users, &mut bad, &choices()).unwrap_err()
        else {
            panic!("not a 422");
        };
        assert!(message.contains("Acme Roofing"), "{message}");
        assert!(
            message.contains("Acme Concrete, Bright Electric"),
            "{message}"
        );
        assert_eq!(bad.fields["company"], "Acme Roofing");
    }

    #[test]
    fn a_role_must_be_in_the_catalogue_and_held_by_a_project_person() {
        let mut ok = entry(&[("role", "project manager"), ("email_address", "PAT@x.io")]);
        check_choices(Resource::Roles, &mut ok, &choices()).unwrap();
        assert_eq!(ok.fields["role"], "Project Manager");
        let mut free_text = entry(&[("role", "Boss"), ("email_address", "pat@x.io")]);
        assert!(check_choices(Resource::Roles, &mut free_text, &choices()).is_err());
        let mut stranger = entry(&[("role", "Superintendent"), ("email_address", "sam@x.io")]);
        assert!(check_choices(Resource::Roles, &mut stranger, &choices()).is_err());
        // No catalogue kept yet: the role is taken as typed (Procore's answer is logged).
        let unknown = EntryChoices {
            roles: vec![],
            ..choices()
        };
        let mut typed = entry(&[("role", "Boss"), ("email_address", "pat@x.io")]);
        check_choices(Resource::Roles, &mut typed, &unknown).unwrap();
    }
}
