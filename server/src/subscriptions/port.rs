//! The app's `Subscriptions` port: Project Central's list of subscribed projects, the
//! project page, Manage Subscription, wizard purchases into an existing subscription
//! (licensing's rules, then this service), and Re-check with Stripe.

use std::collections::HashMap;
use std::sync::Arc;

use app::error::AppError;
use app::ids::ProjectId;
use app::licensing::{BillingInterval, CatalogItem, LicenseFilter, LicenseSelection, Summary};
use app::ports::{Caller, Subscriptions};
use app::subscriptions::api::{
    ChangeOutcome, ChangePreview, HistoryEntry, ProjectSubscription, RecheckReport, SubscribedPage,
    SubscribedProject, SUBSCRIBED_PER_PAGE,
};
use app::subscriptions::{ChangeRequest, PreviewAmounts};
use async_trait::async_trait;

use super::store::ProjectTerms;
use super::sync::standing_of;
use super::SubscriptionService;
use crate::error::ServerResult;
use crate::licensing::LicensingService;

/// The port over licensing (for purchases and open orders) and subscriptions.
pub struct SubscriptionsPort {
    /// Licensing (rules of a purchase, open checkout orders).
    pub licensing: Arc<LicensingService>,
    /// Subscriptions.
    pub subscriptions: Arc<SubscriptionService>,
}

type Mirror = HashMap<String, (String, bool, i64, Option<i64>)>;

impl SubscriptionsPort {
    /// Two apps, one wizard (issue 21) also under Manage Subscription: adding a module
    /// needs that module's app installed in the company, as a purchase does (422).
    async fn require_apps_for(
        &self,
        caller: &Caller,
        project: ProjectId,
        request: ChangeRequest,
    ) -> ServerResult<()> {
        let p = self.subscriptions.own_project(caller, project).await?;
        // A request the rules refuse is refused by the change itself, with its words.
        let Ok(plan) = app::subscriptions::plan(&p.terms, request) else {
            return Ok(());
        };
        let adds = |item: CatalogItem| u32::from(plan.added.contains(&item));
        let wanted = Summary {
            projects: 1,
            planner: adds(CatalogItem::Planner),
            safety: adds(CatalogItem::Safety),
            ..Default::default()
        };
        if wanted.planner + wanted.safety == 0 {
            return Ok(());
        }
        self.licensing.require_apps(caller, &wanted).await
    }

    async fn mirror(&self, caller: &Caller) -> ServerResult<Mirror> {
        Ok(self
            .subscriptions
            .db()
            .company_subscriptions(caller.company)
            .await?
            .into_iter()
            .map(|(id, _, status, cancel, end, trial)| (id, (status, cancel, end, trial)))
            .collect())
    }

    fn row(p: &ProjectTerms, mirror: &Mirror, number: Option<String>) -> SubscribedProject {
        let m = p.subscription.as_ref().and_then(|s| mirror.get(s));
        SubscribedProject {
            id: p.project,
            name: p.name.clone(),
            number,
            terms: p.terms,
            standing: standing_of(p, m),
            renews_at: m.map(|m| m.2).unwrap_or(0),
        }
    }

    /// The caller's projects: all for admins, the ones Procore shows them otherwise.
    async fn visible(&self, caller: &Caller) -> ServerResult<Vec<ProjectTerms>> {
        let db = self.subscriptions.db();
        let mut rows = db.company_terms(caller.company).await?;
        if !caller.is_admin {
            self.subscriptions
                .accounts
                .fresh_visible_projects(caller)
                .await?;
            let visible: std::collections::HashSet<i64> = db
                .visible_project_ids(caller.user, caller.company)
                .await?
                .into_iter()
                .collect();
            rows.retain(|p| visible.contains(&p.project.get()));
        }
        Ok(rows)
    }

    async fn list_page(
        &self,
        caller: &Caller,
        search: &str,
        filter: Option<LicenseFilter>,
        page: u32,
    ) -> ServerResult<SubscribedPage> {
        let needle = search.to_lowercase();
        let mut rows = self.visible(caller).await?;
        rows.retain(|p| {
            p.name.to_lowercase().contains(&needle)
                && match filter {
                    None | Some(LicenseFilter::NotLicensed) => true,
                    Some(f) => f.matches(Some(&p.terms.current)),
                }
        });
        let mirror = self.mirror(caller).await?;
        let total = rows.len() as u64;
        let page = page.max(1);
        let per = SUBSCRIBED_PER_PAGE as usize;
        let projects = rows
            .iter()
            .skip((page as usize - 1) * per)
            .take(per)
            .map(|p| Self::row(p, &mirror, None))
            .collect();
        Ok(SubscribedPage {
            projects,
            total,
            page,
            per_page: SUBSCRIBED_PER_PAGE,
        })
    }

