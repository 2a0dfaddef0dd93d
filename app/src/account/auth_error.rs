//! The page a failed sign-in lands on: what happened and the way forward.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Human text for each sign-in failure code the server redirects with.
pub fn auth_error_message(code: &str) -> &'static str {
    match code {
        "state" => "This sign-in link was already used or has expired. Please start again.",
        "denied" => "You chose not to allow Smartapp to access your Procore account. Sign in again and choose Allow to continue.",
        "procore" => "Procore did not answer. Please try again in a minute.",
        "session" => "Your session has ended. Please sign in again.",
        "no-company" => "Your Procore account does not belong to any company Smartapp can use.",
        _ => "Signing in with Procore did not complete. Please try again.",
    }
}

/// Shows why sign-in failed, with a button to try again.
#[component]
pub fn AuthError() -> impl IntoView {
    let query = use_query_map();
    let message = move || auth_error_message(&query.read().get("reason").unwrap_or_default());
    view! {
        <main class="page narrow">
            <section class="panel" role="alert">
                <h1>"We could not sign you in"</h1>
                <p class="auth-error-message">{message}</p>
                <a class="button primary" href="/auth/procore/login" rel="external">
                    "Sign in with Procore"
                </a>
                <a class="button" href="/">"Back to start"</a>
            </section>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::auth_error_message;

    #[test]
    fn unknown_codes_get_the_generic_text() {
        assert_ne!(auth_error_message("state"), auth_error_message("denied"));
        assert_eq!(
            auth_error_message("<script>"),
            auth_error_message("anything-else")
        );
    }
}
