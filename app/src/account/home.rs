//! The landing page: what Project Central is, and the way in.

use leptos::prelude::*;

use super::api::get_viewer;

/// Landing page; signed-in users get a link straight to their projects.
#[component]
pub fn Home() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| get_viewer());
    view! {
        <main class="landing">
            <section class="hero">
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
