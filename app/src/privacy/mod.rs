//! Privacy: a company admin asks for the deletion of everything Smartapp holds for the
//! company. With nothing live the app deletes it at once and confirms. While subscriptions
//! are live, nobody should pay for projects whose data is gone: when every live one is set
//! to end at its period end, the admin may schedule the deletion for the latest period end
//! (and cancel the schedule); while one still renews, deletion is refused and says why.

mod page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use page::DeleteDataPage;

/// The confirmation of a deletion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionReceipt {
    /// Reference to quote.
    pub reference: String,
    /// The company.
    pub company_name: String,
    /// When (UTC unix seconds).
    pub deleted_at: i64,
}

/// Where a company stands for the deletion of its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeletionStanding {
    /// No live subscription: deletion is immediate.
    Immediate,
    /// Every live subscription ends at its period end: deletion can be scheduled for
    /// `due_at`, the latest of those period ends.
    CanSchedule {
        /// The latest period end (UTC unix seconds).
        due_at: i64,
    },
    /// Deletion is scheduled for `due_at`.
    Scheduled {
        /// When the data will be deleted (UTC unix seconds).
        due_at: i64,
        /// When it was scheduled.
        scheduled_at: i64,
    },
    /// `renewing` live subscriptions renew: end them first.
    Refused {
        /// How many renew.
        renewing: u32,
    },
}

/// The deletion page's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionStatus {
    /// The company's name (to type as confirmation).
    pub company_name: String,
    /// What the admin may do.
    pub standing: DeletionStanding,
    /// Why the last schedule was called off, when it was not the admin's own cancellation
    /// and nothing has been scheduled since.
    pub called_off: Option<String>,
}

impl DeletionStatus {
    /// The sentence for a scheduled deletion.
    pub fn scheduled_words(due_at: i64) -> String {
        format!(
            "Your data will be deleted on {}.",
            crate::subscriptions::date(due_at)
        )
    }
}

/// Why a schedule is called off when a subscription renews again.
pub fn renewing_again_words(due_at: i64, renewing: u32) -> String {
    let which = if renewing == 1 {
        "A subscription of this company renews again"
    } else {
        "Subscriptions of this company renew again"
    };
    format!(
        "{which} (reactivated or newly bought), so the deletion scheduled for {} was cancelled. End every subscription, then schedule it again.",
        crate::subscriptions::date(due_at)
    )
}

/// The current company's standing (admins only).
#[server(endpoint = "deletion_status", output = crate::codec::JsonText)]
pub async fn get_deletion_status() -> Result<DeletionStatus, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.privacy.status(&caller).await }).await
}

/// Deletes the current company's data (admins only; `confirm_name` must be the company's
/// name; refused while a subscription is live). Signs the caller out of that company.
#[server(endpoint = "delete_company_data", output = crate::codec::JsonText)]
pub async fn delete_company_data(confirm_name: String) -> Result<DeletionReceipt, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.privacy.delete_company(&caller, &confirm_name).await }).await
}

/// Schedules the deletion for the latest period end (admins; every live subscription must
/// be set to end; `confirm_name` must be the company's name).
#[server(endpoint = "schedule_company_deletion", output = crate::codec::JsonText)]
pub async fn schedule_company_deletion(confirm_name: String) -> Result<DeletionStatus, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.privacy.schedule(&caller, &confirm_name).await }).await
}

/// Cancels the scheduled deletion (admins).
#[server(endpoint = "cancel_scheduled_deletion", output = crate::codec::JsonText)]
pub async fn cancel_scheduled_deletion() -> Result<DeletionStatus, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.privacy.cancel_schedule(&caller).await }).await
}
