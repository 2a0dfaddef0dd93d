//! The project's Badges page: its synced users with their badge numbers and **Download
//! badges (PDF)**, or, for a project without the Safety Badge add-on, what it would give.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use super::api::load_badges;
use super::{pdf_href, BadgeList};
use crate::account::{viewer_resource, SwitchCompany};
use crate::error::AppError;
use crate::ids::{CompanyId, ProjectId};
use crate::licensing::{AddOn, AddOnMissing};
use crate::ui::{ErrorPanel, NotFound, SignInPanel, TopBar};

/// `/projects/:id/badges`.
#[component]
pub fn BadgesPage() -> impl IntoView {
    let params = use_params_map();
    let project = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .map(ProjectId)
    });
    let list = Resource::new(
        move || project.get(),
        |project| async move {
            match project {
                Some(id) => load_badges(id).await,
                None => Err(AppError::NotFound("There is no such project.".into())),
            }
        },
    );
    move || {
        match project.get() {
        None => view! { <NotFound/> }.into_any(),
        Some(_) => view! {
            <BadgesTopBar/>
            <main class="page badges-page">
                <Transition fallback=|| view! { <p class="muted">"Loading the project's badges…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(l) => view! { <Badges list=l/> }.into_any(),
                            Err(AppError::NotSignedIn) => ().into_any(),
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </main>
        }
        .into_any(),
    }
    }
}

/// The page once the list is known.
#[component]
fn Badges(list: BadgeList) -> impl IntoView {
    let project = list.project;
    let back = format!("/projects/{}", project.get());
    let body = if list.eligible {
        let count = list.people.len();
        let rows = list
            .people
            .iter()
            .map(|b| {
                view! {
                    <tr>
                        <td>{b.name.clone()}</td>
                        <td>{b.company.clone()}</td>
                        <td>{b.role.clone()}</td>
                        <td class="badge-number">{b.number.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        let download = (count > 0).then(|| {
            view! {
                <a class="button primary" id="download-badges" href={pdf_href(project)} download={format!("safety-badges-{}.pdf", project.get())} rel="external">
                    "Download badges (PDF)"
                </a>
            }
        });
        let summary = match count {
            0 => "No synced users yet: turn on the Users sync under Settings, or add people on the Users page, and they get badges here.".to_string(),
            1 => "1 person: one badge each, with name, company, role, badge number and a QR code.".to_string(),
            n => format!("{n} people: one badge each, with name, company, role, badge number and a QR code."),
        };
        view! {
            <div class="badges-actions">
                <p id="badges-summary">{summary}</p>
                {download}
            </div>
            {(count > 0).then(|| view! {
                <table class="badge-list" id="badge-list">
                    <caption class="visually-hidden">"Safety badges"</caption>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Company"</th><th scope="col">"Role"</th><th scope="col">"Badge number"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })}
            <p class="muted small">"Each QR code holds the badge number and the project id, nothing else. Badge numbers stay the same on every download."</p>
        }
        .into_any()
    } else {
        match (&list.paused, list.safety) {
            (Some(reason), _) => view! { <p class="panel notice" id="badges-paused" role="status">{reason.clone()}</p> }.into_any(),
            (None, false) => view! {
                <p class="panel notice" id="badges-no-safety">"Safety badges come with Safety and its Safety Badge add-on: this project does not have Safety."</p>
            }.into_any(),
            (None, true) => view! { <AddOnMissing add_on=AddOn::SafetyBadge project admin=list.admin/> }.into_any(),
        }
    };
    view! {
        <section class="panel">
            <p><a href={back}>{format!("← {}", list.project_name)}</a></p>
            <h1>"Safety badges"</h1>
            {body}
        </section>
    }
}

/// The top bar, or the sign-in panel when there is no session.
#[component]
fn BadgesTopBar() -> impl IntoView {
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
