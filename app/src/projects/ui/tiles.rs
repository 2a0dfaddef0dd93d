//! The company's Smartapp projects — tiles, or a dense list for companies with hundreds —
//! each with its modules and add-ons, interval, standing and next renewal; search, the
//! Licensed filter (Planner / Safety / Both) and paging; and the confirmation of a payment
//! when Stripe sends the browser back.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::account::Viewer;
use crate::error::AppError;
use crate::ids::ProjectId;
use crate::licensing::api::ConfirmCheckout;
use crate::licensing::{LicenseFilter, LicensedScope};
use crate::subscriptions::api::{subscribed_projects, SubscribedProject};
use crate::subscriptions::change::items_of;
use crate::ui::{ErrorPanel, Pager};

/// The company's Smartapp projects.
///
/// Back from Stripe (`?checkout_session=…`), the page asks the server to reconcile the
/// Checkout Session with a POST sent from the browser once it has hydrated (never while
/// rendering a GET, which any cross-site link could trigger), shows "Confirming your
/// payment…" meanwhile, then reads the projects again.
#[component]
pub(super) fn SmartappProjects(
    version: RwSignal<usize>,
    viewer: Resource<Result<Option<Viewer>, AppError>>,
) -> impl IntoView {
    let query = use_query_map();
    let checkout_session = query.read_untracked().get("checkout_session");
    let returning = checkout_session.is_some();
    let manage = query
        .read_untracked()
        .get("manage")
        .and_then(|m| m.parse::<i64>().ok())
        .map(ProjectId);
    let confirm = ServerAction::<ConfirmCheckout>::new();
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        if let Some(session_id) = checkout_session.clone() {
            confirm.dispatch(ConfirmCheckout { session_id });
        }
    });
    let search = RwSignal::new(String::new());
    let scope = RwSignal::new(None::<LicensedScope>);
    let page = RwSignal::new(1u32);
    let dense = RwSignal::new(false);
    let list = Resource::new(
        move || {
            (
                version.get(),
                confirm.version().get(),
                search.get(),
                scope.get(),
                page.get(),
            )
        },
        |(_, _, search, scope, page)| {
            subscribed_projects(search, scope.map(LicenseFilter::Licensed), page)
        },
    );
    let scope_button = move |value: Option<LicensedScope>, label: &'static str| {
        view! {
            <button type="button" class="chip" aria-pressed={move || (scope.get() == value).to_string()}
                on:click={move |_| { scope.set(value); page.set(1); }}>{label}</button>
        }
    };
    view! {
        <section class="smartapp-projects">
            <div class="page-head">
                <h1>"Smartapp projects"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        // Only company admins buy licences; members see what they can do.
                        is_admin(viewer.await).then(|| view! {
                            <a class="button primary" href="/licensing">"License projects"</a>
                        })
                    })}
                </Suspense>
            </div>
            <div class="list-controls">
                <label class="search">
                    <span class="visually-hidden">"Search Smartapp projects"</span>
                    <input type="search" placeholder="Search Smartapp projects" aria-label="Search Smartapp projects"
                        on:input=move |ev| { search.set(event_target_value(&ev)); page.set(1); }/>
                </label>
                <div class="scopes" role="group" aria-label="Licensed modules">
                    {scope_button(None, "All")}
                    {scope_button(Some(LicensedScope::Planner), "Planner")}
                    {scope_button(Some(LicensedScope::Safety), "Safety")}
                    {scope_button(Some(LicensedScope::Both), "Both")}
                </div>
                <div class="segmented" role="group" aria-label="Layout">
                    <button type="button" aria-pressed={move || (!dense.get()).to_string()} on:click={move |_| dense.set(false)}>"Tiles"</button>
                    <button type="button" id="dense-list" aria-pressed={move || dense.get().to_string()} on:click={move |_| dense.set(true)}>"List"</button>
                </div>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let confirmed = confirm.value().get();
                    if returning && confirmed.is_none() {
                        return view! {
                            <p class="panel notice" role="status">"Confirming your payment…"</p>
                        }.into_any();
                    }
                    let banner = match confirmed {
                        Some(Ok(n)) => Some(view! { <p class="panel success" role="status">{format!("Payment received: {} licensed.", projects_count(n as u64))}</p> }.into_any()),
                        Some(Err(e)) => Some(view! { <ErrorPanel error=e/> }.into_any()),
                        None => None,
                    };
                    let admin = is_admin(viewer.await);
                    let body = match list.await {
                        Ok(p) if p.total == 0 && search.get_untracked().is_empty() && scope.get_untracked().is_none() && admin => view! {
                            <div class="panel empty">
                                <p>"No Smartapp projects yet. License Procore projects for Planner or Safety to get started."</p>
                                <a class="button primary" href="/licensing">"Open the licensing wizard"</a>
                            </div>
                        }.into_any(),
                        Ok(p) if p.total == 0 && search.get_untracked().is_empty() && scope.get_untracked().is_none() => view! {
                            <div class="panel empty" id="member-empty">
                                <p>"None of the Procore projects you can see has a Smartapp licence yet."</p>
                                <p>"A Procore company admin of your company licenses projects for Planner or Safety; ask one of them. Once a project is licensed, it shows here and its Smartapp view opens inside Procore."</p>
                            </div>
                        }.into_any(),
                        Ok(p) if p.total == 0 => view! { <p class="muted">"No Smartapp project matches."</p> }.into_any(),
                        Ok(p) => {
                            let pages = p.total.div_ceil(u64::from(p.per_page.max(1))).max(1);
                            let status = format!("Page {} of {pages} · {}", p.page, projects_count(p.total));
                            let at = p.page;
                            let items = if dense.get() {
                                view! {
                                    <table class="table dense" id="subscribed-list">
                                        <thead><tr><th scope="col">"Project"</th><th scope="col">"Modules"</th><th scope="col">"Billing"</th><th scope="col">"Status"</th><th scope="col">"Next renewal"</th></tr></thead>
                                        <tbody>{p.projects.into_iter().map(|t| view! { <Row p=t/> }).collect_view()}</tbody>
                                    </table>
                                }.into_any()
                            } else {
                                view! {
                                    <ul class="tiles">
                                        {p.projects.into_iter().map(|t| view! { <Tile p=t highlighted=manage/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            };
                            view! {
                                {items}
                                {(pages > 1).then(|| view! {
                                    <Pager status
                                        previous=view! { <button type="button" class="button" disabled={at <= 1} on:click={move |_| page.update(|n| *n = n.saturating_sub(1).max(1))}>"Previous"</button> }.into_any()
                                        next=view! { <button type="button" class="button" disabled={u64::from(at) >= pages} on:click={move |_| page.update(|n| *n += 1)}>"Next"</button> }.into_any()/>
                                })}
                            }.into_any()
                        }
                        Err(AppError::NotSignedIn) => ().into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    };
                    view! { {banner} {body} }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// Whether the signed-in viewer is an admin of the current company.
fn is_admin(viewer: Result<Option<Viewer>, AppError>) -> bool {
    matches!(viewer, Ok(Some(v)) if v.is_admin)
}

/// "1 project", "48 projects".
pub(crate) fn projects_count(n: u64) -> String {
    if n == 1 {
        "1 project".into()
    } else {
        format!("{n} projects")
    }
}

fn badges(p: &SubscribedProject) -> impl IntoView {
    items_of(&p.terms.current)
        .into_iter()
        .map(|item| {
            let class = match item {
                crate::licensing::CatalogItem::Planner => "badge planner",
                crate::licensing::CatalogItem::Safety => "badge safety",
                _ => "badge addon",
            };
            view! { <span class=class>{item.name()}</span> }
        })
        .collect_view()
}

/// One project as a tile: name, billing and standing, modules along the bottom.
#[component]
fn Tile(p: SubscribedProject, highlighted: Option<ProjectId>) -> impl IntoView {
    let href = format!("/projects/{}", p.id);
    view! {
        <li class="tile" class:highlighted={highlighted == Some(p.id)} id={format!("project-{}", p.id)}
            data-project-id={p.id.to_string()}>
            <div class="tile-body">
                <h2 class="tile-name"><a href=href>{p.name.clone()}</a></h2>
                <p class="small">
                    <span class=format!("standing {}", p.standing.css())>{p.standing.label()}</span>
                </p>
                <p class="muted small">{format!("{} · {}", p.terms.interval.label(), p.standing.renewal(p.renews_at))}</p>
            </div>
            <div class="tile-modules">{badges(&p)}</div>
        </li>
    }
}

/// One project as a row of the dense list.
#[component]
fn Row(p: SubscribedProject) -> impl IntoView {
    let href = format!("/projects/{}", p.id);
    view! {
        <tr data-project-id=p.id.to_string()>
            <td><a href=href>{p.name.clone()}</a></td>
            <td>{badges(&p)}</td>
            <td>{p.terms.interval.label()}</td>
            <td><span class=format!("standing {}", p.standing.css())>{p.standing.label()}</span></td>
            <td>{p.standing.renewal(p.renews_at)}</td>
        </tr>
    }
}
