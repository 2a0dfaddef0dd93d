//! The page for addresses Project Central does not know.

use leptos::prelude::*;

/// The 404 page.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page narrow">
            <section class="panel">
                <h1>"Page not found"</h1>
                <p>"The page you asked for does not exist."</p>
                <a class="button" href="/projects">"Go to Project Central"</a>
            </section>
        </main>
    }
}
