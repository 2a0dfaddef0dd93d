//! Where budget rows live and what time it is for them: the database and the wall clock
//! in the product; for the unit tests, an in-memory table and tokio's clock, so that
//! waiting can be driven with paused time (`#[tokio::test(start_paused = true)]`).

use std::time::Duration;

use super::log::{BudgetState, SendLog};
use crate::db::Db;

/// The rows: `(version, state)` per key, written with a compare-and-swap on `version`.
#[derive(Debug, Clone)]
pub(super) enum Rows {
    Db(Db),
    /// Rows in memory; between a read and its write the task yields, so concurrent
    /// callers interleave there as they would around a database round trip.
    #[cfg(test)]
    Memory(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (i64, BudgetState)>>>),
}

impl Rows {
    /// The row of `key`: its version and state.
    pub async fn get(&self, key: &str) -> Result<Option<(i64, BudgetState)>, sqlx::Error> {
        match self {
            Self::Db(db) => db.budget_row(key).await,
            #[cfg(test)]
            Self::Memory(rows) => {
                let row = rows.lock().unwrap().get(key).cloned();
                tokio::task::yield_now().await;
                Ok(row)
            }
        }
    }

    /// Writes `state` as the next version of `key` if the row is still at `version`
    /// (`None`: not created yet); false when another caller wrote first.
    pub async fn put(
        &self,
        key: &str,
        version: Option<i64>,
        state: &BudgetState,
    ) -> Result<bool, sqlx::Error> {
        match (self, version) {
            (Self::Db(db), None) => db.insert_budget_row(key, state).await,
            (Self::Db(db), Some(version)) => db.swap_budget_row(key, version, state).await,
            #[cfg(test)]
            (Self::Memory(rows), version) => {
                let mut rows = rows.lock().unwrap();
                let current = rows.get(key).map(|(v, _)| *v);
                if current != version {
                    return Ok(false);
                }
                rows.insert(key.to_owned(), (version.unwrap_or(0) + 1, state.clone()));
                Ok(true)
            }
        }
    }
}

/// The time budgets are kept in: Unix milliseconds.
#[derive(Debug, Clone, Copy)]
pub(super) enum Clock {
    /// The wall clock, shared by every server process.
    Wall,
    /// Tokio's clock from `origin` (Unix ms at `start`), which paused tests move.
    #[cfg(test)]
    Tokio {
        origin: i64,
        start: tokio::time::Instant,
    },
}

impl Clock {
    /// Now, in Unix milliseconds.
    pub fn now(&self) -> i64 {
        match self {
            Self::Wall => super::now_ms(),
            #[cfg(test)]
            Self::Tokio { origin, start } => origin + start.elapsed().as_millis() as i64,
        }
    }

    /// Sleeps until `at` (Unix ms) on this clock.
    pub async fn sleep_until(&self, at: i64) {
        let wait = at - self.now();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
    }
}

impl Db {
    /// The budget row of `key`: its version and state.
    async fn budget_row(&self, key: &str) -> Result<Option<(i64, BudgetState)>, sqlx::Error> {
        let row: Option<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT version, spike_log, hour_log, blocked_until FROM procore_budgets WHERE key = $1",
        )
        .bind(key.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(version, spike, hour, blocked_until)| {
            (
                version,
                BudgetState {
                    spike: SendLog::parse(&spike),
                    hour: SendLog::parse(&hour),
                    blocked_until,
                },
            )
        }))
    }

    /// Creates the row of `key`; false when another caller created it first.
    async fn insert_budget_row(&self, key: &str, state: &BudgetState) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO procore_budgets (key, version, spike_log, hour_log, blocked_until)
             VALUES ($1, 1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key.to_string())
        .bind(state.spike.render())
        .bind(state.hour.render())
        .bind(state.blocked_until)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the row of `key` if it is still at `version`.
    async fn swap_budget_row(
        &self,
        key: &str,
        version: i64,
        state: &BudgetState,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE procore_budgets SET version = version + 1, spike_log = $1, hour_log = $2,
               blocked_until = $3
             WHERE key = $4 AND version = $5",
        )
        .bind(state.spike.render())
        .bind(state.hour.render())
        .bind(state.blocked_until)
        .bind(key.to_string())
        .bind(version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
