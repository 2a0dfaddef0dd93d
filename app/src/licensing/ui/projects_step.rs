//! Step 1 of the wizard: the project list with a checkbox per module and add-on, the
//! filter, search, bulk actions and the running summary.

use std::time::Duration;

use leptos::prelude::*;

use super::filter::FilterControl;
use super::licensed_section::LicensedSection;
use super::{Step, Wizard};
use crate::error::AppError;
use crate::licensing::api::{select_all_matching, wizard_projects, WizardPage, WizardProject};
use crate::licensing::{AddOn, LicenseFilter, LicensedScope, Module, SelectionError};
use crate::ui::{debounce, ErrorPanel, Pager};

/// Step 1: the project list with module checkboxes, filter, search and summary.
#[component]
pub(super) fn ProjectsStep(wizard: Wizard, step: RwSignal<Step>, is_admin: bool) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let read_only = !is_admin;
    // Non-admins may only look at what is licensed.
    let filter = RwSignal::new(if read_only {
        LicenseFilter::Licensed(LicensedScope::All)
    } else {
        LicenseFilter::NotLicensed
    });
    let page = RwSignal::new(1u32);
    // Bumped once a second while the company's projects are still arriving from Procore.
    let tick = RwSignal::new(0u32);
    let projects = Resource::new(
        move || (search.get(), filter.get(), page.get(), tick.get()),
        |(search, filter, page, _)| wizard_projects(search, filter, page),
    );
    Effect::new(move |_| {
        if let Some(Ok(data)) = projects.get() {
            if data.loading.is_some() {
                set_timeout(
                    move || tick.update(|t| *t = t.wrapping_add(1)),
                    Duration::from_secs(1),
                );
            }
        }
    });
    // Remember licences and names of every row seen: the rules and the summary use them.
    Effect::new(move |_| {
        if let Some(Ok(page)) = projects.get() {
            wizard.remember(&page);
        }
    });
    let search_later = debounce(Duration::from_millis(200), move |text| {
        search.set(text);
        page.set(1);
    });
    let on_search = move |ev| search_later(event_target_value(&ev));
    let select_all = Action::new(move |search: &String| {
        let search = search.clone();
        async move {
            if let Ok(ids) = select_all_matching(search).await {
                let licensed = wizard.licensed.get_untracked();
                wizard.selection.update(|s| {
                    s.select_all(ids, &licensed);
                });
            }
        }
    });
    let bulk = move |module: Module| {
        let licensed = wizard.licensed.get_untracked();
        wizard.selection.update(|s| {
            let ids: Vec<i64> = s.choices().map(|c| c.project_id).collect();
            for id in ids {
                let _ = s.set_module(id, module, true, &licensed);
            }
        });
        wizard.problem.set(None);
    };
    let next = move |_| {
        let licensed = wizard.licensed.get_untracked();
        match wizard.selection.get_untracked().validate(&licensed) {
            Ok(_) => step.set(Step::Subscription),
            Err(problems) => {
                let names = wizard.names.get_untracked();
                let text = problems
                    .iter()
                    .take(3)
                    .map(|p| match p.project_id().and_then(|id| names.get(&id)) {
                        Some(name) => p.describe(name),
                        None => p.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                let more = problems.len().saturating_sub(3);
                wizard.problem.set(Some(if more > 0 {
                    format!("{text} (and {more} more)")
                } else {
                    text
                }));
            }
        }
    };

    view! {
        <div class="wizard-head">
            <div>
                <h1>"License Procore projects"</h1>
                <p class="muted">"Select a project first, then its Smartapp modules. Planner enables Planner Board; Safety enables Safety Badge."</p>
                <ul class="module-notes" id="module-notes">
                    {Module::ALL.into_iter().map(|m| view! {
                        <li data-module={m.name()}>
                            {m.app_note()}" "
                            {format!("{}: with it, {}", m.add_on().name(), m.add_on().unlocks())}
                        </li>
                    }).collect_view()}
                </ul>
            </div>
            <FilterControl filter page read_only/>
        </div>
        {read_only.then(|| view! {
            <p class="panel notice" role="note">
                "Only Procore company admins can license projects. You can see this company's licensed projects here; ask a company admin to license more."
            </p>
        })}
        <div class="wizard-tools">
            <label class="visually-hidden" for="wizard-search">"Search projects"</label>
            <input id="wizard-search" type="search" placeholder="Search projects by name" maxlength="100" autocomplete="off" on:input=on_search/>
            <Show when=move || filter.get() == LicenseFilter::NotLicensed>
                <button class="button" type="button" on:click=move |_| { select_all.dispatch(search.get_untracked()); }>
                    "Select all matching"
                </button>
                <button class="button" type="button" on:click=move |_| bulk(Module::Planner)>"Planner for all selected"</button>
                <button class="button" type="button" on:click=move |_| bulk(Module::Safety)>"Safety for all selected"</button>
                <button class="button-link" type="button" on:click=move |_| { wizard.selection.update(|s| s.clear()); wizard.problem.set(None); }>"Clear selection"</button>
            </Show>
        </div>
        {(!read_only).then(|| view! { <LicensedSection wizard search filter page/> })}
        <h2 class="wizard-list-title" id="wizard-list-title">{move || filter.get().label()}</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading projects…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(data) => view! { <ProjectGrid data wizard page/> }.into_any(),
                    // The sign-in panel above already says what to do.
                    Err(AppError::NotSignedIn) => ().into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
        <footer class="summary-bar" aria-live="polite" class:hidden=read_only>
            {move || {
                let s = wizard.selection.with(|s| s.summary());
                view! {
                    <div class="summary" data-testid="summary">
                        <span><strong class="summary-projects">{s.projects}</strong>" Procore projects selected"</span>
                        <span><strong class="summary-planner">{s.planner}</strong>" Planner"</span>
                        <span><strong class="summary-safety">{s.safety}</strong>" Safety"</span>
                        <span class="muted">{format!("{} Planner Board · {} Safety Badge", s.planner_board, s.safety_badge)}</span>
                    </div>
                }
            }}
            <p class="inline-problem" role="alert">{move || wizard.problem.get()}</p>
            <button class="button primary" type="button" on:click=next>"Next"</button>
        </footer>
    }
}

/// The table: project on the left, modules and add-ons on the right.
#[component]
fn ProjectGrid(data: WizardPage, wizard: Wizard, page: RwSignal<u32>) -> impl IntoView {
    let pages = data.total.div_ceil(u64::from(data.per_page.max(1))).max(1);
    let current = data.page;
    let loading = data.loading.map(|l| {
        let of = l.expected.map(|e| format!(" of {e}")).unwrap_or_default();
        view! {
            <p class="panel notice loading-note" role="status">
                {format!("Loading this company's projects from Procore: {}{of} have arrived. ", l.arrived)}
                "Search and “Select all matching” cover only these until the rest has arrived."
            </p>
        }
    });
    if data.projects.is_empty() {
        return view! { {loading} <section class="panel empty"><p>"No projects match."</p></section> }
            .into_any();
    }
    let rows = data
        .projects
        .into_iter()
        .map(|p| view! { <ProjectRow project=p wizard/> })
        .collect_view();
    view! {
        {loading}
        <table class="wizard-grid" aria-labelledby="wizard-list-title">
            <GridHead/>
            <tbody>{rows}</tbody>
        </table>
        <Pager
            status=format!("Page {current} of {pages} · {}", crate::licensing::projects_label(data.total))
            previous=view! { <button class="button" type="button" disabled={current <= 1} on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>"Previous"</button> }.into_any()
            next=view! { <button class="button" type="button" disabled={u64::from(current) >= pages} on:click=move |_| page.update(|p| *p += 1)>"Next page"</button> }.into_any()
        />
    }
    .into_any()
}

/// The grid's columns and two header rows: project on the left, modules and add-ons on
/// the right.
#[component]
pub(super) fn GridHead() -> impl IntoView {
    view! {
        <colgroup>
            <col class="project"/>
            <col class="check"/>
            <col class="check"/>
            <col class="check"/>
            <col class="check"/>
        </colgroup>
        <thead>
            <tr>
                <th scope="col" rowspan="2">"Procore project"</th>
                <th scope="colgroup" colspan="2" class="group planner">"Smartapp Planner"</th>
                <th scope="colgroup" colspan="2" class="group safety">"Smartapp Safety"</th>
            </tr>
            <tr>
                <th scope="col">"Planner"</th>
                <th scope="col">"Planner Board"</th>
                <th scope="col">"Safety"</th>
                <th scope="col">"Safety Badge"</th>
            </tr>
        </thead>
    }
}

/// One project row with its five checkboxes.
#[component]
pub(super) fn ProjectRow(project: WizardProject, wizard: Wizard) -> impl IntoView {
    let id = project.id.get();
    let name = project.name.clone();
    let Some(license) = project.license else {
        let selected = move || wizard.selection.with(|s| s.is_selected(id));
        let module_box = move |module: Module| {
            view! {
                <td class="check">
                    <input type="checkbox" aria-label=format!("{} for {}", module.name(), name)
                        prop:checked=move || wizard.selection.with(|s| s.has_module(id, module))
                        disabled=move || !wizard.selection.with(|s| s.module_enabled(id))
                        on:change=move |ev| { let on = event_target_checked(&ev); wizard.change(id, |s, l| s.set_module(id, module, on, l)); }/>
                </td>
            }
        };
        let name = project.name.clone();
        let add_on_box = move |add_on: AddOn| {
            view! {
                <td class="check">
                    <input type="checkbox" aria-label=format!("{} for {}", add_on.name(), name)
                        prop:checked=move || wizard.selection.with(|s| s.has_add_on(id, add_on))
                        disabled=move || !wizard.selection.with(|s| s.add_on_enabled(id, add_on))
                        on:change=move |ev| { let on = event_target_checked(&ev); wizard.change(id, |s, l| s.set_add_on(id, add_on, on, l)); }/>
                </td>
            }
        };
        return view! {
            <tr class:selected=selected data-project-id=id.to_string()>
                <td>
                    <label class="project-pick">
                        <input type="checkbox" prop:checked=selected
                            on:change=move |_| wizard.change(id, |s, l| s.toggle_project(id, l))/>
                        <span class="project-name">{project.name.clone()}</span>
                        <span class="muted small">{project.number.clone().unwrap_or_default()}</span>
                    </label>
                </td>
                {module_box(Module::Planner)}
                {add_on_box(AddOn::PlannerBoard)}
                {module_box(Module::Safety)}
                {add_on_box(AddOn::SafetyBadge)}
            </tr>
        }
        .into_any();
    };
    // Licensed: shown as bought, not editable here; any click explains where to change it.
    let refuse = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        wizard.toast.set(Some((
            id,
            SelectionError::AlreadyLicensed { project_id: id }.to_string(),
        )));
    };
    let shown = move |on: bool, label: &'static str| {
        view! { <td class="check"><input type="checkbox" aria-label=label prop:checked=on on:click=refuse/></td> }
    };
    view! {
        <tr class="licensed" data-project-id=id.to_string()>
            <td>
                <label class="project-pick">
                    <input type="checkbox" prop:checked=true on:click=refuse/>
                    <span class="project-name">{name}</span>
                    <span class="badge licensed-badge">"Licensed"</span>
                </label>
            </td>
            {shown(license.planner, "Planner")}
            {shown(license.planner_board, "Planner Board")}
            {shown(license.safety, "Safety")}
            {shown(license.safety_badge, "Safety Badge")}
        </tr>
    }
    .into_any()
}
