//! Test support: fresh databases (SQLite file or a new PostgreSQL database per test), the
//! Procore sandbox, and a whole application on a loopback port.
#![allow(dead_code)]

pub mod app;
pub mod demo;
pub mod procore;

use server::db::Db;

/// A database made for one test; `cleanup` drops a PostgreSQL one.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    admin_url: Option<String>,
    name: String,
}

impl TestDb {
    /// A new SQLite file in a temporary folder.
    pub async fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("pc-test-{}", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}/test.db?mode=rwc", dir.display());
        let db = Db::connect(&url).await.expect("sqlite test database");
        Self {
            db,
            url,
            admin_url: None,
            name: String::new(),
        }
    }

    /// A new PostgreSQL database, when `TEST_POSTGRES_URL` is set (the test command sets it
    /// whenever PostgreSQL answers, and CI requires it). `None` means: not configured here.
    pub async fn postgres() -> Option<Self> {
        let admin_url = match std::env::var("TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                eprintln!("TEST_POSTGRES_URL not set: PostgreSQL variant not run here");
                return None;
            }
        };
        sqlx::any::install_default_drivers();
        let name = format!("pc_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
            .await
            .expect("TEST_POSTGRES_URL is set but PostgreSQL is not reachable");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
        url.set_path(&format!("/{name}"));
        let db = Db::connect(url.as_str())
            .await
            .expect("postgres test database");
        Some(Self {
            db,
            url: url.to_string(),
            admin_url: Some(admin_url),
            name,
        })
    }

    /// Drops a PostgreSQL test database.
    pub async fn cleanup(self) {
        let Some(admin_url) = self.admin_url else {
            return;
        };
        self.db.pool().close().await;
        if let Ok(mut admin) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .execute(&mut admin)
            .await;
        }
    }
}

/// Runs `test` on SQLite, then on PostgreSQL when available (`TEST_POSTGRES_URL`); each run
/// cleans up its own database.
pub async fn on_both<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    test(TestDb::sqlite().await).await;
    if let Some(pg) = TestDb::postgres().await {
        test(pg).await;
    }
}
