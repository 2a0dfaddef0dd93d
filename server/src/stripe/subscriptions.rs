//! Subscriptions after checkout: reading one as it stands, changing item quantities (with
//! the proration and payment behaviour each change needs), `cancel_at_period_end`,
//! previews (`/v1/invoices/create_preview`), creating a subscription with the card on file,
//! invoices and refunds. Every write carries an idempotency key from the caller.

use std::collections::HashMap;

use app::licensing::{BillingInterval, CatalogItem};
use stripe::{RequestStrategy, StripeRequest};
use stripe_billing::invoice::{
    CreatePreviewInvoice, CreatePreviewInvoicePreviewMode, CreatePreviewInvoiceSubscriptionDetails,
    CreatePreviewInvoiceSubscriptionDetailsItems,
    CreatePreviewInvoiceSubscriptionDetailsProrationBehavior, RetrieveInvoice,
};
use stripe_billing::subscription::{
    CreateSubscription, CreateSubscriptionItems, CreateSubscriptionPaymentBehavior,
    ListSubscription, ListSubscriptionStatus, RetrieveSubscription, UpdateSubscription,
    UpdateSubscriptionItems, UpdateSubscriptionPaymentBehavior,
    UpdateSubscriptionProrationBehavior,
};

use super::client::{idempotency, BillingError, StripeBilling};

/// One item of a subscription: which catalog item, Stripe's ids and quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubItem {
    /// `si_…`.
    pub id: String,
    /// `price_…`.
    pub price: String,
    /// Our catalog item, read from the price's lookup key (None: not one of ours).
    pub item: Option<CatalogItem>,
    /// Projects paid for.
    pub quantity: u64,
}

/// A subscription as Stripe has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubState {
    /// `sub_…`.
    pub id: String,
    /// `cus_…`.
    pub customer: String,
    /// Stripe's status name.
    pub status: String,
    /// Ends when the period ends.
    pub cancel_at_period_end: bool,
    /// End of the paid period (UTC unix seconds).
    pub period_end: i64,
    /// End of the trial, if any.
    pub trial_end: Option<i64>,
    /// When Stripe created it.
    pub created: i64,
    /// Monthly or yearly (None when it has no item of ours).
    pub interval: Option<BillingInterval>,
    /// Items.
    pub items: Vec<SubItem>,
    /// The latest invoice (`in_…`).
    pub latest_invoice: Option<String>,
    /// A change waits for its invoice to be paid (`pending_if_incomplete`).
    pub pending_update: bool,
    /// `metadata.procore_company_id`.
    pub company: Option<i64>,
}

impl SubState {
    /// The quantity of a catalog item (0 when absent).
    pub fn quantity(&self, item: CatalogItem) -> u64 {
        self.items
            .iter()
            .filter(|i| i.item == Some(item))
            .map(|i| i.quantity)
            .sum()
    }
}

/// How a quantity change is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Charge the prorated difference now; refuse the change if the card fails.
    ChargeNow,
    /// Charge now, but a card that needs its holder keeps the change pending until paid.
    ChargeNowOrPending,
    /// No proration: the next renewal is simply different.
    NoProration,
}

/// An invoice's state, for changes waiting on payment and for refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceState {
    /// `in_…`.
    pub id: String,
    /// `draft`, `open`, `paid`, `void`, …
    pub status: String,
    /// Stripe's hosted page.
    pub hosted_url: Option<String>,
    /// Amount paid (cents).
    pub amount_paid: i64,
    /// Amount due (cents).
    pub amount_due: i64,
}

fn item_of(lookup_key: Option<&str>) -> Option<(CatalogItem, BillingInterval)> {
    let key = lookup_key?;
    CatalogItem::ALL.into_iter().find_map(|item| {
        [BillingInterval::Monthly, BillingInterval::Yearly]
            .into_iter()
            .find(|i| item.lookup_key(*i) == key)
            .map(|i| (item, i))
    })
}

fn sub_state(s: stripe_shared::Subscription) -> SubState {
    let mut interval = None;
    let items: Vec<SubItem> = s
        .items
        .data
        .iter()
        .map(|i| {
            let found = item_of(i.price.lookup_key.as_deref());
            if let Some((_, iv)) = found {
                interval.get_or_insert(iv);
            }
            SubItem {
                id: i.id.to_string(),
                price: i.price.id.to_string(),
                item: found.map(|(item, _)| item),
                quantity: i.quantity.unwrap_or(0),
            }
        })
        .collect();
    SubState {
        id: s.id.to_string(),
        customer: s.customer.id().to_string(),
        status: s.status.to_string(),
        cancel_at_period_end: s.cancel_at_period_end,
        period_end: s
            .items
            .data
            .first()
            .map(|i| i.current_period_end)
            .unwrap_or(0),
        trial_end: s.trial_end,
        created: s.created,
        interval,
        items,
        latest_invoice: s
            .latest_invoice
            .as_ref()
            .and_then(|i| i.id().as_ref().map(|id| id.to_string())),
        pending_update: s.pending_update.is_some(),
        company: s
            .metadata
            .get("procore_company_id")
            .and_then(|v| v.parse().ok()),
    }
}

