//! Procore's side panel (`/embedded/panel?app=`): Procore frames a URL without ids and says
//! which project the panel is for in its `setup` message (procore-api.md §8.4). The page and
//! its small script are served by the server (`server/src/http/embedded_panel.rs`); once the
//! script has a `setup` from an allowed origin it asks for the project's status, which is
//! rendered here from the embedded view's own components, for a 400 px column.

use leptos::prelude::*;

use super::api::EmbeddedStatus;
use super::ui::{Refused, SignInCard, Status};
use crate::error::AppError;

/// The panel's body for one `setup`: the project's status, a sign-in, or why not.
/// `new_tab` is the project's full-screen address (opened in a new tab when the browser
/// keeps no cookie in the frame).
pub fn fragment(result: Result<EmbeddedStatus, AppError>, new_tab: &str) -> String {
    let new_tab = new_tab.to_string();
    let owner = Owner::new();
    owner.with(move || {
        match result {
            Ok(s) => view! { <Status s/> }.into_any(),
            Err(e) if e.needs_sign_in() => {
                view! { <SignInCard new_tab=Signal::stored(new_tab)/> }.into_any()
            }
            Err(error) => view! { <Refused error/> }.into_any(),
        }
        .to_html()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_out_panel_offers_the_popup_and_a_refusal_says_why() {
        let html = fragment(
            Err(AppError::NotSignedIn),
            "/embedded?company_id=1&project_id=2",
        );
        assert!(html.contains("id=\"embedded-sign-in-button\""), "{html}");
        assert!(
            html.contains("/embedded?company_id=1&amp;project_id=2"),
            "{html}"
        );
        let html = fragment(Err(AppError::NotFound("Not visible <to you>".into())), "/x");
        assert!(html.contains("id=\"embedded-refused\""), "{html}");
        assert!(html.contains("Not visible &lt;to you&gt;"), "{html}");
    }
}
