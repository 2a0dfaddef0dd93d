//! What the licensing wizard, the subscription step and the Project Central tiles exchange
//! with the server, and the server functions themselves.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::{BillingInterval, Catalog, LicenseFilter, LicenseSelection, ProjectLicense};
use crate::error::AppError;
use crate::ids::ProjectId;

/// One row of the wizard's project list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardProject {
    /// Procore project id.
    pub id: ProjectId,
    /// Project name.
    pub name: String,
    /// Project number.
    pub number: Option<String>,
    /// Stage.
    pub stage: Option<String>,
    /// The licence, when the project is already licensed (then it is read-only here).
    pub license: Option<ProjectLicense>,
}

/// One page of the wizard's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardPage {
    /// Rows on this page.
    pub projects: Vec<WizardProject>,
    /// All rows matching search and filter.
    pub total: u64,
    /// This page (1-based).
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
    /// Set while the company's projects are still arriving from Procore: the list, search
    /// and "Select all matching" then cover only those that have arrived.
    #[serde(default)]
    pub loading: Option<LoadProgress>,
}

/// How far the first load of a company's projects from Procore has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadProgress {
    /// Projects that have arrived (and are searchable) so far.
    pub arrived: u64,
    /// How many Procore said there are, when it said.
    pub expected: Option<u64>,
}

/// Rows per page in the wizard.
pub const WIZARD_PER_PAGE: u32 = 50;

/// A licensed project as a Project Central tile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensedTile {
    /// Procore project id.
    pub project_id: ProjectId,
    /// The Procore project's name.
    pub name: String,
    /// Modules and add-ons.
    pub license: ProjectLicense,
    /// Billing interval.
    pub interval: BillingInterval,
    /// Subscription status (`active`, `past_due`, …).
    pub status: String,
}

/// A selection saved with a checkout order (to come back to after a cancelled payment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDraft {
    /// The chosen projects and modules.
    pub selection: LicenseSelection,
    /// The chosen billing interval.
    pub interval: BillingInterval,
    /// Names of the chosen projects, for the subscription step.
    pub names: Vec<(i64, String)>,
}

/// One page of the company's projects for the wizard.
#[server(endpoint = "wizard_projects", output = crate::codec::JsonText)]
pub async fn wizard_projects(
    search: String,
    filter: LicenseFilter,
    page: u32,
) -> Result<WizardPage, AppError> {
    use crate::ports::{reply, serve};
    let query = reply(crate::projects::ProjectQuery::parse(&search, page))?;
    serve(|s, caller| async move {
        s.licensing
            .wizard_projects(&caller, &query.search, filter, query.page)
            .await
    })
    .await
}

/// Ids of every not-licensed project matching `search` ("select all matching").
#[server(endpoint = "select_all_matching", output = crate::codec::JsonText)]
pub async fn select_all_matching(search: String) -> Result<Vec<i64>, AppError> {
    use crate::ports::{reply, serve};
    let query = reply(crate::projects::ProjectQuery::parse(&search, 1))?;
    serve(|s, caller| async move { s.licensing.matching_ids(&caller, &query.search).await }).await
}

/// Prices, for the subscription step.
#[server(endpoint = "license_catalog", output = crate::codec::JsonText)]
pub async fn license_catalog() -> Result<Catalog, AppError> {
    use crate::ports::serve;
    serve(|s, _caller| async move { Ok(s.licensing.catalog()) }).await
}

/// Validates the selection, creates the order and a Stripe Checkout Session; returns its URL.
#[server(endpoint = "start_checkout", input = Json, output = crate::codec::JsonText)]
pub async fn start_checkout(
    selection: LicenseSelection,
    interval: BillingInterval,
) -> Result<String, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move {
        s.licensing
            .start_checkout(&caller, selection, interval)
            .await
    })
    .await
}

/// The selection of one of the company's orders (after a cancelled payment).
#[server(endpoint = "load_order_draft", output = crate::codec::JsonText)]
pub async fn load_order_draft(order_id: String) -> Result<Option<OrderDraft>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.licensing.order_draft(&caller, &order_id).await }).await
}

/// The company's licensed projects.
#[server(endpoint = "licensed_tiles", output = crate::codec::JsonText)]
pub async fn licensed_tiles() -> Result<Vec<LicensedTile>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.licensing.licensed_tiles(&caller).await }).await
}

/// After Stripe's redirect: reconciles the Checkout Session now (a slow webhook delays
/// nothing); returns how many projects the order licensed.
#[server(endpoint = "confirm_checkout", output = crate::codec::JsonText)]
pub async fn confirm_checkout(session_id: String) -> Result<u32, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.licensing.confirm_checkout(&caller, &session_id).await }).await
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos::server_fn::axum_export::body::Body;
    use leptos::server_fn::codec::{FromReq, PostUrl};

    use super::*;
    use crate::licensing::LicensedScope;

    #[tokio::test]
    async fn wizard_filter_still_travels_as_its_query_value() {
        let request = http::Request::post("/api/wizard_projects")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "search=tower&filter={}&page=2",
                LicenseFilter::Licensed(LicensedScope::Planner).as_query_value()
            )))
            .unwrap();
        let args = <WizardProjects as FromReq<PostUrl, _, AppError>>::from_req(request)
            .await
            .unwrap();
        assert_eq!(args.filter, LicenseFilter::Licensed(LicensedScope::Planner));
        assert_eq!((args.search.as_str(), args.page), ("tower", 2));
    }
}
