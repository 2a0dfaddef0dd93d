//! The project's own directory entries (a location, a company, a person, a role held) as
//! admins type them: which fields each resource has, their validation, and the natural key
//! that matches an entry with its Procore record (a location's path, a company's name, a
//! person's email, a role and its holder's email).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::settings::Resource;

/// The fields of one entry, by name (see [`fields_of`]).
pub type Fields = BTreeMap<String, String>;

/// One field of a resource's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Stored name (Procore's where it has one).
    pub name: &'static str,
    /// Label on the form.
    pub label: &'static str,
    /// Must not be empty.
    pub required: bool,
}

const fn field(name: &'static str, label: &'static str, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        label,
        required,
    }
}

/// The fields of each resource, in form order.
pub fn fields_of(resource: Resource) -> &'static [FieldSpec] {
    match resource {
        Resource::Locations => {
            const { &[field("path", "Path (e.g. North Building > Level 1)", true)] }
        }
        Resource::Companies => {
            const {
                &[
                    field("name", "Name", true),
                    field("abbreviated_name", "Abbreviation", false),
                    field("trade_name", "Trade", false),
                    field("business_phone", "Phone", false),
                    field("email_address", "Email", false),
                ]
            }
        }
        Resource::Users => {
            const {
                &[
                    field("email_address", "Email", true),
                    field("first_name", "First name", false),
                    field("last_name", "Last name", true),
                    field("job_title", "Job title", false),
                    field("company", "Company", false),
                ]
            }
        }
        Resource::Roles => {
            const {
                &[
                    field("role", "Role", true),
                    field("email_address", "Person's email", true),
                ]
            }
        }
    }
}

/// The longest value of any field.
pub const MAX_FIELD_CHARS: usize = 200;

/// A location path's parts, trimmed, from "A > B > C" (or Procore's "A>B>C").
pub fn path_parts(path: &str) -> Vec<String> {
    path.split('>')
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// A checked entry: its fields (only the resource's, trimmed), key and label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedEntry {
    /// Matches the entry with its Procore record.
    pub key: String,
    /// What lists show.
    pub label: String,
    /// The fields.
    pub fields: Fields,
}

/// Checks what an admin typed for `resource`; the message says what to fix.
pub fn check(resource: Resource, input: &Fields) -> Result<CheckedEntry, String> {
    let specs = fields_of(resource);
    if let Some(unknown) = input
        .keys()
        .find(|k| !specs.iter().any(|s| s.name == k.as_str()))
    {
        return Err(format!("{} has no field \"{unknown}\".", resource.label()));
    }
    let mut fields = Fields::new();
    for spec in specs {
        let raw = input.get(spec.name).map(String::as_str).unwrap_or("");
        let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.chars().count() > MAX_FIELD_CHARS {
            return Err(format!(
                "{} is longer than {MAX_FIELD_CHARS} characters.",
                spec.label
            ));
        }
        if spec.required && value.is_empty() {
            return Err(format!("{} is required.", label_word(spec.label)));
        }
        fields.insert(spec.name.to_string(), value);
    }
    normalise(resource, &mut fields)?;
    Ok(CheckedEntry {
        key: key_of(resource, &fields),
        label: label_of(resource, &fields),
        fields,
    })
}

fn label_word(label: &str) -> &str {
    label.split(" (").next().unwrap_or(label)
}

fn normalise(resource: Resource, fields: &mut Fields) -> Result<(), String> {
    match resource {
        Resource::Locations => {
            let parts = path_parts(&fields["path"]);
            if parts.iter().any(String::is_empty) {
                return Err(
                    "Each level of the path needs a name (e.g. North Building > Level 1).".into(),
                );
            }
            if parts.len() > 10 {
                return Err("A location path has at most 10 levels.".into());
            }
            fields.insert("path".into(), parts.join(" > "));
        }
        Resource::Users | Resource::Roles => {
            let email = fields["email_address"].to_lowercase();
            if !is_email(&email) {
                return Err(format!("\"{email}\" is not an email address."));
            }
            fields.insert("email_address".into(), email);
        }
        Resource::Companies => {
            let email = fields["email_address"].to_lowercase();
            if !email.is_empty() && !is_email(&email) {
                return Err(format!("\"{email}\" is not an email address."));
            }
            fields.insert("email_address".into(), email);
        }
    }
    Ok(())
}

/// One `@` with something on both sides and a dot in the domain.
pub fn is_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The natural key (lower case).
pub fn key_of(resource: Resource, fields: &Fields) -> String {
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    match resource {
        Resource::Locations => path_parts(get("path")).join(">").to_lowercase(),
        Resource::Companies => get("name").to_lowercase(),
        Resource::Users => get("email_address").to_lowercase(),
        Resource::Roles => format!(
            "{}|{}",
            get("role").to_lowercase(),
            get("email_address").to_lowercase()
        ),
    }
}

/// What a list shows for the entry.
pub fn label_of(resource: Resource, fields: &Fields) -> String {
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    match resource {
        Resource::Locations => get("path").replace(" > ", " › "),
        Resource::Companies => get("name").to_string(),
        Resource::Users => {
            let name = format!("{} {}", get("first_name"), get("last_name"));
            let name = name.trim();
            if name.is_empty() {
                get("email_address").to_string()
            } else {
                name.to_string()
            }
        }
        Resource::Roles => format!("{} — {}", get("role"), get("email_address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_person_needs_an_email_and_a_last_name() {
        let ok = check(
            Resource::Users,
            &input(&[
                ("email_address", " Ana@Example.COM "),
                ("last_name", "Diaz"),
                ("first_name", "Ana"),
            ]),
        )
        .unwrap();
        assert_eq!(ok.key, "ana@example.com");
        assert_eq!(ok.label, "Ana Diaz");
        assert_eq!(ok.fields["job_title"], "");
        let missing = check(Resource::Users, &input(&[("email_address", "a@b.co")])).unwrap_err();
        assert_eq!(missing, "Last name is required.");
        let bad = check(
            Resource::Users,
            &input(&[("email_address", "nobody"), ("last_name", "X")]),
        );
        assert!(bad.unwrap_err().contains("not an email"));
    }

    #[test]
    fn paths_are_trimmed_and_keyed_like_procore_names() {
        let ok = check(
            Resource::Locations,
            &input(&[("path", " North  Building >Level 1 ")]),
        )
        .unwrap();
        assert_eq!(ok.fields["path"], "North Building > Level 1");
        assert_eq!(ok.key, "north building>level 1");
        assert_eq!(
            key_of(
                Resource::Locations,
                &input(&[("path", "North Building>Level 1")])
            ),
            ok.key
        );
        assert!(check(Resource::Locations, &input(&[("path", "A > > B")])).is_err());
    }

    #[test]
    fn unknown_and_overlong_fields_are_refused() {
        let unknown = check(
            Resource::Companies,
            &input(&[("name", "Acme"), ("ssn", "1")]),
        );
        assert!(unknown.unwrap_err().contains("ssn"));
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        assert!(check(Resource::Companies, &input(&[("name", &long)])).is_err());
    }

    #[test]
    fn a_role_is_keyed_by_role_and_person() {
        let ok = check(
            Resource::Roles,
            &input(&[("role", "Project Manager"), ("email_address", "PM@x.io")]),
        )
        .unwrap();
        assert_eq!(ok.key, "project manager|pm@x.io");
    }
}
