//! Privacy: a company admin asks for the deletion of everything Smartapp holds for the
//! company; the app deletes it and confirms. Live subscriptions must be ended first, so
//! nobody pays for projects whose data is gone.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::account::viewer_resource;
use crate::error::AppError;
use crate::ui::{ErrorPanel, SignInPanel};

/// The confirmation of a deletion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionReceipt {
    /// Reference to quote.
    pub reference: String,
    /// The company.
    pub company_name: String,
    /// When (UTC unix seconds).
    pub deleted_at: i64,
}

/// Deletes the current company's data (admins only; `confirm_name` must be the company's
/// name; refused while a subscription is live). Signs the caller out of that company.
#[server(endpoint = "delete_company_data", output = crate::codec::JsonText)]
pub async fn delete_company_data(confirm_name: String) -> Result<DeletionReceipt, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.privacy.delete_company(&caller, &confirm_name).await }).await
}

/// `/account/delete-data`.
#[component]
pub fn DeleteDataPage() -> impl IntoView {
    let viewer = viewer_resource(Signal::stored(0));
    let typed = RwSignal::new(String::new());
    let delete = Action::new(move |name: &String| delete_company_data(name.clone()));
    view! {
        <main class="page narrow" id="main">
            <p><a href="/projects">"← Project Central"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(v)) if v.is_admin => {
                            let company = v.company_name().to_string();
                            view! {
                                <section class="panel">
                                    <h1>"Delete this company's data"</h1>
                                    <p>{format!("This deletes everything Smartapp holds for {company}: licensed projects and their history, Procore settings, project entries, sync logs, Plan Boards, app connections and sign-in connections. It cannot be undone. Invoices stay with Stripe, as tax law requires.")}</p>
                                    <p>"Subscriptions must be ended first (Manage Subscription → End subscription on each project); deletion is refused while one is live."</p>
                                    <form on:submit=move |ev| { ev.prevent_default(); delete.dispatch(typed.get_untracked()); }>
                                        <label for="confirm-name">{format!("Type the company name ({company}) to confirm")}</label>
                                        <input id="confirm-name" type="text" autocomplete="off" prop:value=move || typed.get()
                                            on:input=move |ev| typed.set(event_target_value(&ev))/>
                                        <button class="button danger" type="submit" id="delete-data">"Delete all data"</button>
                                    </form>
                                </section>
                            }.into_any()
                        }
                        Ok(Some(_)) => view! { <p class="panel notice">"Only Procore company admins can delete the company's data."</p> }.into_any(),
                        Ok(None) => view! { <SignInPanel message="Sign in with Procore to manage your company's data."/> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {move || delete.value().get().map(|r| match r {
                Ok(receipt) => view! {
                    <p class="panel notice" role="status" id="deletion-receipt">
                        {format!("All data of {} was deleted on {}. Reference {} — quote it if you write to us. You have been signed out of that company.", receipt.company_name, crate::subscriptions::date(receipt.deleted_at), receipt.reference)}
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="error" role="alert" id="deletion-problem">{e.to_string()}</p> }.into_any(),
            })}
        </main>
    }
}
