//! The project catalog cache, checkout orders and licensed projects. Every function takes
//! the company id from the caller's session, never from the client.

use super::{now, Db};

/// A cached Procore project, as the wizard lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CatalogProject {
    /// Procore project id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Project number.
    pub project_number: Option<String>,
    /// Stage name.
    pub stage: Option<String>,
}

/// A licensed project row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LicenseRow {
    /// Procore project id.
    pub procore_project_id: i64,
    /// The Procore project's name at purchase time.
    pub name: String,
    /// 1 when licensed for Planner.
    pub planner: i64,
    /// 1 with the Planner Board add-on.
    pub planner_board: i64,
    /// 1 when licensed for Safety.
    pub safety: i64,
    /// 1 with the Safety Badge add-on.
    pub safety_badge: i64,
    /// `monthly` or `yearly`.
    pub billing_interval: String,
    /// `active`, `past_due`, `canceled`, ….
    pub status: String,
}

/// A checkout order.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderRow {
    /// Our order id (uuid).
    pub id: String,
    /// Company.
    pub company_id: i64,
    /// Buyer.
    pub user_id: i64,
    /// `monthly` or `yearly`.
    pub billing_interval: String,
    /// The selection as JSON.
    pub selection: String,
    /// Total of the quote in cents.
    pub total_cents: i64,
    /// `pending`, `paid`, `expired`.
    pub status: String,
    /// Stripe Checkout Session id.
    pub stripe_session_id: Option<String>,
}

/// Which page of the wizard's list.
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    /// Lower-cased search text ("" = all).
    pub search: String,
    /// `Some(true)` licensed only, `Some(false)` not licensed only.
    pub licensed: Option<bool>,
    /// Extra SQL-free scope filter for licensed projects: (planner, safety) flags required.
    pub scope: Option<(bool, bool)>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

