//! Shown where a page needs a signed-in user and there is none.

use leptos::prelude::*;

/// Shown where a page needs a signed-in user and there is none.
#[component]
pub fn SignInPanel(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <section class="panel sign-in-panel">
            <h1>"Sign in to continue"</h1>
            <p>{message}</p>
            <a class="button primary" href="/auth/procore/login" rel="external">
                "Sign in with Procore"
            </a>
        </section>
    }
}
