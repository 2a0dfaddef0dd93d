//! The panel that tells the user what went wrong and the way forward.

use leptos::prelude::*;

use crate::error::AppError;

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
