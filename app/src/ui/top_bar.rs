//! The frame around every signed-in page: brand, company switcher, user, Billing (admins),
//! Disconnect Procore and sign-out, and for admins the failed-payment banner below it.

use leptos::prelude::*;

use crate::account::Viewer;
use crate::billing::PaymentBanner;
use crate::ids::CompanyId;

/// The top bar; `on_switch` is called with the chosen company id.
#[component]
pub fn TopBar(viewer: Viewer, on_switch: Callback<CompanyId>) -> impl IntoView {
    let current = viewer.company_id;
    let several = viewer.companies.len() > 1;
    let options = viewer
        .companies
        .iter()
        .map(|c| {
            view! {
                <option value={c.id.to_string()} selected={c.id == current}>
                    {c.name.clone()}
                </option>
            }
        })
        .collect_view();
    let company_name = viewer.company_name().to_string();
    view! {
        <header class="topbar">
            <a class="brand" href="/projects">
                <span class="brand-mark">"S"</span>
                <span>"Smartapp "<strong>"Project Central"</strong></span>
            </a>
            <div class="topbar-company">
                {if several {
                    view! {
                        <label class="company-switcher">
                            <span class="visually-hidden">"Company"</span>
                            <select
                                id="company-switcher"
                                aria-label="Company"
                                on:change=move |ev| {
                                    if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                                        on_switch.run(CompanyId(id));
                                    }
                                }
                            >
                                {options}
                            </select>
                        </label>
                    }
                        .into_any()
                } else {
                    view! { <span class="company-name">{company_name}</span> }.into_any()
                }}
            </div>
            <div class="topbar-user">
                <span class="user-name" title=viewer.login.clone()>{viewer.name.clone()}</span>
                {viewer.is_admin.then(|| view! { <a class="button-link" href="/billing">"Billing"</a> })}
                <a class="button-link" href="/account/disconnect">"Disconnect Procore"</a>
                <form method="post" action="/auth/logout">
                    <button type="submit" class="button-link">"Sign out"</button>
                </form>
            </div>
        </header>
        // Company admins learn of a failed payment wherever they are.
        {viewer.is_admin.then(|| view! { <PaymentBanner/> })}
        // Everyone learns that an app is not connected in Procore.
        <crate::installs::ReconnectBanner/>
    }
}
