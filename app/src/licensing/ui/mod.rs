//! The licensing wizard: pick Procore projects and their modules (gating rules enforced by
//! the shared `licensing` rules), then the subscription step with the quote, then Stripe.

mod add_on;
mod filter;
mod licensed_section;
mod projects_step;
mod subscription_step;
mod toast;

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub use self::add_on::AddOnMissing;
use self::projects_step::ProjectsStep;
use self::subscription_step::SubscriptionStep;
use self::toast::Toast;
use crate::account::viewer_resource;
use crate::licensing::api::{load_order_draft, WizardPage};
use crate::licensing::{
    BillingInterval, LicenseSelection, LicensedProjects, Module, SelectionError,
};
use crate::ui::{ErrorPanel, SignInPanel, TopBar};

/// Which step of the wizard is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Projects and their modules.
    Projects,
    /// Yearly or monthly, the quote and checkout.
    Subscription,
}

/// Shared state of the wizard, cheap to copy into closures.
#[derive(Clone, Copy)]
pub(super) struct Wizard {
    pub(super) selection: RwSignal<LicenseSelection>,
    pub(super) licensed: RwSignal<LicensedProjects>,
    pub(super) names: RwSignal<HashMap<i64, String>>,
    pub(super) toast: RwSignal<Option<(i64, String)>>,
    pub(super) problem: RwSignal<Option<String>>,
}

impl Wizard {
    /// Applies a rule-checked change; a licensed project answers with the friendly toast.
    pub(super) fn change(
        &self,
        project_id: i64,
        f: impl FnOnce(&mut LicenseSelection, &LicensedProjects) -> Result<(), SelectionError>,
    ) {
        let licensed = self.licensed.get_untracked();
        let mut result = Ok(());
        self.selection.update(|s| result = f(s, &licensed));
        self.problem.set(None);
        if let Err(error) = result {
            self.toast.set(Some((project_id, error.to_string())));
        }
    }

    /// Remembers the licences and names of a page of rows: the rules and the summary use
    /// them (the project list and the Licensed section both feed it).
    pub(super) fn remember(&self, page: &WizardPage) {
        self.licensed.update(|l| {
            for p in &page.projects {
                if let Some(license) = p.license {
                    l.insert(p.id.get(), license);
                }
            }
        });
        self.names
            .update(|n| n.extend(page.projects.iter().map(|p| (p.id.get(), p.name.clone()))));
    }
}

/// The `/licensing` page.
#[component]
pub fn LicensingWizard() -> impl IntoView {
    let query = use_query_map();
    let viewer = viewer_resource(Signal::stored(0));
    // From App Setup Instructions (`module=planner|safety`: new projects start with it) or
    // from a project's embedded view (`project=ID`: that project starts selected).
    let start = {
        let q = query.read_untracked();
        let mut selection = match q.get("module").as_deref().and_then(Module::from_key) {
            Some(module) => LicenseSelection::starting_with(module),
            None => LicenseSelection::default(),
        };
        if let Some(project) = q
            .get("project")
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| *p > 0)
        {
            let _ = selection.toggle_project(project, &LicensedProjects::default());
        }
        selection
    };
    let wizard = Wizard {
        selection: RwSignal::new(start),
        licensed: RwSignal::new(LicensedProjects::default()),
        names: RwSignal::new(HashMap::new()),
        toast: RwSignal::new(None),
        problem: RwSignal::new(None),
    };
    let step = RwSignal::new(Step::Projects);
    let interval = RwSignal::new(BillingInterval::Yearly);

    // Back from a cancelled payment: restore that order's selection at the subscription step.
    let order_id = query.read_untracked().get("order");
    let draft = Resource::new(
        move || order_id.clone(),
        |id| async move {
            match id {
                Some(id) => load_order_draft(id).await.ok().flatten(),
                None => None,
            }
        },
    );
    Effect::new(move |_| {
        if let Some(Some(d)) = draft.get() {
            wizard.selection.set(d.selection);
            interval.set(d.interval);
            wizard.names.update(|n| n.extend(d.names));
            step.set(Step::Subscription);
        }
    });

    // Everything that depends on who is signed in renders inside the Suspense, from the
    // resolved viewer: the server and the hydrating browser then render the same thing.
    view! {
        <Suspense fallback=|| view! { <div class="topbar placeholder"></div> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => {
                        let is_admin = v.is_admin;
                        view! {
                            <TopBar viewer=v on_switch=Callback::new(|_| {
                                #[cfg(feature = "hydrate")]
                                { let _ = window().location().set_href("/projects"); }
                            })/>
                            <main class="page wizard">
                                <ol class="steps" aria-label="Steps">
                                    <li class:current=move || step.get() == Step::Projects>"1. Projects and modules"</li>
                                    <li class:current=move || step.get() == Step::Subscription>"2. Subscription"</li>
                                    <li>"3. Payment"</li>
                                </ol>
                                <Show when=move || step.get() == Step::Projects fallback=move || view! { <SubscriptionStep wizard step interval/> }>
                                    <ProjectsStep wizard step is_admin/>
                                </Show>
                                <Toast wizard/>
                            </main>
                        }.into_any()
                    }
                    Ok(None) => view! { <main class="page narrow"><SignInPanel message="Sign in with Procore to license your projects."/></main> }.into_any(),
                    Err(e) => view! { <main class="page narrow"><ErrorPanel error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
