//! Ports: what server functions need from the back end, in the product's words.
//! The `server` crate implements them (Procore over HTTP, Stripe, the database); tests can
//! supply in-memory versions.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::Session;

use crate::account::Viewer;
use crate::billing::api::{BillingOverview, PaymentAlert};
use crate::error::AppError;
use crate::ids::ProjectId;
use crate::ids::{CompanyId, UserId};
use crate::licensing::api::{LicensedTile, OrderDraft, WizardPage};
use crate::licensing::{BillingInterval, Catalog, LicenseFilter, LicenseSelection};
use crate::projects::{ProjectPage, ProjectQuery};
use crate::subscriptions::api::{
    ChangeOutcome, ChangePreview, ProjectSubscription, RecheckReport, SubscribedPage,
};
use crate::subscriptions::{ChangeRequest, PreviewAmounts};
use crate::sync::api::{DirectoryPage, EntryView, LogLine, ResourceStatus, RunView, SyncOverview};
use crate::sync::{CheckedEntry, Resource, SettingsForm};

/// Who is calling: built once per request from the typed session after the membership check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The signed-in Procore user.
    pub user: UserId,
    /// The company they are working in (they belong to it).
    pub company: CompanyId,
    /// Whether they are a company admin there (may buy licences).
    pub is_admin: bool,
}

/// The signed-in user and their companies.
#[async_trait]
pub trait Accounts: Send + Sync + 'static {
    /// Who is signed in (None when signed out); fixes up the current company.
    async fn viewer(&self, session: &Session) -> Result<Option<Viewer>, AppError>;
    /// Make `company` current, if the user belongs to it.
    async fn switch_company(&self, session: &Session, company: CompanyId) -> Result<(), AppError>;
    /// The caller of this request (NotSignedIn / Forbidden when there is none).
    async fn caller(&self, session: &Session) -> Result<Caller, AppError>;
}

/// The current company's Procore projects.
#[async_trait]
pub trait Directory: Send + Sync + 'static {
    /// One page of the company's projects matching the query.
    async fn projects(&self, caller: &Caller, query: ProjectQuery)
        -> Result<ProjectPage, AppError>;
}

/// Licensing: the wizard's list, checkout and licensed projects.
#[async_trait]
pub trait Licensing: Send + Sync + 'static {
    /// One page of the company's projects with their licences.
    async fn wizard_projects(
        &self,
        caller: &Caller,
        search: &str,
        filter: LicenseFilter,
        page: u32,
    ) -> Result<WizardPage, AppError>;
    /// Every not-licensed project id matching `search`.
    async fn matching_ids(&self, caller: &Caller, search: &str) -> Result<Vec<i64>, AppError>;
    /// The price catalog.
    fn catalog(&self) -> Catalog;
    /// Validates, creates the order and the Checkout Session; returns the payment URL.
    async fn start_checkout(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<String, AppError>;
    /// A saved order's selection (the company's own orders only).
    async fn order_draft(
        &self,
        caller: &Caller,
        order_id: &str,
    ) -> Result<Option<OrderDraft>, AppError>;
    /// The company's licensed projects.
    async fn licensed_tiles(&self, caller: &Caller) -> Result<Vec<LicensedTile>, AppError>;
    /// Reconciles a Checkout Session after Stripe's redirect; returns how many projects
    /// the order licensed.
    async fn confirm_checkout(
        &self,
        caller: &Caller,
        checkout_session_id: &str,
    ) -> Result<u32, AppError>;
}

