//! The install state's SQL.

use app::ids::CompanyId;
use app::installs::AppConnection;
use app::onboarding::MarketplaceApp;

use crate::db::Db;
use crate::error::ServerResult;

impl Db {
    /// Records an app's state (changed_at moves only when it changes).
    pub async fn record_install(
        &self,
        company: CompanyId,
        app: MarketplaceApp,
        connected: bool,
        at: i64,
    ) -> ServerResult<()> {
        sqlx::query(
            "INSERT INTO app_installs (company_id, app, connected, checked_at, changed_at) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (company_id, app) DO UPDATE SET checked_at = $4,
                 changed_at = CASE WHEN app_installs.connected = $3 THEN app_installs.changed_at ELSE $4 END,
                 connected = $3",
        )
        .bind(company.get())
        .bind(app.key())
        .bind(i64::from(connected))
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The marketplace app `user`'s Procore connection was made with (a connection from
    /// before the two apps is Planner's).
    async fn app_of_connection(&self, user: i64) -> ServerResult<MarketplaceApp> {
        Ok(self
            .connection(user)
            .await?
            .and_then(|c| c.oauth_app.as_deref().and_then(MarketplaceApp::from_key))
            .unwrap_or(MarketplaceApp::Planner))
    }

    /// Procore answered "App is not connected to this company" to `user`'s connection:
    /// records that the app that connection belongs to is not connected, and returns it.
    pub async fn record_not_connected(
        &self,
        company: CompanyId,
        user: i64,
    ) -> ServerResult<MarketplaceApp> {
        let app = self.app_of_connection(user).await?;
        tracing::warn!(%company, app = app.key(), "Procore says the app is not connected to this company");
        self.record_install(company, app, false, crate::db::now())
            .await?;
        Ok(app)
    }

    /// Procore answered a call made with `user`'s connection in `company`: the app that
    /// connection belongs to is connected (clears a "not connected" left from before a
    /// reinstall; an app not recorded as lost is left as it is: one read, no write).
    pub async fn record_connected_via(&self, company: CompanyId, user: i64) -> ServerResult<()> {
        let app = self.app_of_connection(user).await?;
        let at = crate::db::now();
        let changed = sqlx::query(
            "UPDATE app_installs SET connected = 1, checked_at = $3, changed_at = $3
             WHERE company_id = $1 AND app = $2 AND connected = 0",
        )
        .bind(company.get())
        .bind(app.key())
        .bind(at)
        .execute(self.pool())
        .await?
        .rows_affected();
        if changed > 0 {
            tracing::info!(%company, app = app.key(), "Procore answered the app's connection again: connected");
        }
        Ok(())
    }

    /// Forgets an app Procore does not list for the company.
    pub async fn forget_install(
        &self,
        company: CompanyId,
        app: MarketplaceApp,
    ) -> ServerResult<()> {
        sqlx::query("DELETE FROM app_installs WHERE company_id = $1 AND app = $2")
            .bind(company.get())
            .bind(app.key())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The company's recorded apps.
    pub async fn installs_of(&self, company: CompanyId) -> ServerResult<Vec<AppConnection>> {
        let rows: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT app, connected, checked_at FROM app_installs WHERE company_id = $1 ORDER BY app")
                .bind(company.get())
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(app, connected, checked_at)| {
                MarketplaceApp::from_key(&app).map(|app| AppConnection {
                    app,
                    connected: connected == 1,
                    checked_at,
                })
            })
            .collect())
    }

    /// The companies whose install check is due at `now`, each with one admin who has a
    /// Procore connection: every `live_every` seconds for a company with a live subscription
    /// (an uninstall there stops paid work), every `idle_every` otherwise.
    pub async fn install_checks_due(
        &self,
        now: i64,
        live_every: i64,
        idle_every: i64,
    ) -> ServerResult<Vec<(i64, i64)>> {
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT m.company_id, MAX(m.user_id),
                    COALESCE((SELECT MIN(a.checked_at) FROM app_installs a WHERE a.company_id = m.company_id), 0),
                    (SELECT COUNT(*) FROM billing_subscriptions s WHERE s.company_id = m.company_id
                        AND s.status IN ('active', 'trialing', 'past_due', 'unpaid'))
             FROM company_users m JOIN procore_connections c ON c.user_id = m.user_id
             WHERE m.is_admin = 1 GROUP BY m.company_id ORDER BY m.company_id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, checked, live)| {
                let every = if *live > 0 { live_every } else { idle_every };
                now - checked >= every
            })
            .map(|(company, user, _, _)| (company, user))
            .collect())
    }
}
