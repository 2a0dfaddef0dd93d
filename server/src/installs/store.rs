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

    /// Procore answered "App is not connected to this company" to `user`'s connection:
    /// records that the app that connection belongs to is not connected, and returns it.
    pub async fn record_not_connected(
        &self,
        company: CompanyId,
        user: i64,
    ) -> ServerResult<MarketplaceApp> {
        let app = self
            .connection(user)
            .await?
            .and_then(|c| c.oauth_app.as_deref().and_then(MarketplaceApp::from_key))
            .unwrap_or(MarketplaceApp::Planner);
        tracing::warn!(%company, app = app.key(), "Procore says the app is not connected to this company");
        self.record_install(company, app, false, crate::db::now())
            .await?;
        Ok(app)
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

    /// One admin with a Procore connection per company (the newest sign-in).
    pub async fn companies_with_admin_connection(&self) -> ServerResult<Vec<(i64, i64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT m.company_id, MAX(m.user_id) FROM company_users m JOIN procore_connections c ON c.user_id = m.user_id
             WHERE m.is_admin = 1 GROUP BY m.company_id ORDER BY m.company_id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}
