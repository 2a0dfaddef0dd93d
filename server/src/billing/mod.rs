//! Billing: the company's invoices and payment details at Stripe for the Billing page, the
//! failed-payment banner ([`alerts`]), and the Customer Portal with our configuration.
//! Implements the app's `Billing` port. Every call is for the caller's company: its Stripe
//! customer comes from `billing_customers` ([`store`]), never from the browser.

pub mod alerts;
pub mod store;

use std::sync::Arc;

use app::billing::api::{BillingOverview, InvoiceRow, PaymentAlert, ADMINS_ONLY};
use app::error::AppError;
use app::ports::{Billing, Caller};
use async_trait::async_trait;

use crate::db::Db;
use crate::error::ServerResult;
use crate::stripe::StripeBilling;

/// What someone whose company never paid us is told when they open the portal.
const NO_CUSTOMER: &str =
    "Your company has no billing account yet. License projects first; payment details are set at checkout.";

/// Billing over our database and Stripe.
pub struct BillingService {
    db: Db,
    stripe: Arc<StripeBilling>,
    /// Where the portal sends people back: `{PUBLIC_BASE_URL}billing`.
    return_url: String,
    /// Our portal configuration's id, once found or created.
    portal_configuration: tokio::sync::Mutex<Option<String>>,
}

impl BillingService {
    /// The service over what it uses.
    pub fn new(
        db: Db,
        stripe: Arc<StripeBilling>,
        public_base_url: &url::Url,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            db,
            stripe,
            return_url: public_base_url.join("billing")?.to_string(),
            portal_configuration: tokio::sync::Mutex::new(None),
        })
    }

    /// Finds or creates our Customer Portal configuration and keeps its id. Called at
    /// start-up; if Stripe was down then, the first portal session tries again.
    pub async fn prepare_portal(&self) -> ServerResult<String> {
        // Held across the Stripe calls: concurrent first requests create one configuration.
        let mut kept = self.portal_configuration.lock().await;
        if let Some(id) = kept.as_ref() {
            return Ok(id.clone());
        }
        let id = self.stripe.portal_configuration(&self.return_url).await?;
        *kept = Some(id.clone());
        Ok(id)
    }

    /// The configuration id in use, if known yet.
    pub async fn portal_configuration_id(&self) -> Option<String> {
        self.portal_configuration.lock().await.clone()
    }

    fn require_admin(caller: &Caller) -> Result<(), AppError> {
        if caller.is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(ADMINS_ONLY.into()))
        }
    }

    async fn overview_of(&self, caller: &Caller) -> ServerResult<BillingOverview> {
        Self::require_admin(caller)?;
        let Some(customer) = self.db.billing_customer(caller.company).await? else {
            return Ok(BillingOverview {
                account: None,
                invoices: Vec::new(),
                older_invoices: false,
            });
        };
        let (account, listed, projects) = tokio::join!(
            self.stripe.billing_account(&customer),
            self.stripe.invoices(&customer),
            self.db.invoice_projects(caller.company),
        );
        let (account, (invoices, older_invoices), projects) = (account?, listed?, projects?);
        let invoices = invoices
            .into_iter()
            .map(|i| InvoiceRow {
                projects: projects.of(&i.id, i.subscription.as_deref(), i.created),
                payment_failed: i.payment_failed(),
                id: i.id,
                number: i.number,
                created: i.created,
                total_cents: i.total_cents,
                amount_remaining_cents: i.amount_remaining_cents,
                currency: i.currency,
                status: i.status,
                hosted_invoice_url: i.hosted_invoice_url,
                invoice_pdf: i.invoice_pdf,
            })
            .collect();
        Ok(BillingOverview {
            account: Some(account),
            invoices,
            older_invoices,
        })
    }

    /// The stored alert, confirmed with Stripe: a payment made in the portal a moment ago
    /// clears the banner even before its webhook arrives. If Stripe cannot be asked, the
    /// stored alert stands.
    async fn alert_of(&self, caller: &Caller) -> ServerResult<Option<PaymentAlert>> {
        if !caller.is_admin {
            return Ok(None);
        }
        let Some(stored) = self.db.billing_alert(caller.company).await? else {
            return Ok(None);
        };
        let current = match self.stripe.invoice(&stored.invoice_id).await {
            Ok(invoice) => invoice,
            Err(error) => {
                tracing::warn!(%error, "could not confirm the failed payment with Stripe");
                return Ok(Some(stored.into()));
            }
        };
        let unchanged = current.payment_failed()
            && u64::try_from(stored.attempt_count).ok() == Some(current.attempt_count);
        if unchanged {
            return Ok(Some(stored.into()));
        }
        let Some(customer) = current.customer.clone() else {
            return Ok(Some(stored.into()));
        };
        let next =
            alerts::refresh(&self.db, &self.stripe, caller.company, &customer, current).await?;
        Ok(next.map(PaymentAlert::from))
    }

    async fn portal_of(&self, caller: &Caller) -> ServerResult<String> {
        Self::require_admin(caller)?;
        let customer = self
            .db
            .billing_customer(caller.company)
            .await?
            .ok_or_else(|| AppError::NotFound(NO_CUSTOMER.into()))?;
        let configuration = self.prepare_portal().await?;
        Ok(self
            .stripe
            .portal_session(&customer, &configuration, &self.return_url)
            .await?)
    }
}

#[async_trait]
impl Billing for BillingService {
    async fn overview(&self, caller: &Caller) -> Result<BillingOverview, AppError> {
        Ok(self.overview_of(caller).await?)
    }

    async fn payment_alert(&self, caller: &Caller) -> Result<Option<PaymentAlert>, AppError> {
        Ok(self.alert_of(caller).await?)
    }

    async fn portal_url(&self, caller: &Caller) -> Result<String, AppError> {
        Ok(self.portal_of(caller).await?)
    }
}
