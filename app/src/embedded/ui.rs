//! `/embedded?company_id=&project_id=&app=planner|safety` (and the older path form
//! `/embedded/{company}/{project}?app=`): the page inside Procore's iframe. It fits the
//! 400 px side panel (one column) and widens to two columns full screen; with no project it
//! is the company-level page ([`super::company`]). Signing in runs in a popup driven by
//! `/embedded/sign-in.js` (no WASM needed for it).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    load_embedded_company, load_embedded_status, EmbeddedCompany, EmbeddedLicence, EmbeddedStatus,
};
use super::company::CompanyView;
use super::offer::{EmbeddedApp, OfferLine};
use crate::error::AppError;
use crate::ids::{CompanyId, ProjectId};
use crate::licensing::{format_usd, CatalogItem};
use crate::subscriptions::change::items_of;
use crate::subscriptions::date;
use crate::sync::api::{ResourceStatus, RunState};

/// What the address names: the path form `/embedded/{company}/{project}`, or the query
/// form `/embedded?company_id=&project_id=&app=` (no or an empty `project_id`: Full Screen
/// opened at company level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Address {
    Project(CompanyId, ProjectId),
    Company(CompanyId),
    Nothing,
}

fn address(
    path: (Option<String>, Option<String>),
    query: (Option<String>, Option<String>),
) -> Address {
    let id = |v: &str| v.parse::<i64>().ok().filter(|id| *id > 0);
    match path {
        (Some(c), Some(p)) => match (id(&c), id(&p)) {
            (Some(c), Some(p)) => Address::Project(CompanyId(c), ProjectId(p)),
            _ => Address::Nothing,
        },
        _ => match (query.0.as_deref().and_then(id), query.1.as_deref()) {
            (Some(c), None) | (Some(c), Some("")) => Address::Company(CompanyId(c)),
            (Some(c), Some(p)) => match id(p) {
                Some(p) => Address::Project(CompanyId(c), ProjectId(p)),
                None => Address::Nothing,
            },
            (None, _) => Address::Nothing,
        },
    }
}

/// What the frame shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Loaded {
    Project(Box<EmbeddedStatus>),
    Company(EmbeddedCompany),
}

