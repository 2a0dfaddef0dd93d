//! The database: one pool over SQLite or PostgreSQL (sqlx `Any`), migrated at start-up.
//! Queries use portable SQL and `$n` placeholders, which both drivers accept. Each feature
//! keeps its own SQL in its own folder (`impl Db` blocks, usually its `store.rs`: `accounts/`,
//! `licensing/`, `subscriptions/`, `sync/`, `installs/`, `planboard/`, `privacy/`, `jobs/`, …);
//! this module owns the pool, the migrations, the leases and the session store.

mod leases;
mod sessions;

pub use leases::Lease;
pub use sessions::DbSessionStore;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// A local SQLite file (default, one process).
    Sqlite,
    /// PostgreSQL (several replicas may share it).
    Postgres,
}

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

impl Db {
    /// Connects (creating the SQLite file and its folder if needed) and runs the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else {
            DbKind::Postgres
        };
        if kind == DbKind::Sqlite {
            create_sqlite_parent(url)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if kind == DbKind::Sqlite { 4 } else { 10 })
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await
            .with_context(|| format!("connecting to the {kind:?} database"))?;
        if kind == DbKind::Sqlite {
            // WAL lets readers continue while one writer commits.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .context("enabling WAL")?;
        }
        MIGRATOR
            .run(&pool)
            .await
            .context("running database migrations")?;
        Ok(Self { pool, kind })
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The engine behind the pool.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// True when a trivial query succeeds (readiness probe).
    pub async fn is_ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

fn create_sqlite_parent(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the database folder {}", parent.display()))?;
        }
    }
    Ok(())
}

/// A `LIKE … ESCAPE '\'` pattern matching names that contain `search`, case-insensitively
/// (names are stored lower-cased beside the original).
pub fn contains_pattern(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// `($1, $2, …), ($n+1, …)`: placeholders for a multi-row INSERT of `rows` rows of `columns`.
pub fn values_placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=columns)
                .map(|k| format!("${}", row * columns + k))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Current time as UTC unix seconds (how every time is stored).
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
