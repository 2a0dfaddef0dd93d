//! The Plan Board's SQL.

use app::ids::{CompanyId, ProjectId};
use app::planboard::{CheckedItem, ItemStatus, PlanItem};

use crate::db::Db;
use crate::error::{ServerError, ServerResult};

impl Db {
    /// A project's items, by start date then title.
    pub async fn plan_items(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<Vec<PlanItem>> {
        let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT id, title, owner, starts_on, due_on, status FROM plan_items WHERE company_id = $1 AND project_id = $2 ORDER BY starts_on, title, id",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, title, owner, starts_on, due_on, status)| {
                let status = ItemStatus::parse(&status)
                    .ok_or_else(|| ServerError::Corrupt(format!("plan item status {status}")))?;
                Ok(PlanItem {
                    id,
                    title,
                    owner,
                    starts_on,
                    due_on,
                    status,
                })
            })
            .collect()
    }

    /// Adds an item.
    pub async fn add_plan_item(
        &self,
        company: CompanyId,
        project: ProjectId,
        item: &CheckedItem,
        now: i64,
    ) -> ServerResult<bool> {
        sqlx::query(
            "INSERT INTO plan_items (id, company_id, project_id, title, owner, starts_on, due_on, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(company.get())
        .bind(project.get())
        .bind(item.title.clone())
        .bind(item.owner.clone())
        .bind(item.starts_on.clone())
        .bind(item.due_on.clone())
        .bind(item.status.key())
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(true)
    }

    /// Edits an item of the project (false: no such item).
    pub async fn edit_plan_item(
        &self,
        company: CompanyId,
        project: ProjectId,
        id: &str,
        item: &CheckedItem,
        now: i64,
    ) -> ServerResult<bool> {
        let n = sqlx::query(
            "UPDATE plan_items SET title = $4, owner = $5, starts_on = $6, due_on = $7, status = $8, updated_at = $9
             WHERE company_id = $1 AND project_id = $2 AND id = $3",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(id.to_string())
        .bind(item.title.clone())
        .bind(item.owner.clone())
        .bind(item.starts_on.clone())
        .bind(item.due_on.clone())
        .bind(item.status.key())
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Removes an item of the project (false: no such item).
    pub async fn remove_plan_item(
        &self,
        company: CompanyId,
        project: ProjectId,
        id: &str,
    ) -> ServerResult<bool> {
        let n = sqlx::query(
            "DELETE FROM plan_items WHERE company_id = $1 AND project_id = $2 AND id = $3",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(id.to_string())
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Whether the board is published.
    pub async fn board_published(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT published FROM plan_boards WHERE company_id = $1 AND project_id = $2",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some_and(|r| r.0 == 1))
    }

    /// Publishes or unpublishes.
    pub async fn set_board_published(
        &self,
        company: CompanyId,
        project: ProjectId,
        published: bool,
        user: i64,
        now: i64,
    ) -> ServerResult<()> {
        sqlx::query(
            "INSERT INTO plan_boards (company_id, project_id, published, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (company_id, project_id) DO UPDATE SET published = $3, changed_by = $4, changed_at = $5",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(i64::from(published))
        .bind(user)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
