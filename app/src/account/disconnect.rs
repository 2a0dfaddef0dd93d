//! Disconnecting Procore: what stops working, then the POST that revokes our access.

use leptos::prelude::*;

use super::api::viewer_resource;
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
                        Ok(Some(v)) => view! {
                            <section class="panel disconnect">
                                <h1>"Disconnect Procore?"</h1>
                                <p>
                                    "Smartapp will give back its access to Procore for "
                                    <strong>{v.name.clone()}</strong>
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
                        }.into_any(),
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
