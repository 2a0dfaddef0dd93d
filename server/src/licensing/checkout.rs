//! Checkout: the server re-checks the selection with the wizard's own rules, prices it, saves
//! a pending order and opens a Stripe Checkout Session for it (or hands back the open one).

use app::error::AppError;
use app::ids::CompanyId;
use app::licensing::api::OrderDraft;
use app::licensing::{quote, BillingInterval, LicenseSelection};
use app::ports::Caller;
use sha2::{Digest, Sha256};

use super::licences::live;
use super::orders::Order;
use super::status::OrderStatus;
use super::LicensingService;
use crate::db::now;
use crate::error::{ServerError, ServerResult};
use crate::stripe::BillingError;

/// The same selection from the same person within ten minutes is the same order, so a
/// double click (or a second tab) reuses one Checkout Session instead of buying twice.
fn order_id(caller: &Caller, selection: &str, interval: BillingInterval) -> String {
    let bucket = now() / 600;
    let digest = Sha256::digest(format!(
        "{}|{}|{interval}|{bucket}|{selection}",
        caller.company, caller.user
    ));
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl LicensingService {
    /// Validates, saves the order and opens (or reuses) its Checkout Session; returns its URL.
    pub(super) async fn checkout(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> ServerResult<String> {
        self.require_admin(caller)?;
        let licensed = live(&self.db.licences(caller.company).await?);
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
        let known = self.db.cached_project_names(caller.company, &ids).await?;
        if known.len() != ids.len() {
            return Err(AppError::Invalid("Some selected projects are not projects of this company in Procore. Reload the page and try again.".into()).into());
        }
        let priced = quote(&valid.summary(), self.billing.catalog(), interval)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let selection_json = serde_json::to_string(valid.selection())
            .map_err(|e| ServerError::Corrupt(e.to_string()))?;
        let order = Order {
            id: order_id(caller, &selection_json, interval),
            company: caller.company,
            user: caller.user,
            interval,
            selection: valid.selection().clone(),
            total_cents: priced.total_cents,
            status: OrderStatus::Pending,
            stripe_session_id: None,
        };
        match self.db.order(caller.company, &order.id).await? {
            Some(existing) => {
                if let Some(session_id) = existing.stripe_session_id.as_deref() {
                    let state = self.billing.checkout_session(session_id).await?;
                    if let (false, false, Some(url)) = (state.paid, state.expired, state.url) {
                        return Ok(url);
                    }
                }
            }
            None => self.db.create_order(&order).await?,
        }
        let prices = self.billing.ensure_prices().await?;
        let lines: Vec<(String, u64)> = priced
            .billable_lines()
            .filter(|l| l.unit_amount_cents > 0)
            .map(|l| {
                let key = l.item.lookup_key(interval).to_string();
                prices
                    .get(&key)
                    .map(|id| (id.clone(), u64::from(l.quantity)))
                    .ok_or(BillingError::MissingPrice(key))
            })
            .collect::<Result<_, _>>()?;
        let customer = self.customer(caller).await?;
        let base = &self.public_base_url;
        let success = format!("{base}projects?checkout_session={{CHECKOUT_SESSION_ID}}");
        let cancel = format!("{base}licensing?order={}", order.id);
        let state = self
            .billing
            .create_checkout(
                &order.id,
                caller.company.get(),
                &customer,
                &lines,
                &success,
                &cancel,
            )
            .await?;
        self.db.set_order_session(&order.id, &state.id).await?;
        state
            .url
            .ok_or_else(|| ServerError::Corrupt("Checkout Session without a URL".into()))
    }

    /// The company's Stripe customer, created on its first checkout.
    async fn customer(&self, caller: &Caller) -> ServerResult<String> {
        if let Some(id) = self.db.billing_customer(caller.company).await? {
            return Ok(id);
        }
        let name = self.company_name(caller.company, caller).await?;
        let created = self
            .billing
            .create_customer(caller.company.get(), &name)
            .await?;
        Ok(self
            .db
            .save_billing_customer(caller.company, &created)
            .await?)
    }

    async fn company_name(&self, company: CompanyId, caller: &Caller) -> ServerResult<String> {
        Ok(self
            .db
            .companies_of(caller.user)
            .await?
            .into_iter()
            .find(|c| c.id == company)
            .map(|c| c.name)
            .unwrap_or_default())
    }

    /// A pending order's selection, to come back to after a cancelled payment.
    pub(super) async fn draft(
        &self,
        caller: &Caller,
        order_id: &str,
    ) -> ServerResult<Option<OrderDraft>> {
        let Some(order) = self.db.order(caller.company, order_id).await? else {
            return Ok(None);
        };
        if order.status != OrderStatus::Pending {
            return Ok(None);
        }
        let ids: Vec<i64> = order.selection.choices().map(|c| c.project_id).collect();
        let names = self.db.cached_project_names(caller.company, &ids).await?;
        Ok(Some(OrderDraft {
            selection: order.selection,
            interval: order.interval,
            names,
        }))
    }

    /// After Stripe's redirect: reconciles the company's own Checkout Session now.
    pub(super) async fn confirm(&self, caller: &Caller, session_id: &str) -> ServerResult<u32> {
        let order = self.db.order_by_session(session_id).await?;
        if order.as_ref().map(|o| o.company) != Some(caller.company) {
            return Err(
                AppError::NotFound("That payment is not one of this company's.".into()).into(),
            );
        }
        match self.reconcile_session(session_id).await? {
            0 => Err(AppError::Invalid("The payment has not been completed.".into()).into()),
            count => Ok(count),
        }
    }
}
