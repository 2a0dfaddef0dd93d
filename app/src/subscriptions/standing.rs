//! Where a licensed project stands, in the four words Project Central uses — **Active**,
//! **Ends on DATE**, **Inactive: payment pending**, **Cancelled** (and "Trial ends DATE"
//! while Stripe's trial runs) — derived from what Stripe says of its subscription and what
//! the admin changed. Also the UTC dates those words carry.

use serde::{Deserialize, Serialize};

/// The facts a standing is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingFacts {
    /// Stripe's subscription status (`active`, `trialing`, `past_due`, `unpaid`, …).
    pub subscription_status: &'static str,
    /// The project's own licence ended (after an End at the period end).
    pub ended: bool,
    /// Moving to the other interval's subscription failed to charge the card.
    pub move_failed: bool,
    /// Nothing renews: End was asked, or the whole subscription cancels at period end.
    pub ending: bool,
    /// When the paid period ends (UTC unix seconds).
    pub period_end: i64,
    /// When the trial ends, while trialing.
    pub trial_end: Option<i64>,
}

/// A project's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    /// Paid and running (also while Stripe retries a failed renewal).
    Active,
    /// In Stripe's free trial until `until`.
    Trial {
        /// UTC unix seconds.
        until: i64,
    },
    /// Runs until `on`, then stops.
    Ends {
        /// UTC unix seconds.
        on: i64,
    },
    /// Stripe gave up on the card: data and settings kept, work paused.
    PaymentPending,
    /// Over; may be licensed again through the wizard.
    Cancelled,
}

impl Standing {
    /// Reads the standing from the facts.
    pub fn of(f: &StandingFacts) -> Self {
        match f.subscription_status {
            _ if f.ended => Self::Cancelled,
            "canceled" | "incomplete_expired" => Self::Cancelled,
            "unpaid" | "incomplete" | "paused" => Self::PaymentPending,
            _ if f.move_failed => Self::PaymentPending,
            _ if f.ending => Self::Ends { on: f.period_end },
            "trialing" => Self::Trial {
                until: f.trial_end.unwrap_or(f.period_end),
            },
            _ => Self::Active,
        }
    }

    /// The words on the tile and the project page.
    pub fn label(&self) -> String {
        match self {
            Self::Active => "Active".into(),
            Self::Trial { until } => format!("Trial ends {}", date(*until)),
            Self::Ends { on } => format!("Ends on {}", date(*on)),
            Self::PaymentPending => "Inactive: payment pending".into(),
            Self::Cancelled => "Cancelled".into(),
        }
    }

    /// What a project in this standing says of its renewal (`renews_at`: the end of the
    /// paid period): only a working project renews; the tiles, the project page and the
    /// embedded view all say it in these words.
    pub fn renewal(&self, renews_at: i64) -> String {
        match self {
            Self::Active | Self::Trial { .. } => format!("next renewal {}", date(renews_at)),
            Self::Ends { on } => format!("ends {}, no renewal", date(*on)),
            Self::PaymentPending => "renewal on hold until the payment succeeds".into(),
            Self::Cancelled => "not renewing".into(),
        }
    }

    /// A short class name for styling the badge.
    pub fn css(&self) -> &'static str {
        match self {
            Self::Active | Self::Trial { .. } => "standing-active",
            Self::Ends { .. } => "standing-ends",
            Self::PaymentPending => "standing-pending",
            Self::Cancelled => "standing-cancelled",
        }
    }

    /// Whether the project's modules work now (its background work runs).
    pub fn is_working(&self) -> bool {
        matches!(self, Self::Active | Self::Trial { .. } | Self::Ends { .. })
    }
}

/// Month names as every date in the app shows them.
pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC date as "5 Jan 2027".
pub fn date(unix_seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix_seconds) {
        Ok(t) => format!(
            "{} {} {}",
            t.day(),
            MONTHS[usize::from(u8::from(t.month())) - 1],
            t.year()
        ),
        Err(_) => "an unknown date".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_working_project_says_next_renewal() {
        let until = 1_798_934_400; // 3 Jan 2027
        assert_eq!(Standing::Active.renewal(until), "next renewal 3 Jan 2027");
        let inactive = Standing::PaymentPending.renewal(until);
        assert!(!inactive.contains("next renewal"), "{inactive}");
        assert!(inactive.contains("on hold"));
        assert!(!Standing::Cancelled.renewal(until).contains("next renewal"));
        assert!(Standing::Ends { on: 0 }
            .renewal(until)
            .contains("no renewal"));
    }

    fn facts(status: &'static str) -> StandingFacts {
        StandingFacts {
            subscription_status: status,
            ended: false,
            move_failed: false,
            ending: false,
            period_end: 1_799_020_800, // 2027-01-04 00:00 UTC
            trial_end: None,
        }
    }

    #[test]
    fn statuses_read_as_the_four_words() {
        assert_eq!(Standing::of(&facts("active")).label(), "Active");
        assert_eq!(
            Standing::of(&facts("past_due")),
            Standing::Active,
            "Stripe is retrying"
        );
        assert_eq!(
            Standing::of(&facts("unpaid")).label(),
            "Inactive: payment pending"
        );
        assert_eq!(Standing::of(&facts("canceled")).label(), "Cancelled");
        let ending = StandingFacts {
            ending: true,
            ..facts("active")
        };
        assert_eq!(Standing::of(&ending).label(), "Ends on 4 Jan 2027");
        let ended = StandingFacts {
            ended: true,
            ..facts("active")
        };
        assert_eq!(Standing::of(&ended), Standing::Cancelled);
        let moving = StandingFacts {
            move_failed: true,
            ..facts("active")
        };
        assert_eq!(Standing::of(&moving), Standing::PaymentPending);
        let trial = StandingFacts {
            trial_end: Some(1_798_761_600),
            ..facts("trialing")
        };
        assert_eq!(Standing::of(&trial).label(), "Trial ends 1 Jan 2027");
    }

    #[test]
    fn unpaid_wins_over_ending_and_only_working_standings_run() {
        let f = StandingFacts {
            ending: true,
            ..facts("unpaid")
        };
        assert_eq!(Standing::of(&f), Standing::PaymentPending);
        assert!(!Standing::PaymentPending.is_working());
        assert!(Standing::Ends { on: 0 }.is_working());
        assert_eq!(date(0), "1 Jan 1970");
        assert_eq!(date(i64::MAX), "an unknown date");
    }
}
