//! Whether each marketplace app (Smartapp Planner, Smartapp Safety) is connected to the
//! company in Procore. When Procore says one is not (uninstalled, or "App is not connected
//! to this company"), every page shows a **Reconnect** banner and `/reconnect/:app` gives
//! the steps; the app's background work stops, data is kept, and billing goes on until an
//! admin ends it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::onboarding::MarketplaceApp;
use crate::ui::NotFound;

/// One app's state in the current company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppConnection {
    /// Which app.
    pub app: MarketplaceApp,
    /// Installed and connected, as far as Procore last said.
    pub connected: bool,
    /// When Procore was last asked (UTC unix seconds).
    pub checked_at: i64,
}

/// The current company's apps (only those Procore has told us about).
#[server(endpoint = "app_connections", output = crate::codec::JsonText)]
pub async fn app_connections() -> Result<Vec<AppConnection>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.installs.connections(&caller).await }).await
}

/// Asks Procore again now (after a reinstall).
#[server(endpoint = "recheck_app_connections", output = crate::codec::JsonText)]
pub async fn recheck_app_connections() -> Result<Vec<AppConnection>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.installs.recheck(&caller).await }).await
}

/// The banner on every signed-in page while an app is not connected, with **Check again**
/// (asks Procore now: after a reinstall the banner goes at once) and the Reconnect steps.
#[component]
pub fn ReconnectBanner() -> impl IntoView {
    let apps = Resource::new(|| (), |_| app_connections());
    let recheck = Action::new(|_: &()| recheck_app_connections());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let listed = match recheck.value().get() {
                    Some(Ok(list)) => Ok(list),
                    _ => apps.await,
                };
                let lost: Vec<MarketplaceApp> = listed
                    .as_ref()
                    .map(|list| list.iter().filter(|a| !a.connected).map(|a| a.app).collect())
                    .unwrap_or_default();
                let again = match recheck.value().get() {
                    Some(Ok(_)) if lost.is_empty() => Some(view! {
                        <div class="reconnect-banner reconnected" role="status" id="reconnected">
                            "Procore says every Smartapp app is connected again: syncs and the view inside Procore work as before."
                        </div>
                    }.into_any()),
                    Some(Ok(_)) => Some(view! {
                        <p class="reconnect-still" role="status">"Checked just now: Procore still says so."</p>
                    }.into_any()),
                    Some(Err(e)) => Some(view! { <p class="reconnect-still" role="status">{e.to_string()}</p> }.into_any()),
                    None => None,
                };
                let banners = lost.into_iter()
                    .map(|app| view! {
                        <div class="reconnect-banner" role="alert" data-app={app.key()}>
                            {format!("{} is not connected to this company in Procore: its syncs are paused and its view inside Procore is off. Your data is kept. ", app.name())}
                            <a href={format!("/reconnect/{}", app.key())}>"How to reconnect"</a>
                            " "
                            <button type="button" class="button small reconnect-check"
                                disabled={move || recheck.pending().get()}
                                on:click={move |_| { recheck.dispatch(()); }}>
                                "Check again"
                            </button>
                        </div>
                    })
                    .collect_view();
                view! { {banners} {again} }
            })}
        </Suspense>
    }
}

/// `/reconnect/:app`: the steps, and **Check again**; once Procore says the app is
/// connected, the page says so instead of the steps.
#[component]
pub fn ReconnectPage() -> impl IntoView {
    let params = use_params_map();
    let Some(app) = params
        .read_untracked()
        .get("app")
        .and_then(|k| MarketplaceApp::from_key(&k))
    else {
        return view! { <NotFound/> }.into_any();
    };
    let recheck = Action::new(|_: &()| recheck_app_connections());
    let known = Resource::new(|| (), |_| app_connections());
    let is_connected =
        move |list: &[AppConnection]| list.iter().any(|a| a.app == app && a.connected);
    let steps = move || {
        view! {
            <p>{format!("Procore says {} is not installed or not connected to this company. Until it is, its syncs with Procore are paused and its view inside Procore does not open. Nothing is deleted: your projects, settings, entries and history are kept.", app.name())}</p>
            <ol class="setup-steps">
                <li>"In Procore, open Company Admin → App Management (a company admin does this)."</li>
                <li>{format!("If {} is listed as uninstalled, install it again from the App Marketplace; if it is listed, open it and check it is connected.", app.name())}</li>
                <li>"Re-create its Configuration for your projects if Procore asks (Procore does not keep them across a reinstall)."</li>
                <li>"Come back here and press Check again."</li>
            </ol>
        }
    };
    let outcome = move || {
        recheck.value().get().map(|r| match r {
            Ok(list) if is_connected(&list) => None,
            Ok(_) => Some(format!(
                "Checked just now: Procore still says {} is not connected to this company.",
                app.name()
            )),
            Err(e) => Some(e.to_string()),
        })
    };
    view! {
        <main class="page narrow" id="main">
            <p><a href="/projects">"← Project Central"</a></p>
            <section class="panel">
                <h1>{format!("Reconnect {}", app.name())}</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let connected = match recheck.value().get() {
                            Some(Ok(list)) => is_connected(&list),
                            _ => known.await.map(|l| is_connected(&l)).unwrap_or(false),
                        };
                        if connected {
                            view! {
                                <p class="panel success" role="status" id="recheck-connected">
                                    {format!("{} is connected to this company: its syncs and its view inside Procore work as before.", app.name())}
                                </p>
                            }.into_any()
                        } else {
                            view! {
                                {steps()}
                                <button class="button primary" id="recheck"
                                    disabled={move || recheck.pending().get()}
                                    on:click={move |_| { recheck.dispatch(()); }}>"Check again"</button>
                                <p role="status" id="recheck-outcome">{outcome}</p>
                            }.into_any()
                        }
                    })}
                </Suspense>
                <p class="muted">
                    "Billing goes on until a company admin ends it. To stop paying, end the project's subscription at the period end on its page in "
                    <a href="/projects">"Project Central"</a>" (Manage Subscription → End subscription)."
                </p>
            </section>
        </main>
    }
    .into_any()
}
