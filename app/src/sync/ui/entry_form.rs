//! The Add / Edit form of a directory entry, built from the resource's fields; it checks
//! what was typed with the server's own rules before sending, and shows the server's
//! answer (a 422 says what to fix) beside the form.

use leptos::prelude::*;

use super::SyncResource;
use crate::ids::ProjectId;
use crate::sync::api::{save_directory_entry, EntryView};
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

/// One entry of the resource, in words ("Add user").
pub(super) fn noun(resource: SyncResource) -> &'static str {
    match resource {
        SyncResource::Locations => "location",
        SyncResource::Companies => "company",
        SyncResource::Roles => "role",
        SyncResource::Users => "user",
    }
}