    async fn project_page(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> ServerResult<ProjectSubscription> {
        // The one per-project guard (as every other project page): a project Procore does
        // not show the caller is not found, before anything about it is read.
        self.subscriptions
            .accounts
            .shown_project(caller, project)
            .await?;
        let p = self.subscriptions.own_project(caller, project).await?;
        let db = self.subscriptions.db();
        let number: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT project_number FROM procore_projects WHERE company_id = $1 AND id = $2",
        )
        .bind(caller.company.get())
        .bind(project.get())
        .fetch_optional(db.pool())
        .await?;
        let mirror = self.mirror(caller).await?;
        let history = db.history(caller.company, project).await?;
        let awaiting = history
            .iter()
            .find(|h| h.status == "pending")
            .and_then(|h| h.stripe_invoice_id.clone());
        let awaiting_payment = match awaiting {
            Some(invoice) if caller.is_admin => self
                .subscriptions
                .billing()
                .invoice_state(&invoice)
                .await
                .ok()
                .and_then(|i| i.hosted_url),
            _ => None,
        };
        Ok(ProjectSubscription {
            project: Self::row(&p, &mirror, number.and_then(|n| n.0)),
            can_manage: caller.is_admin,
            awaiting_payment,
            history: history
                .into_iter()
                .map(|h| HistoryEntry {
                    at: h.created_at,
                    actor: h.actor,
                    action: h.action,
                    detail: h.detail,
                    status: h.status,
                    stripe_ids: [h.stripe_subscription_id, h.stripe_invoice_id]
                        .into_iter()
                        .flatten()
                        .collect(),
                })
                .collect(),
        })
    }

    async fn recheck_company(&self, caller: &Caller) -> ServerResult<RecheckReport> {
        if !caller.is_admin {
            return Err(AppError::Forbidden(super::changes::NOT_ADMIN.into()).into());
        }
        let mut repairs = self.licensing.settle_open_orders(caller.company).await?;
        repairs.extend(self.subscriptions.reconcile_company(caller.company).await?);
        Ok(RecheckReport { repairs })
    }
}

#[async_trait]
impl Subscriptions for SubscriptionsPort {
    async fn list(
        &self,
        caller: &Caller,
        search: &str,
        filter: Option<LicenseFilter>,
        page: u32,
    ) -> Result<SubscribedPage, AppError> {
        Ok(self.list_page(caller, search, filter, page).await?)
    }

    async fn project(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> Result<ProjectSubscription, AppError> {
        Ok(self.project_page(caller, project).await?)
    }

    async fn preview(
        &self,
        caller: &Caller,
        project: ProjectId,
        request: ChangeRequest,
    ) -> Result<ChangePreview, AppError> {
        if !caller.is_admin {
            return Err(AppError::Forbidden(super::changes::NOT_ADMIN.into()));
        }
        self.require_apps_for(caller, project, request).await?;
        Ok(self
            .subscriptions
            .preview_change(caller, project, request)
            .await?)
    }

    async fn confirm(
        &self,
        caller: &Caller,
        project: ProjectId,
        request: ChangeRequest,
    ) -> Result<ChangeOutcome, AppError> {
        if caller.is_admin {
            self.require_apps_for(caller, project, request).await?;
        }
        Ok(self
            .subscriptions
            .confirm_change(caller, project, request)
            .await?)
    }

    async fn purchase_preview(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<Option<PreviewAmounts>, AppError> {
        Ok(self
            .licensing
            .purchase_preview(caller, selection, interval)
            .await?)
    }

    async fn purchase(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> Result<ChangeOutcome, AppError> {
        Ok(self.licensing.purchase(caller, selection, interval).await?)
    }

    async fn recheck(&self, caller: &Caller) -> Result<RecheckReport, AppError> {
        Ok(self.recheck_company(caller).await?)
    }
}
