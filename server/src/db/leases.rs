//! Leases: a row per guarded thing (`token:USER`, `project-cache:COMPANY`, …) that one holder
//! at a time owns until `lease_until`. Taking one is a single upsert, so it works across
//! server processes and never holds a connection while the holder works; a holder that dies
//! simply lets its lease run out.

use std::time::Duration;

use super::{now, Db};

/// A lease that was taken; give it back with [`Db::release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// What it guards.
    pub name: String,
    /// Who holds it (random per taking).
    pub holder: String,
}

impl Db {
    /// Takes the lease `name` for `secs` seconds if it is free or has run out.
    pub async fn try_lease(&self, name: &str, secs: i64) -> Result<Option<Lease>, sqlx::Error> {
        let holder = uuid::Uuid::new_v4().simple().to_string();
        let at = now();
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, lease_until) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
             WHERE leases.lease_until <= $4",
        )
        .bind(name.to_string())
        .bind(holder.clone())
        .bind(at + secs)
        .bind(at)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        Ok(taken.then(|| Lease {
            name: name.to_string(),
            holder,
        }))
    }

    /// Waits (polling) until the lease can be taken, at most `patience`.
    pub async fn lease(
        &self,
        name: &str,
        secs: i64,
        patience: Duration,
    ) -> Result<Option<Lease>, sqlx::Error> {
        let until = tokio::time::Instant::now() + patience;
        loop {
            if let Some(lease) = self.try_lease(name, secs).await? {
                return Ok(Some(lease));
            }
            if tokio::time::Instant::now() >= until {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `work` while holding the lease `name` (waiting at most `patience` for it), then
    /// gives it back; `None` when the lease could not be had in time.
    pub async fn under_lease<T, E, Fut>(
        &self,
        name: &str,
        secs: i64,
        patience: Duration,
        work: impl FnOnce() -> Fut,
    ) -> Result<Option<T>, E>
    where
        Fut: std::future::Future<Output = Result<T, E>>,
        E: From<sqlx::Error>,
    {
        let Some(lease) = self.lease(name, secs, patience).await? else {
            return Ok(None);
        };
        let result = work().await;
        if let Err(error) = self.release(&lease).await {
            tracing::warn!(%error, lease = name, "lease not given back; it runs out by itself");
        }
        result.map(Some)
    }

    /// Extends a lease its holder still has by `secs` from now.
    pub async fn renew(&self, lease: &Lease, secs: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE leases SET lease_until = $3 WHERE name = $1 AND holder = $2")
            .bind(lease.name.clone())
            .bind(lease.holder.clone())
            .bind(now() + secs)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Gives a lease back (only its holder can).
    pub async fn release(&self, lease: &Lease) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(lease.name.clone())
            .bind(lease.holder.clone())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
