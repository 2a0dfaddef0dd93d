//! The SQL of the project cache: pages stored as they arrive, the refresh's progress, and the
//! wizard's filtered, paged reads.

use app::ids::{CompanyId, ProjectId, UserId};
use app::licensing::{LicenseFilter, LicensedScope};
use sqlx::AssertSqlSafe;

use crate::db::{contains_pattern, values_placeholders, Db};
use crate::licensing::status::held_statuses_sql;

/// Where a company's cached project list stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheState {
    /// When the last complete refresh started (`None`: never completed).
    pub synced_at: Option<i64>,
    /// Projects stored by the refresh in progress (or the last one).
    pub arrived: i64,
    /// How many Procore said there are.
    pub expected: Option<i64>,
    /// The start of the refresh in progress, if one is.
    pub loading_since: Option<i64>,
}

/// A cached Procore project, as the wizard lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedProject {
    /// Procore project id.
    pub id: ProjectId,
    /// Name.
    pub name: String,
    /// Project number.
    pub project_number: Option<String>,
    /// Stage name.
    pub stage: Option<String>,
    /// City, for telling similar names apart.
    pub city: Option<String>,
    /// State or province code.
    pub state_code: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CachedProjectRow {
    id: i64,
    name: String,
    project_number: Option<String>,
    stage: Option<String>,
    city: Option<String>,
    state_code: Option<String>,
}

impl From<CachedProjectRow> for CachedProject {
    fn from(row: CachedProjectRow) -> Self {
        Self {
            id: ProjectId(row.id),
            name: row.name,
            project_number: row.project_number,
            stage: row.stage,
            city: row.city,
            state_code: row.state_code,
        }
    }
}

