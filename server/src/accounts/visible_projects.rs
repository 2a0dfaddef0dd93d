//! The projects a user sees in Procore, per company, kept for a few minutes: Project
//! Central's table is served from here (one Procore download per user every few minutes
//! instead of a call per view, which also spends the user's rate budget), and licensed
//! projects are shown to non-admins only where Procore shows them the project.

use std::time::Duration;

use app::ids::{CompanyId, ProjectId, UserId};
use app::ports::Caller;
use app::projects::{ProjectPage, ProjectQuery, ProjectRow, PROJECTS_PER_PAGE};
use sqlx::AssertSqlSafe;

use super::AccountService;
use crate::db::{contains_pattern, now, values_placeholders, Db};
use crate::error::ServerResult;
use crate::procore::types::place;

/// How long a user's project list is trusted.
const TTL_SECS: i64 = 5 * 60;

#[derive(sqlx::FromRow)]
struct Row {
    project_id: i64,
    name: String,
    project_number: Option<String>,
    stage: Option<String>,
    location: Option<String>,
}

impl AccountService {
    /// Fetches the caller's projects from Procore when the kept list is missing or old.
    pub(crate) async fn fresh_visible_projects(&self, caller: &Caller) -> ServerResult<()> {
        let synced = self
            .db
            .visible_synced_at(caller.user, caller.company)
            .await?;
        let fresh = |at: Option<i64>| at.is_some_and(|at| now() - at < TTL_SECS);
        if fresh(synced) {
            return Ok(());
        }
        // One download per user and company at a time, across processes; with an older
        // list at hand, serve it meanwhile.
        let patience = if synced.is_some() {
            Duration::ZERO
        } else {
            Duration::from_secs(30)
        };
        let name = format!("user-projects:{}:{}", caller.user, caller.company);
        self.db
            .under_lease(&name, 120, patience, || async {
                if fresh(
                    self.db
                        .visible_synced_at(caller.user, caller.company)
                        .await?,
                ) {
                    return Ok(());
                }
                self.fetch_visible_projects(caller).await
            })
            .await?;
        Ok(())
    }

    async fn fetch_visible_projects(&self, caller: &Caller) -> ServerResult<()> {
        let company = caller.company.get();
        let projects = self
            .procore
            .as_user_in_background(caller.user, |client, token| async move {
                client.all_projects(&token, company).await
            })
            .await?;
        let rows: Vec<ProjectRow> = projects
            .into_iter()
            .map(|p| ProjectRow {
                id: ProjectId(p.id),
                name: p.name,
                number: p.project_number.filter(|n| !n.is_empty()),
                stage: p.project_stage.and_then(|s| s.name),
                location: place(p.city, p.state_code),
            })
            .collect();
        self.db
            .replace_visible_projects(caller.user, caller.company, &rows)
            .await?;
        Ok(())
    }

    /// One page of the caller's projects, from the kept list.
    pub(crate) async fn visible_page(
        &self,
        caller: &Caller,
        query: &ProjectQuery,
    ) -> ServerResult<ProjectPage> {
        self.fresh_visible_projects(caller).await?;
        let (projects, total) = self
            .db
            .visible_projects_page(caller.user, caller.company, query)
            .await?;
        Ok(ProjectPage {
            projects,
            total,
            page: query.page,
            per_page: PROJECTS_PER_PAGE,
        })
    }
}

impl Db {
    async fn visible_synced_at(
        &self,
        user: UserId,
        company: CompanyId,
    ) -> Result<Option<i64>, sqlx::Error> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT synced_at FROM user_project_syncs WHERE user_id = $1 AND company_id = $2",
        )
        .bind(user.get())
        .bind(company.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.0))
    }

    async fn replace_visible_projects(
        &self,
        user: UserId,
        company: CompanyId,
        rows: &[ProjectRow],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM user_projects WHERE user_id = $1 AND company_id = $2")
            .bind(user.get())
            .bind(company.get())
            .execute(&mut *tx)
            .await?;
        let mut seen = std::collections::HashSet::new();
        let rows: Vec<&ProjectRow> = rows.iter().filter(|r| seen.insert(r.id)).collect();
        for chunk in rows.chunks(100) {
            let sql = format!(
                "INSERT INTO user_projects (user_id, company_id, project_id, name, name_key, project_number, stage, location) VALUES {}",
                values_placeholders(chunk.len(), 8)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                query = query
                    .bind(user.get())
                    .bind(company.get())
                    .bind(r.id.get())
                    .bind(r.name.clone())
                    .bind(r.name.to_lowercase())
                    .bind(r.number.clone())
                    .bind(r.stage.clone())
                    .bind(r.location.clone());
            }
            query.execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO user_project_syncs (user_id, company_id, synced_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, company_id) DO UPDATE SET synced_at = excluded.synced_at",
        )
        .bind(user.get())
        .bind(company.get())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    async fn visible_projects_page(
        &self,
        user: UserId,
        company: CompanyId,
        query: &ProjectQuery,
    ) -> Result<(Vec<ProjectRow>, u64), sqlx::Error> {
        let pattern = contains_pattern(&query.search);
        let filter = "FROM user_projects WHERE user_id = $1 AND company_id = $2 AND name_key LIKE $3 ESCAPE '\\'";
        let total: (i64,) = sqlx::query_as(AssertSqlSafe(format!("SELECT COUNT(*) {filter}")))
            .bind(user.get())
            .bind(company.get())
            .bind(pattern.clone())
            .fetch_one(self.pool())
            .await?;
        let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT project_id, name, project_number, stage, location {filter}
             ORDER BY name_key, project_id LIMIT $4 OFFSET $5"
        )))
        .bind(user.get())
        .bind(company.get())
        .bind(pattern)
        .bind(i64::from(PROJECTS_PER_PAGE))
        .bind(i64::from(query.page.saturating_sub(1)) * i64::from(PROJECTS_PER_PAGE))
        .fetch_all(self.pool())
        .await?;
        let projects = rows
            .into_iter()
            .map(|r| ProjectRow {
                id: ProjectId(r.project_id),
                name: r.name,
                number: r.project_number,
                stage: r.stage,
                location: r.location,
            })
            .collect();
        Ok((projects, total.0.max(0) as u64))
    }

    /// The ids of the projects this user sees in Procore (as last fetched).
    pub async fn visible_project_ids(
        &self,
        user: UserId,
        company: CompanyId,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT project_id FROM user_projects WHERE user_id = $1 AND company_id = $2",
        )
        .bind(user.get())
        .bind(company.get())
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Whether Procore showed this user the project (as last fetched).
    pub async fn is_visible_project(
        &self,
        user: UserId,
        company: CompanyId,
        project: ProjectId,
    ) -> Result<bool, sqlx::Error> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT project_id FROM user_projects WHERE user_id = $1 AND company_id = $2 AND project_id = $3",
        )
        .bind(user.get())
        .bind(company.get())
        .bind(project.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }
}
