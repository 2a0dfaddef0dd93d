//! Checkout: the server re-checks the selection with the wizard's own rules, prices it, holds
//! its projects ([`super::reservations`]), saves a pending order and opens a Stripe Checkout
//! Session for it (or hands back the open one of the same choice).

use app::error::AppError;
use app::ids::CompanyId;
use app::licensing::api::OrderDraft;
use std::time::Duration;

use app::ids::ProjectId;
use app::licensing::{quote, BillingInterval, LicenseSelection, Quote, ValidSelection};
use app::ports::Caller;
use sha2::{Digest, Sha256};

use super::licences::live;
use super::orders::Order;
use super::status::OrderStatus;
use super::LicensingService;
use crate::db::now;
use crate::error::{ServerError, ServerResult};
use crate::stripe::BillingError;

/// What an admin is told when the projects were paid for while they were choosing.
const JUST_PAID: &str = "These projects were just paid for. Reload Project Central to see them.";

/// How long a Checkout Session stays payable (Stripe's minimum is 30 minutes).
const CHECKOUT_OPEN_SECS: i64 = 30 * 60 + 60;
/// Holds outlive their session a little, so a payment in its last second still finds them.
const HOLD_GRACE_SECS: i64 = 120;

/// Company + interval + selection: the same choice again (a double click, a second tab,
/// six parallel submits) is the same order and gets the same open Checkout Session.
fn selection_key(company: CompanyId, selection: &str, interval: BillingInterval) -> String {
    let digest = Sha256::digest(format!("{company}|{interval}|{selection}"));
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl LicensingService {
    /// Validates, holds the projects and opens (or reuses) the order's Checkout Session;
    /// returns its URL. Starting checkouts is one at a time per company (a lease), so the
    /// check for holds and the new holds cannot interleave across requests or processes.
    pub(super) async fn checkout(
        &self,
        caller: &Caller,
        selection: LicenseSelection,
        interval: BillingInterval,
    ) -> ServerResult<String> {
        let (valid, known, priced) = self.validated(caller, &selection, interval).await?;
        if self
            .live_subscription(caller.company, interval)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(format!(
                "This company already has a {} subscription: these projects are added to it with Confirm on the subscription step. Reload the page.",
                interval.as_str()
            ))
            .into());
        }
        let selection_json = serde_json::to_string(valid.selection())
            .map_err(|e| ServerError::Corrupt(e.to_string()))?;
        let order = Order {
            id: uuid::Uuid::new_v4().simple().to_string(),
            company: caller.company,
            user: caller.user,
            interval,
            selection: valid.selection().clone(),
            total_cents: priced.total_cents,
            status: OrderStatus::Pending,
            stripe_session_id: None,
            selection_key: selection_key(caller.company, &selection_json, interval),
            expires_at: now() + CHECKOUT_OPEN_SECS,
        };
        let name = format!("checkout:{}", caller.company);
        let opened = self
            .db
            .under_lease(&name, 90, Duration::from_secs(30), || {
                self.open_checkout(caller, order, &known, &priced)
            })
            .await?;
        opened.ok_or_else(|| {
            AppError::Invalid(
                "Another checkout of this company is being started. Try again in a moment.".into(),
            )
            .into()
        })
    }

    /// The selection checked with the wizard's rules against what is licensed, the
    /// projects' names (all must be this company's), and its price.
    pub(super) async fn validated(
        &self,
        caller: &Caller,
        selection: &LicenseSelection,
        interval: BillingInterval,
    ) -> ServerResult<(ValidSelection, Vec<(i64, String)>, Quote)> {
        self.require_admin(caller)?;
        let licensed = live(&self.db.licences(caller.company).await?);
        // The server is the authority: the same rules as the browser, on what was sent.
        let valid = match selection.validate(&licensed) {
            Ok(valid) => valid,
            Err(problems) => {
                // Said with the projects' names ("Aspen Grove … is already licensed"), never
                // their Procore ids, wherever the name is known.
                let ids: Vec<i64> = problems.iter().filter_map(|p| p.project_id()).collect();
                let mut names: std::collections::HashMap<i64, String> = self
                    .db
                    .cached_project_names(caller.company, &ids)
                    .await?
                    .into_iter()
                    .collect();
                for l in self.db.licences(caller.company).await? {
                    names.entry(l.project.get()).or_insert(l.name);
                }
                let words: Vec<String> = problems
                    .iter()
                    .map(|p| match p.project_id().and_then(|id| names.get(&id)) {
                        Some(name) => p.describe(name),
                        None => p.to_string(),
                    })
                    .collect();
                return Err(AppError::Invalid(words.join(" ")).into());
            }
        };
        let ids: Vec<i64> = valid.choices().map(|c| c.project_id).collect();
        let known = self.db.cached_project_names(caller.company, &ids).await?;
        if known.len() != ids.len() {
            return Err(AppError::Invalid("Some selected projects are not projects of this company in Procore. Reload the page and try again.".into()).into());
        }
        // Two apps, one wizard: each module needs its marketplace app in the company.
        self.require_apps(caller, &valid.summary()).await?;
        let priced = quote(&valid.summary(), self.billing.catalog(), interval)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok((valid, known, priced))
    }

    async fn open_checkout(
        &self,
        caller: &Caller,
        order: Order,
        names: &[(i64, String)],
        priced: &Quote,
    ) -> ServerResult<String> {
        // The same choice again: hand back its session while it is open.
        if let Some(existing) = self
            .db
            .pending_order(caller.company, &order.selection_key)
            .await?
        {
            if let Some(url) = self.still_open(&existing).await? {
                return Ok(url);
            }
        }
        let projects: Vec<ProjectId> = order
            .selection
            .choices()
            .map(|c| ProjectId(c.project_id))
            .collect();
        // The interval's first purchase is one at a time: another admin's open checkout of
        // this interval locks it; this admin's own gives way below.
        let held_by_others = self
            .db
            .holds(caller.company, &projects)
            .await?
            .iter()
            .any(|h| h.user_id != caller.user.get());
        for (other, buyer) in self.db.open_orders(caller.company, order.interval).await? {
            if buyer == caller.user.get() {
                self.abandon(caller, &other).await?;
            } else if !held_by_others {
                // (When projects overlap, the hold below names who and until when.)
                return Err(AppError::Conflict(format!(
                    "Another admin of this company is paying for its first {} subscription right now. Try again when they have finished (at most 30 minutes).",
                    order.interval.as_str()
                ))
                .into());
            }
        }
        // This admin's own other open checkout (another selection, an abandoned payment page)
        // gives way: its session is expired at Stripe, so it can no longer be paid.
        for hold in self.db.holds(caller.company, &projects).await? {
            if hold.user_id == caller.user.get() {
                self.abandon(caller, &hold.order_id).await?;
            }
        }
        let hold_until = order.expires_at + HOLD_GRACE_SECS;
        self.db.create_order(&order).await?;
        if !self
            .db
            .reserve(
                caller.company,
                caller.user,
                &order.id,
                &projects,
                hold_until,
            )
            .await?
        {
            let holds = self.db.holds(caller.company, &projects).await?;
            let message = match holds.first() {
                Some(hold) => {
                    let name = names
                        .iter()
                        .find(|(id, _)| *id == hold.project_id)
                        .map(|(_, n)| n.as_str())
                        .unwrap_or("A selected project");
                    hold.describe(name)
                }
                None => "Some selected projects are being licensed in another checkout. Try again in a minute.".into(),
            };
            return Err(AppError::Conflict(message).into());
        }
        match self.create_session(caller, &order, priced).await {
            Ok(url) => Ok(url),
            Err(error) => {
                self.db.release_order(&order.id).await?;
                Err(error)
            }
        }
    }

    /// The URL of an order's session if it can still be paid; otherwise its holds go.
    async fn still_open(&self, order: &Order) -> ServerResult<Option<String>> {
        let Some(session_id) = order.stripe_session_id.as_deref() else {
            return Ok(None);
        };
        let state = self.billing.checkout_session(session_id).await?;
        if state.paid {
            return Err(AppError::Conflict(JUST_PAID.into()).into());
        }
        if !state.expired && state.expires_at > now() + 60 {
            if let Some(url) = state.url {
                return Ok(Some(url));
            }
        }
        self.db.release_order(&order.id).await?;
        Ok(None)
    }

    /// Expires one of the caller's own open checkouts at Stripe and gives back its holds.
    async fn abandon(&self, caller: &Caller, order_id: &str) -> ServerResult<()> {
        if let Some(order) = self.db.order(caller.company, order_id).await? {
            if let Some(session_id) = order.stripe_session_id.as_deref() {
                let state = self.billing.expire_checkout(session_id).await?;
                if state.paid {
                    return Err(AppError::Conflict(JUST_PAID.into()).into());
                }
            }
        }
        self.db.release_order(order_id).await?;
        tracing::info!(
            order = order_id,
            "earlier open checkout expired in favour of a new one"
        );
        Ok(())
    }

    async fn create_session(
        &self,
        caller: &Caller,
        order: &Order,
        priced: &Quote,
    ) -> ServerResult<String> {
        let interval = order.interval;
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
                order.expires_at,
            )
            .await?;
        self.db.set_order_session(&order.id, &state.id).await?;
        state
            .url
            .ok_or_else(|| ServerError::Corrupt("Checkout Session without a URL".into()))
    }

    /// The company's Stripe customer, created on its first checkout with the signed-in
    /// admin's Procore email as its billing email (Stripe's invoices, receipts and
    /// failed-payment emails go there; the admin can change it in the portal).
    async fn customer(&self, caller: &Caller) -> ServerResult<String> {
        let email = self
            .db
            .user(caller.user)
            .await?
            .map(|u| u.login)
            .filter(|login| login.contains('@'));
        if let Some(id) = self.db.billing_customer(caller.company).await? {
            if let Some(email) = &email {
                self.billing.set_missing_email(&id, email).await?;
            }
            return Ok(id);
        }
        let name = self
            .db
            .companies_of(caller.user)
            .await?
            .into_iter()
            .find(|c| c.id == caller.company)
            .map(|c| c.name)
            .unwrap_or_default();
        let created = self
            .billing
            .create_customer(caller.company.get(), &name, email.as_deref())
            .await?;
        Ok(self
            .db
            .save_billing_customer(caller.company, &created)
            .await?)
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
