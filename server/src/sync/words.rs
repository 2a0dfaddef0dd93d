//! What the run log says about one record: its name (a person's name, a location's path,
//! never an internal key) and, for an update or a lost conflict, the old and new value of
//! each field that changed, in the words of the entry form.

use std::collections::HashMap;

use app::sync::entries::{fields_of, label_of};
use app::sync::{Direction, Fields, Resource};

use super::plan::{Conflict, Local, Op, Remote};

/// Both sides of one run, to name records and say what each operation changed.
pub struct Known<'a> {
    resource: Resource,
    direction: Direction,
    locals: HashMap<&'a str, &'a Local>,
    remotes: HashMap<i64, &'a Remote>,
}

impl<'a> Known<'a> {
    /// What the run read.
    pub fn new(
        resource: Resource,
        direction: Direction,
        locals: &'a [Local],
        remotes: &'a [Remote],
    ) -> Self {
        Self {
            resource,
            direction,
            locals: locals.iter().map(|l| (l.id.as_str(), l)).collect(),
            remotes: remotes.iter().map(|r| (r.id, r)).collect(),
        }
    }

    fn local(&self, op: &Op) -> Option<&'a Local> {
        let id = match op {
            Op::Pull { local, .. } => local.as_deref()?,
            Op::Link { local, .. }
            | Op::DropLocal { local, .. }
            | Op::Create { local, .. }
            | Op::Update { local, .. }
            | Op::DeleteRemote { local, .. }
            | Op::Forget { local, .. } => local,
        };
        self.locals.get(id).copied()
    }

    /// The record's name (Procore's for a record copied here, else ours).
    pub fn name(&self, op: &Op) -> String {
        match op {
            Op::Pull { remote, .. } | Op::Link { remote, .. } => {
                name(self.resource, &remote.fields)
            }
            _ => self
                .local(op)
                .map_or_else(|| op.key().to_string(), |l| name(self.resource, &l.fields)),
        }
    }

    /// What a done operation changed (None: nothing worth a line, e.g. a link).
    pub fn done(&self, op: &Op) -> Option<String> {
        let r = self.resource;
        Some(match op {
            Op::Pull { local: None, remote } => {
                format!("Created here from Procore: {}.", values(r, &remote.fields))
            }
            Op::Pull { remote, .. } => match self.local(op) {
                Some(l) if l.deleted => format!(
                    "Restored here from Procore (it changed there after its removal here): {}.",
                    values(r, &remote.fields)
                ),
                Some(l) => format!(
                    "Updated here from Procore: {}.",
                    changes(r, &l.fields, &remote.fields)
                ),
                None => "Updated here from Procore.".into(),
            },
            Op::Link { .. } => return None,
            Op::DropLocal { .. } => "Deleted here: Procore no longer has it.".into(),
            Op::Create { fields, .. } => format!("Created in Procore: {}.", values(r, fields)),
            Op::Update {
                procore_id, fields, ..
            } => match self.remotes.get(procore_id) {
                Some(there) => format!(
                    "Updated in Procore: {}.",
                    changes(r, &there.fields, fields)
                ),
                None => format!("Sent to Procore: {}.", values(r, fields)),
            },
            Op::DeleteRemote { .. } if r == Resource::Users => {
                "Removed from the project in Procore (removed here); still in the company directory.".into()
            }
            Op::DeleteRemote { .. } => "Deleted in Procore (removed here).".into(),
            Op::Forget { .. } => match self.local(op).and_then(|l| l.procore_id) {
                None => "Removed here (it was never in Procore).".into(),
                Some(_) if self.direction.pushes() => {
                    "Removed here; Procore no longer had it.".into()
                }
                Some(_) => "Removed here; not removed in Procore (this sync does not send changes there).".into(),
            },
        })
    }

    /// The start of a refused or failed operation's line.
    pub fn refused(&self, op: &Op) -> String {
        match op {
            Op::Pull { .. } => "Not copied here from Procore.".into(),
            Op::Create { .. } => "Not created in Procore.".into(),
            Op::Update {
                procore_id, fields, ..
            } => match self.remotes.get(procore_id) {
                Some(there) => format!(
                    "Not updated in Procore ({}).",
                    changes(self.resource, &there.fields, fields)
                ),
                None => "Not updated in Procore.".into(),
            },
            Op::DeleteRemote { .. } => "Not deleted in Procore.".into(),
            Op::Link { .. } | Op::DropLocal { .. } | Op::Forget { .. } => "Not done.".into(),
        }
    }

    /// A conflict's record name and line: what was kept, and the values that were lost.
    pub fn conflict(&self, c: &Conflict) -> (String, String) {
        let name = self
            .locals
            .get(c.local.as_str())
            .map_or_else(|| c.local.clone(), |l| name(self.resource, &l.fields));
        let lost = c.lost.as_ref().map_or_else(String::new, |(lost, kept)| {
            format!(" (lost → kept: {})", changes(self.resource, lost, kept))
        });
        (name, format!("Conflict — {}{lost}.", c.words))
    }
}

