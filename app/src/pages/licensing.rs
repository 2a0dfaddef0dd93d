//! The licensing wizard: pick Procore projects and their modules (gating rules enforced by
//! the shared `licensing` code), then the subscription step with the quote, then Stripe.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::directory::get_viewer;
use crate::error::AppError;
use crate::licensing::api::{
    license_catalog, load_order_draft, select_all_matching, start_checkout, wizard_projects,
    WizardPage, WizardProject,
};
use crate::licensing::{
    format_usd, quote, AddOn, BillingInterval, LicenseFilter, LicenseSelection, LicensedProjects,
    LicensedScope, Module, SelectionError,
};
use crate::pages::project_central::ErrorPanel;
use crate::pages::{SignInPanel, TopBar};

/// Which step of the wizard is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Projects,
    Subscription,
}

/// Shared state of the wizard, cheap to copy into closures.
#[derive(Clone, Copy)]
struct Wizard {
    selection: RwSignal<LicenseSelection>,
    licensed: RwSignal<LicensedProjects>,
    names: RwSignal<HashMap<i64, String>>,
    toast: RwSignal<Option<(i64, String)>>,
    problem: RwSignal<Option<String>>,
}

impl Wizard {
    /// Applies a rule-checked change; a licensed project answers with the friendly toast.
    fn change(
        &self,
        project_id: i64,
        f: impl FnOnce(&mut LicenseSelection, &LicensedProjects) -> Result<(), SelectionError>,
    ) {
        let licensed = self.licensed.get_untracked();
        let mut result = Ok(());
        self.selection.update(|s| result = f(s, &licensed));
        self.problem.set(None);
        if let Err(error) = result {
            self.toast.set(Some((project_id, error.to_string())));
        }
    }
}