/// The embedded view.
#[component]
pub fn EmbeddedPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let here = move || {
        let (p, q) = (params.read(), query.read());
        address(
            (p.get("company"), p.get("project")),
            (q.get("company_id"), q.get("project_id")),
        )
    };
    let app = move || EmbeddedApp::parse(query.read().get("app").as_deref());
    let status = Resource::new(
        move || (here(), app()),
        |(here, app)| async move {
            match here {
                Address::Project(c, p) => load_embedded_status(c, p, app)
                    .await
                    .map(|s| Loaded::Project(Box::new(s))),
                Address::Company(c) => load_embedded_company(c).await.map(Loaded::Company),
                Address::Nothing => Err(AppError::NotFound(
                    "This address does not name a Procore company and project.".into(),
                )),
            }
        },
    );
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    view! {
        <main class="embedded">
            <Suspense fallback=|| view! { <p class="muted">"Loading Smartapp…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(Loaded::Project(s)) => view! { <Status s=*s/> }.into_any(),
                        Ok(Loaded::Company(c)) => view! { <CompanyView c app=app()/> }.into_any(),
                        Err(e) if e.needs_sign_in() => view! { <SignIn/> }.into_any(),
                        Err(e) => view! { <Refused error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <script src="/embedded/sign-in.js" nonce=nonce></script>
        </main>
    }
}

/// Sign in with Procore in a popup; the script fills in the status line and the fallback.
#[component]
fn SignIn() -> impl IntoView {
    let here = leptos_router::hooks::use_location();
    // leptos_router's `search` comes without its `?` (and with it on some paths).
    let here = move || {
        let search = here.search.get();
        let search = search.trim_start_matches('?');
        if search.is_empty() {
            here.pathname.get()
        } else {
            format!("{}?{search}", here.pathname.get())
        }
    };
    view! { <SignInCard new_tab=Signal::derive(here)/> }
}

/// The popup sign-in (the sign-in script drives its button and fills in the status line),
/// with "Open in a new tab" at `new_tab` for a browser that keeps no cookie in the frame.
/// The full-screen view and the side panel both use it.
#[component]
pub(super) fn SignInCard(new_tab: Signal<String>) -> impl IntoView {
    view! {
        <section class="panel embedded-sign-in" id="embedded-sign-in">
            <h1>"Sign in to see Smartapp here"</h1>
            <p>"Procore's sign-in opens in a small window; it closes by itself when you are signed in."</p>
            <button type="button" class="button primary" id="embedded-sign-in-button"
                data-login="/auth/procore/login?popup=1">
                "Sign in with Procore"
            </button>
            <p id="embedded-sign-in-status" class="embedded-status-line" role="status" aria-live="polite"></p>
            <p id="embedded-new-tab" hidden>
                <a class="button" href=new_tab target="_blank" rel="noopener">"Open in a new tab"</a>
            </p>
        </section>
    }
}

/// The ids were refused (not a member, project not visible) or Procore failed.
#[component]
pub(crate) fn Refused(error: AppError) -> impl IntoView {
    if let AppError::NotConnected { key, .. } = &error {
        // A project team member cannot reinstall the app: say who can, and link the steps.
        let steps = format!("/reconnect/{key}");
        return view! {
            <section class="panel error embedded-refused" role="alert" id="embedded-refused">
                <p>{error.to_string()}</p>
                <p>"A Procore company admin reinstalls or reconnects it in Procore (Company Admin → App Management). If you are not one, ask a company admin of your company."</p>
                <p>
                    <a class="button" id="embedded-reconnect" href=steps target="_blank" rel="noopener">"How to reconnect"</a>
                </p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="panel error embedded-refused" role="alert" id="embedded-refused">
            <p>{error.to_string()}</p>
            <p>
                <a class="button" href="/projects" target="_blank" rel="noopener">"Open Project Central"</a>
            </p>
        </section>
    }
    .into_any()
}

#[component]
pub(crate) fn Status(s: EmbeddedStatus) -> impl IntoView {
    let project_href = match s.licence {
        Some(_) => format!("/projects/{}", s.project),
        None => "/projects".to_string(),
    };
    let procore_note = s.inactive_in_procore.then(|| {
        view! {
            <p class="panel notice" id="embedded-procore-inactive">
                "Procore marks this project inactive. Its Smartapp data is kept; reactivate it in Procore to work on it again."
            </p>
        }
    });
    let body = match s.licence.clone() {
        Some(licence) => view! {
            <Licence licence/>
            {s.plan_board.clone().map(|items| view! {
                <section class="embedded-card" id="embedded-plan-board" aria-labelledby="embedded-plan-board-title">
                    <h2 id="embedded-plan-board-title">"Plan Board"</h2>
                    <crate::planboard::PublishedBoard items/>
                </section>
            })}
            <Sync resources=s.sync.clone() paused=s.sync_paused.clone() on=s.sync_on/>
        }
        .into_any(),
        None => {
            view! { <Offer project=s.project lines=s.offer.clone() can_license=s.can_license/> }
                .into_any()
        }
    };
    view! {
        <header class="embedded-head">
            <p class="embedded-brand">"Smartapp · " {s.company_name.clone()}</p>
            <h1 id="embedded-project">{s.project_name.clone()}</h1>
        </header>
        {procore_note}
        <div class="embedded-grid">{body}</div>
        <p class="embedded-actions">
            <a class="button" id="open-in-project-central" href=project_href target="_blank" rel="noopener">
                "Open in Project Central"
            </a>
        </p>
    }
}

#[component]
fn Licence(licence: EmbeddedLicence) -> impl IntoView {
    let badges = items_of(&licence.terms.current)
        .into_iter()
        .map(|item| {
            let class = match item {
                CatalogItem::Planner => "badge planner",
                CatalogItem::Safety => "badge safety",
                _ => "badge addon",
            };
            view! { <span class=class>{item.name()}</span> }
        })
        .collect_view();
    let renews = licence
        .renews_at
        .map(|at| format!(" · {}", licence.standing.renewal(at)));
    view! {
        <section class="embedded-card" id="embedded-licence">
            <h2>"Licence"</h2>
            <p>
                <span class=format!("standing {}", licence.standing.css()) id="embedded-standing">
                    {licence.standing.label()}
                </span>
                " " {licence.terms.interval.label()} " billing" {renews}
            </p>
            <div class="tile-modules" id="embedded-modules">{badges}</div>
            {licence.inactive_reason.map(|why| view! {
                <p class="panel notice" id="embedded-inactive" role="status">{why}</p>
            })}
        </section>
    }
}

#[component]
fn Sync(resources: Vec<ResourceStatus>, paused: Option<String>, on: bool) -> impl IntoView {
    if !on {
        return view! {
            <section class="embedded-card" id="embedded-sync">
                <h2>"Sync with Procore"</h2>
                <p id="embedded-sync-off">"Sync is off for this project. A company admin turns it on in the project's Procore settings in Project Central."</p>
            </section>
        }
        .into_any();
    }
    let rows = resources
        .into_iter()
        .map(|r| {
            let last = match (&r.active, &r.last) {
                (Some(_), _) => "Syncing now".to_string(),
                (None, Some(run)) => {
                    let outcome = match run.state {
                        RunState::Succeeded if run.failed > 0 => {
                            format!("done, {} failed", run.failed)
                        }
                        RunState::Succeeded => "done".into(),
                        RunState::Failed => "failed".into(),
                        RunState::Stopped => "stopped".into(),
                        _ => "in progress".into(),
                    };
                    let at = run.finished_at.unwrap_or(run.queued_at);
                    format!("Last sync {} · {outcome}", date(at))
                }
                (None, None) => "Not synced yet".into(),
            };
            view! {
                <li data-resource=r.resource.key()>
                    <span class="embedded-resource">{r.resource.label()}</span>
                    <span class="muted">{last}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="embedded-card" id="embedded-sync">
            <h2>"Sync with Procore"</h2>
            <ul class="embedded-sync-list">{rows}</ul>
            {paused.map(|why| view! { <p class="muted">{why}</p> })}
        </section>
    }
    .into_any()
}

#[component]
fn Offer(project: ProjectId, lines: Vec<OfferLine>, can_license: bool) -> impl IntoView {
    let lines = lines
        .into_iter()
        .map(|l| {
            // The same words as the wizard: the add-on is chosen apart from its module.
            let add_on = if l.add_on_monthly_cents == 0 {
                format!("optional add-on {}, at no extra charge", l.add_on)
            } else {
                format!(
                    "optional add-on {}, {} per month",
                    l.add_on,
                    format_usd(l.add_on_monthly_cents)
                )
            };
            view! {
                <li>
                    <strong>{l.module.name()}</strong>
                    " " {format_usd(l.monthly_cents)} " per month · " {add_on}
                </li>
            }
        })
        .collect_view();
    let action = if can_license {
        view! {
            <a class="button primary" id="embedded-license" href=format!("/licensing?project={project}")
                target="_blank" rel="noopener">
                "License this project"
            </a>
        }
        .into_any()
    } else {
        view! { <p class="muted">"Ask a Procore company admin to license it in Project Central."</p> }
            .into_any()
    };
    view! {
        <section class="embedded-card" id="embedded-offer">
            <h2>"Not licensed yet"</h2>
            <p>"Licensed, this project gets:"</p>
            <ul class="embedded-offer-list">{lines}</ul>
            {action}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(c: Option<&str>, p: Option<&str>) -> Address {
        address((None, None), (c.map(Into::into), p.map(Into::into)))
    }

    #[test]
    fn the_query_form_names_the_same_as_the_path_form() {
        let path = address((Some("5".into()), Some("7".into())), (None, None));
        assert_eq!(path, Address::Project(CompanyId(5), ProjectId(7)));
        assert_eq!(q(Some("5"), Some("7")), path);
        assert_eq!(q(Some("5"), Some("")), Address::Company(CompanyId(5)));
        assert_eq!(q(Some("5"), None), Address::Company(CompanyId(5)));
        assert_eq!(q(Some("5"), Some("x")), Address::Nothing);
        assert_eq!(q(None, Some("7")), Address::Nothing);
        assert_eq!(q(Some("-5"), None), Address::Nothing);
    }
}