/// Which page of the wizard's list.
#[derive(Debug, Clone)]
pub struct CacheQuery {
    /// Only projects this (non-admin) user sees in Procore; `None` = all of the company.
    pub visible_to: Option<UserId>,
    /// Search text ("" = all).
    pub search: String,
    /// Licensed / not licensed, and which modules (`None`: every project).
    pub filter: Option<LicenseFilter>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// The wizard's filter over the cache joined with live licences; binds $1 company, $2 name
/// pattern, $3 licensed (-1 any, 0 no, 1 yes), $4/$5 required Planner/Safety (-1 any),
/// $6 the user whose visible projects only (0 = everyone's).
fn filter_sql() -> String {
    format!(
        "FROM procore_projects p
         LEFT JOIN licensed_projects l ON l.company_id = p.company_id AND l.procore_project_id = p.id
           AND l.status IN ({}) AND l.ended_at IS NULL
         WHERE p.company_id = $1 AND p.name_key LIKE $2 ESCAPE '\\'
           AND ($3 = -1 OR ($3 = 1 AND l.procore_project_id IS NOT NULL) OR ($3 = 0 AND l.procore_project_id IS NULL))
           AND ($4 = -1 OR (l.planner = $4 AND l.safety = $5))
           AND ($6 = 0 OR p.id IN (SELECT v.project_id FROM user_projects v
                WHERE v.user_id = $6 AND v.company_id = p.company_id))",
        held_statuses_sql()
    )
}

/// The filter as the numbers [`filter_sql`] binds: (licensed, planner, safety).
fn filter_binds(filter: Option<LicenseFilter>) -> (i64, i64, i64) {
    match filter {
        None => (-1, -1, -1),
        Some(LicenseFilter::NotLicensed) => (0, -1, -1),
        Some(LicenseFilter::Licensed(LicensedScope::All)) => (1, -1, -1),
        Some(LicenseFilter::Licensed(LicensedScope::Planner)) => (1, 1, 0),
        Some(LicenseFilter::Licensed(LicensedScope::Safety)) => (1, 0, 1),
        Some(LicenseFilter::Licensed(LicensedScope::Both)) => (1, 1, 1),
    }
}

impl Db {
    /// Stores one page of a refresh that started at `at` (rows upserted with `synced_at = at`)
    /// and counts it as arrived; `expected` is Procore's `Total`.
    pub async fn store_cache_page(
        &self,
        company: CompanyId,
        at: i64,
        projects: &[CachedProject],
        expected: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        for chunk in projects.chunks(100) {
            let sql = format!(
                "INSERT INTO procore_projects (company_id, id, name, name_key, project_number, stage, synced_at, city, state_code)
                 VALUES {} ON CONFLICT (company_id, id) DO UPDATE SET name = excluded.name,
                 name_key = excluded.name_key, project_number = excluded.project_number,
                 stage = excluded.stage, synced_at = excluded.synced_at, city = excluded.city,
                 state_code = excluded.state_code",
                values_placeholders(chunk.len(), 9)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for p in chunk {
                query = query
                    .bind(company.get())
                    .bind(p.id.get())
                    .bind(p.name.clone())
                    .bind(p.name.to_lowercase())
                    .bind(p.project_number.clone())
                    .bind(p.stage.clone())
                    .bind(at)
                    .bind(p.city.clone())
                    .bind(p.state_code.clone());
            }
            query.execute(&mut *tx).await?;
        }
        // `arrived` counts this refresh's rows; a refresh that started later restarts it.
        sqlx::query(
            "INSERT INTO project_catalog_syncs (company_id, synced_at, project_count, arrived, expected, loading_since)
             VALUES ($1, 0, 0, $2, $3, $4)
             ON CONFLICT (company_id) DO UPDATE SET
               arrived = CASE WHEN project_catalog_syncs.loading_since = $4
                              THEN project_catalog_syncs.arrived + $2 ELSE $2 END,
               expected = $3, loading_since = $4",
        )
        .bind(company.get())
        .bind(projects.len() as i64)
        .bind(expected)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Completes the refresh that started at `at`: what Procore no longer lists goes.
    pub async fn finish_cache_refresh(
        &self,
        company: CompanyId,
        at: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM procore_projects WHERE company_id = $1 AND synced_at < $2")
            .bind(company.get())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        let count: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM procore_projects WHERE company_id = $1")
                .bind(company.get())
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "UPDATE project_catalog_syncs SET synced_at = $2, project_count = $3, arrived = $3,
             loading_since = NULL WHERE company_id = $1",
        )
        .bind(company.get())
        .bind(at)
        .bind(count.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Gives up a refresh part-way (Procore failed): the rows so far stay, with the older ones.
    pub async fn abandon_cache_refresh(&self, company: CompanyId) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE project_catalog_syncs SET loading_since = NULL WHERE company_id = $1")
            .bind(company.get())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Where the company's project list stands.
    pub async fn cache_state(&self, company: CompanyId) -> Result<CacheState, sqlx::Error> {
        let row: Option<(i64, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT synced_at, arrived, expected, loading_since FROM project_catalog_syncs WHERE company_id = $1",
        )
        .bind(company.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some((synced_at, arrived, expected, loading_since)) => CacheState {
                synced_at: (synced_at > 0).then_some(synced_at),
                arrived,
                expected,
                loading_since,
            },
            None => CacheState::default(),
        })
    }

    /// One page of cached projects matching the query, with the total count.
    pub async fn cached_projects_page(
        &self,
        company: CompanyId,
        q: &CacheQuery,
    ) -> Result<(Vec<CachedProject>, i64), sqlx::Error> {
        let (licensed, planner, safety) = filter_binds(q.filter);
        let pattern = contains_pattern(&q.search);
        let filter = filter_sql();
        let visible_to = q.visible_to.map(UserId::get).unwrap_or(0);
        let total: (i64,) = sqlx::query_as(AssertSqlSafe(format!("SELECT COUNT(*) {filter}")))
            .bind(company.get())
            .bind(pattern.clone())
            .bind(licensed)
            .bind(planner)
            .bind(safety)
            .bind(visible_to)
            .fetch_one(self.pool())
            .await?;
        let rows: Vec<CachedProjectRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT p.id, p.name, p.project_number, p.stage, p.city, p.state_code {filter}
             ORDER BY p.name_key, p.id LIMIT $7 OFFSET $8"
        )))
        .bind(company.get())
        .bind(pattern)
        .bind(licensed)
        .bind(planner)
        .bind(safety)
        .bind(visible_to)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(self.pool())
        .await?;
        Ok((rows.into_iter().map(CachedProject::from).collect(), total.0))
    }

    /// Ids of every not-licensed cached project whose name matches (for "select all matching").
    pub async fn unlicensed_ids_matching(
        &self,
        company: CompanyId,
        search: &str,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let (licensed, planner, safety) = filter_binds(Some(LicenseFilter::NotLicensed));
        let rows: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT p.id {} ORDER BY p.name_key, p.id",
            filter_sql()
        )))
        .bind(company.get())
        .bind(contains_pattern(search))
        .bind(licensed)
        .bind(planner)
        .bind(safety)
        .bind(0i64)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Names of the given cached projects of the company (unknown ids are left out).
    pub async fn cached_project_names(
        &self,
        company: CompanyId,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, sqlx::Error> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, name FROM procore_projects WHERE company_id = $1 AND id IN ({})",
                placeholders.join(",")
            );
            let mut query =
                sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql)).bind(company.get());
            for id in chunk {
                query = query.bind(*id);
            }
            out.extend(query.fetch_all(self.pool()).await?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(contains_pattern("50%_A\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn filters_bind_their_scope() {
        assert_eq!(filter_binds(Some(LicenseFilter::NotLicensed)), (0, -1, -1));
        assert_eq!(
            filter_binds(Some(LicenseFilter::Licensed(LicensedScope::Both))),
            (1, 1, 1)
        );
        assert!(filter_sql().contains("'active', 'trialing', 'past_due'"));
    }
}