/// The record's name as people read it.
pub fn name(resource: Resource, fields: &Fields) -> String {
    let label = label_of(resource, fields);
    if label.trim().is_empty() {
        format!("(a {} without a name)", noun(resource))
    } else {
        label
    }
}

/// The record-column text of a line about the whole run ("Users (whole run)").
pub fn whole_run(resource: Resource) -> String {
    format!("{} (whole run)", resource.label())
}

/// `Last name: "Diaz" → "Diaz-Ortiz"; Job title: "" → "Estimator"` (the fields that differ,
/// in form order); "no field changed" when none does.
pub fn changes(resource: Resource, before: &Fields, after: &Fields) -> String {
    let get = |f: &Fields, name: &str| f.get(name).cloned().unwrap_or_default();
    let parts: Vec<String> = fields_of(resource)
        .iter()
        .filter(|spec| get(before, spec.name) != get(after, spec.name))
        .map(|spec| {
            format!(
                "{}: {} → {}",
                short(spec.label),
                quoted(&get(before, spec.name)),
                quoted(&get(after, spec.name))
            )
        })
        .collect();
    if parts.is_empty() {
        "no field changed".into()
    } else {
        parts.join("; ")
    }
}

/// `Email: "ana@x.io"; Last name: "Diaz"` (the fields that have a value, in form order).
pub fn values(resource: Resource, fields: &Fields) -> String {
    let parts: Vec<String> = fields_of(resource)
        .iter()
        .filter_map(|spec| {
            let value = fields.get(spec.name).filter(|v| !v.is_empty())?;
            Some(format!("{}: {}", short(spec.label), quoted(value)))
        })
        .collect();
    parts.join("; ")
}

fn short(label: &str) -> &str {
    label.split(" (").next().unwrap_or(label)
}

fn quoted(value: &str) -> String {
    if value.is_empty() {
        "(empty)".into()
    } else {
        format!("\"{value}\"")
    }
}

fn noun(resource: Resource) -> &'static str {
    match resource {
        Resource::Locations => "location",
        Resource::Companies => "company",
        Resource::Roles => "role",
        Resource::Users => "person",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_update_shows_each_changed_field_old_and_new() {
        let before = f(&[("email_address", "ana@x.io"), ("last_name", "Diaz")]);
        let after = f(&[
            ("email_address", "ana@x.io"),
            ("last_name", ""),
            ("job_title", "Estimator"),
        ]);
        assert_eq!(
            changes(Resource::Users, &before, &after),
            "Last name: \"Diaz\" → (empty); Job title: (empty) → \"Estimator\""
        );
        assert_eq!(
            changes(Resource::Users, &before, &before),
            "no field changed"
        );
    }

    #[test]
    fn records_are_named_as_people_read_them() {
        let person = f(&[
            ("email_address", "ana@x.io"),
            ("first_name", "Ana"),
            ("last_name", "Diaz"),
        ]);
        assert_eq!(name(Resource::Users, &person), "Ana Diaz");
        let place = f(&[("path", "North > Level 1")]);
        assert_eq!(name(Resource::Locations, &place), "North › Level 1");
        assert_eq!(
            values(Resource::Locations, &place),
            "Path: \"North > Level 1\""
        );
        assert_eq!(whole_run(Resource::Users), "Users (whole run)");
    }
}
