//! Disconnecting Procore: what stops working, then the POST that revokes our access.

use leptos::prelude::*;

use super::api::viewer_resource;
use crate::error::AppError;
use crate::ui::{ErrorPanel, SignInPanel};

/// `/account/disconnect`: explains what stops working before the user confirms.
#[component]
pub fn DisconnectProcore() -> impl IntoView {
    let viewer = viewer_resource(Signal::stored(0));
    view! {
        <main class="page narrow">
            <Suspense fallback=|| view! { <p class="muted">"Checking your session…"</p> }>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(v)) => view! { <DisconnectPanel name=Some(v.name)/> }.into_any(),
                        // Signed in, but no company left (e.g. after deleting its data): the
                        // connection is the person's own, so it can still be given back.
                        Err(AppError::Forbidden(_)) => view! { <DisconnectPanel name=None/> }.into_any(),
                        Ok(None) => view! {
                            <SignInPanel message="You are not signed in, so there is no Procore connection to disconnect."/>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// What stops working, and the POST that disconnects.
#[component]
fn DisconnectPanel(name: Option<String>) -> impl IntoView {
    let whom = name.unwrap_or_else(|| "your Procore account".to_string());
    view! {
        <section class="panel disconnect">
            <h1>"Disconnect Procore?"</h1>
            <p>
                "Smartapp will give back its access to Procore for "
                <strong>{whom}</strong>
                " and forget it. Until you sign in again:"
            </p>
            <ul>
                <li>"Background sync that runs on your connection stops (project teams, locations and roles)."</li>
                <li>"Smartapp's embedded view inside Procore stops working for you."</li>
                <li>"You are signed out of Project Central."</li>
            </ul>
            <p>"Your licences and subscriptions stay as they are. Signing in with Procore again reconnects."</p>
            <form method="post" action="/auth/procore/disconnect" class="actions">
                <button type="submit" class="button danger">"Disconnect Procore"</button>
                <a class="button" href="/projects">"Cancel"</a>
            </form>
        </section>
    }
}
