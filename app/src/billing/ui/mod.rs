//! The `/billing` page, the failed-payment banner and the portal button.

mod banner;
mod invoices;
mod portal_button;

pub use banner::PaymentBanner;
pub use portal_button::ManagePaymentDetails;

use leptos::prelude::*;

use self::invoices::InvoiceTable;
use super::api::{get_billing_overview, BillingAccount, BillingOverview};
use super::{card_expiry, card_label};
use crate::account::{viewer_resource, SwitchCompany};
use crate::error::AppError;
use crate::ui::{ErrorPanel, SignInPanel, TopBar};

/// The Billing page: invoices, card on file, billing email and tax IDs (company admins).
#[component]
pub fn BillingPage() -> impl IntoView {
    let switch = ServerAction::<SwitchCompany>::new();
    let viewer = viewer_resource(Signal::derive(move || switch.version().get()));
    let overview = Resource::new(move || switch.version().get(), |_| get_billing_overview());
    let on_switch = Callback::new(move |company_id| {
        switch.dispatch(SwitchCompany { company_id });
    });
    view! {
        <Suspense fallback=|| view! { <div class="topbar placeholder"></div> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! {
                        <TopBar viewer=v on_switch/>
                        <main class="page billing">
                            <div class="page-head"><h1>"Billing"</h1></div>
                            <Transition fallback=|| view! { <p class="muted">"Loading billing…"</p> }>
                                {move || Suspend::new(async move {
                                    match overview.await {
                                        Ok(o) => view! { <Overview overview=o/> }.into_any(),
                                        Err(AppError::Forbidden(message)) => view! {
                                            <p class="panel notice read-only" role="status">{message}</p>
                                        }.into_any(),
                                        Err(AppError::NotSignedIn) => ().into_any(),
                                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                                    }
                                })}
                            </Transition>
                            <p class="muted privacy-link">
                                "Privacy: "<a href="/account/delete-data" id="delete-data-link">"delete this company's data"</a>
                            </p>
                        </main>
                    }.into_any(),
                    Ok(None) => view! {
                        <main class="page narrow"><SignInPanel message="Sign in with Procore to see your company's billing."/></main>
                    }.into_any(),
                    Err(e) => view! { <main class="page narrow"><ErrorPanel error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The company's billing, or the way to start when Stripe does not know it yet.
#[component]
fn Overview(overview: BillingOverview) -> impl IntoView {
    let Some(account) = overview.account else {
        return view! {
            <section class="panel empty billing-empty">
                <h2>"No billing yet"</h2>
                <p>"Invoices, the card on file and tax IDs appear here after your company licenses its first projects."</p>
                <a class="button primary" href="/licensing">"License projects"</a>
            </section>
        }
        .into_any();
    };
    view! {
        <PaymentDetails account/>
        <section class="billing-invoices" aria-labelledby="invoices-heading">
            <h2 id="invoices-heading">"Invoices"</h2>
            <InvoiceTable invoices=overview.invoices/>
            {overview.older_invoices.then(|| view! {
                <p class="muted small">"Older invoices are listed under Manage payment details."</p>
            })}
        </section>
    }
    .into_any()
}

/// Card, billing email and tax IDs, with the button that changes them on Stripe.
#[component]
fn PaymentDetails(account: BillingAccount) -> impl IntoView {
    let card = match account.card {
        Some(card) => view! {
            <dd class="card-on-file">
                {card_label(&card.brand, &card.last4)}
                <span class="muted small">{card_expiry(card.exp_month, card.exp_year)}</span>
            </dd>
        }
        .into_any(),
        None => view! { <dd class="muted">"No card on file"</dd> }.into_any(),
    };
    let email = account.email.unwrap_or_else(|| "Not set".to_string());
    let tax_ids = if account.tax_ids.is_empty() {
        view! { <dd class="muted">"None"</dd> }.into_any()
    } else {
        account
            .tax_ids
            .into_iter()
            .map(|t| view! { <dd class="tax-id">{t.value} <span class="muted small">{t.kind.replace('_', " ").to_uppercase()}</span></dd> })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="panel payment-details" aria-labelledby="payment-heading">
            <h2 id="payment-heading">"Payment details"</h2>
            <dl>
                <dt>"Payment method"</dt>
                {card}
                <dt>"Billing email"</dt>
                <dd class="billing-email">{email}</dd>
                <dt>"Tax IDs"</dt>
                {tax_ids}
            </dl>
            <p class="muted small">
                "Card, billing email, address and tax IDs are kept by Stripe, our payment provider; change them there."
            </p>
            <ManagePaymentDetails primary=true/>
        </section>
    }
}
