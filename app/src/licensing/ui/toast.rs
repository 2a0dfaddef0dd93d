//! The note shown when someone tries to change a licensed project here; it links to that
//! project's page, where Manage Subscription is.

use leptos::prelude::*;

use super::Wizard;

/// The friendly message for licensed projects, with the way to change them.
#[component]
pub(super) fn Toast(wizard: Wizard) -> impl IntoView {
    Effect::new(move |_| {
        if wizard.toast.get().is_some() {
            let _ = set_timeout_with_handle(
                move || wizard.toast.set(None),
                std::time::Duration::from_secs(8),
            );
        }
    });
    move || {
        wizard.toast.get().map(|(id, text)| {
            view! {
                <div class="toast" role="status">
                    <p>{text}</p>
                    <a href=format!("/projects/{id}") class="button primary">"Open Manage Subscription"</a>
                    <button type="button" class="button-link" aria-label="Dismiss" on:click=move |_| wizard.toast.set(None)>"×"</button>
                </div>
            }
        })
    }
}
