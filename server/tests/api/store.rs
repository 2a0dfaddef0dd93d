//! Store tests: the same scenarios on SQLite and on PostgreSQL.

use crate::helpers::TestDb;
use app::ids::{CompanyId, UserId};
use server::accounts::{ConnectionRow, StoredCompany, StoredUser};
use server::db::{Db, DbSessionStore};

use crate::helpers::demo::{HARBOR, SUMMIT};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{ExpiredDeletion, SessionStore};

const BIG_USER: UserId = UserId(9_000_000_123); // Procore ids exceed 32 bits

fn user() -> StoredUser {
    StoredUser {
        id: BIG_USER,
        login: "a@example.com".into(),
        name: "Avery".into(),
    }
}

fn company(id: CompanyId, name: &str) -> StoredCompany {
    StoredCompany {
        id,
        name: name.into(),
        is_admin: true,
    }
}

fn connection(access: &str, refresh: Option<&str>, expires_at: i64) -> ConnectionRow {
    ConnectionRow {
        user_id: BIG_USER.get(),
        access_token_enc: access.into(),
        refresh_token_enc: refresh.map(Into::into),
        expires_at,
        oauth_app: None,
    }
}

async fn sign_in_is_recorded_and_scoped(db: &Db) {
    let companies = [company(SUMMIT, "Summit"), company(HARBOR, "Harbor")];
    db.record_sign_in(&user(), &companies, &connection("a1", Some("r1"), 100))
        .await
        .unwrap();
    assert_eq!(db.user(BIG_USER).await.unwrap(), Some(user()));
    let names: Vec<_> = db
        .companies_of(BIG_USER)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Harbor", "Summit"]);
    assert!(db.is_member(BIG_USER, SUMMIT).await.unwrap());
    assert!(db.is_admin(BIG_USER, SUMMIT).await.unwrap());
    assert!(!db
        .is_admin(UserId(BIG_USER.get() + 1), SUMMIT)
        .await
        .unwrap());
    assert!(
        !db.is_member(UserId(BIG_USER.get() + 1), SUMMIT)
            .await
            .unwrap(),
        "another user is not a member"
    );
    assert!(db
        .companies_of(UserId(BIG_USER.get() + 1))
        .await
        .unwrap()
        .is_empty());

    // A later sign-in where Procore no longer lists Harbor removes that membership,
    // renames Summit, and replaces the tokens.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    db.record_sign_in(
        &user(),
        &[company(SUMMIT, "Summit Ridge")],
        &connection("a2", Some("r2"), 200),
    )
    .await
    .unwrap();
    let after = db.companies_of(BIG_USER).await.unwrap();
    assert_eq!(after, vec![company(SUMMIT, "Summit Ridge")]);
    assert!(!db.is_member(BIG_USER, HARBOR).await.unwrap());
    let row = db.connection(BIG_USER.get()).await.unwrap().unwrap();
    assert_eq!((row.access_token_enc.as_str(), row.expires_at), ("a2", 200));
}

async fn rotated_tokens_are_one_write(db: &Db) {
    db.record_sign_in(
        &user(),
        &[company(SUMMIT, "Summit")],
        &connection("a1", Some("r1"), 100),
    )
    .await
    .unwrap();
    db.update_tokens(&connection("a9", Some("r9"), 900))
        .await
        .unwrap();
    let row = db.connection(BIG_USER.get()).await.unwrap().unwrap();
    assert_eq!(row, connection("a9", Some("r9"), 900));
    db.delete_connection(BIG_USER.get()).await.unwrap();
    assert_eq!(db.connection(BIG_USER.get()).await.unwrap(), None);
    // The user and memberships stay: only the tokens are forgotten.
    assert!(db.is_member(BIG_USER, SUMMIT).await.unwrap());
}

async fn sessions_round_trip_and_expire(db: &Db) {
    let store = DbSessionStore::new(db.clone());
    let mut record = Record {
        id: Id::default(),
        data: [("user_id".to_string(), serde_json::json!(BIG_USER))]
            .into_iter()
            .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();
    let loaded = store
        .load(&record.id)
        .await
        .unwrap()
        .expect("session saved");
    assert_eq!(
        loaded.data.get("user_id"),
        Some(&serde_json::json!(BIG_USER))
    );

    record
        .data
        .insert("company_id".into(), serde_json::json!(SUMMIT));
    store.save(&record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().unwrap();
    assert!(loaded.data.contains_key("user_id") && loaded.data.contains_key("company_id"));

    // Two requests of one session write different keys at once: both changes stay, and a
    // key one of them removed stays removed.
    let mut first = store.load(&record.id).await.unwrap().unwrap();
    let mut second = store.load(&record.id).await.unwrap().unwrap();
    first.data.insert("x".into(), serde_json::json!(1));
    second.data.insert("y".into(), serde_json::json!(2));
    second.data.remove("company_id");
    store.save(&first).await.unwrap();
    store.save(&second).await.unwrap();
    let merged = store.load(&record.id).await.unwrap().unwrap();
    assert_eq!(merged.data.get("x"), Some(&serde_json::json!(1)));
    assert_eq!(merged.data.get("y"), Some(&serde_json::json!(2)));
    assert!(!merged.data.contains_key("company_id"));
    assert!(merged.data.contains_key("user_id"));

    // Signed out in another tab: a late save of this tab does not bring the session back.
    let late = store.load(&record.id).await.unwrap().unwrap();
    store.delete(&record.id).await.unwrap();
    store.save(&late).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
    store.create(&mut record).await.unwrap();

    // However active, a session ends at its absolute age.
    let mut aged = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut aged).await.unwrap();
    sqlx::query("UPDATE sessions SET created_at = 0 WHERE id = $1")
        .bind(aged.id.to_string())
        .execute(db.pool())
        .await
        .unwrap();
    assert!(store.load(&aged.id).await.unwrap().is_none());

    let mut old = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
    };
    store.create(&mut old).await.unwrap();
    assert!(
        store.load(&old.id).await.unwrap().is_none(),
        "expired sessions do not load"
    );
    store.delete_expired().await.unwrap();
    let left: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(left.0, 1);

    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
}

async fn migrations_are_idempotent(url: &str) {
    // Connecting again re-runs the migrator: nothing to apply, nothing lost.
    let db = Db::connect(url).await.unwrap();
    assert!(db.is_ready().await);
}

macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let t = TestDb::sqlite().await;
                super::$name(&t.db).await;
                migrations_are_idempotent(&t.url).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(t) = TestDb::postgres().await else {
                    return;
                };
                super::$name(&t.db).await;
                migrations_are_idempotent(&t.url).await;
                t.cleanup().await;
            }
        }
    };
}

on_both!(sign_in_is_recorded_and_scoped);
on_both!(rotated_tokens_are_one_write);
on_both!(sessions_round_trip_and_expire);
