//! Procore settings per project and the two-way sync of its Locations, Companies, Roles
//! and Users: settings and entries ([`store`]), runs and logs ([`runs`]), the pure planner
//! ([`plan`]), one adapter per resource ([`resources`]), the run itself ([`engine`]), and
//! the service behind the pages ([`port`]). Runs travel on the background-job library
//! (`crate::jobs`): the scanner queues due runs under the unique key
//! `project:resource:due_at`, a manual Sync queues one now.

pub mod choices;
pub mod engine;
pub mod held;
pub mod plan;
pub mod port;
pub mod resources;
pub mod runs;
pub mod standing;
pub mod store;
pub mod wake;
pub mod words;

pub use engine::{SyncConfig, SyncEngine};

/// What a missing project, entry or run answers (the same for another company's).
pub const NOT_FOUND: &str =
    "No such project, entry or sync run in this company's licensed projects.";
pub use port::SyncService;
pub use wake::SyncWake;

use app::ids::{CompanyId, ProjectId};
use app::sync::{Direction, Resource};

/// A run to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedRun {
    /// New run id.
    pub id: String,
    /// Company.
    pub company: CompanyId,
    /// Project.
    pub project: ProjectId,
    /// Resource.
    pub resource: Resource,
    /// The time it is for (the schedule's boundary, or now for a manual run).
    pub due_at: i64,
    /// `manual` or `schedule`.
    pub trigger: &'static str,
    /// A full run.
    pub full: bool,
    /// Which way.
    pub direction: Direction,
    /// Who pressed Sync.
    pub requested_by: Option<i64>,
    /// For a scheduled run: the schedule's next time (set in the same transaction).
    pub next_run_at: Option<i64>,
}

/// Whether a scheduled run is a full one: daily and weekly runs are, and an hourly run is
/// once a day (deletions never show through `updated_at`).
pub fn scheduled_full(
    frequency: app::sync::Frequency,
    last_full_at: Option<i64>,
    now: i64,
) -> bool {
    frequency != app::sync::Frequency::Hourly
        || last_full_at.is_none_or(|at| now - at >= 86_400 - 300)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::sync::Frequency;

    #[test]
    fn hourly_runs_are_incremental_except_once_a_day() {
        let now = 1_000_000;
        assert!(scheduled_full(Frequency::Hourly, None, now));
        assert!(!scheduled_full(Frequency::Hourly, Some(now - 3600), now));
        assert!(scheduled_full(Frequency::Hourly, Some(now - 86_400), now));
        assert!(scheduled_full(Frequency::Daily, Some(now - 3600), now));
        assert!(scheduled_full(Frequency::Weekly, Some(now - 60), now));
    }
}
