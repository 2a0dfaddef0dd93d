//! The failed-payment banner admins see on every page while an invoice of their company
//! is unpaid after a failed charge.

use leptos::prelude::*;

use super::ManagePaymentDetails;
use crate::billing::api::get_payment_alert;
use crate::billing::{failed_payment_sentence, money, retry_sentence};

/// "Payment failed on DATE — update your card", with the way to do it. Renders nothing
/// when the company's payments are in order (or the caller is not an admin).
#[component]
pub fn PaymentBanner() -> impl IntoView {
    let alert = Resource::new(|| (), |_| get_payment_alert());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match alert.await {
                    Ok(Some(a)) => {
                        let owed = match &a.invoice_number {
                            Some(number) => format!("{} is due on invoice {number}.", money(a.amount_due_cents, &a.currency)),
                            None => format!("{} is due.", money(a.amount_due_cents, &a.currency)),
                        };
                        view! {
                            <div class="payment-banner" role="alert">
                                <p>
                                    <strong>{failed_payment_sentence(a.failed_at)}</strong>
                                    " " {owed} " " {retry_sentence(a.next_attempt_at)}
                                </p>
                                <ManagePaymentDetails primary=true/>
                            </div>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}
