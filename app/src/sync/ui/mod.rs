//! The project's settings page (Procore settings) and its four directory pages, each with
//! the resource's Procore sync panel.

mod directory;
mod entry_form;
mod held;
mod settings;
mod sync_panel;

pub use directory::DirectoryPageView;
pub use settings::ProjectSettingsPage;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use super::api::{RunState, RunView};
use super::settings::Resource as SyncResource;
use crate::account::{viewer_resource, SwitchCompany};
use crate::ids::{CompanyId, ProjectId};
use crate::subscriptions::date;
use crate::ui::{ErrorPanel, SignInPanel, TopBar};

/// The project id in the address (`/projects/:id/…`), if it is a number.
fn project_in_route() -> Memo<Option<ProjectId>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .map(ProjectId)
    })
}

/// The top bar, or the sign-in panel when there is no session; switching company goes back
/// to Project Central (the project belongs to the company that was current).
#[component]
fn ProjectTopBar() -> impl IntoView {
    let switch = ServerAction::<SwitchCompany>::new();
    let viewer = viewer_resource(Signal::derive(move || switch.version().get()));
    let navigate = use_navigate();
    let on_switch = Callback::new(move |company_id: CompanyId| {
        switch.dispatch(SwitchCompany { company_id });
        navigate("/projects", NavigateOptions::default());
    });
    view! {
        <Suspense fallback=|| view! { <div class="topbar placeholder"></div> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! { <TopBar viewer=v on_switch/> }.into_any(),
                    Ok(None) => view! {
                        <main class="page narrow">
                            <SignInPanel message="Your session has ended or you have not signed in yet."/>
                        </main>
                    }.into_any(),
                    Err(e) => view! { <main class="page narrow"><ErrorPanel error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Where each directory page lives under the project, in the order the menus list them.
const SECTIONS: [(&str, SyncResource, &str); 4] = [
    ("team", SyncResource::Companies, "Project Team"),
    ("locations", SyncResource::Locations, "Locations"),
    ("roles", SyncResource::Roles, "Roles"),
    ("users", SyncResource::Users, "Users"),
];

/// The resource a section of the address shows (`team` shows the companies).
fn resource_of_section(section: &str) -> Option<SyncResource> {
    SECTIONS
        .iter()
        .find(|(s, _, _)| *s == section)
        .map(|(_, r, _)| *r)
}

/// The address of a resource's page.
fn section_href(project: ProjectId, resource: SyncResource) -> String {
    let section = SECTIONS
        .iter()
        .find(|(_, r, _)| *r == resource)
        .map_or("team", |(s, _, _)| s);
    format!("/projects/{project}/{section}")
}

/// The page title of a resource's page ("Project Team" for the companies).
fn section_title(resource: SyncResource) -> &'static str {
    SECTIONS
        .iter()
        .find(|(_, r, _)| *r == resource)
        .map_or("Project Team", |(_, _, t)| t)
}

/// Links to the four directory pages (the current one marked), as the settings menus show.
#[component]
fn DirectoryLinks(
    project: ProjectId,
    #[prop(optional)] current: Option<SyncResource>,
    #[prop(into)] label: String,
) -> impl IntoView {
    view! {
        <nav class="directory-nav" aria-label=label>
            <ul>
                {SECTIONS
                    .into_iter()
                    .map(|(_, resource, title)| {
                        let here = current == Some(resource);
                        view! {
                            <li>
                                <a
                                    href=section_href(project, resource)
                                    aria-current=here.then_some("page")
                                    class:current=here
                                >
                                    {title}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// A UTC instant as "30 Nov 2026 06:00 UTC".
fn date_time(unix_seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix_seconds) {
        Ok(t) => format!(
            "{} {:02}:{:02} UTC",
            date(unix_seconds),
            t.hour(),
            t.minute()
        ),
        Err(_) => "an unknown time".into(),
    }
}

/// A UTC time of day as "06:00:15 UTC".
fn clock(unix_seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix_seconds) {
        Ok(t) => format!("{:02}:{:02}:{:02} UTC", t.hour(), t.minute(), t.second()),
        Err(_) => "an unknown time".into(),
    }
}

/// A run's state in words.
fn state_label(state: RunState) -> &'static str {
    match state {
        RunState::Queued => "Queued",
        RunState::Running => "Running",
        RunState::Paused => "Paused",
        RunState::Succeeded => "Succeeded",
        RunState::Failed => "Failed",
        RunState::Stopped => "Stopped",
    }
}

/// A run's counts: "3 created · 2 updated · 0 deleted · 10 unchanged · 0 failed".
fn counts(run: &RunView) -> String {
    format!(
        "{} created · {} updated · {} deleted · {} unchanged · {} failed",
        run.created, run.updated, run.deleted, run.unchanged, run.failed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_utc() {
        // 2026-11-30T06:00:15Z
        assert_eq!(
            date_time(1_795_996_800 + 6 * 3600 + 15),
            "30 Nov 2026 06:00 UTC"
        );
        assert_eq!(clock(1_795_996_800 + 6 * 3600 + 15), "06:00:15 UTC");
    }

    #[test]
    fn sections_name_their_resources() {
        assert_eq!(resource_of_section("team"), Some(SyncResource::Companies));
        assert_eq!(resource_of_section("users"), Some(SyncResource::Users));
        assert_eq!(resource_of_section("history"), None);
        assert_eq!(
            section_href(ProjectId(7), SyncResource::Locations),
            "/projects/7/locations"
        );
        assert_eq!(section_title(SyncResource::Companies), "Project Team");
    }
}
