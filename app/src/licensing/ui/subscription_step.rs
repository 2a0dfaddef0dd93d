//! Step 2 of the wizard: yearly or monthly, the quote by module, and checkout on Stripe.

use leptos::prelude::*;

use super::{Step, Wizard};
use crate::licensing::api::{license_catalog, start_checkout};
use crate::licensing::{
    format_usd, projects_label, quote, BillingInterval, DueToday, LicenseSelection,
};
use crate::subscriptions::api::{confirm_purchase, purchase_preview, ChangeOutcome};
use crate::subscriptions::date;
use crate::ui::ErrorPanel;

/// Step 2: yearly or monthly, lines grouped by module, totals, and checkout.
#[component]
pub(super) fn SubscriptionStep(
    wizard: Wizard,
    step: RwSignal<Step>,
    interval: RwSignal<BillingInterval>,
) -> impl IntoView {
    let catalog = Resource::new(|| (), |_| license_catalog());
    let checkout = Action::new(
        move |(selection, interval): &(LicenseSelection, BillingInterval)| {
            let (selection, interval) = (selection.clone(), *interval);
            async move {
                let result = start_checkout(selection, interval).await;
                #[cfg(feature = "hydrate")]
                if let Ok(url) = &result {
                    let _ = window().location().set_href(url);
                }
                result
            }
        },
    );
    // A company with a live subscription of this interval adds to it (no second Checkout).
    let existing = Resource::new(
        move || (wizard.selection.get(), interval.get()),
        |(selection, interval)| purchase_preview(selection, interval),
    );
    let purchase = Action::new(
        move |(selection, interval): &(LicenseSelection, BillingInterval)| {
            let (selection, interval) = (selection.clone(), *interval);
            // The confirmation stays here ("2 projects licensed · $5,415.06 charged", from
            // Stripe's invoice), with the way on to Project Central.
            async move { confirm_purchase(selection, interval).await }
        },
    );
    let adds = move || matches!(existing.get(), Some(Ok(Some(_))));
    let purchased = move || {
        matches!(
            purchase.value().get(),
            Some(Ok(ChangeOutcome::Applied { .. }))
        )
    };
    // Stripe's preview, when the projects go into an existing subscription: its prorated
    // amount is the one "today" figure, and the quote's total the price that renews.
    let preview = move || {
        existing
            .get()
            .and_then(Result::ok)
            .flatten()
            .map(|a| (a.due_now_cents, a.period_end))
    };
    let choice = move |value: BillingInterval, label: &'static str, note: &'static str| {
        view! {
            <label class="interval" class:current=move || interval.get() == value>
                <input type="radio" name="interval" prop:checked=move || interval.get() == value on:change=move |_| interval.set(value)/>
                <span><strong>{label}</strong><span class="muted small">{note}</span></span>
            </label>
        }
    };
    view! {
        <h1>"Subscription"</h1>
        <div class="intervals" role="radiogroup" aria-label="Payment type">
            {choice(BillingInterval::Yearly, "Yearly", "Billed once a year")}
            {choice(BillingInterval::Monthly, "Monthly", "Billed every month")}
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading prices…"</p> }>
            {move || Suspend::new(async move {
                let catalog = match catalog.await {
                    Ok(c) => c,
                    Err(e) => return view! { <ErrorPanel error=e/> }.into_any(),
                };
                view! {
                    {move || {
                        let summary = wizard.selection.with(|s| s.summary());
                        match quote(&summary, &catalog, interval.get()) {
                            Ok(q) => {
                                let per = if q.interval == BillingInterval::Yearly { "year" } else { "month" };
                                let due = DueToday::of(&q, preview());
                                let due_label = match due.prorated_to {
                                    Some(end) => format!("Due today (prorated to {})", date(end)),
                                    None => "Due today".to_string(),
                                };
                                let lines = q.lines.iter().filter(|l| l.quantity > 0).map(|l| view! {
                                    <tr class="quote-line">
                                        <td>{l.item.name()}</td>
                                        <td class="num">{projects_label(u64::from(l.quantity))}</td>
                                        <td class="num">{if l.unit_amount_cents == 0 { "Included".to_string() } else { format!("{} / project / {per}", format_usd(l.unit_amount_cents)) }}</td>
                                        <td class="num">{format_usd(l.amount_cents)}</td>
                                    </tr>
                                }).collect_view();
                                view! {
                                    <table class="quote">
                                        <thead><tr><th>"Module"</th><th class="num">"Projects"</th><th class="num">"Price"</th><th class="num">"Amount"</th></tr></thead>
                                        <tbody>{lines}</tbody>
                                        <tfoot>
                                            <tr><th colspan="3">{format!("Total per {per}")}</th><td class="num quote-total">{format_usd(due.renewal_cents)}</td></tr>
                                            {q.yearly_saving_cents.map(|s| view! { <tr><th colspan="3">"You save against monthly"</th><td class="num quote-saving">{format_usd(s)}</td></tr> })}
                                            <tr class="due"><th colspan="3">{due_label}</th><td class="num quote-due" id="due-now">{format_usd(due.today_cents)}</td></tr>
                                        </tfoot>
                                    </table>
                                }.into_any()
                            }
                            Err(e) => view! { <p class="panel error">{e.to_string()}</p> }.into_any(),
                        }
                    }}
                }.into_any()
            })}
        </Suspense>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match existing.await {
                    Ok(Some(a)) => view! {
                        <div class="panel notice" id="purchase-preview" role="region" aria-label="Added to your subscription">
                            <p>{format!(
                                "This company already has a {} subscription: these projects are added to it, with no new checkout.",
                                interval.get_untracked().as_str()
                            )}</p>
                            <p>"Today's prorated amount above is charged to the card on file when you confirm."</p>
                            <p>{format!(
                                "Next renewal of the whole {} subscription on {}: ",
                                interval.get_untracked().as_str(),
                                date(a.period_end)
                            )}<strong id="next-renewal">{format_usd(a.next_renewal_cents)}</strong></p>
                        </div>
                    }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
        <p class="inline-problem" role="alert">
            {move || checkout.value().get().and_then(|r| r.err()).map(|e| e.to_string())}
            {move || purchase.value().get().and_then(|r| r.err()).map(|e| e.to_string())}
        </p>
        {move || match purchase.value().get() {
            Some(Ok(ChangeOutcome::NeedsAuthentication { url })) => Some(view! {
                <p class="panel notice" role="status">
                    "Your bank asks the card holder to confirm this payment. "
                    <a href=url rel="external">"Confirm it on Stripe's page"</a>
                    "; the projects are licensed as soon as it is paid."
                </p>
            }.into_any()),
            Some(Ok(ChangeOutcome::Applied { words })) => Some(view! {
                <div class="panel success" role="status" id="purchase-done">
                    <p>{words.join(" ")}</p>
                    <a class="button primary" id="open-project-central" href="/projects">"Open Project Central"</a>
                </div>
            }.into_any()),
            _ => None,
        }}
        <div class="step-actions" hidden={purchased}>
            <button class="button" type="button" on:click=move |_| step.set(Step::Projects)>"Back"</button>
            <Show when=adds fallback=move || view! {
                <button class="button primary" type="button" disabled={move || checkout.pending().get()}
                    on:click=move |_| { checkout.dispatch((wizard.selection.get_untracked(), interval.get_untracked())); }>
                    {move || if checkout.pending().get() { "Opening checkout…" } else { "Checkout" }}
                </button>
            }>
                <button class="button primary" type="button" id="confirm-purchase" disabled={move || purchase.pending().get()}
                    on:click=move |_| { purchase.dispatch((wizard.selection.get_untracked(), interval.get_untracked())); }>
                    {move || if purchase.pending().get() { "Charging the card on file…" } else { "Confirm" }}
                </button>
            </Show>
        </div>
    }
}
