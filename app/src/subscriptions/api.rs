//! What Project Central's subscription pages exchange with the server: the company's
//! subscribed projects, one project's terms and history, Stripe's preview of a change, and
//! the server functions (each one line over [`crate::ports::serve`]).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::change::{ChangeRequest, Plan, Terms};
use super::standing::Standing;
use super::wording::PreviewAmounts;
use crate::error::AppError;
use crate::ids::ProjectId;
use crate::licensing::{BillingInterval, LicenseFilter, LicenseSelection};

/// One subscribed project in Project Central's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribedProject {
    /// Procore project id.
    pub id: ProjectId,
    /// Procore name.
    pub name: String,
    /// Procore project number.
    pub number: Option<String>,
    /// What it holds now and what renews.
    pub terms: Terms,
    /// Active, Ends on DATE, Inactive: payment pending, Cancelled (or Trial ends DATE).
    pub standing: Standing,
    /// Next renewal (end of the paid period), UTC unix seconds.
    pub renews_at: i64,
}

/// One page of subscribed projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribedPage {
    /// Rows on this page.
    pub projects: Vec<SubscribedProject>,
    /// All rows matching search and filter.
    pub total: u64,
    /// This page (1-based).
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

/// Rows per page of the subscribed list.
pub const SUBSCRIBED_PER_PAGE: u32 = 24;

/// One entry of a project's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When (UTC unix seconds).
    pub at: i64,
    /// Who: a person's name, or "Stripe" / "Reconciliation".
    pub actor: String,
    /// What kind (addition, removal, end, undo, switch, purchase, repair, renewal …).
    pub action: String,
    /// What happened, in words.
    pub detail: String,
    /// `applied`, `pending` (waiting for Stripe) or `failed`.
    pub status: String,
    /// The Stripe objects involved (subscription, invoice).
    pub stripe_ids: Vec<String>,
}

/// A project's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSubscription {
    /// The project as listed.
    pub project: SubscribedProject,
    /// Whether the caller may change it (company admins).
    pub can_manage: bool,
    /// A change waiting for the card holder (authentication): the invoice's hosted page.
    pub awaiting_payment: Option<String>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

/// Stripe's preview of a change and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePreview {
    /// The change the rules allow.
    pub plan: Plan,
    /// Stripe's numbers.
    pub amounts: PreviewAmounts,
    /// Plain words, shown before Confirm.
    pub words: Vec<String>,
}

/// What a confirmed change (or purchase) came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// Stripe confirmed; the licence changed.
    Applied {
        /// What was done.
        words: Vec<String>,
    },
    /// The card needs its holder: pay on Stripe's page; the licence changes on payment.
    NeedsAuthentication {
        /// Stripe's hosted invoice page.
        url: String,
    },
}

/// What a Re-check with Stripe found and repaired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecheckReport {
    /// Each repair, in words.
    pub repairs: Vec<String>,
}

/// The company's subscribed projects matching search and the Licensed filter.
#[server(endpoint = "subscribed_projects", output = crate::codec::JsonText)]
pub async fn subscribed_projects(
    search: String,
    filter: Option<LicenseFilter>,
    page: u32,
) -> Result<SubscribedPage, AppError> {
    use crate::ports::{reply, serve};
    let query = reply(crate::projects::ProjectQuery::parse(&search, page))?;
    serve(|s, caller| async move {
        s.subscriptions
            .list(&caller, &query.search, filter, query.page)
            .await
    })
    .await
}

/// One project's subscription, terms and history.
#[server(endpoint = "project_subscription", output = crate::codec::JsonText)]
pub async fn load_project_subscription(
    project: ProjectId,
) -> Result<ProjectSubscription, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.subscriptions.project(&caller, project).await }).await
}

/// Stripe's preview of a change to one project.
#[server(endpoint = "preview_project_change", input = Json, output = crate::codec::JsonText)]
pub async fn preview_project_change(
    project: ProjectId,
    request: ChangeRequest,
) -> Result<ChangePreview, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.subscriptions.preview(&caller, project, request).await }).await
}

/// Makes a change to one project (admins only; applied when Stripe confirms).
#[server(endpoint = "confirm_project_change", input = Json, output = crate::codec::JsonText)]
pub async fn confirm_project_change(
    project: ProjectId,
    request: ChangeRequest,
) -> Result<ChangeOutcome, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.subscriptions.confirm(&caller, project, request).await }).await
}

/// For a purchase in the wizard: Stripe's preview when the company already has a
/// subscription of this interval (then Confirm charges the card on file instead of a new
/// Checkout), or `None` when the purchase goes through Checkout.
#[server(endpoint = "purchase_preview", input = Json, output = crate::codec::JsonText)]
pub async fn purchase_preview(
    selection: LicenseSelection,
    interval: BillingInterval,
) -> Result<Option<PreviewAmounts>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move {
        s.subscriptions
            .purchase_preview(&caller, selection, interval)
            .await
    })
    .await
}

/// Adds the selection to the company's subscription of this interval, charging the card.
#[server(endpoint = "confirm_purchase", input = Json, output = crate::codec::JsonText)]
pub async fn confirm_purchase(
    selection: LicenseSelection,
    interval: BillingInterval,
) -> Result<ChangeOutcome, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.subscriptions.purchase(&caller, selection, interval).await })
        .await
}

/// Compares everything with Stripe now and repairs differences (admins only).
#[server(endpoint = "recheck_with_stripe", output = crate::codec::JsonText)]
pub async fn recheck_with_stripe() -> Result<RecheckReport, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.subscriptions.recheck(&caller).await }).await
}
