//! The footer of every page (Project Central and the view inside Procore): Support (mailto),
//! Help, Privacy and Terms. The addresses are the server's configuration (`SUPPORT_EMAIL`,
//! `SUPPORT_URL`, `PRIVACY_URL`, `TERMS_URL`), provided as context to the server render
//! and to server functions, and reach the browser with the page — never built into the
//! client bundle.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where customers reach us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// The support email address.
    pub support_email: String,
    /// The help centre.
    pub help_url: String,
    /// The privacy policy.
    pub privacy_url: String,
    /// The terms of service.
    pub terms_url: String,
}

impl Default for Contacts {
    /// Placeholders on a reserved domain (`.invalid` never resolves), so an unconfigured
    /// deployment cannot send anyone to a stranger's site.
    fn default() -> Self {
        Self {
            support_email: "support@smartapp.invalid".into(),
            help_url: "https://help.smartapp.invalid/".into(),
            privacy_url: "https://smartapp.invalid/privacy".into(),
            terms_url: "https://smartapp.invalid/terms".into(),
        }
    }
}

/// The configured contacts.
#[server(endpoint = "site_contacts", output = crate::codec::JsonText)]
pub async fn site_contacts() -> Result<Contacts, AppError> {
    Ok(use_context::<Contacts>().unwrap_or_default())
}

/// The footer; the shell renders it below every page.
#[component]
pub fn SiteFooter() -> impl IntoView {
    let contacts = OnceResource::new(site_contacts());
    view! {
        <footer class="site-footer" id="site-footer">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    contacts.await.ok().map(|c| view! {
                        <nav aria-label="Support and legal">
                            <a id="footer-support" href={format!("mailto:{}", c.support_email)}>{format!("Support: {}", c.support_email)}</a>
                            <a id="footer-help" href={c.help_url.clone()} target="_blank" rel="noopener">"Help"</a>
                            <a id="footer-privacy" href={c.privacy_url.clone()} target="_blank" rel="noopener">"Privacy"</a>
                            <a id="footer-terms" href={c.terms_url.clone()} target="_blank" rel="noopener">"Terms"</a>
                        </nav>
                    })
                })}
            </Suspense>
        </footer>
    }
}
