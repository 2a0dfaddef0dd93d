//! What a planned change does, in plain words, from the plan and Stripe's preview numbers:
//! shown before **Confirm** and kept in the project's history.

use serde::{Deserialize, Serialize};

use super::change::{names, ChangeKind, Plan, Terms};
use super::standing::date;
use crate::licensing::{format_usd, BillingInterval};

/// Stripe's preview of a change, in integer cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewAmounts {
    /// Charged now (prorated); 0 when nothing is charged.
    pub due_now_cents: i64,
    /// The next regular renewal of the subscription after the change.
    pub next_renewal_cents: i64,
    /// When the paid period ends and the next renewal is charged (UTC unix seconds).
    pub period_end: i64,
    /// For a switch: what the project's modules cost per period of the new interval, at
    /// the Stripe prices it moves to.
    #[serde(default)]
    pub switch_cents: Option<i64>,
}

fn per(interval: BillingInterval) -> &'static str {
    match interval {
        BillingInterval::Monthly => "month",
        BillingInterval::Yearly => "year",
    }
}

/// The sentences explaining `plan` for a project with `before`.
pub fn explain(plan: &Plan, before: &Terms, numbers: &PreviewAmounts) -> Vec<String> {
    let on = date(numbers.period_end);
    // Every priced project renews with Planner or Safety, so nothing to pay means nothing
    // renews: the subscription ends with the paid period.
    let renewal = if numbers.next_renewal_cents == 0 {
        format!(
            "On {on} the company's {} subscription ends: nothing renews.",
            before.interval.as_str()
        )
    } else {
        format!(
            "From {on} the company's {} subscription renews at {} per {}.",
            before.interval.as_str(),
            format_usd(numbers.next_renewal_cents),
            per(before.interval)
        )
    };
    let mut out = Vec::new();
    match plan.kind {
        ChangeKind::Addition => {
            if !plan.added.is_empty() && numbers.due_now_cents == 0 {
                out.push(format!(
                    "{} is added now, with nothing to pay today.",
                    names(&plan.added)
                ));
            } else if !plan.added.is_empty() {
                out.push(format!(
                    "{} is added now. {} is charged to the card on file today, prorated for the rest of the paid period.",
                    names(&plan.added),
                    format_usd(numbers.due_now_cents)
                ));
            }
            if !plan.restored.is_empty() {
                out.push(format!(
                    "{} keeps renewing: its removal on {on} is taken back, with no charge now.",
                    names(&plan.restored)
                ));
            }
            out.push(renewal);
        }
        ChangeKind::Removal => {
            out.push(format!(
                "{} stays until {on}, then it is removed. No credit is given for the time already paid.",
                names(&plan.removed)
            ));
            out.push(renewal);
        }
        ChangeKind::End => {
            out.push(format!(
                "This project keeps {} until {on}, then its subscription ends. No credit is given for the time already paid.",
                names(&plan.removed)
            ));
            out.push(renewal);
        }
        ChangeKind::Undo => {
            out.push(format!(
                "The pending change is taken back: the project renews on {on} as before. Nothing is charged now."
            ));
            out.push(renewal);
        }
        ChangeKind::Switch => {
            let to = plan.after.switching_to.unwrap_or(before.interval);
            out.push(match numbers.switch_cents {
                Some(cents) => format!(
                    "Nothing changes until {on}. Then this project moves to {} billing: its modules are charged to the card on file at the {} price, {} per {} (prorated to the period's end when it joins the company's {} subscription).",
                    to.as_str(),
                    to.as_str(),
                    format_usd(cents),
                    per(to),
                    to.as_str()
                ),
                None => format!(
                    "Nothing changes until {on}. Then this project moves to {} billing: its modules are charged to the card on file for a {} at the {} price.",
                    to.as_str(),
                    per(to),
                    to.as_str()
                ),
            });
            out.push(renewal);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::licensing::{CatalogItem, ProjectLicense};

    fn terms() -> Terms {
        let license = ProjectLicense {
            planner: true,
            planner_board: true,
            safety: false,
            safety_badge: false,
        };
        Terms {
            current: license,
            renewing: license,
            interval: BillingInterval::Monthly,
            switching_to: None,
        }
    }

    #[test]
    fn words_follow_the_numbers() {
        let numbers = PreviewAmounts {
            due_now_cents: 1_234,
            next_renewal_cents: 15_000,
            period_end: 1_799_020_800,
            switch_cents: None,
        };
        let plan = Plan {
            kind: ChangeKind::Addition,
            added: vec![CatalogItem::Safety],
            removed: vec![],
            restored: vec![],
            after: terms(),
        };
        let words = explain(&plan, &terms(), &numbers).join(" ");
        assert!(
            words.contains("Safety is added now. $12.34 is charged"),
            "{words}"
        );
        assert!(
            words.contains(
                "From 4 Jan 2027 the company's monthly subscription renews at $150.00 per month."
            ),
            "{words}"
        );
        let removal = Plan {
            kind: ChangeKind::Removal,
            removed: vec![CatalogItem::PlannerBoard],
            added: vec![],
            ..plan.clone()
        };
        let words = explain(&removal, &terms(), &numbers).join(" ");
        assert!(
            words
                .starts_with("Planner Board stays until 4 Jan 2027, then it is removed. No credit"),
            "{words}"
        );
        assert!(
            !words.contains("$12.34"),
            "a removal charges nothing now: {words}"
        );
    }

    #[test]
    fn nothing_to_pay_and_nothing_renewing_are_said_so() {
        let free = PreviewAmounts {
            due_now_cents: 0,
            next_renewal_cents: 15_000,
            period_end: 1_799_020_800,
            switch_cents: None,
        };
        let plan = Plan {
            kind: ChangeKind::Addition,
            added: vec![CatalogItem::PlannerBoard],
            removed: vec![],
            restored: vec![],
            after: terms(),
        };
        let words = explain(&plan, &terms(), &free).join(" ");
        assert!(
            words.starts_with("Planner Board is added now, with nothing to pay today."),
            "{words}"
        );
        assert!(!words.contains("$0.00"), "{words}");
        let end = Plan {
            kind: ChangeKind::End,
            added: vec![],
            removed: vec![CatalogItem::Planner],
            ..plan
        };
        let ending = PreviewAmounts {
            next_renewal_cents: 0,
            ..free
        };
        let words = explain(&end, &terms(), &ending).join(" ");
        assert!(
            words.ends_with(
                "On 4 Jan 2027 the company's monthly subscription ends: nothing renews."
            ),
            "{words}"
        );
        assert!(!words.contains("renews at $0.00"), "{words}");
        let switch = Plan {
            kind: ChangeKind::Switch,
            removed: vec![],
            after: Terms {
                switching_to: Some(BillingInterval::Yearly),
                ..terms()
            },
            ..end
        };
        let priced = PreviewAmounts {
            switch_cents: Some(354_000),
            ..free
        };
        let words = explain(&switch, &terms(), &priced).join(" ");
        assert!(
            words.contains("at the yearly price, $3,540.00 per year"),
            "the switch names its amount: {words}"
        );
    }
}