impl StripeBilling {
    /// Whether an item has a price (and so a line on Stripe) in this interval.
    pub fn is_priced(&self, item: CatalogItem, interval: BillingInterval) -> bool {
        self.catalog()
            .unit_amount_cents(item, interval)
            .is_ok_and(|c| c > 0)
    }

    /// A subscription as it stands.
    pub async fn subscription(&self, id: &str) -> Result<SubState, BillingError> {
        let s = RetrieveSubscription::new(id.to_string())
            .send(&self.client)
            .await?;
        Ok(sub_state(s))
    }

    /// Every subscription of a customer (all statuses), newest first.
    pub async fn customer_subscriptions(
        &self,
        customer: &str,
    ) -> Result<Vec<SubState>, BillingError> {
        let list = ListSubscription::new()
            .customer(customer.to_string())
            .status(ListSubscriptionStatus::All)
            .limit(100)
            .send(&self.client)
            .await?;
        Ok(list.data.into_iter().map(sub_state).collect())
    }

    fn update_items(
        sub: &SubState,
        quantities: &HashMap<CatalogItem, u64>,
        prices: &HashMap<String, String>,
        interval: BillingInterval,
    ) -> Result<Vec<UpdateSubscriptionItems>, BillingError> {
        let mut out = Vec::new();
        for (item, qty) in quantities {
            match sub.items.iter().find(|i| i.item == Some(*item)) {
                Some(existing) if existing.quantity == *qty => {}
                Some(existing) => out.push(UpdateSubscriptionItems {
                    id: Some(existing.id.clone()),
                    quantity: Some(*qty),
                    ..Default::default()
                }),
                None if *qty == 0 => {}
                None => {
                    // An item included at no charge has no Stripe price and no line.
                    let Some(price) = prices.get(item.lookup_key(interval)).cloned() else {
                        continue;
                    };
                    out.push(UpdateSubscriptionItems {
                        price: Some(price),
                        quantity: Some(*qty),
                        ..Default::default()
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.id, &a.price).cmp(&(&b.id, &b.price)));
        Ok(out)
    }

    /// Whether `quantities` change any of `sub`'s Stripe items (an add-on included at no
    /// charge has no Stripe line, so adding or removing it changes none).
    pub async fn changes_items(
        &self,
        sub: &SubState,
        quantities: &HashMap<CatalogItem, u64>,
    ) -> Result<bool, BillingError> {
        let interval = sub.interval.unwrap_or(BillingInterval::Monthly);
        let prices = self.ensure_prices().await?;
        Ok(!Self::update_items(sub, quantities, &prices, interval)?.is_empty())
    }

    /// Sets the quantities of `sub`'s items (adding an item for a first project), billed as
    /// `billing` says; `cancel_at_period_end` is sent when given. Returns the subscription.
    pub async fn set_quantities(
        &self,
        sub: &SubState,
        quantities: &HashMap<CatalogItem, u64>,
        billing: Billing,
        cancel_at_period_end: Option<bool>,
        key: &str,
    ) -> Result<SubState, BillingError> {
        let interval = sub.interval.unwrap_or(BillingInterval::Monthly);
        let prices = self.ensure_prices().await?;
        let items = Self::update_items(sub, quantities, &prices, interval)?;
        let mut update = UpdateSubscription::new(sub.id.clone());
        if !items.is_empty() {
            update = update.items(items);
        }
        update = match billing {
            Billing::NoProration => {
                update.proration_behavior(UpdateSubscriptionProrationBehavior::None)
            }
            Billing::ChargeNow => update
                .proration_behavior(UpdateSubscriptionProrationBehavior::AlwaysInvoice)
                .payment_behavior(UpdateSubscriptionPaymentBehavior::ErrorIfIncomplete),
            Billing::ChargeNowOrPending => update
                .proration_behavior(UpdateSubscriptionProrationBehavior::AlwaysInvoice)
                .payment_behavior(UpdateSubscriptionPaymentBehavior::PendingIfIncomplete),
        };
        if let Some(flag) = cancel_at_period_end {
            update = update.cancel_at_period_end(flag);
        }
        let s = update
            .customize()
            .request_strategy(RequestStrategy::Idempotent(idempotency(key)?))
            .send(&self.client)
            .await?;
        Ok(sub_state(s))
    }

    /// Stripe's preview of new quantities: (due now when charged with proration, the
    /// next regular renewal).
    pub async fn preview_quantities(
        &self,
        sub: &SubState,
        quantities: &HashMap<CatalogItem, u64>,
        charge_now: bool,
    ) -> Result<(i64, i64), BillingError> {
        let interval = sub.interval.unwrap_or(BillingInterval::Monthly);
        let prices = self.ensure_prices().await?;
        let items: Vec<CreatePreviewInvoiceSubscriptionDetailsItems> =
            Self::update_items(sub, quantities, &prices, interval)?
                .into_iter()
                .map(|i| CreatePreviewInvoiceSubscriptionDetailsItems {
                    id: i.id,
                    price: i.price,
                    quantity: i.quantity,
                    ..Default::default()
                })
                .collect();
        // Stripe refuses an empty `subscription_details[items]` ("Invalid array"): with no
        // item to change, the preview is of the subscription as it stands.
        let details = |proration| CreatePreviewInvoiceSubscriptionDetails {
            items: (!items.is_empty()).then(|| items.clone()),
            proration_behavior: Some(proration),
            ..Default::default()
        };
        let due_now = if charge_now && !items.is_empty() {
            CreatePreviewInvoice::new()
                .customer(sub.customer.clone())
                .subscription(sub.id.clone())
                .subscription_details(details(
                    CreatePreviewInvoiceSubscriptionDetailsProrationBehavior::AlwaysInvoice,
                ))
                .send(&self.client)
                .await?
                .amount_due
        } else {
            0
        };
        let renewal = CreatePreviewInvoice::new()
            .customer(sub.customer.clone())
            .subscription(sub.id.clone())
            .preview_mode(CreatePreviewInvoicePreviewMode::Recurring)
            .subscription_details(details(
                CreatePreviewInvoiceSubscriptionDetailsProrationBehavior::None,
            ))
            .send(&self.client)
            .await?
            .amount_due;
        Ok((due_now, renewal))
    }

    /// The next regular renewal of `sub` as it stands now (Stripe's recurring preview), in
    /// cents; 0 when it ends with its period and nothing renews.
    pub async fn next_renewal(&self, sub: &SubState) -> Result<i64, BillingError> {
        if sub.cancel_at_period_end
            || matches!(sub.status.as_str(), "canceled" | "incomplete_expired")
        {
            return Ok(0);
        }
        Ok(CreatePreviewInvoice::new()
            .customer(sub.customer.clone())
            .subscription(sub.id.clone())
            .preview_mode(CreatePreviewInvoicePreviewMode::Recurring)
            .send(&self.client)
            .await?
            .amount_due)
    }

    /// A new subscription for `customer` charged now to the card on file (used when a
    /// project moves to an interval the company has no subscription for).
    pub async fn create_subscription(
        &self,
        customer: &str,
        company: i64,
        interval: BillingInterval,
        quantities: &HashMap<CatalogItem, u64>,
        key: &str,
    ) -> Result<SubState, BillingError> {
        let prices = self.ensure_prices().await?;
        let mut items = Vec::new();
        for (item, qty) in quantities.iter().filter(|(_, q)| **q > 0) {
            let Some(price) = prices.get(item.lookup_key(interval)).cloned() else {
                continue; // included at no charge
            };
            items.push(CreateSubscriptionItems {
                price: Some(price),
                quantity: Some(*qty),
                ..Default::default()
            });
        }
        let s = CreateSubscription::new()
            .customer(customer.to_string())
            .items(items)
            .payment_behavior(CreateSubscriptionPaymentBehavior::ErrorIfIncomplete)
            .off_session(true)
            .metadata(HashMap::from([(
                "procore_company_id".to_string(),
                company.to_string(),
            )]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(idempotency(key)?))
            .send(&self.client)
            .await?;
        Ok(sub_state(s))
    }

    /// An invoice's state.
    pub async fn invoice_state(&self, id: &str) -> Result<InvoiceState, BillingError> {
        let i = RetrieveInvoice::new(id.to_string())
            .send(&self.client)
            .await?;
        Ok(InvoiceState {
            id: i.id.map(|v| v.to_string()).unwrap_or_default(),
            status: i.status.map(|s| s.to_string()).unwrap_or_default(),
            hosted_url: i.hosted_invoice_url,
            amount_paid: i.amount_paid,
            amount_due: i.amount_due,
        })
    }

    /// Pays an open invoice with the customer's default card (402 when it fails).
    pub async fn pay_invoice(&self, id: &str) -> Result<InvoiceState, BillingError> {
        stripe_billing::invoice::PayInvoice::new(id.to_string())
            .send(&self.client)
            .await?;
        self.invoice_state(id).await
    }

    /// Refunds `amount` cents of an invoice's payment (once per key).
    pub async fn refund_invoice(
        &self,
        invoice: &str,
        amount: i64,
        key: &str,
    ) -> Result<Option<String>, BillingError> {
        let payments = stripe_billing::invoice_payment::ListInvoicePayment::new()
            .invoice(invoice.to_string())
            .send(&self.client)
            .await?;
        let Some(intent) = payments.data.into_iter().find_map(|p| {
            p.payment
                .payment_intent
                .as_ref()
                .map(|pi| pi.id().to_string())
        }) else {
            return Ok(None);
        };
        let refund = stripe_core::refund::CreateRefund::new()
            .payment_intent(intent)
            .amount(amount)
            .customize()
            .request_strategy(RequestStrategy::Idempotent(idempotency(key)?))
            .send(&self.client)
            .await?;
        Ok(Some(refund.id.to_string()))
    }
}
