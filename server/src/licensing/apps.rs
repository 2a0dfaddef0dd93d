//! Two apps, one wizard: a project can be licensed for a module only when the company has
//! that module's marketplace app installed and connected in Procore (Planner needs
//! Smartapp Planner, Safety needs Smartapp Safety), because the module's embedded view and
//! sync run through that app's connection. The install records are ours (`installs`,
//! `app_installs`); when they do not show the app (e.g. the check at sign-in has not
//! answered yet, or the admin has just installed it), Procore is asked once: this runs
//! only for a quote or a checkout, never for a page view.

use app::error::AppError;
use app::installs::AppConnection;
use app::licensing::{Module, Summary};
use app::ports::Caller;

use super::LicensingService;
use crate::error::ServerResult;

/// Whether the records show `module`'s app installed and connected.
fn has_app(installs: &[AppConnection], module: Module) -> bool {
    installs
        .iter()
        .any(|i| i.app == module.marketplace_app() && i.connected)
}

/// The refusal for the modules whose app is missing (None: nothing is missing).
pub fn refusal(installs: &[AppConnection], wanted: &Summary) -> Option<String> {
    let missing: Vec<Module> = Module::ALL
        .into_iter()
        .filter(|m| wanted.module(*m) > 0 && !has_app(installs, *m))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let notes: Vec<String> = missing.iter().map(|m| m.app_note()).collect();
    let apps: Vec<&str> = missing.iter().map(|m| m.marketplace_app().name()).collect();
    Some(format!(
        "{} Procore does not show {} installed here: a company admin installs it from the Procore App Marketplace and tries again, or leaves {} out. Nothing was charged.",
        notes.join(" "),
        apps.join(" or "),
        missing
            .iter()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join(" and ")
    ))
}

impl LicensingService {
    /// 422 unless the company has the app of every module in `wanted`.
    pub(crate) async fn require_apps(&self, caller: &Caller, wanted: &Summary) -> ServerResult<()> {
        let mut installs = self.db.installs_of(caller.company).await?;
        if refusal(&installs, wanted).is_some() {
            if let Some(service) = &self.installs {
                match service.check(caller.company, caller.user).await {
                    Ok(found) => installs = found,
                    Err(error) => {
                        tracing::info!(%error, company = %caller.company, "asking Procore for the installed apps failed; the records decide")
                    }
                }
            }
        }
        match refusal(&installs, wanted) {
            None => Ok(()),
            Some(words) => Err(AppError::Invalid(words).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::onboarding::MarketplaceApp;

    fn summary(planner: u32, safety: u32) -> Summary {
        Summary {
            projects: planner.max(safety),
            planner,
            safety,
            ..Default::default()
        }
    }

    fn install(app: MarketplaceApp, connected: bool) -> AppConnection {
        AppConnection {
            app,
            connected,
            checked_at: 0,
        }
    }

    #[test]
    fn each_module_needs_its_own_app_installed_and_connected() {
        let planner_only = [install(MarketplaceApp::Planner, true)];
        assert_eq!(refusal(&planner_only, &summary(2, 0)), None);
        let words = refusal(&planner_only, &summary(1, 1)).unwrap();
        assert!(words.contains("Smartapp Safety"), "{words}");
        assert!(!words.contains("Smartapp Planner app"), "{words}");
        let lost = [
            install(MarketplaceApp::Planner, true),
            install(MarketplaceApp::Safety, false),
        ];
        assert!(refusal(&lost, &summary(0, 1)).is_some());
        let both = [
            install(MarketplaceApp::Planner, true),
            install(MarketplaceApp::Safety, true),
        ];
        assert_eq!(refusal(&both, &summary(3, 3)), None);
        assert!(refusal(&[], &summary(1, 0))
            .unwrap()
            .contains("Smartapp Planner"));
        assert_eq!(refusal(&[], &summary(0, 0)), None);
    }
}