/// The `/licensing` page.
#[component]
pub fn LicensingWizard() -> impl IntoView {
    let query = use_query_map();
    let viewer = Resource::new(|| (), |_| get_viewer());
    let wizard = Wizard {
        selection: RwSignal::new(LicenseSelection::default()),
        licensed: RwSignal::new(LicensedProjects::default()),
        names: RwSignal::new(HashMap::new()),
        toast: RwSignal::new(None),
        problem: RwSignal::new(None),
    };
    let step = RwSignal::new(Step::Projects);
    let interval = RwSignal::new(BillingInterval::Yearly);
    let is_admin = Signal::derive(move || {
        viewer
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .map(|v| v.is_admin)
    });

    // Back from a cancelled payment: restore that order's selection at the subscription step.
    let order_id = query.read_untracked().get("order");
    let draft = Resource::new(
        move || order_id.clone(),
        |id| async move {
            match id {
                Some(id) => load_order_draft(id).await.ok().flatten(),
                None => None,
            }
        },
    );
    Effect::new(move |_| {
        if let Some(Some(d)) = draft.get() {
            wizard.selection.set(d.selection);
            interval.set(d.interval);
            wizard.names.update(|n| n.extend(d.names));
            step.set(Step::Subscription);
        }
    });

    view! {
        <Suspense fallback=|| view! { <div class="topbar placeholder"></div> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! { <TopBar viewer=v on_switch=Callback::new(|_| {
                        #[cfg(feature = "hydrate")]
                        { let _ = window().location().set_href("/projects"); }
                    })/> }.into_any(),
                    Ok(None) => view! { <main class="page narrow"><SignInPanel message="Sign in with Procore to license your projects."/></main> }.into_any(),
                    Err(e) => view! { <main class="page narrow"><ErrorPanel error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
        <main class="page wizard">
            <ol class="steps" aria-label="Steps">
                <li class:current=move || step.get() == Step::Projects>"1. Projects and modules"</li>
                <li class:current=move || step.get() == Step::Subscription>"2. Subscription"</li>
                <li>"3. Payment"</li>
            </ol>
            <Show when=move || step.get() == Step::Projects fallback=move || view! { <SubscriptionStep wizard step interval/> }>
                <ProjectsStep wizard step is_admin/>
            </Show>
            <Toast wizard/>
        </main>
    }
}

/// Step 1: the project list with module checkboxes, filter, search and summary.
#[component]
fn ProjectsStep(
    wizard: Wizard,
    step: RwSignal<Step>,
    is_admin: Signal<Option<bool>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let filter = RwSignal::new(LicenseFilter::NotLicensed);
    let read_only = move || is_admin.get() == Some(false);
    // Non-admins may only look at what is licensed.
    Effect::new(move |_| {
        if read_only() && filter.get_untracked() == LicenseFilter::NotLicensed {
            filter.set(LicenseFilter::Licensed(LicensedScope::All));
        }
    });
    let page = RwSignal::new(1u32);
    let projects = Resource::new(
        move || (search.get(), filter.get(), page.get()),
        |(search, filter, page)| wizard_projects(search, filter.as_query_value().to_string(), page),
    );
    // Remember licences and names of every row seen: the rules and the summary use them.
    Effect::new(move |_| {
        if let Some(Ok(page)) = projects.get() {
            wizard.licensed.update(|l| {
                for p in &page.projects {
                    if let Some(license) = p.license {
                        l.insert(p.id, license);
                    }
                }
            });
            wizard
                .names
                .update(|n| n.extend(page.projects.iter().map(|p| (p.id, p.name.clone()))));
        }
    });
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_search = move |ev| {
        let text = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                search.set(text);
                page.set(1);
            },
            std::time::Duration::from_millis(200),
        )
        .ok();
        pending.set_value(handle);
    };
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
            </div>
            <FilterControl filter page read_only=Signal::derive(read_only)/>
        </div>
        <Show when=read_only>
            <p class="panel notice" role="note">
                "Only Procore company admins can license projects. You can see this company's licensed projects here; ask a company admin to license more."
            </p>
        </Show>
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

/// Licensed / Not Licensed, and Planner / Safety / Both under Licensed.
#[component]
fn FilterControl(
    filter: RwSignal<LicenseFilter>,
    page: RwSignal<u32>,
    read_only: Signal<bool>,
) -> impl IntoView {
    let set = move |f: LicenseFilter| {
        filter.set(f);
        page.set(1);
    };
    let licensed = move || matches!(filter.get(), LicenseFilter::Licensed(_));
    let scope_button = move |scope: LicensedScope, label: &'static str| {
        view! {
            <button type="button" class="chip" aria-pressed=move || (filter.get() == LicenseFilter::Licensed(scope)).to_string()
                on:click=move |_| set(LicenseFilter::Licensed(scope))>{label}</button>
        }
    };
    view! {
        <div class="filter" role="group" aria-label="Filter projects">
            <div class="segmented">
                <button type="button" aria-pressed=move || (filter.get() == LicenseFilter::NotLicensed).to_string()
                    disabled=move || read_only.get() on:click=move |_| set(LicenseFilter::NotLicensed)>"Not Licensed"</button>
                <button type="button" aria-pressed=move || licensed().to_string()
                    on:click=move |_| set(LicenseFilter::Licensed(LicensedScope::All))>"Licensed"</button>
            </div>
            <Show when=licensed>
                <div class="scopes" role="group" aria-label="Licensed modules">
                    {scope_button(LicensedScope::All, "All")}
                    {scope_button(LicensedScope::Planner, "Planner")}
                    {scope_button(LicensedScope::Safety, "Safety")}
                    {scope_button(LicensedScope::Both, "Both")}
                </div>
            </Show>
        </div>
    }
}

/// The table: project on the left, modules and add-ons on the right.
#[component]
fn ProjectGrid(data: WizardPage, wizard: Wizard, page: RwSignal<u32>) -> impl IntoView {
    let pages = data.total.div_ceil(u64::from(data.per_page.max(1))).max(1);
    let current = data.page;
    if data.projects.is_empty() {
        return view! { <section class="panel empty"><p>"No projects match."</p></section> }
            .into_any();
    }
    let rows = data
        .projects
        .into_iter()
        .map(|p| view! { <ProjectRow project=p wizard/> })
        .collect_view();
    view! {
        <table class="wizard-grid">
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
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            <button class="button" type="button" disabled={current <= 1} on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>"Previous"</button>
            <span class="pager-status">{format!("Page {current} of {pages} · {} projects", data.total)}</span>
            <button class="button" type="button" disabled={u64::from(current) >= pages} on:click=move |_| page.update(|p| *p += 1)>"Next page"</button>
        </nav>
    }
    .into_any()
}

