//! What the Billing page reads from our own tables: which projects each subscription
//! licenses. (Which company a Stripe customer is: `Db::company_of_customer`, shared with
//! subscriptions.)

use std::collections::HashMap;

use app::ids::CompanyId;

use crate::db::Db;

impl Db {
    /// The company's licensed project names by Stripe subscription id, A–Z.
    pub async fn project_names_by_subscription(
        &self,
        company: CompanyId,
    ) -> Result<HashMap<String, Vec<String>>, sqlx::Error> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT stripe_subscription_id, name FROM licensed_projects
             WHERE company_id = $1 AND stripe_subscription_id IS NOT NULL
             ORDER BY procore_project_id",
        )
        .bind(company.get())
        .fetch_all(self.pool())
        .await?;
        let mut names: HashMap<String, Vec<String>> = HashMap::new();
        for (subscription, name) in rows {
            names.entry(subscription).or_default().push(name);
        }
        // Sorted here: the engines order text differently.
        for list in names.values_mut() {
            list.sort_by_cached_key(|name| name.to_lowercase());
        }
        Ok(names)
    }
}
