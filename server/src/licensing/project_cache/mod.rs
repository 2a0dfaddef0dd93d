//! The wizard's list: a per-company cache of Procore's projects, so search, filters and
//! paging are SQL and stay fast at 10,000 projects. Refreshed from Procore (by admins, whose
//! token sees every project) when older than [`PROJECT_CACHE_TTL_SECS`].
//!
//! A refresh asks for Procore's projects in name order and stores each page as it arrives:
//! the request that starts it waits only for the first page (its errors are that request's),
//! and the rest loads in the background while the wizard says how many have arrived. One
//! refresh per company at a time across processes (a lease row, renewed page by page; a
//! process that dies lets it run out, and the next visit starts over).

mod store;

pub use store::{CacheQuery, CacheState, CachedProject};

use std::sync::Arc;
use std::time::Duration;

use app::error::AppError;
use app::ids::{CompanyId, ProjectId};
use app::licensing::api::LoadProgress;
use app::ports::Caller;

use super::LicensingService;
use crate::db::{now, Db, Lease};
use crate::error::ServerResult;
use crate::procore::client::{Page, ProjectsQuery};
use crate::procore::types::ProcoreProject;
use crate::procore::ProcoreAccess;

/// How long the cached project list is trusted before it is fetched from Procore again.
const PROJECT_CACHE_TTL_SECS: i64 = 15 * 60;
/// A refresh's lease, renewed after every page.
const REFRESH_LEASE_SECS: i64 = 120;
/// Procore's largest page.
const PER_PAGE: u32 = 300;

fn is_fresh(synced: Option<i64>) -> bool {
    synced.is_some_and(|at| now() - at < PROJECT_CACHE_TTL_SECS)
}

impl CacheState {
    /// A complete list, recent enough to serve without asking Procore.
    pub fn is_complete_and_fresh(&self) -> bool {
        is_fresh(self.synced_at) && self.loading_since.is_none()
    }
}

impl CacheState {
    /// The progress to show while a refresh is under way.
    fn progress(&self) -> Option<LoadProgress> {
        self.loading_since.map(|_| LoadProgress {
            arrived: self.arrived.max(0) as u64,
            expected: self.expected.map(|e| e.max(0) as u64),
        })
    }
}

fn rows(page: Vec<ProcoreProject>) -> Vec<CachedProject> {
    page.into_iter()
        .map(|p| CachedProject {
            id: ProjectId(p.id),
            name: p.name,
            project_number: p.project_number,
            stage: p.project_stage.and_then(|s| s.name),
            city: p.city,
            state_code: p.state_code,
        })
        .collect()
}

async fn fetch_page(
    procore: &ProcoreAccess,
    caller: &Caller,
    page: u32,
) -> ServerResult<Page<ProcoreProject>> {
    let company = caller.company.get();
    procore
        .as_user_in_background(caller.user, |client, token| async move {
            let query = ProjectsQuery {
                page,
                per_page: PER_PAGE,
                name: None,
            };
            client.projects_page(&token, company, &query).await
        })
        .await
}

impl LicensingService {
    /// Makes sure the company's list is fresh or being refreshed; returns the progress of a
    /// refresh still under way (then the list holds what has arrived so far).
    pub(super) async fn fresh_project_cache(
        &self,
        caller: &Caller,
    ) -> ServerResult<Option<LoadProgress>> {
        let company = caller.company;
        let state = self.db.cache_state(company).await?;
        if is_fresh(state.synced_at) && state.loading_since.is_none() {
            return Ok(None);
        }
        let name = format!("project-cache:{company}");
        let until = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(lease) = self.db.try_lease(&name, REFRESH_LEASE_SECS).await? {
                return self.start_refresh(caller, lease).await;
            }
            // Someone else is refreshing: show what is there, or wait for the first page.
            let state = self.db.cache_state(company).await?;
            if state.synced_at.is_some() || state.arrived > 0 {
                return Ok(state.progress());
            }
            if tokio::time::Instant::now() >= until {
                return Err(AppError::ProcoreUnavailable(
                    "the project list is still loading".into(),
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fetches the first page here; the rest in the background, holding `lease`.
    async fn start_refresh(
        &self,
        caller: &Caller,
        lease: Lease,
    ) -> ServerResult<Option<LoadProgress>> {
        let company = caller.company;
        let state = self.db.cache_state(company).await?;
        if is_fresh(state.synced_at) && state.loading_since.is_none() {
            self.db.release(&lease).await?;
            return Ok(None);
        }
        let at = now();
        let first = match fetch_page(&self.procore, caller, 1).await {
            Ok(first) => first,
            Err(error) => {
                self.db.release(&lease).await?;
                // An older list beats no list: serve it and try Procore again next time.
                if state.synced_at.is_some() && !error.needs_sign_in() {
                    tracing::warn!(%error, %company, "Procore project list not refreshed; serving the cached one");
                    return Ok(None);
                }
                return Err(error);
            }
        };
        let more = first.next.is_some() && first.items.len() >= PER_PAGE as usize;
        let expected = first.total.map(|t| t as i64);
        self.db
            .store_cache_page(company, at, &rows(first.items), expected)
            .await?;
        if !more {
            self.db.finish_cache_refresh(company, at).await?;
            self.db.release(&lease).await?;
            tracing::info!(%company, "project list refreshed from Procore");
            return Ok(None);
        }
        let loader = Loader {
            db: self.db.clone(),
            procore: self.procore.clone(),
        };
        tokio::spawn(loader.run(*caller, lease, at));
        Ok(self.db.cache_state(company).await?.progress())
    }
}

/// Loads the pages after the first, in the background.
struct Loader {
    db: Db,
    procore: Arc<ProcoreAccess>,
}

impl Loader {
    async fn run(self, caller: Caller, lease: Lease, at: i64) {
        let company: CompanyId = caller.company;
        match self.rest(&caller, &lease, at).await {
            Ok(pages) => tracing::info!(%company, pages, "project list refreshed from Procore"),
            Err(error) => {
                tracing::warn!(%error, %company, "project list refresh stopped part-way; the next visit retries");
                if let Err(error) = self.db.abandon_cache_refresh(company).await {
                    tracing::warn!(%error, "could not mark the refresh abandoned");
                }
            }
        }
        if let Err(error) = self.db.release(&lease).await {
            tracing::warn!(%error, "project-list lease not given back; it runs out by itself");
        }
    }

    async fn rest(&self, caller: &Caller, lease: &Lease, at: i64) -> ServerResult<u32> {
        let mut page = 2;
        loop {
            let fetched = fetch_page(&self.procore, caller, page).await?;
            let last = fetched.next.is_none() || fetched.items.len() < PER_PAGE as usize;
            let expected = fetched.total.map(|t| t as i64);
            self.db
                .store_cache_page(caller.company, at, &rows(fetched.items), expected)
                .await?;
            self.db.renew(lease, REFRESH_LEASE_SECS).await?;
            if last {
                self.db.finish_cache_refresh(caller.company, at).await?;
                return Ok(page);
            }
            page += 1;
        }
    }
}
