//! The wizard's filter: Licensed / Not Licensed, and Planner / Safety / Both under Licensed.

use leptos::prelude::*;

use crate::licensing::{LicenseFilter, LicensedScope};

/// Licensed / Not Licensed, and Planner / Safety / Both under Licensed.
#[component]
pub(super) fn FilterControl(
    filter: RwSignal<LicenseFilter>,
    page: RwSignal<u32>,
    read_only: bool,
) -> impl IntoView {
    let set = move |f: LicenseFilter| {
        filter.set(f);
        page.set(1);
    };
    let licensed = move || matches!(filter.get(), LicenseFilter::Licensed(_));
    let scope_button = move |scope: LicensedScope, label: &'static str| {
        view! {
            <button type="button" class="chip" aria-pressed=move || (filter.get() == LicenseFilter::Licensed(scope)).to_string()
                on:click=move |_| set(LicenseFilter::Licensed(scope))>{label}</button>
        }
    };
    view! {
        <div class="filter" role="group" aria-label="Filter projects">
            <div class="segmented">
                <button type="button" aria-pressed=move || (filter.get() == LicenseFilter::NotLicensed).to_string()
                    disabled=read_only on:click=move |_| set(LicenseFilter::NotLicensed)>"Not Licensed"</button>
                <button type="button" aria-pressed=move || licensed().to_string()
                    on:click=move |_| set(LicenseFilter::Licensed(LicensedScope::All))>"Licensed"</button>
            </div>
            <Show when=licensed>
                <div class="scopes" role="group" aria-label="Licensed modules">
                    {scope_button(LicensedScope::All, "All")}
                    {scope_button(LicensedScope::Planner, "Planner")}
                    {scope_button(LicensedScope::Safety, "Safety")}
                    {scope_button(LicensedScope::Both, "Both")}
                </div>
            </Show>
        </div>
    }
}
