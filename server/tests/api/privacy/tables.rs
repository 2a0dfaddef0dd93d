//! Data deletion cannot forget a table (issue 22 item 8, and the role catalogue of issue 20
//! item 16 that it once forgot): every table with a `company_id` column either cascades
//! from `companies` (a foreign key with ON DELETE CASCADE) or is one the delete path names
//! (`LOOSE_TABLES`), or is kept on purpose (`KEPT_TABLES`, the deletion receipt). Read
//! from each database's own catalogue, on SQLite and PostgreSQL.

use std::collections::BTreeSet;

use server::privacy::{KEPT_TABLES, LOOSE_TABLES};

use crate::helpers::TestDb;

/// (tables with a company_id, tables with an ON DELETE CASCADE key to companies).
async fn catalogue(db: &TestDb) -> (BTreeSet<String>, BTreeSet<String>) {
    let pool = db.db.pool();
    if db.url.starts_with("sqlite") {
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'company_id'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let mut cascading = BTreeSet::new();
        for (table,) in &tables {
            let keys: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT \"table\", on_delete FROM pragma_foreign_key_list('{table}')"
            )))
            .fetch_all(pool)
            .await
            .unwrap();
            if keys
                .iter()
                .any(|(to, on_delete)| to == "companies" && on_delete == "CASCADE")
            {
                cascading.insert(table.clone());
            }
        }
        (tables.into_iter().map(|(t,)| t).collect(), cascading)
    } else {
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT table_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name = 'company_id'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let cascading: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT tc.table_name::text \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.referential_constraints rc \
               ON rc.constraint_name = tc.constraint_name AND rc.constraint_schema = tc.table_schema \
             JOIN information_schema.constraint_column_usage cu \
               ON cu.constraint_name = tc.constraint_name AND cu.constraint_schema = tc.table_schema \
             WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
               AND cu.table_name = 'companies' AND rc.delete_rule = 'CASCADE'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        (
            tables.into_iter().map(|(t,)| t).collect(),
            cascading.into_iter().map(|(t,)| t).collect(),
        )
    }
}

async fn every_company_table_is_deleted_or_kept_on_purpose(db: TestDb) {
    let (tables, cascading) = catalogue(&db).await;
    assert!(
        tables.len() >= 20 && cascading.contains("licensed_projects"),
        "the catalogue was read: {tables:?} / {cascading:?}"
    );
    let forgotten: Vec<&String> = tables
        .iter()
        .filter(|t| {
            !cascading.contains(*t)
                && !LOOSE_TABLES.contains(&t.as_str())
                && !KEPT_TABLES.contains(&t.as_str())
        })
        .collect();
    assert!(
        forgotten.is_empty(),
        "tables with a company_id that a company's deletion would leave behind: {forgotten:?}"
    );
    // And the lists name real tables, none of them twice.
    for t in LOOSE_TABLES.iter().chain(KEPT_TABLES.iter()) {
        assert!(
            tables.contains(*t),
            "{t} has no company_id column (any more)"
        );
        assert!(
            !cascading.contains(*t),
            "{t} cascades already: take it off the list"
        );
    }
    db.cleanup().await;
}

#[tokio::test]
async fn a_company_deletion_covers_every_table_with_a_company_id() {
    crate::helpers::on_both(every_company_table_is_deleted_or_kept_on_purpose).await;
}
