//! **Manage payment details**: opens the company's Stripe Customer Portal.

use leptos::prelude::*;

use crate::billing::api::open_billing_portal;

/// A POST form to `/billing/portal` (which answers with a 303 to the portal, so it works
/// before the page has hydrated). Once hydrated, the click asks the server function for the
/// portal's address and goes there, so an error (not an admin, Stripe down) is shown
/// beside the button instead of replacing the page.
#[component]
pub fn ManagePaymentDetails(
    /// Draw it as the page's main action.
    #[prop(optional)]
    primary: bool,
) -> impl IntoView {
    let open = Action::new(|_: &()| async move {
        let result = open_billing_portal().await;
        #[cfg(feature = "hydrate")]
        if let Ok(url) = &result {
            let _ = window().location().set_href(url);
        }
        result
    });
    view! {
        <form
            class="portal-form"
            method="post"
            action="/billing/portal"
            on:submit=move |ev| {
                ev.prevent_default();
                open.dispatch(());
            }
        >
            <button type="submit" class="button" class:primary=primary disabled=move || open.pending().get()>
                {move || if open.pending().get() { "Opening Stripe…" } else { "Manage payment details" }}
            </button>
            <span class="inline-problem" role="alert">
                {move || open.value().get().and_then(|r| r.err()).map(|e| e.to_string())}
            </span>
        </form>
    }
}
