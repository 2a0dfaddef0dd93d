//! The ways in: **App Setup Instructions** from Procore (`/setup/planner`, `/setup/safety`:
//! sign in, pick the company the app was installed in, then the wizard with that app's
//! module checked on each project picked) and **Get started** from our website
//! (`/get-started`, which says Start trial when a trial is configured).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::account::{viewer_resource, SwitchCompany, Viewer};
use crate::error::AppError;
use crate::ids::CompanyId;
use crate::ui::{ErrorPanel, NotFound, ProjectCentralBackdrop};

/// One of the two marketplace apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarketplaceApp {
    /// Smartapp Planner.
    Planner,
    /// Smartapp Safety.
    Safety,
}

impl MarketplaceApp {
    /// From the URL (`planner` / `safety`).
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "planner" => Some(Self::Planner),
            "safety" => Some(Self::Safety),
            _ => None,
        }
    }

    /// The URL key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Planner => "planner",
            Self::Safety => "safety",
        }
    }

    /// The marketplace name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Planner => "Smartapp Planner",
            Self::Safety => "Smartapp Safety",
        }
    }
}

/// What the public Get started page needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Days of free trial on a first purchase (0: none).
    pub trial_days: u32,
}

/// The offer (no sign-in needed).
#[server(endpoint = "get_started_offer", output = crate::codec::JsonText)]
pub async fn get_started_offer() -> Result<Offer, AppError> {
    use crate::ports::serve_session;
    serve_session(|s, _session| async move {
        Ok(Offer {
            trial_days: s.licensing.catalog().trial_days,
        })
    })
    .await
}

fn continue_href(app: MarketplaceApp) -> String {
    format!("/licensing?module={}", app.key())
}

/// `/setup/:app`: App Setup Instructions.
#[component]
pub fn SetupPage() -> impl IntoView {
    let params = use_params_map();
    let app = params
        .read_untracked()
        .get("app")
        .and_then(|k| MarketplaceApp::from_key(&k));
    let Some(app) = app else {
        return view! { <NotFound/> }.into_any();
    };
    let viewer = viewer_resource(Signal::stored(0));
    view! {
        <ProjectCentralBackdrop/>
        <main class="page narrow onboarding" id="main">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(v)) => view! { <ChooseCompany viewer=v app/> }.into_any(),
                        Ok(None) => view! { <SignInFor app/> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
    .into_any()
}

#[component]
fn SignInFor(app: MarketplaceApp) -> impl IntoView {
    let href = format!("/auth/procore/login?app={0}&next=/setup/{0}", app.key());
    view! {
        <section class="panel">
            <h1>{format!("Set up {}", app.name())}</h1>
            <p>{format!("Thanks for installing {} from the Procore App Marketplace.", app.name())}</p>
            <ol class="setup-steps">
                <li>"Sign in with Procore (a company admin of the company you installed the app in)."</li>
                <li>"Choose that company, if you belong to several."</li>
                <li>"Pick the projects to license, then pay by card."</li>
            </ol>
            <a class="button primary" id="setup-sign-in" href=href rel="external">"Sign in with Procore"</a>
        </section>
    }
}

#[component]
fn ChooseCompany(viewer: Viewer, app: MarketplaceApp) -> impl IntoView {
    let switch = ServerAction::<SwitchCompany>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = switch.value().get() {
            #[cfg(feature = "hydrate")]
            {
                let _ = window().location().set_href(&continue_href(app));
            }
        }
    });
    let several = viewer.companies.len() > 1;
    let choices = viewer
        .companies
        .iter()
        .map(|c| {
            let (id, name): (CompanyId, String) = (c.id, c.name.clone());
            view! {
                <li>
                    <button class="button" data-company=id.to_string()
                        on:click=move |_| { switch.dispatch(SwitchCompany { company_id: id }); }>
                        {format!("Continue with {name}")}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h1>{format!("Set up {}", app.name())}</h1>
            {if several {
                view! {
                    <p id="which-company">{format!("You belong to several Procore companies. Which one did you install {} in?", app.name())}</p>
                    <ul class="company-choices">{choices}</ul>
                    <p class="muted" id="admins-only">"Only a company admin of the company you choose can license its projects; in a company where you are not one, you can look at its licensed projects."</p>
                }.into_any()
            } else {
                view! {
                    <p>{format!("Signed in to {} as {}.", viewer.company_name(), viewer.name)}</p>
                    <a class="button primary" id="setup-continue" href=continue_href(app)>"Choose projects to license"</a>
                }.into_any()
            }}
            {(!several && !viewer.is_admin).then(|| view! {
                <p class="panel notice">"Only Procore company admins can license projects: ask one of your admins to follow these steps."</p>
            })}
        </section>
    }
}

/// `/get-started`: the entry from our website.
#[component]
pub fn GetStartedPage() -> impl IntoView {
    let offer = Resource::new(|| (), |_| get_started_offer());
    view! {
        <ProjectCentralBackdrop/>
        <main class="page narrow onboarding" id="main">
            <section class="panel">
                <h1>"Get started with Smartapp"</h1>
                <p>"Planner and Safety for your Procore projects, licensed per project, monthly or yearly. Install Smartapp Planner or Smartapp Safety from the Procore App Marketplace, or start here:"</p>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let trial = offer.await.map(|o| o.trial_days).unwrap_or(0);
                        let label = if trial > 0 { "Start trial" } else { "Get started" };
                        let note = (trial > 0).then(|| format!("{trial} days free on your first purchase; cancel any time before it ends."));
                        view! {
                            {note.map(|n| view! { <p id="trial-note">{n}</p> })}
                            <p class="get-started-actions">
                                <a class="button primary" id="start-planner" href="/setup/planner">{format!("{label}: Planner")}</a>
                                " "
                                <a class="button primary" id="start-safety" href="/setup/safety">{format!("{label}: Safety")}</a>
                            </p>
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
