//! Checkout orders and the company's Stripe customer: their SQL. Every read that serves a
//! person is scoped by the caller's company.

use app::ids::{CompanyId, UserId};
use app::licensing::{BillingInterval, LicenseSelection};

use super::status::OrderStatus;
use crate::db::{now, Db};
use crate::error::{ServerError, ServerResult};

/// A checkout order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Our order id (derived from the selection; also Stripe's idempotency key).
    pub id: String,
    /// Company.
    pub company: CompanyId,
    /// Buyer.
    pub user: UserId,
    /// Monthly or yearly.
    pub interval: BillingInterval,
    /// The chosen projects and modules.
    pub selection: LicenseSelection,
    /// Total of the quote in cents.
    pub total_cents: i64,
    /// Where it stands.
    pub status: OrderStatus,
    /// Stripe Checkout Session id.
    pub stripe_session_id: Option<String>,
    /// Company + interval + selection, hashed: the same choice again is the same order.
    pub selection_key: String,
    /// When its Checkout Session stops accepting payment (UTC unix seconds).
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: String,
    company_id: i64,
    user_id: i64,
    billing_interval: String,
    selection: String,
    total_cents: i64,
    status: String,
    stripe_session_id: Option<String>,
    selection_key: Option<String>,
    expires_at: Option<i64>,
}

impl TryFrom<OrderRow> for Order {
    type Error = ServerError;

    fn try_from(row: OrderRow) -> Result<Self, Self::Error> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            ServerError::Corrupt(format!("order {}: {what}: {e}", row.id))
        };
        Ok(Self {
            company: CompanyId(row.company_id),
            user: UserId(row.user_id),
            interval: row
                .billing_interval
                .parse()
                .map_err(|e| corrupt("interval", &e))?,
            selection: serde_json::from_str(&row.selection)
                .map_err(|e| corrupt("selection", &e))?,
            total_cents: row.total_cents,
            status: row.status.parse().map_err(|e| corrupt("status", &e))?,
            stripe_session_id: row.stripe_session_id,
            selection_key: row.selection_key.unwrap_or_default(),
            expires_at: row.expires_at.unwrap_or_default(),
            id: row.id,
        })
    }
}

const ORDER_COLUMNS: &str =
    "id, company_id, user_id, billing_interval, selection, total_cents, status,
     stripe_session_id, selection_key, expires_at";

impl Db {
    /// Saves a new pending order (a second save of the same id changes nothing).
    pub async fn create_order(&self, order: &Order) -> ServerResult<()> {
        let selection = serde_json::to_string(&order.selection)
            .map_err(|e| ServerError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO orders (id, company_id, user_id, billing_interval, selection, total_cents, status,
             selection_key, expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $10, $8, $8) ON CONFLICT (id) DO NOTHING",
        )
        .bind(order.id.clone())
        .bind(order.company.get())
        .bind(order.user.get())
        .bind(order.interval.as_str())
        .bind(selection)
        .bind(order.total_cents)
        .bind(OrderStatus::Pending.as_str())
        .bind(now())
        .bind(order.selection_key.clone())
        .bind(order.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Links an order to its Stripe Checkout Session.
    pub async fn set_order_session(&self, order_id: &str, session_id: &str) -> ServerResult<()> {
        sqlx::query("UPDATE orders SET stripe_session_id = $2, updated_at = $3 WHERE id = $1")
            .bind(order_id.to_string())
            .bind(session_id.to_string())
            .bind(now())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The order with this id, only if it belongs to the company.
    pub async fn order(&self, company: CompanyId, order_id: &str) -> ServerResult<Option<Order>> {
        let row: Option<OrderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1 AND company_id = $2"
        )))
        .bind(order_id.to_string())
        .bind(company.get())
        .fetch_optional(self.pool())
        .await?;
        row.map(Order::try_from).transpose()
    }

    /// The newest pending order of the company for this selection key.
    pub async fn pending_order(
        &self,
        company: CompanyId,
        key: &str,
    ) -> ServerResult<Option<Order>> {
        let row: Option<OrderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE company_id = $1 AND selection_key = $2 AND status = $3
             ORDER BY created_at DESC LIMIT 1"
        )))
        .bind(company.get())
        .bind(key.to_string())
        .bind(OrderStatus::Pending.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(Order::try_from).transpose()
    }

    /// The order a Checkout Session belongs to (webhooks carry no session cookie).
    pub async fn order_by_session(&self, session_id: &str) -> ServerResult<Option<Order>> {
        let row: Option<OrderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE stripe_session_id = $1"
        )))
        .bind(session_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(Order::try_from).transpose()
    }

    /// The company's Stripe customer id.
    pub async fn billing_customer(
        &self,
        company: CompanyId,
    ) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT stripe_customer_id FROM billing_customers WHERE company_id = $1",
        )
        .bind(company.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// Remembers the company's Stripe customer (first writer wins); returns the one kept.
    pub async fn save_billing_customer(
        &self,
        company: CompanyId,
        customer_id: &str,
    ) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO billing_customers (company_id, stripe_customer_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (company_id) DO NOTHING",
        )
        .bind(company.get())
        .bind(customer_id.to_string())
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(self
            .billing_customer(company)
            .await?
            .unwrap_or_else(|| customer_id.to_string()))
    }
}
