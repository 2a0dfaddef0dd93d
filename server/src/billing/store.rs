//! What the Billing page reads from our own tables: which projects each invoice was for.
//! A checkout, a wizard purchase, an added module and a move to the other interval record
//! the invoice they made in the project's history (`licence_changes.stripe_invoice_id`);
//! an invoice with no such record (a renewal) is for the projects its subscription held
//! when it was issued. (Which company a Stripe customer is: `Db::company_of_customer`,
//! shared with subscriptions.)

use std::collections::{BTreeSet, HashMap};

use app::ids::CompanyId;

use crate::db::Db;

/// How long after an unrecorded invoice a project may have been written and still count
/// as on it (a checkout's licences are written when its webhook arrives, seconds later).
const WRITTEN_AFTER_SECS: i64 = 600;

/// One licensed project as the fallback sees it: name, since, ended.
type Held = (String, i64, Option<i64>);

/// A `licensed_projects` row: id, name, subscription, created, ended.
type LicensedRow = (i64, String, Option<String>, i64, Option<i64>);

/// Which projects each of a company's invoices was for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InvoiceProjects {
    /// Invoice id → project names, from the history rows that made the invoice.
    recorded: HashMap<String, BTreeSet<(String, String)>>,
    /// Subscription id → its projects, for invoices nothing recorded (renewals).
    held: HashMap<String, Vec<Held>>,
}

impl InvoiceProjects {
    /// The names of the projects `invoice` was for, A–Z.
    pub fn of(&self, invoice: &str, subscription: Option<&str>, created: i64) -> Vec<String> {
        if let Some(names) = self.recorded.get(invoice) {
            return names.iter().map(|(_, name)| name.clone()).collect();
        }
        let mut names: Vec<String> = subscription
            .and_then(|s| self.held.get(s))
            .map(|rows| {
                rows.iter()
                    .filter(|(_, since, ended)| {
                        *since <= created + WRITTEN_AFTER_SECS
                            && ended.is_none_or(|at| at >= created)
                    })
                    .map(|(name, _, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default();
        // Sorted here: the engines order text differently.
        names.sort_by_cached_key(|name| name.to_lowercase());
        names.dedup();
        names
    }
}

impl Db {
    /// Which projects each of the company's invoices was for.
    pub async fn invoice_projects(
        &self,
        company: CompanyId,
    ) -> Result<InvoiceProjects, sqlx::Error> {
        let licensed: Vec<LicensedRow> = sqlx::query_as(
            "SELECT procore_project_id, name, stripe_subscription_id, created_at, ended_at
             FROM licensed_projects WHERE company_id = $1",
        )
        .bind(company.get())
        .fetch_all(self.pool())
        .await?;
        let names: HashMap<i64, String> = licensed
            .iter()
            .map(|(id, name, ..)| (*id, name.clone()))
            .collect();
        let mut out = InvoiceProjects::default();
        for (_, name, subscription, since, ended) in licensed {
            if let Some(s) = subscription {
                out.held.entry(s).or_default().push((name, since, ended));
            }
        }
        // A refund names the invoice it refunds, not one it made; a failed change made none.
        let made: Vec<(String, i64, Option<String>)> = sqlx::query_as(
            "SELECT stripe_invoice_id, project_id, target FROM licence_changes
             WHERE company_id = $1 AND stripe_invoice_id IS NOT NULL
             AND action <> 'refund' AND status <> 'failed'",
        )
        .bind(company.get())
        .fetch_all(self.pool())
        .await?;
        for (invoice, project, target) in made {
            // A purchase still waiting for its payment has no licence yet: its target has
            // the name.
            let name = names
                .get(&project)
                .cloned()
                .or_else(|| {
                    target
                        .as_deref()
                        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
                        .and_then(|t| t["name"].as_str().map(str::to_owned))
                })
                .unwrap_or_else(|| format!("Procore project {project}"));
            out.recorded
                .entry(invoice)
                .or_default()
                .insert((name.to_lowercase(), name));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invoice_names_its_own_projects_and_a_renewal_those_it_renewed() {
        let mut p = InvoiceProjects::default();
        for name in ["b", "A", "c"] {
            p.recorded
                .entry("in_checkout".into())
                .or_default()
                .insert((name.to_lowercase(), name.into()));
        }
        p.held.insert(
            "sub_1".into(),
            vec![
                ("A".into(), 100, None),
                ("b".into(), 100, None),
                ("c".into(), 100, Some(150)),
                ("d".into(), 5_000, None),
            ],
        );
        assert_eq!(p.of("in_checkout", Some("sub_1"), 100), ["A", "b", "c"]);
        assert_eq!(
            p.of("in_renewal", Some("sub_1"), 2_000),
            ["A", "b"],
            "c ended before, d came after"
        );
        assert!(p.of("in_other", None, 2_000).is_empty());
    }
}
