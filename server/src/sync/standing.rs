//! Whether a project syncs now: licensed and Active (or in trial, or ending later), with a
//! usable admin connection. Otherwise its settings are kept and the reason is shown.

use app::ids::{CompanyId, ProjectId, UserId};
use app::subscriptions::Standing;

use crate::db::Db;
use crate::error::ServerResult;
use crate::subscriptions::store::ProjectTerms;
use crate::subscriptions::sync::standing_of;

/// The project's licence and standing (None: not licensed by this company).
pub async fn licence(
    db: &Db,
    company: CompanyId,
    project: ProjectId,
) -> ServerResult<Option<(ProjectTerms, Standing)>> {
    let Some(terms) = db.project_terms(company, project).await? else {
        return Ok(None);
    };
    let mirror = match &terms.subscription {
        Some(id) => db.subscription_mirror(id).await?,
        None => None,
    };
    let standing = standing_of(&terms, mirror.as_ref());
    Ok(Some((terms, standing)))
}

/// Why the project does not sync by its standing, in words (None: it syncs).
pub fn standing_reason(standing: &Standing) -> Option<String> {
    match standing {
        Standing::PaymentPending => Some(
            "This project is Inactive: payment pending. Its Procore settings are kept, and it syncs again once the payment goes through (Billing → Manage payment details).".into(),
        ),
        Standing::Cancelled => Some(
            "This project's subscription is cancelled. Its Procore settings and data are kept; license it again to sync.".into(),
        ),
        Standing::Active | Standing::Trial { .. } | Standing::Ends { .. } => None,
    }
}

/// Why background runs cannot use the saved connection (None: they can).
pub async fn connection_reason(
    db: &Db,
    company: CompanyId,
    user: Option<i64>,
) -> ServerResult<Option<String>> {
    const NEW_ADMIN: &str = "Sync needs a new admin connection: a company admin signs in with Procore and saves these settings again.";
    let Some(user) = user else {
        return Ok(Some(NEW_ADMIN.into()));
    };
    let connected = db.connection(user).await?.is_some();
    let admin = db.is_admin(UserId(user), company).await?;
    Ok((!connected || !admin).then(|| NEW_ADMIN.into()))
}

/// Why the project does not sync because Procore says its apps are not connected to the
/// company (None: at least one app of its modules is connected, or Procore never said).
pub async fn app_reason(
    db: &Db,
    company: CompanyId,
    terms: &ProjectTerms,
) -> ServerResult<Option<String>> {
    use app::onboarding::MarketplaceApp;
    let installs = db.installs_of(company).await?;
    let current = &terms.terms.current;
    let needs: Vec<MarketplaceApp> = [
        (current.planner, MarketplaceApp::Planner),
        (current.safety, MarketplaceApp::Safety),
    ]
    .into_iter()
    .filter_map(|(has, app)| has.then_some(app))
    .collect();
    let lost = |app: &MarketplaceApp| installs.iter().any(|i| i.app == *app && !i.connected);
    if needs.is_empty() || !needs.iter().all(lost) {
        return Ok(None);
    }
    let names: Vec<&str> = needs.iter().map(|a| a.name()).collect();
    Ok(Some(format!(
        "{} is not connected to this company in Procore, so this project does not sync. Its settings and data are kept; reconnect it (see Reconnect) and syncing resumes.",
        names.join(" and ")
    )))
}
