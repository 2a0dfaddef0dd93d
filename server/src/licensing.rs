//! The `Licensing` port: the wizard's project list (a per-company cache of Procore's
//! projects, so search and paging stay fast at 10,000), checkout, and fulfilment.

use std::collections::HashMap;
use std::sync::Arc;

use app::error::AppError;
use app::licensing::api::{LicensedTile, OrderDraft, WizardPage, WizardProject, WIZARD_PER_PAGE};
use app::licensing::{
    quote, BillingInterval, Catalog, LicenseFilter, LicenseSelection, LicensedProjects,
    LicensedScope, ProjectLicense,
};
use app::ports::Licensing;
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::billing::BillingError;
use crate::db::{now, CatalogProject, CatalogQuery, LicenseRow, OrderRow};
use crate::directory::{internal, ProcoreDirectory};
use crate::startup::Services;

/// What a non-admin is told when they try to buy.
const NOT_ADMIN: &str = "Only Procore company admins can license projects. Ask a company admin, or see this company's licensed projects under Licensed.";

/// How long the cached project list is trusted before it is fetched from Procore again.
const CATALOG_TTL_SECS: i64 = 15 * 60;

/// Licensing over the database, Procore and Stripe.
pub struct LicensingService {
    services: std::sync::OnceLock<std::sync::Weak<Services>>,
    /// One project-list refresh per company at a time in this process.
    refreshing: std::sync::Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for LicensingService {
    fn default() -> Self {
        Self::new()
    }
}

fn license_of(row: &LicenseRow) -> ProjectLicense {
    ProjectLicense {
        planner: row.planner == 1,
        planner_board: row.planner_board == 1,
        safety: row.safety == 1,
        safety_badge: row.safety_badge == 1,
    }
}

/// Subscription statuses under which a project counts as licensed (past_due: while Stripe
/// retries the card).
fn is_live(status: &str) -> bool {
    matches!(status, "active" | "trialing" | "past_due")
}

fn billing_error(error: BillingError) -> AppError {
    tracing::warn!(%error, "Stripe call failed");
    AppError::Invalid("Payments are not available right now. Please try again in a minute.".into())
}

impl LicensingService {
    /// A service not yet attached to the shared services (see [`LicensingService::attach`]).
    pub fn new() -> Self {
        Self {
            services: std::sync::OnceLock::new(),
            refreshing: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Attaches the shared services (they own this service, hence the weak link).
    pub fn attach(&self, services: &Arc<Services>) {
        let _ = self.services.set(Arc::downgrade(services));
    }

    fn services(&self) -> Result<Arc<Services>, AppError> {
        self.services
            .get()
            .and_then(std::sync::Weak::upgrade)
            .ok_or_else(|| internal("licensing service used before start-up"))
    }

    /// Fetches the company's projects from Procore when the cache is missing or old.
    async fn fresh_catalog(
        &self,
        services: &Arc<Services>,
        user_id: i64,
        company_id: i64,
    ) -> Result<(), AppError> {
        let fresh = |synced: Option<i64>| synced.is_some_and(|at| now() - at < CATALOG_TTL_SECS);
        let synced = services
            .db
            .catalog_synced_at(company_id)
            .await
            .map_err(internal)?;
        if fresh(synced) {
            return Ok(());
        }
        // Every keystroke of every admin would otherwise start its own 34-page download.
        let lock = {
            let mut locks = self
                .refreshing
                .lock()
                .expect("refresh lock map is never poisoned");
            locks.entry(company_id).or_default().clone()
        };
        let _guard = lock.lock().await;
        let synced = services
            .db
            .catalog_synced_at(company_id)
            .await
            .map_err(internal)?;
        if fresh(synced) {
            return Ok(());
        }
        let directory = ProcoreDirectory::new(services.clone());
        let client = &services.procore;
        let fetched = directory
            .with_token(user_id, |token| async move {
                client.all_projects(&token, company_id).await
            })
            .await;
        let projects = match (fetched, synced) {
            (Ok(projects), _) => projects,
            // An older list beats no list: serve it and try Procore again next time.
            (Err(error), Some(_)) if !error.needs_sign_in() => {
                tracing::warn!(%error, company_id, "Procore project list not refreshed; serving the cached one");
                return Ok(());
            }
            (Err(error), _) => return Err(error),
        };
        let rows: Vec<CatalogProject> = projects
            .into_iter()
            .map(|p| CatalogProject {
                id: p.id,
                name: p.name,
                project_number: p.project_number,
                stage: p.project_stage.and_then(|s| s.name),
            })
            .collect();
        services
            .db
            .replace_catalog(company_id, &rows)
            .await
            .map_err(internal)?;
        tracing::info!(
            company_id,
            projects = rows.len(),
            "project catalog refreshed from Procore"
        );
        Ok(())
    }

    /// Buying is for company admins; others may only look at what is licensed.
    async fn require_admin(
        &self,
        services: &Services,
        user_id: i64,
        company_id: i64,
    ) -> Result<(), AppError> {
        if services
            .db
            .is_admin(user_id, company_id)
            .await
            .map_err(internal)?
        {
            Ok(())
        } else {
            Err(AppError::Forbidden(NOT_ADMIN.into()))
        }
    }

    async fn licensed(
        &self,
        services: &Services,
        company_id: i64,
    ) -> Result<(Vec<LicenseRow>, LicensedProjects), AppError> {
        let rows = services.db.licenses(company_id).await.map_err(internal)?;
        // Only live subscriptions license a project; a cancelled one can be bought again.
        let licensed = rows
            .iter()
            .filter(|r| is_live(&r.status))
            .map(|r| (r.procore_project_id, license_of(r)))
            .collect();
        Ok((rows, licensed))
    }

    /// Applies a Checkout Session's current state: a paid session licenses its order's
    /// projects (once). Returns the number of projects the order covers when paid.
    pub async fn reconcile_session(&self, session_id: &str) -> Result<u32, BillingError> {
        let services = self
            .services()
            .map_err(|e| BillingError::Stripe(e.to_string()))?;
        let Some(order) = services
            .db
            .order_by_session(session_id)
            .await
            .map_err(db_err)?
        else {
            tracing::info!("Checkout Session of no order of ours; ignored");
            return Ok(0);
        };
        let state = services.billing.checkout_session(session_id).await?;
        if !state.paid {
            return Ok(0);
        }
        let selection: LicenseSelection = serde_json::from_str(&order.selection)
            .map_err(|e| BillingError::Stripe(format!("stored selection: {e}")))?;
        let ids: Vec<i64> = selection.choices().map(|c| c.project_id).collect();
        let names: HashMap<i64, String> = services
            .db
            .catalog_names(order.company_id, &ids)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect();
        let projects: Vec<_> = selection
            .choices()
            .map(|c| {
                let name = names
                    .get(&c.project_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Procore project {}", c.project_id));
                (
                    c.project_id,
                    name,
                    c.planner,
                    c.planner_board,
                    c.safety,
                    c.safety_badge,
                )
            })
            .collect();
        let subscription = state.subscription.clone().unwrap_or_default();
        let status = match &state.subscription {
            Some(id) => services.billing.subscription_status(id).await?,
            None => "active".into(),
        };
        if services
            .db
            .fulfil_order(
                &order,
                &subscription,
                state.customer.as_deref(),
                &status,
                &projects,
            )
            .await
            .map_err(db_err)?
        {
            tracing::info!(
                order = order.id,
                projects = projects.len(),
                "order fulfilled"
            );
            // A status change applied while we were writing found no licences to update;
            // read the status once more now that they exist.
            if let Some(id) = &state.subscription {
                self.sync_subscription(id).await?;
            }
        }
        Ok(projects.len() as u32)
    }

    /// Applies a subscription's current status to its licensed projects.
    pub async fn sync_subscription(&self, subscription_id: &str) -> Result<(), BillingError> {
        let services = self
            .services()
            .map_err(|e| BillingError::Stripe(e.to_string()))?;
        let status = services
            .billing
            .subscription_status(subscription_id)
            .await?;
        let changed = services
            .db
            .set_subscription_status(subscription_id, &status)
            .await
            .map_err(db_err)?;
        tracing::info!(status, changed, "subscription status applied");
        Ok(())
    }
}

fn db_err(error: sqlx::Error) -> BillingError {
    tracing::error!(%error, "database error in billing");
    BillingError::Stripe("database error".into())
}

/// The same selection from the same person within ten minutes is the same order, so a
/// double click (or a second tab) reuses one Checkout Session instead of buying twice.
fn order_id(company_id: i64, user_id: i64, selection: &str, interval: BillingInterval) -> String {
    let bucket = now() / 600;
    let digest = Sha256::digest(format!(
        "{company_id}|{user_id}|{interval}|{bucket}|{selection}"
    ));
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[async_trait]
impl Licensing for LicensingService {
    async fn wizard_projects(
        &self,
        session: &Session,
        search: &str,
        filter: LicenseFilter,
        page: u32,
    ) -> Result<WizardPage, AppError> {
        let services = self.services()?;
        let (user_id, company_id) = ProcoreDirectory::new(services.clone())
            .scope(session)
            .await?;
        if filter == LicenseFilter::NotLicensed {
            self.require_admin(&services, user_id, company_id).await?;
        }
        // Only an admin's token sees every project, so only admins refresh the shared cache.
        if services
            .db
            .is_admin(user_id, company_id)
            .await
            .map_err(internal)?
        {
            self.fresh_catalog(&services, user_id, company_id).await?;
        }
        let (licensed, scope) = match filter {
            LicenseFilter::NotLicensed => (Some(false), None),
            LicenseFilter::Licensed(LicensedScope::All) => (Some(true), None),
            LicenseFilter::Licensed(LicensedScope::Planner) => (Some(true), Some((true, false))),
            LicenseFilter::Licensed(LicensedScope::Safety) => (Some(true), Some((false, true))),
            LicenseFilter::Licensed(LicensedScope::Both) => (Some(true), Some((true, true))),
        };
        let query = CatalogQuery {
            search: search.to_lowercase(),
            licensed,
            scope,
            offset: i64::from(page.saturating_sub(1)) * i64::from(WIZARD_PER_PAGE),
            limit: i64::from(WIZARD_PER_PAGE),
        };
        let (rows, total) = services
            .db
            .catalog_page(company_id, &query)
            .await
            .map_err(internal)?;
        let (_, licenses) = self.licensed(&services, company_id).await?;
        Ok(WizardPage {
            projects: rows
                .into_iter()
                .map(|p| WizardProject {
                    license: licenses.get(p.id).copied(),
                    id: p.id,
                    name: p.name,
                    number: p.project_number,
                    stage: p.stage,
                })
                .collect(),
            total: total.max(0) as u64,
            page,
            per_page: WIZARD_PER_PAGE,
        })
    }

    async fn matching_ids(&self, session: &Session, search: &str) -> Result<Vec<i64>, AppError> {
        let services = self.services()?;
        let (user_id, company_id) = ProcoreDirectory::new(services.clone())
            .scope(session)
            .await?;
        self.require_admin(&services, user_id, company_id).await?;
        self.fresh_catalog(&services, user_id, company_id).await?;
        services
            .db
            .unlicensed_ids_matching(company_id, search)
            .await
            .map_err(internal)
    }

    fn catalog(&self) -> Catalog {
        self.services()
            .map(|s| s.billing.catalog().clone())
            .unwrap_or_default()
    }

    async fn start_checkout(
        &self,
        session: &Session,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<String, AppError> {
        let services = self.services()?;
        let (user_id, company_id) = ProcoreDirectory::new(services.clone())
            .scope(session)
            .await?;
        self.require_admin(&services, user_id, company_id).await?;
        let (_, licensed) = self.licensed(&services, company_id).await?;
        // The server is the authority: the same rules as the browser, on what was sent.
        let valid = selection.validate(&licensed).map_err(|problems| {
            AppError::Invalid(
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })?;
        let ids: Vec<i64> = valid.choices().map(|c| c.project_id).collect();
        let known = services
            .db
            .catalog_names(company_id, &ids)
            .await
            .map_err(internal)?;
        if known.len() != ids.len() {
            return Err(AppError::Invalid("Some selected projects are not projects of this company in Procore. Reload the page and try again.".into()));
        }
        let catalog = services.billing.catalog().clone();
        let priced = quote(&valid.summary(), &catalog, interval)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let selection_json = serde_json::to_string(valid.selection()).map_err(internal)?;
        let order = OrderRow {
            id: order_id(company_id, user_id, &selection_json, interval),
            company_id,
            user_id,
            billing_interval: interval.as_str().to_string(),
            selection: selection_json,
            total_cents: priced.total_cents,
            status: "pending".into(),
            stripe_session_id: None,
        };
        if let Some(existing) = services
            .db
            .order(company_id, &order.id)
            .await
            .map_err(internal)?
        {
            if let Some(session_id) = existing.stripe_session_id.as_deref() {
                let state = services
                    .billing
                    .checkout_session(session_id)
                    .await
                    .map_err(billing_error)?;
                if let (false, false, Some(url)) = (state.paid, state.expired, state.url) {
                    return Ok(url);
                }
            }
        } else {
            services.db.create_order(&order).await.map_err(internal)?;
        }
        let prices = services
            .billing
            .ensure_prices()
            .await
            .map_err(billing_error)?;
        let lines: Vec<(String, u64)> = priced
            .billable_lines()
            .filter(|l| l.unit_amount_cents > 0)
            .map(|l| {
                let key = l.item.lookup_key(interval).to_string();
                prices
                    .get(&key)
                    .map(|id| (id.clone(), u64::from(l.quantity)))
                    .ok_or_else(|| billing_error(BillingError::MissingPrice(key)))
            })
            .collect::<Result<_, _>>()?;
        let customer = match services
            .db
            .billing_customer(company_id)
            .await
            .map_err(internal)?
        {
            Some(id) => id,
            None => {
                let name = services
                    .db
                    .companies_of(user_id)
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .find(|c| c.id == company_id)
                    .map(|c| c.name)
                    .unwrap_or_default();
                let created = services
                    .billing
                    .create_customer(company_id, &name)
                    .await
                    .map_err(billing_error)?;
                services
                    .db
                    .save_billing_customer(company_id, &created)
                    .await
                    .map_err(internal)?
            }
        };
        let base = &services.public_base_url;
        let success = format!("{}projects?checkout_session={{CHECKOUT_SESSION_ID}}", base);
        let cancel = format!("{}licensing?order={}", base, order.id);
        let state = services
            .billing
            .create_checkout(&order.id, company_id, &customer, &lines, &success, &cancel)
            .await
            .map_err(billing_error)?;
        services
            .db
            .set_order_session(&order.id, &state.id)
            .await
            .map_err(internal)?;
        state
            .url
            .ok_or_else(|| internal("Checkout Session without a URL"))
    }

    async fn order_draft(
        &self,
        session: &Session,
        order_id: &str,
    ) -> Result<Option<OrderDraft>, AppError> {
        let services = self.services()?;
        let (_, company_id) = ProcoreDirectory::new(services.clone())
            .scope(session)
            .await?;
        let Some(order) = services
            .db
            .order(company_id, order_id)
            .await
            .map_err(internal)?
        else {
            return Ok(None);
        };
        if order.status != "pending" {
            return Ok(None);
        }
        let selection: LicenseSelection =
            serde_json::from_str(&order.selection).map_err(internal)?;
        let interval = order.billing_interval.parse().unwrap_or_default();
        let ids: Vec<i64> = selection.choices().map(|c| c.project_id).collect();
        let names = services
            .db
            .catalog_names(company_id, &ids)
            .await
            .map_err(internal)?;
        Ok(Some(OrderDraft {
            selection,
            interval,
            names,
        }))
    }

    async fn licensed_tiles(&self, session: &Session) -> Result<Vec<LicensedTile>, AppError> {
        let services = self.services()?;
        let (_, company_id) = ProcoreDirectory::new(services.clone())
            .scope(session)
            .await?;
        let (rows, _) = self.licensed(&services, company_id).await?;
        Ok(rows
            .iter()
            .map(|r| LicensedTile {
                project_id: r.procore_project_id,
                name: r.name.clone(),
                license: license_of(r),
                interval: r.billing_interval.parse().unwrap_or_default(),
                status: r.status.clone(),
            })
            .collect())
    }

    async fn confirm_checkout(
        &self,
        session: &Session,
        checkout_session_id: &str,
    ) -> Result<u32, AppError> {
        let services = self.services()?;
        let (_, company_id) = ProcoreDirectory::new(services.clone())
            .scope(session)
            .await?;
        let order = services
            .db
            .order_by_session(checkout_session_id)
            .await
            .map_err(internal)?;
        if order.as_ref().map(|o| o.company_id) != Some(company_id) {
            return Err(AppError::NotFound(
                "That payment is not one of this company's.".into(),
            ));
        }
        let count = self
            .reconcile_session(checkout_session_id)
            .await
            .map_err(billing_error)?;
        if count == 0 {
            return Err(AppError::Invalid(
                "The payment has not been completed.".into(),
            ));
        }
        Ok(count)
    }
}
