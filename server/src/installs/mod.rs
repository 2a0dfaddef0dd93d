//! Install state per company and marketplace app: Procore's `app_installations` (read at
//! sign-in, by a job every 5 minutes for companies with a live subscription and hourly for
//! the others, and on **Check again**), any successful Procore call with an app's connection
//! (which clears a "not connected"), and a 403 "App is not connected to this
//! company" seen by background work. An app Procore lists as uninstalled is *not connected*:
//! its syncs stop and every page shows a Reconnect banner; nothing is deleted and a reinstall
//! restores service. An app Procore does not list (never installed here) is not shown.

mod store;

use std::sync::Arc;

use app::error::AppError;
use app::ids::{CompanyId, UserId};
use app::installs::AppConnection;
use app::onboarding::MarketplaceApp;
use app::ports::{Caller, Installs};
use async_trait::async_trait;
use serde_json::Value;

use crate::db::{now, Db};
use crate::error::ServerResult;
use crate::procore::ProcoreAccess;

/// Procore's words for an app whose installation is gone.
pub const NOT_CONNECTED: &str = "App is not connected to this company";

/// How often a company with a live subscription is asked which apps it has installed: an
/// uninstall shows on every page within this time (seconds).
pub const CHECK_LIVE_EVERY_SECS: i64 = 300;
/// How often any other company is asked (seconds).
pub const CHECK_IDLE_EVERY_SECS: i64 = 3600;

/// The service.
pub struct InstallService {
    db: Db,
    procore: Arc<ProcoreAccess>,
    /// Each app's OAuth client id (Procore's `app_uid`).
    app_ids: Vec<(MarketplaceApp, String)>,
}

impl InstallService {
    /// A service recognising our apps by their client ids.
    pub fn new(
        db: Db,
        procore: Arc<ProcoreAccess>,
        app_ids: Vec<(MarketplaceApp, String)>,
    ) -> Self {
        Self {
            db,
            procore,
            app_ids,
        }
    }

    /// Asks Procore (as `user`) which of our apps are installed in `company`, and records it.
    pub async fn check(
        &self,
        company: CompanyId,
        user: UserId,
    ) -> ServerResult<Vec<AppConnection>> {
        let path = format!("/rest/v1.0/app_installations?company_id={}", company.get());
        let listed = self
            .procore
            .as_user_in_background(user, |client, token| {
                let path = path.clone();
                async move { client.list_all(&token, company.get(), &path).await }
            })
            .await?;
        let at = now();
        for (app, client_id) in &self.app_ids {
            let entry = listed
                .iter()
                .find(|i| i.get("app_uid").and_then(Value::as_str) == Some(client_id.as_str()));
            match entry {
                Some(i) => {
                    let connected = i.get("status").and_then(Value::as_str) == Some("installed");
                    self.db.record_install(company, *app, connected, at).await?;
                }
                None => self.db.forget_install(company, *app).await?,
            }
        }
        self.db.installs_of(company).await
    }

    /// Checks every company whose check is due (the periodic job, every
    /// [`CHECK_LIVE_EVERY_SECS`]): companies with a live subscription each run, the others
    /// hourly. Returns how many companies were checked.
    pub async fn check_all(&self) -> ServerResult<usize> {
        let mut checked = 0;
        // A little slack, so a run that starts a few seconds early in its period still checks.
        let due = self
            .db
            .install_checks_due(
                now(),
                CHECK_LIVE_EVERY_SECS - 30,
                CHECK_IDLE_EVERY_SECS - 30,
            )
            .await?;
        for (company, user) in due {
            match self.check(CompanyId(company), UserId(user)).await {
                Ok(_) => checked += 1,
                Err(error) => {
                    tracing::warn!(%error, company, "checking app installations failed; next hour retries")
                }
            }
        }
        Ok(checked)
    }
}

#[async_trait]
impl Installs for InstallService {
    async fn connections(&self, caller: &Caller) -> Result<Vec<AppConnection>, AppError> {
        Ok(self.db.installs_of(caller.company).await?)
    }

    async fn recheck(&self, caller: &Caller) -> Result<Vec<AppConnection>, AppError> {
        Ok(self.check(caller.company, caller.user).await?)
    }
}