/// Subscriptions after checkout: the company's subscribed projects and their changes.
#[async_trait]
pub trait Subscriptions: Send + Sync + 'static {
    /// One page of subscribed projects.
    async fn list(
        &self,
        caller: &Caller,
        search: &str,
        filter: Option<LicenseFilter>,
        page: u32,
    ) -> Result<SubscribedPage, AppError>;
    /// One project's page (404 for another company's project).
    async fn project(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> Result<ProjectSubscription, AppError>;
    /// Stripe's preview of a change.
    async fn preview(
        &self,
        caller: &Caller,
        project: ProjectId,
        request: ChangeRequest,
    ) -> Result<ChangePreview, AppError>;
    /// Makes a change (admins only).
    async fn confirm(
        &self,
        caller: &Caller,
        project: ProjectId,
        request: ChangeRequest,
    ) -> Result<ChangeOutcome, AppError>;
    /// Preview of a wizard purchase into the existing subscription of `interval`.
    async fn purchase_preview(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<Option<PreviewAmounts>, AppError>;
    /// A wizard purchase into the existing subscription of `interval`.
    async fn purchase(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<ChangeOutcome, AppError>;
    /// Re-check everything with Stripe now.
    async fn recheck(&self, caller: &Caller) -> Result<RecheckReport, AppError>;
}

/// Billing: the company's invoices and payment details at Stripe, its failed payments,
/// and the Customer Portal. Admins only; the Stripe customer is always the caller company's.
#[async_trait]
pub trait Billing: Send + Sync + 'static {
    /// Invoices (with the projects each covers), card, billing email and tax IDs.
    async fn overview(&self, caller: &Caller) -> Result<BillingOverview, AppError>;
    /// The company's failed payment still unpaid (`None` for non-admins).
    async fn payment_alert(&self, caller: &Caller) -> Result<Option<PaymentAlert>, AppError>;
    /// A new Customer Portal session; returns its (short-lived) URL.
    async fn portal_url(&self, caller: &Caller) -> Result<String, AppError>;
}

/// Procore settings and the project's own directory, kept in step with Procore.
#[async_trait]
pub trait ProjectSync: Send + Sync + 'static {
    /// The settings page (404 for another company's or an unlicensed project).
    async fn overview(&self, caller: &Caller, project: ProjectId)
        -> Result<SyncOverview, AppError>;
    /// Saves validated settings (admins only) and schedules the next runs.
    async fn save_settings(
        &self,
        caller: &Caller,
        project: ProjectId,
        form: SettingsForm,
    ) -> Result<SyncOverview, AppError>;
    /// One page of a resource's entries.
    async fn entries(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        search: &str,
        page: u32,
    ) -> Result<DirectoryPage, AppError>;
    /// Adds (no id) or edits a checked entry (admins only).
    async fn save_entry(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        id: Option<String>,
        entry: CheckedEntry,
    ) -> Result<EntryView, AppError>;
    /// Removes an entry (admins only).
    async fn remove_entry(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        id: &str,
    ) -> Result<(), AppError>;
    /// Queues a manual run (admins only; 409 while one is open).
    async fn start(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
    ) -> Result<RunView, AppError>;
    /// One resource's schedule and runs.
    async fn status(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
    ) -> Result<ResourceStatus, AppError>;
    /// Recent runs (of one resource, if named), newest first.
    async fn runs(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Option<Resource>,
    ) -> Result<Vec<RunView>, AppError>;
    /// Confirms the deletions a run stopped at the delete cap held (admins only) and queues
    /// the run that makes them.
    async fn confirm_deletions(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        run: &str,
    ) -> Result<RunView, AppError>;
    /// Keeps the records a run stopped at the delete cap held (admins only).
    async fn keep_deletions(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        run: &str,
    ) -> Result<ResourceStatus, AppError>;
    /// The first lines of a run's log.
    async fn log(
        &self,
        caller: &Caller,
        project: ProjectId,
        run: &str,
    ) -> Result<Vec<LogLine>, AppError>;
}

/// Plan Boards of Planner projects.
#[async_trait]
pub trait PlanBoards: Send + Sync + 'static {
    /// The project's board (404 when not licensed by the company).
    async fn board(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> Result<crate::planboard::api::PlanBoard, AppError>;
    /// Adds or edits an item (admins only).
    async fn save(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: Option<String>,
        item: crate::planboard::CheckedItem,
    ) -> Result<crate::planboard::api::PlanBoard, AppError>;
    /// Removes an item (admins only).
    async fn remove(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: &str,
    ) -> Result<crate::planboard::api::PlanBoard, AppError>;
    /// Publishes or unpublishes (admins only).
    async fn publish(
        &self,
        caller: &Caller,
        project: ProjectId,
        publish: bool,
    ) -> Result<crate::planboard::api::PlanBoard, AppError>;
}

