//! Licensing: the wizard's project list ([`project_cache`]), checkout ([`checkout`]) and
//! fulfilment of paid orders ([`fulfilment`]), over the licensed projects ([`licences`]) and
//! orders ([`orders`]) we keep. Implements the app's `Licensing` port.

pub mod add_ons;
pub mod apps;
pub mod checkout;
pub mod events;
pub mod fulfilment;
pub mod licences;
pub mod orders;
pub mod project_cache;
pub mod purchase;
pub mod reservations;
pub mod status;

use std::sync::Arc;

use app::error::AppError;
use app::ids::ProjectId;
use app::licensing::api::{LicensedTile, OrderDraft, WizardPage, WizardProject, WIZARD_PER_PAGE};
use app::licensing::{BillingInterval, Catalog, LicenseFilter, LicenseSelection};
use app::ports::{Caller, Licensing};
use async_trait::async_trait;

use self::licences::live;
use self::project_cache::CacheQuery;
use crate::accounts::AccountService;
use crate::db::Db;
use crate::error::ServerResult;
use crate::procore::ProcoreAccess;
use crate::stripe::StripeBilling;
use crate::subscriptions::SubscriptionService;

/// What a non-admin is told when they try to buy.
const NOT_ADMIN: &str = "Only Procore company admins can license projects. Ask a company admin, or see this company's licensed projects under Licensed.";

/// Licensing over the database, Procore and Stripe.
pub struct LicensingService {
    db: Db,
    accounts: Arc<AccountService>,
    procore: Arc<ProcoreAccess>,
    billing: Arc<StripeBilling>,
    subscriptions: Arc<SubscriptionService>,
    public_base_url: url::Url,
    /// Asks Procore which apps are installed when our records do not show one a purchase
    /// needs (`apps`: the two-apps rule).
    installs: Option<Arc<crate::installs::InstallService>>,
}

impl LicensingService {
    /// The service over what it uses.
    pub fn new(
        db: Db,
        accounts: Arc<AccountService>,
        procore: Arc<ProcoreAccess>,
        billing: Arc<StripeBilling>,
        subscriptions: Arc<SubscriptionService>,
        public_base_url: url::Url,
    ) -> Self {
        Self {
            db,
            accounts,
            procore,
            billing,
            subscriptions,
            public_base_url,
            installs: None,
        }
    }

    /// The same service, asking `installs` when a purchase needs an app our records do
    /// not show (without it, the records alone decide).
    pub fn with_installs(mut self, installs: Arc<crate::installs::InstallService>) -> Self {
        self.installs = Some(installs);
        self
    }

    /// Buying is for company admins; others may only look at what is licensed.
    fn require_admin(&self, caller: &Caller) -> Result<(), AppError> {
        if caller.is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(NOT_ADMIN.into()))
        }
    }

    async fn wizard_page(
        &self,
        caller: &Caller,
        search: &str,
        filter: LicenseFilter,
        page: u32,
    ) -> ServerResult<WizardPage> {
        if filter == LicenseFilter::NotLicensed {
            self.require_admin(caller)?;
        }
        // Only an admin's token sees every project, so only admins refresh the shared cache;
        // others see only the projects Procore shows them.
        let (visible_to, loading) = if caller.is_admin {
            (None, self.fresh_project_cache(caller).await?)
        } else {
            self.accounts.fresh_visible_projects(caller).await?;
            (Some(caller.user), None)
        };
        let query = CacheQuery {
            visible_to,
            search: search.to_string(),
            filter: Some(filter),
            offset: i64::from(page.saturating_sub(1)) * i64::from(WIZARD_PER_PAGE),
            limit: i64::from(WIZARD_PER_PAGE),
        };
        let (rows, total) = self.db.cached_projects_page(caller.company, &query).await?;
        let licences = live(&self.db.licences(caller.company).await?);
        Ok(WizardPage {
            projects: rows
                .into_iter()
                .map(|p| WizardProject {
                    license: licences.get(p.id.get()).copied(),
                    id: p.id,
                    name: p.name,
                    number: p.project_number,
                    stage: p.stage,
                })
                .collect(),
            total: total.max(0) as u64,
            page,
            per_page: WIZARD_PER_PAGE,
            loading,
        })
    }

    async fn matching(&self, caller: &Caller, search: &str) -> ServerResult<Vec<i64>> {
        self.require_admin(caller)?;
        self.fresh_project_cache(caller).await?;
        Ok(self
            .db
            .unlicensed_ids_matching(caller.company, search)
            .await?)
    }

    async fn tiles(&self, caller: &Caller) -> ServerResult<Vec<LicensedTile>> {
        let mut licences = self.db.licences(caller.company).await?;
        if !caller.is_admin {
            // A project Procore does not show this person stays out of sight here too.
            self.accounts.fresh_visible_projects(caller).await?;
            let visible: std::collections::HashSet<i64> = self
                .db
                .visible_project_ids(caller.user, caller.company)
                .await?
                .into_iter()
                .collect();
            licences.retain(|l| visible.contains(&l.project.get()));
        }
        Ok(licences
            .into_iter()
            .map(|l| LicensedTile {
                project_id: ProjectId(l.project.get()),
                name: l.name,
                license: l.modules,
                interval: l.interval,
                status: l.status.to_string(),
            })
            .collect())
    }
}

#[async_trait]
impl Licensing for LicensingService {
    async fn wizard_projects(
        &self,
        caller: &Caller,
        search: &str,
        filter: LicenseFilter,
        page: u32,
    ) -> Result<WizardPage, AppError> {
        Ok(self.wizard_page(caller, search, filter, page).await?)
    }

    async fn matching_ids(&self, caller: &Caller, search: &str) -> Result<Vec<i64>, AppError> {
        Ok(self.matching(caller, search).await?)
    }

    fn catalog(&self) -> Catalog {
        self.billing.catalog().clone()
    }

    async fn start_checkout(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<String, AppError> {
        Ok(self.checkout(caller, selection, interval).await?)
    }

    async fn order_draft(
        &self,
        caller: &Caller,
        order_id: &str,
    ) -> Result<Option<OrderDraft>, AppError> {
        Ok(self.draft(caller, order_id).await?)
    }

    async fn licensed_tiles(&self, caller: &Caller) -> Result<Vec<LicensedTile>, AppError> {
        Ok(self.tiles(caller).await?)
    }

    async fn confirm_checkout(
        &self,
        caller: &Caller,
        checkout_session_id: &str,
    ) -> Result<u32, AppError> {
        Ok(self.confirm(caller, checkout_session_id).await?)
    }
}
