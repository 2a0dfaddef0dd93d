//! Checkout reservations: each project of an open Checkout Session is held for its order
//! (unique per company and project) until the session expires, is paid or is cancelled, so
//! two admins, two tabs or six parallel submits cannot open two payable sessions for one
//! project. The SQL, and what a blocked admin is told.

use app::ids::{CompanyId, ProjectId, UserId};
use app::licensing::BillingInterval;
use sqlx::AssertSqlSafe;

use crate::db::{now, Db};

/// A hold on a project by someone else's open checkout.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Hold {
    /// The project held.
    pub project_id: i64,
    /// The order holding it.
    pub order_id: String,
    /// Who started that checkout.
    pub user_id: i64,
    /// Their name, when known.
    pub user_name: Option<String>,
    /// Until when (UTC unix seconds).
    pub expires_at: i64,
}

impl Hold {
    /// "being licensed by NAME until 14:05 UTC".
    pub fn describe(&self, project_name: &str) -> String {
        let until = time::OffsetDateTime::from_unix_timestamp(self.expires_at)
            .map(|t| format!("{:02}:{:02} UTC", t.hour(), t.minute()))
            .unwrap_or_else(|_| "later".into());
        let who = self.user_name.as_deref().unwrap_or("another admin");
        format!(
            "{project_name} is being licensed by {who} until {until}. Try again after that, or choose other projects."
        )
    }
}

fn placeholders(from: usize, count: usize) -> String {
    (0..count)
        .map(|i| format!("${}", from + i))
        .collect::<Vec<_>>()
        .join(",")
}

impl Db {
    /// Holds on any of `projects` that are still in force, by any order.
    pub async fn holds(
        &self,
        company: CompanyId,
        projects: &[ProjectId],
    ) -> Result<Vec<Hold>, sqlx::Error> {
        let mut out = Vec::new();
        for chunk in projects.chunks(500) {
            let sql = format!(
                "SELECT r.project_id, r.order_id, r.user_id, u.name AS user_name, r.expires_at
                 FROM project_reservations r LEFT JOIN users u ON u.id = r.user_id
                 WHERE r.company_id = $1 AND r.expires_at > $2 AND r.project_id IN ({})
                 ORDER BY r.project_id",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query_as::<_, Hold>(AssertSqlSafe(sql))
                .bind(company.get())
                .bind(now());
            for id in chunk {
                query = query.bind(id.get());
            }
            out.extend(query.fetch_all(self.pool()).await?);
        }
        Ok(out)
    }

    /// Holds `projects` for `order` until `expires_at`, in one transaction: all or none.
    /// Returns false (holding nothing) when any of them is held by another order.
    pub async fn reserve(
        &self,
        company: CompanyId,
        user: UserId,
        order_id: &str,
        projects: &[ProjectId],
        expires_at: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        // Holds that ran out are free to take.
        sqlx::query("DELETE FROM project_reservations WHERE company_id = $1 AND expires_at <= $2")
            .bind(company.get())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        for project in projects {
            let taken = sqlx::query(
                "INSERT INTO project_reservations (company_id, project_id, order_id, user_id, expires_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (company_id, project_id) DO NOTHING",
            )
            .bind(company.get())
            .bind(project.get())
            .bind(order_id.to_string())
            .bind(user.get())
            .bind(expires_at)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !taken {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Gives back every hold of an order (paid, cancelled or expired).
    pub async fn release_order(&self, order_id: &str) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM project_reservations WHERE order_id = $1")
            .bind(order_id.to_string())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Orders of the company and interval whose Checkout Session still holds projects:
    /// (order id, buyer). While one is open, the interval's first purchase is locked.
    pub async fn open_orders(
        &self,
        company: CompanyId,
        interval: BillingInterval,
    ) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT DISTINCT o.id, o.user_id FROM orders o JOIN project_reservations r ON r.order_id = o.id
             WHERE o.company_id = $1 AND o.billing_interval = $2 AND o.status = 'pending' AND r.expires_at > $3",
        )
        .bind(company.get())
        .bind(interval.as_str())
        .bind(now())
        .fetch_all(self.pool())
        .await
    }

    /// Releases every hold that ran out (the background job); returns how many.
    pub async fn release_expired_holds(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM project_reservations WHERE expires_at <= $1")
            .bind(now())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_says_who_and_until_when() {
        let hold = Hold {
            project_id: 1,
            order_id: "o".into(),
            user_id: 2,
            user_name: Some("Avery Admin".into()),
            expires_at: 1_700_000_000, // 2023-11-14 22:13:20 UTC
        };
        assert_eq!(
            hold.describe("Summit Tower"),
            "Summit Tower is being licensed by Avery Admin until 22:13 UTC. Try again after that, or choose other projects."
        );
    }
}
