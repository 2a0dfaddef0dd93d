//! Membership and admin rights are learned at sign-in; Procore is asked again every few
//! minutes, so someone removed or demoted there loses access here soon after. If Procore
//! cannot answer, the stored state stands until the next request.

use app::error::AppError;
use app::ids::{CompanyId, UserId};

use super::{AccountService, LOST_ACCESS};
use crate::db::now;
use crate::error::ServerResult;
use crate::http::session::AppSession;

/// How long a confirmation of access is trusted.
const REVERIFY_SECS: i64 = 15 * 60;

impl AccountService {
    /// Asks Procore again when the last confirmation is older than [`REVERIFY_SECS`];
    /// returns the admin flag Procore just confirmed, or `None` when it was not asked (or
    /// could not answer, and what we know stands).
    pub(super) async fn reverify(
        &self,
        session: &AppSession<'_>,
        user: UserId,
        company: CompanyId,
    ) -> ServerResult<Option<bool>> {
        if session
            .verified_at()
            .await?
            .is_some_and(|at| now() - at < REVERIFY_SECS)
        {
            return Ok(None);
        }
        let answer = self
            .procore
            .as_user(user, |client, token| async move {
                let companies = client.companies(&token).await?;
                let member = companies
                    .iter()
                    .any(|c| c.id == company.get() && c.is_active);
                let admin = member && client.can_manage_apps(&token, company.get()).await?;
                Ok((member, admin))
            })
            .await;
        let (member, admin) = match answer {
            Ok(found) => found,
            Err(error) if error.needs_sign_in() => return Err(error),
            Err(error) => {
                tracing::warn!(%error, "could not re-check Procore access; keeping what we know");
                return Ok(None);
            }
        };
        self.db.set_access(user, company, member, admin).await?;
        session.set_verified_at(now()).await?;
        if member {
            Ok(Some(admin))
        } else {
            tracing::info!(%user, %company, "Procore no longer lists the company for this user");
            Err(AppError::Forbidden(LOST_ACCESS.into()).into())
        }
    }
}
