//! The pager under a list of projects.

use leptos::prelude::*;

/// The way back, where the list stands ("Page 2 of 95 · 2375 projects"), the way on.
/// Each list brings its own controls: links where the page is in the URL, buttons where
/// it is in the page's state.
#[component]
pub fn Pager(#[prop(into)] status: String, previous: AnyView, next: AnyView) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {previous}
            <span class="pager-status">{status}</span>
            {next}
        </nav>
    }
}
