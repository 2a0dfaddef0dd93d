//! The company's licensed Smartapp projects, one tile each with its modules, and the
//! confirmation of a payment when Stripe sends the browser back.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::ids::ProjectId;
use crate::licensing::api::{licensed_tiles, ConfirmCheckout, LicensedTile};
use crate::ui::ErrorPanel;

/// The company's licensed Smartapp projects as tiles.
///
/// Back from Stripe (`?checkout_session=…`), the page asks the server to reconcile the
/// Checkout Session with a POST sent from the browser once it has hydrated (never while
/// rendering a GET, which any cross-site link could trigger), shows "Confirming your
/// payment…" meanwhile, then reads the tiles again: the banner and the tiles come from the
/// same reconciled state, whether Stripe's webhook arrived before the browser or after.
#[component]
pub(super) fn SmartappProjects(version: RwSignal<usize>) -> impl IntoView {
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
    let tiles = Resource::new(
        move || (version.get(), confirm.version().get()),
        |_| licensed_tiles(),
    );
    view! {
        <section class="smartapp-projects">
            <div class="page-head">
                <h1>"Smartapp projects"</h1>
                <a class="button primary" href="/licensing">"License projects"</a>
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
                    view! { {banner} {body} }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// One licensed project: its name, and its modules along the bottom.
#[component]
fn Tile(tile: LicensedTile, highlighted: Option<ProjectId>) -> impl IntoView {
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
