//! What the Plan Board exchanges with the server, and its server functions.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::{ItemInput, PlanItem};
use crate::error::AppError;
use crate::ids::ProjectId;

/// The board of one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanBoard {
    /// Items by start date.
    pub items: Vec<PlanItem>,
    /// Shown in the project's embedded view inside Procore.
    pub published: bool,
    /// The project holds the Planner Board add-on now: the board can be edited and
    /// published (and the embedded view shows it once published).
    pub eligible: bool,
    /// The project holds Planner now (without the add-on the page says what it gives).
    #[serde(default)]
    pub planner: bool,
    /// Why the project's modules are paused (Inactive: payment pending, Cancelled).
    #[serde(default)]
    pub paused: Option<String>,
    /// The caller may edit and publish (company admins, with the add-on).
    pub can_edit: bool,
    /// The caller is a company admin (may add the add-on).
    #[serde(default)]
    pub admin: bool,
}

/// The project's board (404 for a project the company has not licensed).
/// Changes answer 403 without the Planner Board add-on.
#[server(endpoint = "plan_board", output = crate::codec::JsonText)]
pub async fn load_plan_board(project: ProjectId) -> Result<PlanBoard, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.planboard.board(&caller, project).await }).await
}

/// Adds (no id) or edits an item (admins only).
#[server(endpoint = "save_plan_item", input = Json, output = crate::codec::JsonText)]
pub async fn save_plan_item(
    project: ProjectId,
    id: Option<String>,
    item: ItemInput,
) -> Result<PlanBoard, AppError> {
    use crate::ports::{reply, serve};
    let item = reply(super::check(&item).map_err(AppError::Invalid))?;
    serve(|s, caller| async move { s.planboard.save(&caller, project, id, item).await }).await
}

/// Removes an item (admins only).
#[server(endpoint = "remove_plan_item", output = crate::codec::JsonText)]
pub async fn remove_plan_item(project: ProjectId, id: String) -> Result<PlanBoard, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.planboard.remove(&caller, project, &id).await }).await
}

/// Publishes or unpublishes the board to the embedded view (admins only).
#[server(endpoint = "publish_plan_board", output = crate::codec::JsonText)]
pub async fn publish_plan_board(project: ProjectId, publish: bool) -> Result<PlanBoard, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.planboard.publish(&caller, project, publish).await }).await
}