fn like_pattern(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

const FILTER_SQL: &str = "FROM procore_projects p
     LEFT JOIN licensed_projects l ON l.company_id = p.company_id AND l.procore_project_id = p.id
       AND l.status IN ('active', 'trialing', 'past_due')
     WHERE p.company_id = $1 AND p.name_key LIKE $2 ESCAPE '\\'
       AND ($3 = -1 OR ($3 = 1 AND l.procore_project_id IS NOT NULL) OR ($3 = 0 AND l.procore_project_id IS NULL))
       AND ($4 = -1 OR (l.planner = $4 AND l.safety = $5))";

impl Db {
    /// Replaces the company's cached project list in one transaction.
    pub async fn replace_catalog(
        &self,
        company_id: i64,
        projects: &[CatalogProject],
    ) -> Result<(), sqlx::Error> {
        let at = now();
        // Procore may list a project twice when pages shift mid-fetch: keep one row per id.
        let mut seen = std::collections::HashSet::new();
        let projects: Vec<&CatalogProject> =
            projects.iter().filter(|p| seen.insert(p.id)).collect();
        let mut tx = self.pool.begin().await?;
        // Upsert, then drop what Procore no longer lists: two refreshes at once (two admins,
        // two replicas) both succeed instead of one failing on a duplicate key.
        for chunk in projects.chunks(100) {
            let mut sql = String::from(
                "INSERT INTO procore_projects (company_id, id, name, name_key, project_number, stage, synced_at) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 7;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                ));
            }
            sql.push_str(
                " ON CONFLICT (company_id, id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
                  project_number = excluded.project_number, stage = excluded.stage, synced_at = excluded.synced_at",
            );
            let mut query = sqlx::query(&sql);
            for p in chunk {
                query = query
                    .bind(company_id)
                    .bind(p.id)
                    .bind(&p.name)
                    .bind(p.name.to_lowercase())
                    .bind(&p.project_number)
                    .bind(&p.stage)
                    .bind(at);
            }
            query.execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM procore_projects WHERE company_id = $1 AND synced_at < $2")
            .bind(company_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO project_catalog_syncs (company_id, synced_at, project_count) VALUES ($1, $2, $3)
             ON CONFLICT (company_id) DO UPDATE SET synced_at = excluded.synced_at, project_count = excluded.project_count",
        )
        .bind(company_id)
        .bind(at)
        .bind(projects.len() as i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// When the company's project list was last fetched from Procore.
    pub async fn catalog_synced_at(&self, company_id: i64) -> Result<Option<i64>, sqlx::Error> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT synced_at FROM project_catalog_syncs WHERE company_id = $1")
                .bind(company_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// One page of cached projects matching the query, with the total count.
    pub async fn catalog_page(
        &self,
        company_id: i64,
        q: &CatalogQuery,
    ) -> Result<(Vec<CatalogProject>, i64), sqlx::Error> {
        let licensed = q.licensed.map(i64::from).unwrap_or(-1);
        let (planner, safety) = q
            .scope
            .map(|(p, s)| (i64::from(p), i64::from(s)))
            .unwrap_or((-1, -1));
        let pattern = like_pattern(&q.search);
        let total: (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {FILTER_SQL}"))
            .bind(company_id)
            .bind(&pattern)
            .bind(licensed)
            .bind(planner)
            .bind(safety)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT p.id, p.name, p.project_number, p.stage {FILTER_SQL} ORDER BY p.name_key, p.id LIMIT $6 OFFSET $7"
        ))
        .bind(company_id)
        .bind(&pattern)
        .bind(licensed)
        .bind(planner)
        .bind(safety)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((rows, total.0))
    }

    /// Ids of every not-licensed cached project whose name matches (for "select all matching").
    pub async fn unlicensed_ids_matching(
        &self,
        company_id: i64,
        search: &str,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let rows: Vec<(i64,)> = sqlx::query_as(&format!(
            "SELECT p.id {FILTER_SQL} ORDER BY p.name_key, p.id"
        ))
        .bind(company_id)
        .bind(like_pattern(search))
        .bind(0i64)
        .bind(-1i64)
        .bind(-1i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Names of the given cached projects of the company (unknown ids are left out).
    pub async fn catalog_names(
        &self,
        company_id: i64,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, sqlx::Error> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, name FROM procore_projects WHERE company_id = $1 AND id IN ({})",
                placeholders.join(",")
            );
            let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(company_id);
            for id in chunk {
                query = query.bind(*id);
            }
            out.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    /// Every licensed project of the company.
    pub async fn licenses(&self, company_id: i64) -> Result<Vec<LicenseRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT procore_project_id, name, planner, planner_board, safety, safety_badge, billing_interval, status
             FROM licensed_projects WHERE company_id = $1 ORDER BY name, procore_project_id",
        )
        .bind(company_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Saves a new pending order.
    pub async fn create_order(&self, order: &OrderRow) -> Result<(), sqlx::Error> {
        let at = now();
        sqlx::query(
            "INSERT INTO orders (id, company_id, user_id, billing_interval, selection, total_cents, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&order.id)
        .bind(order.company_id)
        .bind(order.user_id)
        .bind(&order.billing_interval)
        .bind(&order.selection)
        .bind(order.total_cents)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Links an order to its Stripe Checkout Session.
    pub async fn set_order_session(
        &self,
        order_id: &str,
        session_id: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE orders SET stripe_session_id = $2, updated_at = $3 WHERE id = $1")
            .bind(order_id)
            .bind(session_id)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The order with this id, only if it belongs to the company.
    pub async fn order(
        &self,
        company_id: i64,
        order_id: &str,
    ) -> Result<Option<OrderRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, company_id, user_id, billing_interval, selection, total_cents, status, stripe_session_id
             FROM orders WHERE id = $1 AND company_id = $2",
        )
        .bind(order_id)
        .bind(company_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// The order a Checkout Session belongs to (webhooks carry no session cookie).
    pub async fn order_by_session(
        &self,
        session_id: &str,
    ) -> Result<Option<OrderRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, company_id, user_id, billing_interval, selection, total_cents, status, stripe_session_id
             FROM orders WHERE stripe_session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// The company's Stripe customer id.
    pub async fn billing_customer(&self, company_id: i64) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT stripe_customer_id FROM billing_customers WHERE company_id = $1",
        )
        .bind(company_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// Remembers the company's Stripe customer (first writer wins).
    pub async fn save_billing_customer(
        &self,
        company_id: i64,
        customer_id: &str,
    ) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO billing_customers (company_id, stripe_customer_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (company_id) DO NOTHING",
        )
        .bind(company_id)
        .bind(customer_id)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(self
            .billing_customer(company_id)
            .await?
            .unwrap_or_else(|| customer_id.to_string()))
    }

    /// True when this Stripe event was already applied (a duplicate delivery).
    pub async fn stripe_event_seen(&self, event_id: &str) -> Result<bool, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM stripe_events WHERE id = $1")
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Records an applied Stripe event (deduplication of later deliveries).
    pub async fn record_stripe_event(
        &self,
        event_id: &str,
        event_type: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO stripe_events (id, event_type, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(event_id)
        .bind(event_type)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Turns a paid order into licensed projects, once: a second call changes nothing.
    /// `projects` holds (id, name, planner, planner_board, safety, safety_badge).
    pub async fn fulfil_order(
        &self,
        order: &OrderRow,
        subscription_id: &str,
        customer_id: Option<&str>,
        status: &str,
        projects: &[(i64, String, bool, bool, bool, bool)],
    ) -> Result<bool, sqlx::Error> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE orders SET status = 'paid', stripe_subscription_id = $2, stripe_customer_id = $3, updated_at = $4
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(&order.id)
        .bind(subscription_id)
        .bind(customer_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(false);
        }
        let mut overlapping = 0;
        for (id, name, planner, board, safety, badge) in projects {
            let written = sqlx::query(
                "INSERT INTO licensed_projects (company_id, procore_project_id, name, planner, planner_board, safety,
                 safety_badge, billing_interval, status, order_id, stripe_subscription_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
                 ON CONFLICT (company_id, procore_project_id) DO UPDATE SET name = excluded.name,
                 planner = excluded.planner, planner_board = excluded.planner_board, safety = excluded.safety,
                 safety_badge = excluded.safety_badge, billing_interval = excluded.billing_interval,
                 status = excluded.status, order_id = excluded.order_id,
                 stripe_subscription_id = excluded.stripe_subscription_id, updated_at = excluded.updated_at
                 WHERE licensed_projects.status NOT IN ('active', 'trialing', 'past_due')",
            )
            .bind(order.company_id)
            .bind(*id)
            .bind(name)
            .bind(i64::from(*planner))
            .bind(i64::from(*board))
            .bind(i64::from(*safety))
            .bind(i64::from(*badge))
            .bind(&order.billing_interval)
            .bind(status)
            .bind(&order.id)
            .bind(subscription_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            if written.rows_affected() == 0 {
                // Licensed meanwhile by another paid order (two checkouts open at once): this
                // order paid for it twice. Keep the first licence; flag for a refund.
                tracing::error!(
                    order = order.id,
                    project_id = *id,
                    "project already licensed by another paid order: refund due"
                );
                overlapping += 1;
            }
        }
        if overlapping > 0 {
            sqlx::query("UPDATE orders SET status = 'paid_overlap' WHERE id = $1")
                .bind(&order.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Applies a subscription's current Stripe status to its licensed projects.
    pub async fn set_subscription_status(
        &self,
        subscription_id: &str,
        status: &str,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE licensed_projects SET status = $2, updated_at = $3 WHERE stripe_subscription_id = $1 AND status <> $2",
        )
        .bind(subscription_id)
        .bind(status)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
