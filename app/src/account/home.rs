//! The landing page: what Project Central is, and the way in.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::viewer_resource;

/// Landing page; signed-in users get a link straight to their projects.
#[component]
pub fn Home() -> impl IntoView {
    let viewer = viewer_resource(Signal::stored(0));
    let disconnected = use_query_map()
        .read_untracked()
        .get("disconnected")
        .is_some();
    view! {
        <main class="landing">
            <section class="hero">
                {disconnected.then(|| view! {
                    <p class="panel notice" role="status">
                        "Procore is disconnected. Smartapp no longer has access to your Procore account: "
                        "background sync and the embedded view have stopped. Sign in with Procore to reconnect."
                    </p>
                })}
                <p class="eyebrow">"Smartapp for Procore"</p>
                <h1>"Project Central"</h1>
                <p class="lede">
                    "License your Procore projects for Smartapp Planner and Safety, "
                    "manage subscriptions, and keep project teams, locations and roles in sync with Procore."
                </p>
                <Suspense fallback=|| view! { <p class="muted">"Checking your session…"</p> }>
                    {move || Suspend::new(async move {
                        match viewer.await {
                            Ok(Some(v)) => view! {
                                <p>"Signed in as " <strong>{v.name.clone()}</strong> "."</p>
                                <a class="button primary" href="/projects">"Open Project Central"</a>
                            }.into_any(),
                            _ => view! {
                                <a class="button primary big" href="/auth/procore/login" rel="external">
                                    "Sign in with Procore"
                                </a>
                                <p class="muted small">"You will be asked to sign in on Procore and come straight back."</p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
