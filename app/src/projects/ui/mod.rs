//! Project Central: the company's licensed Smartapp projects as tiles above its Procore
//! projects, searchable and paged.

mod project_table;
mod tiles;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use self::project_table::ProjectTable;
use self::tiles::SmartappProjects;
use super::api::list_projects;
use crate::account::{viewer_resource, SwitchCompany};
use crate::error::AppError;
use crate::ids::CompanyId;
use crate::ui::{ErrorPanel, SearchBox, SignInPanel, TopBar};

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
    let viewer = viewer_resource(Signal::derive(move || switch.version().get()));
    let projects = Resource::new(
        move || (search(), page(), switch.version().get()),
        |(search, page, _)| list_projects(search, page),
    );
    let navigate = use_navigate();
    let on_switch = Callback::new(move |company_id: CompanyId| {
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
            <SmartappProjects version=switch.version() viewer/>
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