/// One project row with its five checkboxes.
#[component]
fn ProjectRow(project: WizardProject, wizard: Wizard) -> impl IntoView {
    let id = project.id;
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

/// The friendly message for licensed projects, with the way to change them.
#[component]
fn Toast(wizard: Wizard) -> impl IntoView {
    Effect::new(move |_| {
        if wizard.toast.get().is_some() {
            let _ = set_timeout_with_handle(
                move || wizard.toast.set(None),
                std::time::Duration::from_secs(8),
            );
        }
    });
    move || {
        wizard.toast.get().map(|(id, text)| {
            view! {
                <div class="toast" role="status">
                    <p>{text}</p>
                    <a href=format!("/projects?manage={id}") class="button primary">"Open Manage Subscriptions"</a>
                    <button type="button" class="button-link" aria-label="Dismiss" on:click=move |_| wizard.toast.set(None)>"×"</button>
                </div>
            }
        })
    }
}

/// Step 2: yearly or monthly, lines grouped by module, totals, and checkout.
#[component]
fn SubscriptionStep(
    wizard: Wizard,
    step: RwSignal<Step>,
    interval: RwSignal<BillingInterval>,
) -> impl IntoView {
    let catalog = Resource::new(|| (), |_| license_catalog());
    let checkout = Action::new(
        move |(selection, interval): &(LicenseSelection, BillingInterval)| {
            let (selection, interval) = (selection.clone(), *interval);
            async move {
                let result = start_checkout(selection, interval).await;
                #[cfg(feature = "hydrate")]
                if let Ok(url) = &result {
                    let _ = window().location().set_href(url);
                }
                result
            }
        },
    );
    let choice = move |value: BillingInterval, label: &'static str, note: &'static str| {
        view! {
            <label class="interval" class:current=move || interval.get() == value>
                <input type="radio" name="interval" prop:checked=move || interval.get() == value on:change=move |_| interval.set(value)/>
                <span><strong>{label}</strong><span class="muted small">{note}</span></span>
            </label>
        }
    };
    view! {
        <h1>"Subscription"</h1>
        <div class="intervals" role="radiogroup" aria-label="Payment type">
            {choice(BillingInterval::Yearly, "Yearly", "Billed once a year")}
            {choice(BillingInterval::Monthly, "Monthly", "Billed every month")}
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading prices…"</p> }>
            {move || Suspend::new(async move {
                let catalog = match catalog.await {
                    Ok(c) => c,
                    Err(e) => return view! { <ErrorPanel error=e/> }.into_any(),
                };
                view! {
                    {move || {
                        let summary = wizard.selection.with(|s| s.summary());
                        match quote(&summary, &catalog, interval.get()) {
                            Ok(q) => {
                                let per = if q.interval == BillingInterval::Yearly { "year" } else { "month" };
                                let lines = q.lines.iter().filter(|l| l.quantity > 0).map(|l| view! {
                                    <tr class="quote-line">
                                        <td>{l.item.name()}</td>
                                        <td class="num">{projects_label(l.quantity)}</td>
                                        <td class="num">{if l.unit_amount_cents == 0 { "Included".to_string() } else { format!("{} / project / {per}", format_usd(l.unit_amount_cents)) }}</td>
                                        <td class="num">{format_usd(l.amount_cents)}</td>
                                    </tr>
                                }).collect_view();
                                view! {
                                    <table class="quote">
                                        <thead><tr><th>"Module"</th><th class="num">"Projects"</th><th class="num">"Price"</th><th class="num">"Amount"</th></tr></thead>
                                        <tbody>{lines}</tbody>
                                        <tfoot>
                                            <tr><th colspan="3">{format!("Total per {per}")}</th><td class="num quote-total">{format_usd(q.total_cents)}</td></tr>
                                            {q.yearly_saving_cents.map(|s| view! { <tr><th colspan="3">"You save against monthly"</th><td class="num quote-saving">{format_usd(s)}</td></tr> })}
                                            <tr class="due"><th colspan="3">"Due today"</th><td class="num quote-due">{format_usd(q.due_today_cents)}</td></tr>
                                        </tfoot>
                                    </table>
                                }.into_any()
                            }
                            Err(e) => view! { <p class="panel error">{e.to_string()}</p> }.into_any(),
                        }
                    }}
                }.into_any()
            })}
        </Suspense>
        <p class="inline-problem" role="alert">
            {move || checkout.value().get().and_then(|r| r.err()).map(|e| e.to_string())}
        </p>
        <div class="step-actions">
            <button class="button" type="button" on:click=move |_| step.set(Step::Projects)>"Back"</button>
            <button class="button primary" type="button" disabled=move || checkout.pending().get()
                on:click=move |_| { checkout.dispatch((wizard.selection.get_untracked(), interval.get_untracked())); }>
                {move || if checkout.pending().get() { "Opening checkout…" } else { "Checkout" }}
            </button>
        </div>
    }
}

/// "1 project", "2 projects".
fn projects_label(count: u32) -> String {
    if count == 1 {
        "1 project".into()
    } else {
        format!("{count} projects")
    }
}