/// Install state of the marketplace apps per company.
#[async_trait]
pub trait Installs: Send + Sync + 'static {
    /// What Procore last said for the caller's company.
    async fn connections(
        &self,
        caller: &Caller,
    ) -> Result<Vec<crate::installs::AppConnection>, AppError>;
    /// Asks Procore again, as the caller.
    async fn recheck(
        &self,
        caller: &Caller,
    ) -> Result<Vec<crate::installs::AppConnection>, AppError>;
}

/// Deleting a company's data at an admin's request.
#[async_trait]
pub trait Privacy: Send + Sync + 'static {
    /// Deletes the caller's company's data (admins; `confirm_name` must match).
    async fn delete_company(
        &self,
        caller: &Caller,
        confirm_name: &str,
    ) -> Result<crate::privacy::DeletionReceipt, AppError>;
    /// Where the caller's company stands for deletion (admins).
    async fn status(&self, caller: &Caller) -> Result<crate::privacy::DeletionStatus, AppError>;
    /// Schedules the deletion for the latest period end (admins; every live subscription
    /// must be set to end; `confirm_name` must match).
    async fn schedule(
        &self,
        caller: &Caller,
        confirm_name: &str,
    ) -> Result<crate::privacy::DeletionStatus, AppError>;
    /// Cancels the scheduled deletion (admins).
    async fn cancel_schedule(
        &self,
        caller: &Caller,
    ) -> Result<crate::privacy::DeletionStatus, AppError>;
}

/// Everything server functions reach, provided once as Leptos context.
#[derive(Clone)]
pub struct AppServices {
    /// The signed-in user, their companies and the current one.
    pub accounts: Arc<dyn Accounts>,
    /// Procore projects.
    pub directory: Arc<dyn Directory>,
    /// Licensing and checkout.
    pub licensing: Arc<dyn Licensing>,
    /// Invoices, payment details and failed payments.
    pub billing: Arc<dyn Billing>,
    /// Subscriptions after checkout.
    pub subscriptions: Arc<dyn Subscriptions>,
    /// Procore settings and the project directory.
    pub sync: Arc<dyn ProjectSync>,
    /// Plan Boards.
    pub planboard: Arc<dyn PlanBoards>,
    /// Safety badges.
    pub badges: Arc<dyn crate::badges::api::Badges>,
    /// Install state of the marketplace apps.
    pub installs: Arc<dyn Installs>,
    /// Company data deletion.
    pub privacy: Arc<dyn Privacy>,
}

/// Builds the caller, runs `call`, and sets the HTTP status of any error (including a
/// missing session or a failed membership check), so no server function can forget it.
pub async fn serve<T, F, Fut>(call: F) -> Result<T, AppError>
where
    F: FnOnce(AppServices, Caller) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async {
        let (services, session) = request_context().await?;
        let caller = services.accounts.caller(&session).await?;
        call(services, caller).await
    };
    reply(result.await)
}

/// The same for the few calls that work on the session itself (viewer, company switch).
pub async fn serve_session<T, F, Fut>(call: F) -> Result<T, AppError>
where
    F: FnOnce(AppServices, Session) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async {
        let (services, session) = request_context().await?;
        call(services, session).await
    };
    reply(result.await)
}

/// Sets the status for an error found before `serve` (argument validation).
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                options.set_status(status);
            }
        }
    }
    result
}

/// The services and the caller's session, or a clear error when either is missing.
async fn request_context() -> Result<(AppServices, Session), AppError> {
    let services = leptos::prelude::use_context::<AppServices>()
        .ok_or_else(|| AppError::Internal("services-missing".into()))?;
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::NotSignedIn)?;
    Ok((services, session))
}
