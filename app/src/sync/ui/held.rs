//! A run stopped at the delete cap, as the settings page and the resource page show it:
//! what it would delete (names), and for admins **Delete them** (the next run, started at
//! once, may make those deletions past the cap, once) or **Keep them**.

use leptos::prelude::*;

use super::{date_time, SyncResource};
use crate::ids::ProjectId;
use crate::sync::api::{
    confirm_held_deletions, keep_held_deletions, HeldDeletions, ResourceStatus, RunView,
};

/// The notice; `on_confirmed` gets the queued run, `on_kept` the resource's new status.
#[component]
pub(super) fn HeldNotice(
    project: ProjectId,
    resource: SyncResource,
    held: HeldDeletions,
    can_edit: bool,
    on_confirmed: Callback<RunView>,
    on_kept: Callback<ResourceStatus>,
) -> impl IntoView {
    let run = held.run.clone();
    let confirm =
        Action::new(move |run: &String| confirm_held_deletions(project, resource, run.clone()));
    let keep = Action::new(move |run: &String| keep_held_deletions(project, resource, run.clone()));
    Effect::new(move |_| {
        if let Some(Ok(queued)) = confirm.value().get() {
            on_confirmed.run(queued);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(status)) = keep.value().get() {
            on_kept.run(status);
        }
    });
    let busy = move || confirm.pending().get() || keep.pending().get();
    let problem = move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| keep.value().get().and_then(Result::err))
            .map(|e| e.to_string())
    };
    let id = format!("held-{}", resource.key());
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let mut parts = Vec::new();
    if held.in_procore > 0 {
        parts.push(format!("{} in Procore (removed here)", held.in_procore));
    }
    if held.here > 0 {
        parts.push(format!("{} here (Procore no longer has them)", held.here));
    }
    let summary = format!(
        "The run of {} would delete {} {}: {}. It stopped before changing anything.",
        date_time(held.stopped_at),
        held.count,
        if held.count == 1 { "record" } else { "records" },
        parts.join(" and ")
    );
    let more = (held.count as usize > held.names.len()).then(|| {
        format!(
            "… and {} more (the run's log lists all of them).",
            held.count as usize - held.names.len()
        )
    });
    let names = held
        .names
        .into_iter()
        .map(|n| view! { <li>{n}</li> })
        .collect_view();
    let actions = if can_edit {
        let (run_confirm, run_keep) = (run.clone(), run.clone());
        view! {
            <div class="actions">
                <button type="button" class="button danger confirm-deletions" disabled={busy}
                    on:click={move |_| { confirm.dispatch(run_confirm.clone()); }}>
                    "Delete them in a sync now"
                </button>
                <button type="button" class="button keep-deletions" disabled={busy}
                    on:click={move |_| { keep.dispatch(run_keep.clone()); }}>
                    "Keep them"
                </button>
            </div>
            <p class="small muted">
                "Keep them: removed entries come back here, and entries Procore no longer has stay here (a sync that sends changes to Procore adds them there again)."
            </p>
        }
        .into_any()
    } else {
        view! { <p class="small muted">"A company admin can delete them or keep them."</p> }
            .into_any()
    };
    view! {
        <section class="panel notice held-deletions" id={id} role="status" aria-labelledby={labelled_by}>
            <h3 id={title_id}>{format!("{} sync stopped at the delete cap", resource.label())}</h3>
            <p>{summary}</p>
            <ul class="held-names">{names}</ul>
            {more.map(|m| view! { <p class="small">{m}</p> })}
            {actions}
            <p class="error-text" role="alert">{problem}</p>
        </section>
    }
}
