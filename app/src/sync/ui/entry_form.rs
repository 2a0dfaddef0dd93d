//! The Add / Edit form of a directory entry, built from the resource's fields; it checks
//! what was typed with the server's own rules before sending, and shows the server's
//! answer (a 422 says what to fix) beside the form.

use leptos::prelude::*;

use super::SyncResource;
use crate::ids::ProjectId;
use crate::sync::api::{save_directory_entry, EntryChoices, EntryView};
use crate::sync::entries::{check, fields_of, Fields};

/// The entry being added (`id` None) or edited.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Editing {
    /// The entry's id when editing.
    pub id: Option<String>,
    /// What lists show (for the form's title).
    pub label: String,
    /// The values to start from.
    pub fields: Fields,
}

impl Editing {
    /// Editing an existing entry.
    pub fn of(entry: &EntryView) -> Self {
        Self {
            id: Some(entry.id.clone()),
            label: entry.label.clone(),
            fields: entry.fields.clone(),
        }
    }
}

/// The form; `on_saved` gets the stored entry, `on_cancel` closes the form.
#[component]
pub(super) fn EntryForm(
    project: ProjectId,
    resource: SyncResource,
    editing: Editing,
    choices: EntryChoices,
    on_saved: Callback<EntryView>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let specs = fields_of(resource);
    // Only the resource's own fields: `check` refuses any other name.
    let values = RwSignal::new(
        editing
            .fields
            .iter()
            .filter(|(k, _)| specs.iter().any(|s| s.name == k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Fields>(),
    );
    let problem = RwSignal::new(None::<String>);
    let id = editing.id.clone();
    let save = Action::new(move |fields: &Fields| {
        let (id, fields) = (id.clone(), fields.clone());
        async move { save_directory_entry(project, resource, id, fields).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(entry)) => on_saved.run(entry),
        Some(Err(e)) => problem.set(Some(e.to_string())),
        None => {}
    });
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });
    let inputs = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let name = spec.name;
            let input_id = format!("field-{name}");
            let kind = match name {
                "email_address" => "email",
                "business_phone" => "tel",
                _ => "text",
            };
            let node = if i == 0 { first } else { NodeRef::new() };
            if let Some(list) = listed(resource, name, &choices) {
                let current = editing.fields.get(name).cloned().unwrap_or_default();
                return view! {
                    <ChoiceField spec=*spec list current problem values/>
                }
                .into_any();
            }
            view! {
                <div class="field">
                    <label for=input_id.clone()>
                        {spec.label}
                        {spec.required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
                    </label>
                    <input id=input_id type=kind name=name node_ref=node
                        value=editing.fields.get(name).cloned().unwrap_or_default()
                        required=spec.required maxlength="200" autocomplete="off"
                        aria-invalid=move || problem.with(Option::is_some).then_some("true")
                        aria-describedby="entry-problem"
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            values.update(|v| { v.insert(name.to_string(), value); });
                        }/>
                </div>
            }
            .into_any()
        })
        .collect_view();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match check(resource, &values.get_untracked()) {
            Err(message) => problem.set(Some(message)),
            Ok(checked) => {
                problem.set(None);
                save.dispatch(checked.fields);
            }
        }
    };
    let title = match &editing.id {
        Some(_) => format!("Edit {}", editing.label),
        None => format!("Add {}", noun(resource)),
    };
    view! {
        <form class="panel entry-form" id="entry-form" novalidate aria-labelledby="entry-form-title" on:submit=submit>
            <h3 id="entry-form-title">{title}</h3>
            <p class="small muted">"Fields marked * are required."</p>
            <div class="fields">{inputs}</div>
            <p class="error-text" role="alert" id="entry-problem">{move || problem.get()}</p>
            <div class="actions">
                <button type="submit" class="button primary" id="save-entry" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save" }}
                </button>
                <button type="button" class="button" id="cancel-entry" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// The choices a field is limited to, if any (see `server::sync::choices`).
struct Listed {
    /// (value, what the option shows).
    options: Vec<(String, String)>,
    /// The empty option's words; `None` when a choice is required.
    empty: &'static str,
    /// Said under the field.
    hint: &'static str,
}

fn listed(resource: SyncResource, name: &str, choices: &EntryChoices) -> Option<Listed> {
    let plain = |list: &[String]| list.iter().map(|v| (v.clone(), v.clone())).collect();
    match (resource, name) {
        (SyncResource::Users, "company") => Some(Listed {
            options: plain(&choices.companies),
            empty: "No company",
            hint: if choices.companies.is_empty() {
                "No companies are synced from Procore yet: add them under Project Team and sync."
            } else {
                "The project's companies in Procore (Project Team)."
            },
        }),
        (SyncResource::Roles, "role") if !choices.roles.is_empty() => Some(Listed {
            options: plain(&choices.roles),
            empty: "Choose a role",
            hint: "The company's roles in Procore.",
        }),
        (SyncResource::Roles, "email_address") => Some(Listed {
            options: choices
                .people
                .iter()
                .map(|p| (p.email.clone(), format!("{} ({})", p.name, p.email)))
                .collect(),
            empty: "Choose a person",
            hint: if choices.people.is_empty() {
                "No people on this project yet: add them under Users first."
            } else {
                "The project's people (Users)."
            },
        }),
        _ => None,
    }
}

/// A field limited to a list: a select, keeping a stored value that is not listed (the
/// server then says what to choose instead of the form silently changing it).
#[component]
fn ChoiceField(
    spec: crate::sync::entries::FieldSpec,
    list: Listed,
    current: String,
    problem: RwSignal<Option<String>>,
    values: RwSignal<Fields>,
) -> impl IntoView {
    let name = spec.name;
    let input_id = format!("field-{name}");
    let hint_id = format!("hint-{name}");
    let mut options = list.options;
    if !current.is_empty()
        && !options
            .iter()
            .any(|(v, _)| v.eq_ignore_ascii_case(&current))
    {
        options.insert(0, (current.clone(), format!("{current} (not in the list)")));
    }
    let shown = options
        .into_iter()
        .map(|(value, words)| {
            let selected = value.eq_ignore_ascii_case(&current);
            view! { <option value=value selected=selected>{words}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=input_id.clone()>
                {spec.label}
                {spec.required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <select id=input_id name=name required=spec.required
                aria-invalid=move || problem.with(Option::is_some).then_some("true")
                aria-describedby=format!("{hint_id} entry-problem")
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    values.update(|v| { v.insert(name.to_string(), value); });
                }>
                <option value="" selected={current.is_empty()}>{list.empty}</option>
                {shown}
            </select>
            <p class="small muted" id=hint_id>{list.hint}</p>
        </div>
    }
}

/// One entry of the resource, in words ("Add user").
pub(super) fn noun(resource: SyncResource) -> &'static str {
    match resource {
        SyncResource::Locations => "location",
        SyncResource::Companies => "company",
        SyncResource::Roles => "role",
        SyncResource::Users => "user",
    }
}
