//! The typed session: the only code that knows the session keys. Everything else asks it
//! for the signed-in user, the current company or the last access check.

use app::ids::{CompanyId, UserId};
use tower_sessions::session::Error;
use tower_sessions::Session;

const USER_ID: &str = "user_id";
const COMPANY_ID: &str = "company_id";
const VERIFIED_AT: &str = "access_verified_at";
const EMBEDDED: &str = "embedded";

/// A browser session with typed accessors.
#[derive(Clone, Debug)]
pub struct AppSession<'a>(pub &'a Session);

impl AppSession<'_> {
    /// The signed-in Procore user, if any.
    pub async fn user(&self) -> Result<Option<UserId>, Error> {
        Ok(self.0.get::<i64>(USER_ID).await?.map(UserId))
    }

    /// The company the user is working in, if chosen.
    pub async fn company(&self) -> Result<Option<CompanyId>, Error> {
        Ok(self.0.get::<i64>(COMPANY_ID).await?.map(CompanyId))
    }

    /// Makes `company` current; its access is checked again with Procore on the next request.
    pub async fn set_company(&self, company: CompanyId) -> Result<(), Error> {
        self.0.insert(COMPANY_ID, company.get()).await?;
        self.0.remove::<i64>(VERIFIED_AT).await?;
        Ok(())
    }

    /// When Procore last confirmed membership and admin rights (UTC unix seconds).
    pub async fn verified_at(&self) -> Result<Option<i64>, Error> {
        self.0.get(VERIFIED_AT).await
    }

    /// Records that Procore confirmed access now.
    pub async fn set_verified_at(&self, at: i64) -> Result<(), Error> {
        self.0.insert(VERIFIED_AT, at).await
    }

    /// Starts a signed-in session under a new id (prevents session fixation).
    pub async fn sign_in(&self, user: UserId, company: CompanyId, at: i64) -> Result<(), Error> {
        self.0.cycle_id().await?;
        self.0.insert(USER_ID, user.get()).await?;
        self.0.insert(COMPANY_ID, company.get()).await?;
        self.0.insert(VERIFIED_AT, at).await
    }

    /// Marks the session as the Procore iframe's own (its cookie is written partitioned
    /// and `SameSite=None`; see [`super::embedded`]).
    pub async fn mark_embedded(&self) -> Result<(), Error> {
        self.0.insert(EMBEDDED, true).await
    }

    /// Whether this is an iframe's session.
    pub async fn is_embedded(&self) -> Result<bool, Error> {
        Ok(self.0.get::<bool>(EMBEDDED).await?.unwrap_or(false))
    }

    /// Ends the session (sign-out).
    pub async fn end(&self) -> Result<(), Error> {
        self.0.flush().await
    }
}
