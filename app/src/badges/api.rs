//! The badges page's server function and the port behind it.

use leptos::prelude::*;

use super::BadgeList;
use crate::error::AppError;
use crate::ids::ProjectId;

/// The project's badges (404 for a project that is not the caller's or not licensed; an
/// empty list and `eligible: false` without the Safety Badge add-on).
#[server(endpoint = "safety_badges", output = crate::codec::JsonText)]
pub async fn load_badges(project: ProjectId) -> Result<BadgeList, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.badges.list(&caller, project).await }).await
}

/// Safety badges of Safety projects (implemented by the server).
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait Badges: Send + Sync + 'static {
    /// The project's badge list.
    async fn list(
        &self,
        caller: &crate::ports::Caller,
        project: ProjectId,
    ) -> Result<BadgeList, AppError>;
}
