//! `/projects/:id/settings`: the project's Planner and Safety sections (each listing the
//! directory pages) and the Procore settings — the ON/OFF switch and, per resource, the
//! direction and frequency, with when each runs next.

use leptos::prelude::*;

use super::held::HeldNotice;
use super::{date_time, section_href, state_label, DirectoryLinks, ProjectTopBar, SyncResource};
use crate::error::AppError;
use crate::ids::ProjectId;
use crate::sync::api::{
    load_sync_settings, save_sync_settings, ResourceStatus, RunView, SyncOverview,
};
use crate::sync::settings::{Direction, Frequency, ResourceChoice, SettingsForm};
use crate::ui::ErrorPanel;

/// The project settings page.
#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let project = super::project_in_route();
    let overview = Resource::new(
        move || project.get(),
        |project| async move {
            match project {
                Some(id) => load_sync_settings(id).await.map(|o| (id, o)),
                None => Err(AppError::NotFound("There is no such project.".into())),
            }
        },
    );
    view! {
        <ProjectTopBar/>
        <main class="page sync-page">
            <Transition fallback=|| view! { <p class="muted">"Loading the project's settings…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok((id, o)) => view! { <Settings project=id overview=o/> }.into_any(),
                        Err(AppError::NotSignedIn) => ().into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// The page's content once the project is known.
#[component]
fn Settings(project: ProjectId, overview: SyncOverview) -> impl IntoView {
    let name = overview.project_name.clone();
    let modules = [("Planner", overview.planner), ("Safety", overview.safety)]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(module, _)| {
            let id = format!("module-{}", module.to_lowercase());
            view! {
                <section class="panel module-section" aria-labelledby=id.clone()>
                    <h2 id=id.clone()>{module}</h2>
                    <DirectoryLinks project label=format!("{module}: project data")/>
                </section>
            }
        })
        .collect_view();
    view! {
        <p><a href=format!("/projects/{project}")>{format!("← {name}")}</a></p>
        <div class="page-head">
            <h1>{name.clone()}<span class="muted">" · Project settings"</span></h1>
        </div>
        <div class="module-sections">{modules}</div>
        <ProcoreSettings project overview/>
    }
}

/// The Procore switch and the per-resource choices; read-only for non-admins.
#[component]
fn ProcoreSettings(project: ProjectId, overview: SyncOverview) -> impl IntoView {
    let saved = RwSignal::new(overview);
    let on = RwSignal::new(saved.with_untracked(|o| o.settings.procore_on));
    let choices = RwSignal::new(complete(&saved.with_untracked(|o| o.settings.clone())));
    let can_edit = saved.with_untracked(|o| o.can_edit);
    let save = Action::new(move |form: &SettingsForm| {
        let form = form.clone();
        async move { save_sync_settings(project, form).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(o)) = save.value().get() {
            saved.set(o);
        }
    });
    let changed = move || {
        saved.with(|o| o.settings.procore_on != on.get() || complete(&o.settings) != choices.get())
    };
    let set = move |resource: SyncResource, change: fn(&mut ResourceChoice, &str)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            choices.update(|all| {
                if let Some(c) = all.iter_mut().find(|c| c.resource == resource) {
                    change(c, &value);
                }
            });
        }
    };
    // Read once per showing (not tracked): redrawing on each change would take the
    // keyboard focus away from the select being changed.
    let rows = move || {
        choices
            .get_untracked()
            .into_iter()
            .map(|choice| {
                let resource = choice.resource;
                let key = resource.key();
                let direction_id = format!("direction-{key}");
                let frequency_id = format!("frequency-{key}");
                let next = move || {
                    saved.with(|o| {
                        let status = o.resources.iter().find(|s| s.resource == resource);
                        let next = status.and_then(|s| s.next_run_at).map(|t| format!("Next sync: {}", date_time(t)));
                        let running = status
                            .and_then(|s| s.active.as_ref())
                            .map(|r| format!("{} now", state_label(r.state)));
                        running.or(next).unwrap_or_else(|| "Not scheduled".into())
                    })
                };
                view! {
                    <tr data-resource=key>
                        <th scope="row"><a href=section_href(project, resource)>{resource.label()}</a></th>
                        <td data-label="Direction">
                            <label for=direction_id.clone() class="visually-hidden">{format!("Direction for {}", resource.label())}</label>
                            <select id=direction_id disabled=!can_edit
                                on:change=set(resource, |c, v| if let Some(d) = Direction::parse(v) { c.direction = d })>
                                {Direction::ALL.into_iter().map(|d| view! {
                                    <option value=d.key() selected=d == choice.direction>{d.label()}</option>
                                }).collect_view()}
                            </select>
                        </td>
                        <td data-label="Frequency">
                            <label for=frequency_id.clone() class="visually-hidden">{format!("Frequency for {}", resource.label())}</label>
                            <select id=frequency_id disabled=!can_edit
                                on:change=set(resource, |c, v| if let Some(f) = Frequency::parse(v) { c.frequency = f })>
                                {Frequency::ALL.into_iter().map(|f| view! {
                                    <option value=f.key() selected=f == choice.frequency>{f.label()}</option>
                                }).collect_view()}
                            </select>
                        </td>
                        <td class="next-sync" data-label="Schedule">{next}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SettingsForm {
            procore_on: on.get_untracked(),
            choices: choices.get_untracked(),
        });
    };
    view! {
        <section class="panel procore-settings" aria-labelledby="procore-settings-title">
            <h2 id="procore-settings-title">"Procore settings"</h2>
            {move || saved.with(|o| o.paused_reason.clone()).map(|reason| view! {
                <p class="panel notice paused-reason" id="paused-reason" role="status">
                    <strong>{reason.clone()}</strong>
                    {(!reason.contains("kept")).then_some(" Its settings are kept, but it does not sync meanwhile.")}
                </p>
            })}
            <p class="muted">
                "Keeps this project's Locations, Project Team, Roles and Users in step with Procore."
            </p>
            <HeldStops project saved can_edit/>
            {(!can_edit).then(|| view! {
                <p class="panel notice" id="read-only">"Only Procore company admins can change these settings."</p>
            })}
            <form on:submit=submit>
                <div class="switch-row">
                    <input type="checkbox" role="switch" id="procore-on" class="switch"
                        prop:checked=move || on.get() disabled=!can_edit
                        on:change=move |ev| on.set(event_target_checked(&ev))/>
                    <label for="procore-on">"Procore sync"</label>
                    <span class="switch-state" aria-hidden="true">{move || if on.get() { "ON" } else { "OFF" }}</span>
                </div>
                <Show when=move || on.get() fallback=|| view! {
                    <p class="muted" id="procore-off">"Procore sync is OFF: nothing is exchanged with Procore."</p>
                }>
                    <div class="table-scroll">
                        <table class="table sync-choices" id="sync-choices">
                            <caption class="visually-hidden">"Direction and frequency of each sync"</caption>
                            <thead><tr>
                                <th scope="col">"Data"</th>
                                <th scope="col">"Direction"</th>
                                <th scope="col">"Frequency"</th>
                                <th scope="col">"Schedule"</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </Show>
                {can_edit.then(|| view! {
                    <div class="actions">
                        <button type="submit" class="button primary" id="save-settings"
                            disabled=move || save.pending().get() || !(changed() || saved.with(|o| o.needs_connection))>
                            {move || if save.pending().get() { "Saving…" } else { "Save" }}
                        </button>
                        {move || (saved.with(|o| o.needs_connection) && !changed()).then(|| view! {
                            <span class="small muted" id="save-renews">"Save gives background syncs your Procore connection."</span>
                        })}
                    </div>
                })}
                <p role="status" class="save-result" id="save-result">
                    {move || match save.value().get() {
                        Some(Ok(_)) if !changed() => "Saved.".to_string(),
                        _ => String::new(),
                    }}
                </p>
                {move || save.value().get().and_then(Result::err).map(|e| view! {
                    <p class="panel error" role="alert" id="save-problem">{e.to_string()}</p>
                })}
            </form>
            <ConnectionNote saved/>
        </section>
    }
}

/// Each resource whose last run stopped at the delete cap, with what it would delete.
#[component]
fn HeldStops(project: ProjectId, saved: RwSignal<SyncOverview>, can_edit: bool) -> impl IntoView {
    let update = move |resource: SyncResource, change: Box<dyn Fn(&mut ResourceStatus)>| {
        saved.update(|o| {
            if let Some(s) = o.resources.iter_mut().find(|s| s.resource == resource) {
                change(s);
            }
        })
    };
    move || {
        saved
            .with(|o| o.resources.clone())
            .into_iter()
            .filter_map(|status| status.held.clone().map(|held| (status.resource, held)))
            .map(|(resource, held)| {
                let on_confirmed = Callback::new(move |run: RunView| {
                    update(
                        resource,
                        Box::new(move |s| {
                            s.held = None;
                            s.active = Some(run.clone());
                        }),
                    )
                });
                let on_kept = Callback::new(move |status: ResourceStatus| {
                    update(resource, Box::new(move |s| *s = status.clone()))
                });
                view! { <HeldNotice project resource held can_edit on_confirmed on_kept/> }
            })
            .collect_view()
    }
}

/// Whose connection background runs use, and the delete cap.
#[component]
fn ConnectionNote(saved: RwSignal<SyncOverview>) -> impl IntoView {
    move || {
        saved.with(|o| {
            let connection = match &o.connection_name {
                Some(name) => format!("Background syncs use {name}'s Procore connection."),
                None if o.settings.procore_on => "Background syncs need a company admin's Procore connection: an admin saving these settings provides one.".to_string(),
                None => "When an admin turns Procore sync on, background syncs use that admin's Procore connection.".to_string(),
            };
            let cap = format!(
                "A sync stops before deleting more than {} records in one run and says so here and in its log.",
                o.delete_cap
            );
            view! {
                <p class="small muted" id="connection-name">{connection}</p>
                <p class="small muted" id="delete-cap">{cap}</p>
            }
        })
    }
}

/// The saved choices with every resource once, in sync order (defaults fill any gap).
fn complete(form: &SettingsForm) -> Vec<ResourceChoice> {
    let defaults = SettingsForm::defaults();
    defaults
        .choices
        .into_iter()
        .map(|d| {
            form.choices
                .iter()
                .find(|c| c.resource == d.resource)
                .copied()
                .unwrap_or(d)
        })
        .collect()
}
