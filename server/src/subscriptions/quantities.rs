//! What Stripe's quantities should be: for each priced item, the number of projects of a
//! subscription that renew with it. Computed from our rows (the source of truth for which
//! project holds what), so a change, a purchase and reconciliation all agree.

use std::collections::HashMap;

use app::ids::ProjectId;
use app::licensing::{CatalogItem, ProjectLicense};
use app::subscriptions::change::items_of;
use app::subscriptions::Terms;

use super::store::ProjectTerms;

/// Item → quantity, with every catalog item present (0 when none).
pub type Quantities = HashMap<CatalogItem, u64>;

/// Whether a project still counts on its subscription: not ended, not cancelled, and not
/// moving to the other interval at the period end.
pub fn counts(p: &ProjectTerms) -> bool {
    p.ended_at.is_none()
        && !matches!(p.status.as_str(), "canceled" | "incomplete_expired")
        && p.terms.switching_to.is_none()
}

/// The quantities for `rows`, with `replace` standing in for one project's terms and
/// `extra` projects added (a purchase).
pub fn desired(
    rows: &[ProjectTerms],
    replace: Option<(ProjectId, Terms)>,
    extra: &[ProjectLicense],
) -> Quantities {
    let mut q: Quantities = CatalogItem::ALL.into_iter().map(|i| (i, 0)).collect();
    let mut add = |license: &ProjectLicense| {
        for item in items_of(license) {
            *q.entry(item).or_default() += 1;
        }
    };
    for row in rows {
        // The replaced project counts with its new terms.
        let row = match replace {
            Some((id, terms)) if id == row.project => &ProjectTerms {
                terms,
                ..row.clone()
            },
            _ => row,
        };
        if counts(row) {
            add(&row.terms.renewing);
        }
    }
    for license in extra {
        add(license);
    }
    q
}

/// The number of projects-items in all (0: nothing would renew).
pub fn total(q: &Quantities) -> u64 {
    q.values().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::ids::CompanyId;
    use app::licensing::BillingInterval;

    fn row(id: i64, renewing: ProjectLicense) -> ProjectTerms {
        ProjectTerms {
            company: CompanyId(1),
            project: ProjectId(id),
            name: format!("P{id}"),
            terms: Terms {
                current: renewing,
                renewing,
                interval: BillingInterval::Monthly,
                switching_to: None,
            },
            status: "active".into(),
            subscription: Some("sub_1".into()),
            ended_at: None,
            move_failed_at: None,
        }
    }

    #[test]
    fn quantities_count_what_renews() {
        let planner = ProjectLicense {
            planner: true,
            planner_board: true,
            ..Default::default()
        };
        let safety = ProjectLicense {
            safety: true,
            ..Default::default()
        };
        let mut ended = row(3, safety);
        ended.ended_at = Some(1);
        let rows = vec![row(1, planner), row(2, safety), ended];
        let q = desired(&rows, None, &[safety]);
        assert_eq!(q[&CatalogItem::Planner], 1);
        assert_eq!(q[&CatalogItem::PlannerBoard], 1);
        assert_eq!(
            q[&CatalogItem::Safety],
            2,
            "the ended project no longer counts"
        );
        assert_eq!(q[&CatalogItem::SafetyBadge], 0);
        let mut switching = rows[0].terms;
        switching.switching_to = Some(BillingInterval::Yearly);
        let q = desired(&rows, Some((ProjectId(1), switching)), &[]);
        assert_eq!(
            q[&CatalogItem::Planner],
            0,
            "moves to the yearly subscription"
        );
        assert_eq!(total(&q), 1);
    }
}
