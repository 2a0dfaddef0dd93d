//! The project's history: every change, who made it, when, and Stripe's ids.

use leptos::prelude::*;

use crate::subscriptions::api::HistoryEntry;
use crate::subscriptions::standing::date;

/// The history table (newest first).
#[component]
pub(super) fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <section class="history">
            <h2>"History"</h2>
            {if entries.is_empty() {
                view! { <p class="muted">"No changes yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="history">
                        <thead><tr><th scope="col">"Date (UTC)"</th><th scope="col">"By"</th><th scope="col">"Change"</th><th scope="col">"Status"</th><th scope="col">"Stripe"</th></tr></thead>
                        <tbody>
                            {entries.into_iter().map(|e| view! {
                                <tr>
                                    <td data-label="Date (UTC)">{date(e.at)}</td>
                                    <td data-label="By">{e.actor}</td>
                                    <td data-label="Change">{e.detail}</td>
                                    <td data-label="Status">{e.status}</td>
                                    <td data-label="Stripe" class="small stripe-ids">
                                        {e.stripe_ids.into_iter().map(|id| view! { <code>{id}</code> " " }).collect_view()}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
