//! Plan Boards (the `PlanBoards` port): a Planner project's plan items and whether the
//! board is published to the project's embedded view. The project is resolved through the
//! one access guard (a project Procore shows the caller; `accounts::project_access`) and
//! must be licensed by the caller's company; editing and publishing need the project's
//! **Planner Board** add-on, held now (`licensing::add_ons`: paid for this period, not
//! Inactive or Cancelled), and a company admin. Without the add-on the items are kept and
//! read only, and the embedded view shows no board (a published board comes back when the
//! add-on does).

mod store;

use std::sync::Arc;

use app::error::AppError;
use app::ids::ProjectId;
use app::licensing::{AddOn, Module};
use app::planboard::api::PlanBoard;
use app::planboard::{CheckedItem, PlanItem};
use app::ports::{Caller, PlanBoards};
use async_trait::async_trait;

use crate::accounts::AccountService;
use crate::db::{now, Db};
use crate::error::ServerResult;
use crate::licensing::add_ons::{holding, missing, Holding};

const NOT_ADMIN: &str = "Only a company admin can change the Plan Board.";
const NOT_FOUND: &str = "No such project among this company's licensed projects.";
const NO_PLANNER: &str =
    "The Plan Board comes with Planner and its Planner Board add-on: add Planner to this project first.";

/// The service.
pub struct PlanBoardService {
    db: Db,
    accounts: Arc<AccountService>,
}

impl PlanBoardService {
    /// A service on `db`, resolving projects through `accounts`.
    pub fn new(db: Db, accounts: Arc<AccountService>) -> Self {
        Self { db, accounts }
    }

    /// What the caller's project holds now (None: not licensed by the company); NotFound
    /// for a project Procore does not show the caller.
    async fn holding(&self, caller: &Caller, project: ProjectId) -> ServerResult<Option<Holding>> {
        let shown = self.accounts.shown_project(caller, project).await?;
        holding(&self.db, shown.company(), shown.id()).await
    }

    async fn view(&self, caller: &Caller, project: ProjectId) -> Result<PlanBoard, AppError> {
        let held = self
            .holding(caller, project)
            .await?
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
        let eligible = held.add_on(AddOn::PlannerBoard);
        Ok(PlanBoard {
            items: self.db.plan_items(caller.company, project).await?,
            published: self.db.board_published(caller.company, project).await?,
            eligible,
            planner: held.module(Module::Planner),
            paused: held.paused,
            can_edit: caller.is_admin && eligible,
            admin: caller.is_admin,
        })
    }

    /// Ok when the caller may change the board: NotFound first (a project the caller may
    /// not see is not said to exist), then admins only, then the add-on.
    async fn editable(&self, caller: &Caller, project: ProjectId) -> Result<(), AppError> {
        let held = self
            .holding(caller, project)
            .await?
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
        if !caller.is_admin {
            return Err(AppError::Forbidden(NOT_ADMIN.into()));
        }
        if held.add_on(AddOn::PlannerBoard) {
            return Ok(());
        }
        Err(match (held.paused, held.license.planner) {
            (Some(reason), _) => AppError::Forbidden(reason),
            (None, false) => AppError::Conflict(NO_PLANNER.into()),
            (None, true) => AppError::Forbidden(missing(AddOn::PlannerBoard)),
        })
    }

    /// The published board of a project for the embedded view (None: not published, or
    /// the project does not hold the Planner Board add-on now).
    pub async fn published(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> ServerResult<Option<Vec<PlanItem>>> {
        let held = match self.holding(caller, project).await {
            // The embedded view asked Procore itself; a kept list behind it shows no board.
            Err(crate::error::ServerError::App(AppError::NotFound(_))) => return Ok(None),
            other => other?,
        };
        let eligible = held.is_some_and(|h| h.add_on(AddOn::PlannerBoard));
        if !eligible || !self.db.board_published(caller.company, project).await? {
            return Ok(None);
        }
        Ok(Some(self.db.plan_items(caller.company, project).await?))
    }
}

#[async_trait]
impl PlanBoards for PlanBoardService {
    async fn board(&self, caller: &Caller, project: ProjectId) -> Result<PlanBoard, AppError> {
        self.view(caller, project).await
    }

    async fn save(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: Option<String>,
        item: CheckedItem,
    ) -> Result<PlanBoard, AppError> {
        self.editable(caller, project).await?;
        let saved = match id {
            None => {
                self.db
                    .add_plan_item(caller.company, project, &item, now())
                    .await?
            }
            Some(id) => {
                self.db
                    .edit_plan_item(caller.company, project, &id, &item, now())
                    .await?
            }
        };
        if !saved {
            return Err(AppError::NotFound("No such plan item.".into()));
        }
        self.view(caller, project).await
    }

    async fn remove(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: &str,
    ) -> Result<PlanBoard, AppError> {
        self.editable(caller, project).await?;
        if !self
            .db
            .remove_plan_item(caller.company, project, id)
            .await?
        {
            return Err(AppError::NotFound("No such plan item.".into()));
        }
        self.view(caller, project).await
    }

    async fn publish(
        &self,
        caller: &Caller,
        project: ProjectId,
        publish: bool,
    ) -> Result<PlanBoard, AppError> {
        self.editable(caller, project).await?;
        self.db
            .set_board_published(caller.company, project, publish, caller.user.get(), now())
            .await?;
        tracing::info!(company = %caller.company, project = %project, publish, "Plan Board publication changed");
        self.view(caller, project).await
    }
}
