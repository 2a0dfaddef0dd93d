//! tower-sessions store on our own `sessions` table, so sessions live in the same database
//! (SQLite or PostgreSQL) and any replica can serve any request.
//!
//! Two guarantees beyond a plain key-value store:
//! - a save never brings back a session that was deleted meanwhile (a sign-out in another
//!   tab stays signed out), and a session ends at an absolute age, however active;
//! - two requests of one session that write at once do not lose each other's changes: each
//!   record carries the state it was loaded with, and a save applies only its own changes
//!   (set and removed keys) onto what is stored now (a version number detects the race).

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::Value;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::{now, Db};

/// The longest a session lives, however active (the idle limit is the cookie's expiry).
pub const ABSOLUTE_LIFETIME_SECS: i64 = 7 * 24 * 3600;
/// Reserved key: the data and version a record was loaded with (never seen by handlers'
/// typed accessors, which only read their own keys).
const LOADED: &str = "__loaded";

/// Session records as JSON rows with their expiry.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

/// What a save changed: keys set (to their new values) and keys removed.
fn changes(
    loaded: &HashMap<String, Value>,
    now: &HashMap<String, Value>,
) -> (Vec<(String, Value)>, Vec<String>) {
    let set = now
        .iter()
        .filter(|(k, v)| loaded.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed = loaded
        .keys()
        .filter(|k| !now.contains_key(*k))
        .cloned()
        .collect();
    (set, removed)
}

impl DbSessionStore {
    async fn stored(&self, id: &Id) -> session_store::Result<Option<(Record, i64)>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT record, version FROM sessions WHERE id = $1 AND expires_at > $2 AND created_at > $3",
        )
        .bind(id.to_string())
        .bind(now())
        .bind(now() - ABSOLUTE_LIFETIME_SECS)
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend)?;
        row.map(|(json, version)| {
            serde_json::from_str::<Record>(&json)
                .map(|record| (record, version))
                .map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Session ids are 128-bit random; on the rare collision draw a new one.
        loop {
            record.data.remove(LOADED);
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, record, expires_at, created_at, version) VALUES ($1, $2, $3, $4, 0)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .bind(now())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let mut mine = record.clone();
        let loaded: HashMap<String, Value> = mine
            .data
            .remove(LOADED)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let (set, removed) = changes(&loaded, &mine.data);
        // Apply our changes onto what is stored now; retry if another write slipped in.
        for _ in 0..5 {
            let Some((mut current, version)) = self.stored(&mine.id).await? else {
                // Deleted meanwhile (signed out elsewhere) or expired: stays gone.
                return Ok(());
            };
            current.data.remove(LOADED);
            for (key, value) in &set {
                current.data.insert(key.clone(), value.clone());
            }
            for key in &removed {
                current.data.remove(key);
            }
            current.expiry_date = mine.expiry_date;
            let written = sqlx::query(
                "UPDATE sessions SET record = $2, expires_at = $3, version = version + 1
                 WHERE id = $1 AND version = $4",
            )
            .bind(mine.id.to_string())
            .bind(encode(&current)?)
            .bind(current.expiry_date.unix_timestamp())
            .bind(version)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if written.rows_affected() == 1 {
                return Ok(());
            }
        }
        Err(backend("session kept changing during the save"))
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        Ok(self.stored(id).await?.map(|(mut record, _)| {
            let snapshot = serde_json::to_value(&record.data).unwrap_or_default();
            record.data.insert(LOADED.to_string(), snapshot);
            record
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR created_at <= $2")
            .bind(now())
            .bind(now() - ABSOLUTE_LIFETIME_SECS)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_save_knows_what_it_set_and_removed() {
        let loaded: HashMap<String, Value> =
            [("a".into(), json!(1)), ("b".into(), json!(2))].into();
        let now: HashMap<String, Value> = [("a".into(), json!(1)), ("c".into(), json!(3))].into();
        let (set, removed) = changes(&loaded, &now);
        assert_eq!(set, vec![("c".to_string(), json!(3))]);
        assert_eq!(removed, vec!["b".to_string()]);
    }
}
