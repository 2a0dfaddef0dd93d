//! Later visits (seed 003, "Map Project"): once a project is licensed, the wizard's Not
//! Licensed view shows the company's licensed projects as a section of their own above the
//! projects still to license. They are shown as bought and not editable here (a click
//! explains where to change them); the first few are listed, the rest one click away.

use leptos::prelude::*;

use super::projects_step::{GridHead, ProjectRow};
use super::Wizard;
use crate::licensing::api::wizard_projects;
use crate::licensing::{LicenseFilter, LicensedScope};

/// How many licensed projects the section lists before "Show all".
const SHOWN: usize = 5;

/// The Licensed section (nothing on a first visit, when no project is licensed yet).
#[component]
pub(super) fn LicensedSection(
    wizard: Wizard,
    search: RwSignal<String>,
    filter: RwSignal<LicenseFilter>,
    page: RwSignal<u32>,
) -> impl IntoView {
    let licensed = Resource::new(
        move || (search.get(), filter.get() == LicenseFilter::NotLicensed),
        |(search, shown)| async move {
            if !shown {
                return Ok(None);
            }
            wizard_projects(search, LicenseFilter::Licensed(LicensedScope::All), 1)
                .await
                .map(Some)
        },
    );
    // The rules and the summary know these projects are licensed.
    Effect::new(move |_| {
        if let Some(Ok(Some(data))) = licensed.get() {
            wizard.remember(&data);
        }
    });
    let show_all = move |_| {
        filter.set(LicenseFilter::Licensed(LicensedScope::All));
        page.set(1);
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // A failure here leaves the Not Licensed list below, which says its own.
                let Ok(Some(data)) = licensed.await else { return ().into_any() };
                if data.total == 0 {
                    return ().into_any();
                }
                let more = data.total.saturating_sub(SHOWN as u64);
                let rows = data
                    .projects
                    .into_iter()
                    .take(SHOWN)
                    .map(|p| view! { <ProjectRow project=p wizard/> })
                    .collect_view();
                view! {
                    <section class="wizard-section" id="licensed-section" aria-labelledby="licensed-section-title">
                        <h2 id="licensed-section-title">"Licensed"</h2>
                        <p class="muted">
                            {crate::licensing::projects_label(data.total)}
                            " licensed. To change one, open it in Project Central and use Manage Subscription."
                        </p>
                        <table class="licensed-grid" aria-labelledby="licensed-section-title">
                            <GridHead/>
                            <tbody>{rows}</tbody>
                        </table>
                        {(more > 0).then(|| view! {
                            <p>
                                <button class="button" type="button" id="show-all-licensed" on:click=show_all>
                                    {format!("Show all {} licensed projects", data.total)}
                                </button>
                            </p>
                        })}
                    </section>
                }
                .into_any()
            })}
        </Transition>
    }
}
