//! The company's invoices: number, date, the projects each covers, amount, status, and
//! Stripe's page and PDF.

use leptos::prelude::*;

use crate::billing::api::InvoiceRow;
use crate::billing::{money, utc_date};

/// The invoice table (newest first), or a note when there is none yet.
#[component]
pub(super) fn InvoiceTable(invoices: Vec<InvoiceRow>) -> impl IntoView {
    if invoices.is_empty() {
        return view! { <p class="panel empty">"No invoices yet."</p> }.into_any();
    }
    let rows = invoices
        .into_iter()
        .map(|invoice| view! { <InvoiceLine invoice/> })
        .collect_view();
    view! {
        // On a narrow screen the table scrolls inside its own box (the page keeps its width);
        // the box takes the keyboard focus so it can be scrolled without a mouse.
        <div class="table-scroll" role="region" aria-labelledby="invoices-heading" tabindex="0">
            <table class="invoices">
                <thead>
                    <tr>
                        <th scope="col">"Invoice"</th>
                        <th scope="col">"Date (UTC)"</th>
                        <th scope="col">"Projects"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Documents"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One invoice.
#[component]
fn InvoiceLine(invoice: InvoiceRow) -> impl IntoView {
    let label = invoice.status_label();
    let status_class = format!("status {}", label.to_lowercase().replace(' ', "-"));
    let number = invoice.number.clone().unwrap_or_else(|| "Draft".into());
    let projects = if invoice.projects.is_empty() {
        view! { <span class="muted">"—"</span> }.into_any()
    } else {
        view! {
            <ul class="invoice-projects">
                {invoice.projects.iter().map(|name| view! { <li>{name.clone()}</li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    // The names say which invoice: every row has a "View" and a "PDF".
    let view_link = invoice.hosted_invoice_url.clone().map(|url| {
        view! {
            <a href=url rel="external noopener" target="_blank" aria-label=format!("View invoice {number}")>
                "View"
            </a>
        }
    });
    let pdf_link = invoice.invoice_pdf.clone().map(|url| {
        view! {
            <a href=url rel="external noopener" target="_blank" aria-label=format!("PDF of invoice {number}")>
                "PDF"
            </a>
        }
    });
    view! {
        <tr data-invoice-id=invoice.id.clone()>
            <td class="invoice-number">{number.clone()}</td>
            <td>{utc_date(invoice.created)}</td>
            <td>{projects}</td>
            <td class="num invoice-amount">{money(invoice.total_cents, &invoice.currency)}</td>
            <td><span class=status_class>{label}</span></td>
            <td class="invoice-links">{view_link} {pdf_link}</td>
        </tr>
    }
}
