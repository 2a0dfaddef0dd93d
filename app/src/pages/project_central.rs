//! Project Central: the current company's Procore projects, searchable and paged.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::directory::{get_viewer, list_projects, ProjectPage, SwitchCompany};
use crate::error::AppError;
use crate::licensing::api::{confirm_checkout, licensed_tiles, LicensedTile};
use crate::pages::{SignInPanel, TopBar};

/// The Project Central page.
#[component]
pub fn ProjectCentral() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let switch = ServerAction::<SwitchCompany>::new();
    let viewer = Resource::new(move || switch.version().get(), |_| get_viewer());
    let projects = Resource::new(
        move || (search(), page(), switch.version().get()),
        |(search, page, _)| list_projects(search, page),
    );
    let navigate = use_navigate();
    let on_switch = Callback::new(move |company_id: i64| {
        switch.dispatch(SwitchCompany { company_id });
        navigate("/projects", NavigateOptions::default());
    });

    view! {
        <Suspense fallback=|| view! { <div class="topbar placeholder"></div> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! { <TopBar viewer=v on_switch/> }.into_any(),
                    Ok(None) => view! {
                        <main class="page narrow">
                            <SignInPanel message="Your session has ended or you have not signed in yet."/>
                        </main>
                    }.into_any(),
                    Err(e) => view! { <main class="page narrow"><ErrorPanel error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
        <main class="page">
            <SmartappProjects version=switch.version()/>
            <div class="page-head">
                <h1>"Procore projects"</h1>
                <SearchBox initial=search()/>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading projects…"</p> }>
                {move || Suspend::new(async move {
                    match projects.await {
                        Ok(page) => view! { <ProjectTable page search=search()/> }.into_any(),
                        Err(AppError::NotSignedIn) => ().into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// The company's licensed Smartapp projects as tiles; after Stripe's redirect it first
/// reconciles the Checkout Session, so the tiles are there even before the webhook.
#[component]
fn SmartappProjects(version: RwSignal<usize>) -> impl IntoView {
    let query = use_query_map();
    let checkout_session = query.read_untracked().get("checkout_session");
    let manage = query
        .read_untracked()
        .get("manage")
        .and_then(|m| m.parse::<i64>().ok());
    let confirmed = Resource::new(
        move || checkout_session.clone(),
        |id| async move {
            match id {
                Some(id) => Some(confirm_checkout(id).await),
                None => None,
            }
        },
    );
    let tiles = Resource::new(
        move || (version.get(), confirmed.get().is_some()),
        |_| licensed_tiles(),
    );
    view! {
        <section class="smartapp-projects">
            <div class="page-head">
                <h1>"Smartapp projects"</h1>
                <a class="button primary" href="/licensing">"License projects"</a>
            </div>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let banner = match confirmed.await {
                        Some(Ok(n)) => Some(view! { <p class="panel success" role="status">{format!("Payment received: {n} projects licensed.")}</p> }.into_any()),
                        Some(Err(e)) => Some(view! { <ErrorPanel error=e/> }.into_any()),
                        None => None,
                    };
                    let body = match tiles.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="panel empty">"No Smartapp projects yet. License Procore projects for Planner or Safety to get started."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="tiles">
                                {list.into_iter().map(|t| view! { <Tile tile=t highlighted=manage/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(AppError::NotSignedIn) => ().into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    };
                    view! { {banner} {body} }
                })}
            </Suspense>
        </section>
    }
}

/// One licensed project: its name, and its modules along the bottom.
#[component]
fn Tile(tile: LicensedTile, highlighted: Option<i64>) -> impl IntoView {
    let l = tile.license;
    view! {
        <li class="tile" class:highlighted=highlighted == Some(tile.project_id) id=format!("project-{}", tile.project_id)
            data-project-id=tile.project_id.to_string()>
            <div class="tile-body">
                <h2 class="tile-name">{tile.name}</h2>
                <p class="muted small">{format!("{} · {}", tile.interval.label(), tile.status.replace('_', " "))}</p>
            </div>
            <div class="tile-modules">
                {l.planner.then(|| view! { <span class="badge planner">"Planner"</span> })}
                {l.safety.then(|| view! { <span class="badge safety">"Safety"</span> })}
                {l.planner_board.then(|| view! { <span class="badge addon">"Planner Board"</span> })}
                {l.safety_badge.then(|| view! { <span class="badge addon">"Safety Badge"</span> })}
            </div>
        </li>
    }
}

/// Search input that updates the URL (and so the list) as the user types.
#[component]
fn SearchBox(initial: String) -> impl IntoView {
    let navigate = use_navigate();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let go = move |text: String| {
        let target = if text.trim().is_empty() {
            "/projects".to_string()
        } else {
            format!("/projects?q={}", urlencode(text.trim()))
        };
        navigate(
            &target,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let text = RwSignal::new(initial.clone());
    let go_now = go.clone();
    view! {
        <form
            class="search"
            role="search"
            method="get"
            action="/projects"
            on:submit=move |ev| {
                ev.prevent_default();
                go_now(text.get_untracked());
            }
        >
            <label for="project-search" class="visually-hidden">"Search projects"</label>
            <input
                id="project-search"
                type="search"
                name="q"
                placeholder="Search by project name"
                value=initial
                autocomplete="off"
                maxlength="100"
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    text.set(value.clone());
                    if let Some(handle) = pending.get_value() {
                        handle.clear();
                    }
                    let go = go.clone();
                    let handle = set_timeout_with_handle(
                        move || go(value),
                        std::time::Duration::from_millis(250),
                    )
                    .ok();
                    pending.set_value(handle);
                }
            />
            <button type="submit" class="button">"Search"</button>
        </form>
    }
}

/// The project rows and the pager.
#[component]
fn ProjectTable(page: ProjectPage, search: String) -> impl IntoView {
    let pages = page.page_count();
    let link = move |p: u32| {
        if search.is_empty() {
            format!("/projects?page={p}")
        } else {
            format!("/projects?q={}&page={p}", urlencode(&search))
        }
    };
    if page.projects.is_empty() {
        return view! {
            <section class="panel empty">
                <p>"No projects match your search."</p>
            </section>
        }
        .into_any();
    }
    let rows = page
        .projects
        .into_iter()
        .map(|p| {
            view! {
                <tr data-project-id=p.id.to_string()>
                    <td class="project-name">{p.name}</td>
                    <td>{p.number.unwrap_or_default()}</td>
                    <td>{p.stage.unwrap_or_default()}</td>
                    <td class="muted">{p.location.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let prev = (page.page > 1).then(|| link(page.page - 1));
    let next = (page.page < pages).then(|| link(page.page + 1));
    view! {
        <table class="projects">
            <thead>
                <tr>
                    <th scope="col">"Project"</th>
                    <th scope="col">"Number"</th>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"Location"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {prev.map(|href| view! { <a class="button" href=href rel="prev">"Previous"</a> })}
            <span class="pager-status">
                {format!("Page {} of {} · {} projects", page.page, pages, page.total)}
            </span>
            {next.map(|href| view! { <a class="button" href=href rel="next">"Next"</a> })}
        </nav>
    }
    .into_any()
}

/// An error with the way forward.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let sign_in = error.needs_sign_in();
    view! {
        <section class="panel error" role="alert">
            <p>{error.to_string()}</p>
            {if sign_in {
                view! { <a class="button primary" href="/auth/procore/login" rel="external">"Sign in with Procore"</a> }.into_any()
            } else {
                view! { <a class="button" href="/projects">"Try again"</a> }.into_any()
            }}
        </section>
    }
}

/// Encodes text for a query-string value.
fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
