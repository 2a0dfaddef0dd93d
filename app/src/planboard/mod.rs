//! Plan Board: a licensed Planner project's plan items (title, owner, dates, status), edited
//! on the project's page in Project Central, and published read-only to the project's
//! embedded view inside Procore.

pub mod api;
mod ui;

use serde::{Deserialize, Serialize};

pub use ui::{PlanBoardSection, PublishedBoard};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Not started.
    NotStarted,
    /// In progress.
    InProgress,
    /// Blocked.
    Blocked,
    /// Done.
    Done,
}

impl ItemStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::NotStarted,
        Self::InProgress,
        Self::Blocked,
        Self::Done,
    ];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Blocked => "blocked",
            Self::Done => "done",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InProgress => "In progress",
            Self::Blocked => "Blocked",
            Self::Done => "Done",
        }
    }

    /// Reads a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == value)
    }
}

/// What an admin types for an item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ItemInput {
    /// What is to be done.
    pub title: String,
    /// Who does it.
    pub owner: String,
    /// Start, `YYYY-MM-DD`.
    pub starts_on: String,
    /// Due, `YYYY-MM-DD`.
    pub due_on: String,
    /// Status (stored name).
    pub status: String,
}

/// A stored item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    /// Our id.
    pub id: String,
    /// What is to be done.
    pub title: String,
    /// Who does it.
    pub owner: String,
    /// Start.
    pub starts_on: String,
    /// Due.
    pub due_on: String,
    /// Status.
    pub status: ItemStatus,
}

/// A checked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedItem {
    /// Trimmed title.
    pub title: String,
    /// Trimmed owner.
    pub owner: String,
    /// Start.
    pub starts_on: String,
    /// Due (not before the start).
    pub due_on: String,
    /// Status.
    pub status: ItemStatus,
}

/// A plan date (`YYYY-MM-DD`) as people read it: "6 Dec 2026", the same words as every
/// other date in the app (one format for every locale: day, month name, year cannot be
/// misread the way 06/12 can). Anything else is shown as it is.
pub fn day_label(value: &str) -> String {
    use crate::subscriptions::standing::MONTHS;
    if !is_date(value) {
        return value.to_string();
    }
    let n: Vec<usize> = value.split('-').filter_map(|p| p.parse().ok()).collect();
    format!("{} {} {}", n[2], MONTHS[n[1] - 1], n[0])
}

fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return false;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if n.len() != 3 {
        return false;
    }
    let days = match n[1] {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (n[0].is_multiple_of(4) && !n[0].is_multiple_of(100)) || n[0].is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&n[0]) && (1..=days).contains(&n[2])
}

/// Checks an item; the message says what to fix.
pub fn check(input: &ItemInput) -> Result<CheckedItem, String> {
    let clean = |v: &str| v.split_whitespace().collect::<Vec<_>>().join(" ");
    let (title, owner) = (clean(&input.title), clean(&input.owner));
    if title.is_empty() {
        return Err("Title is required.".into());
    }
    if title.chars().count() > 200 || owner.chars().count() > 120 {
        return Err("Title (200) or owner (120) is too long.".into());
    }
    let (starts_on, due_on) = (input.starts_on.trim(), input.due_on.trim());
    if !is_date(starts_on) || !is_date(due_on) {
        return Err("Start and due dates must be real dates (YYYY-MM-DD).".into());
    }
    if due_on < starts_on {
        return Err("The due date cannot be before the start date.".into());
    }
    let status = ItemStatus::parse(input.status.trim())
        .ok_or_else(|| format!("\"{}\" is not a status.", input.status))?;
    Ok(CheckedItem {
        title,
        owner,
        starts_on: starts_on.to_string(),
        due_on: due_on.to_string(),
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_dates_read_as_day_month_year() {
        assert_eq!(day_label("2026-12-06"), "6 Dec 2026");
        assert_eq!(day_label("2027-01-31"), "31 Jan 2027");
        assert_eq!(
            day_label("2026-02-30"),
            "2026-02-30",
            "not a date: shown as typed"
        );
    }

    fn input(title: &str, start: &str, due: &str, status: &str) -> ItemInput {
        ItemInput {
            title: title.into(),
            owner: " Ana  Diaz ".into(),
            starts_on: start.into(),
            due_on: due.into(),
            status: status.into(),
        }
    }

    #[test]
    fn a_good_item_is_trimmed() {
        let ok = check(&input(
            " Pour  slab ",
            "2026-12-01",
            "2026-12-04",
            "in_progress",
        ))
        .unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.owner.as_str()),
            ("Pour slab", "Ana Diaz")
        );
        assert_eq!(ok.status, ItemStatus::InProgress);
    }

    #[test]
    fn dates_must_be_real_and_in_order() {
        assert!(check(&input("x", "2026-02-30", "2026-03-01", "done")).is_err());
        assert!(check(&input("x", "2028-02-29", "2028-03-01", "done")).is_ok());
        assert!(check(&input("x", "2026-12-05", "2026-12-04", "done"))
            .unwrap_err()
            .contains("before"));
        assert!(check(&input("x", "12/05/2026", "2026-12-04", "done")).is_err());
    }

    #[test]
    fn title_and_status_are_required() {
        assert_eq!(
            check(&input(" ", "2026-12-01", "2026-12-01", "done")).unwrap_err(),
            "Title is required."
        );
        assert!(check(&input("x", "2026-12-01", "2026-12-01", "later"))
            .unwrap_err()
            .contains("status"));
    }
}
