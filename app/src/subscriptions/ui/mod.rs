//! `/projects/{id}`: the project's page — Procore name and number, modules, standing,
//! next renewal — with Manage Subscription for admins and the project's history.

mod history;
mod manage;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use self::history::History;
use self::manage::Manage;
use super::api::{load_project_subscription, ProjectSubscription};
use super::change::items_of;
use super::standing::{date, Standing};
use crate::account::{viewer_resource, SwitchCompany};
use crate::error::AppError;
use crate::ids::{CompanyId, ProjectId};
use crate::licensing::CatalogItem;
use crate::ui::{ErrorPanel, SignInPanel, TopBar};

/// The project page.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .map(ProjectId)
    };
    let switch = ServerAction::<SwitchCompany>::new();
    let viewer = viewer_resource(Signal::derive(move || switch.version().get()));
    let changed = RwSignal::new(0usize);
    // The last change's Done words: kept here, above the panel that reloads after a change,
    // until dismissed or the next action.
    let done = RwSignal::new(None::<Vec<String>>);
    let project = Resource::new(
        move || (id(), changed.get(), switch.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => load_project_subscription(id).await,
                None => Err(AppError::NotFound("There is no such project.".into())),
            }
        },
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
            <p><a href="/projects">"← Project Central"</a></p>
            <Transition fallback=|| view! { <p class="muted">"Loading the project…"</p> }>
                {move || Suspend::new(async move {
                    match project.await {
                        Ok(p) => view! { <Details p changed done/> }.into_any(),
                        Err(AppError::NotSignedIn) => ().into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn Details(
    p: ProjectSubscription,
    changed: RwSignal<usize>,
    done: RwSignal<Option<Vec<String>>>,
) -> impl IntoView {
    let project = p.project.clone();
    let terms = project.terms;
    let renewing = items_of(&terms.renewing);
    let until = date(project.renews_at);
    let badges = items_of(&terms.current)
        .into_iter()
        .map(|item| {
            let class = match item {
                CatalogItem::Planner => "badge planner",
                CatalogItem::Safety => "badge safety",
                _ => "badge addon",
            };
            let note = (!renewing.contains(&item)).then(|| format!(" · stays until {until}"));
            view! { <span class=class data-item=format!("{item:?}")>{item.name()}{note}</span> }
        })
        .collect_view();
    let switching = terms
        .switching_to
        .map(|to| format!("Moves to {} billing on {until}.", to.as_str()));
    let number = project
        .number
        .clone()
        .map(|n| format!("Project number {n}"));
    view! {
        <section class="project-head">
            <h1>{project.name.clone()}</h1>
            <p class="muted">{number}</p>
            <p>
                <span class=format!("standing {}", project.standing.css()) id="standing">{project.standing.label()}</span>
                " "{terms.interval.label()}" billing · "{project.standing.renewal(project.renews_at)}
            </p>
            {standing_note(&project.standing)}
            <div class="tile-modules" id="modules">{badges}</div>
            <p class="project-links">
                <a class="button" id="project-settings" href=format!("/projects/{}/settings", project.id)>"Settings"</a>
                {terms.current.safety.then(|| view! { " " <a class="button" id="project-badges" href={format!("/projects/{}/badges", project.id)}>"Safety badges"</a> })}
            </p>
            {switching.map(|s| view! { <p class="panel notice">{s}</p> })}
            {p.awaiting_payment.clone().map(|url| view! {
                <p class="panel notice" role="status">
                    "A change is waiting for the card holder to confirm the payment. "
                    <a href=url rel="external">"Pay the invoice on Stripe"</a>
                    " — the project changes as soon as it is paid."
                </p>
            })}
        </section>
        {if p.can_manage {
            view! { <Manage project=project.clone() changed done/> }.into_any()
        } else {
            view! {
                <p class="panel notice" id="read-only">
                    "Only Procore company admins can change this project's subscription."
                </p>
            }.into_any()
        }}
        {terms.current.planner.then(|| view! { <crate::planboard::PlanBoardSection project=project.id/> })}
        <History entries=p.history/>
    }
}

/// What an Inactive or Cancelled project's admin can do, in the head of its page.
fn standing_note(standing: &Standing) -> Option<AnyView> {
    match standing {
        Standing::PaymentPending => Some(view! {
            <p class="panel notice" id="standing-note" role="status">
                "The last payment failed, so this project's modules are paused; its data and settings are kept. It works again as soon as the invoice is paid: update the card under "
                <a href="/billing">"Billing"</a>" → Manage payment details."
            </p>
        }.into_any()),
        Standing::Cancelled => Some(view! {
            <p class="panel notice" id="standing-note" role="status">
                "This project's subscription has ended; its data and settings are kept. A company admin can license it again in the "
                <a href="/licensing">"licensing wizard"</a>"."
            </p>
        }.into_any()),
        _ => None,
    }
}
