//! The statuses we store for subscriptions and checkout orders, typed where the database
//! meets the code. Which subscription statuses license a project is said once, here, and
//! used by Rust ([`SubscriptionStatus::is_live`]) and SQL ([`live_statuses_sql`]) alike.

use std::fmt;
use std::str::FromStr;

/// A Stripe subscription's status, as Stripe names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionStatus {
    /// Paid and running.
    Active,
    /// In a free trial.
    Trialing,
    /// A renewal failed; Stripe is retrying the card.
    PastDue,
    /// Stripe gave up retrying.
    Unpaid,
    /// Ended.
    Canceled,
    /// The first payment has not completed.
    Incomplete,
    /// The first payment never completed.
    IncompleteExpired,
    /// Collection paused.
    Paused,
}

impl SubscriptionStatus {
    /// Every status, for parsing.
    pub const ALL: [Self; 8] = [
        Self::Active,
        Self::Trialing,
        Self::PastDue,
        Self::Unpaid,
        Self::Canceled,
        Self::Incomplete,
        Self::IncompleteExpired,
        Self::Paused,
    ];
    /// The statuses under which a project counts as licensed (past_due: while Stripe
    /// retries the card).
    pub const LIVE: [Self; 3] = [Self::Active, Self::Trialing, Self::PastDue];

    /// The statuses under which a project stays on its subscription and cannot be bought
    /// again: the live ones, and those waiting for payment (Inactive: payment pending).
    pub const HELD: [Self; 6] = [
        Self::Active,
        Self::Trialing,
        Self::PastDue,
        Self::Unpaid,
        Self::Incomplete,
        Self::Paused,
    ];

    /// Stripe's name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Trialing => "trialing",
            Self::PastDue => "past_due",
            Self::Unpaid => "unpaid",
            Self::Canceled => "canceled",
            Self::Incomplete => "incomplete",
            Self::IncompleteExpired => "incomplete_expired",
            Self::Paused => "paused",
        }
    }

    /// True when a subscription in this status licenses its projects.
    pub fn is_live(self) -> bool {
        Self::LIVE.contains(&self)
    }
}

/// True when a project in this status is held (see [`SubscriptionStatus::HELD`]).
impl SubscriptionStatus {
    /// Whether a project in this status cannot be licensed again.
    pub fn is_held(self) -> bool {
        Self::HELD.contains(&self)
    }
}

/// Whether Stripe's status text names a live subscription (one that renews or is being
/// retried: [`SubscriptionStatus::LIVE`]); text we do not know is not live.
pub fn is_live_status(status: &str) -> bool {
    status
        .parse::<SubscriptionStatus>()
        .is_ok_and(SubscriptionStatus::is_live)
}

/// The held statuses for an SQL `IN (…)`: a project in one of them counts as licensed.
pub fn held_statuses_sql() -> String {
    SubscriptionStatus::HELD
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A status name we do not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for SubscriptionStatus {
    type Err = UnknownStatus;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| UnknownStatus(value.to_string()))
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a checkout order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Created; the Checkout Session is open or not yet created.
    Pending,
    /// Paid and turned into licences.
    Paid,
    /// Paid, but some projects were already licensed by another paid order: refund due.
    PaidOverlap,
    /// The overlapping part of a double payment was refunded.
    Refunded,
    /// Its Checkout Session expired unpaid.
    Expired,
}

impl OrderStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::PaidOverlap => "paid_overlap",
            Self::Refunded => "refunded",
            Self::Expired => "expired",
        }
    }
}

impl FromStr for OrderStatus {
    type Err = UnknownStatus;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        [
            Self::Pending,
            Self::Paid,
            Self::PaidOverlap,
            Self::Refunded,
            Self::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
        .ok_or_else(|| UnknownStatus(value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_live_ones_are_three() {
        for status in SubscriptionStatus::ALL {
            assert_eq!(status.as_str().parse::<SubscriptionStatus>(), Ok(status));
        }
        let live: Vec<_> = SubscriptionStatus::ALL
            .into_iter()
            .filter(|s| s.is_live())
            .collect();
        assert_eq!(live, SubscriptionStatus::LIVE);
        assert_eq!(
            held_statuses_sql(),
            "'active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'paused'"
        );
        assert!(!SubscriptionStatus::Canceled.is_held());
        assert!(SubscriptionStatus::Unpaid.is_held() && !SubscriptionStatus::Unpaid.is_live());
        assert!("cancelled".parse::<SubscriptionStatus>().is_err());
    }

    #[test]
    fn order_statuses_round_trip() {
        for status in [
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::PaidOverlap,
            OrderStatus::Refunded,
            OrderStatus::Expired,
        ] {
            assert_eq!(status.as_str().parse::<OrderStatus>(), Ok(status));
        }
    }
}
