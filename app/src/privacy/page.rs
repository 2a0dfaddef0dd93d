//! `/account/delete-data`: the admin's page to delete the company's data — at once when
//! nothing is live, scheduled for the last period end when every subscription ends, refused
//! (with the reason) while one renews; a scheduled deletion can be cancelled.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{
    CancelScheduledDeletion, DeleteCompanyData, DeletionStanding, DeletionStatus,
    ScheduleCompanyDeletion,
};
use crate::account::viewer_resource;
use crate::subscriptions::date;
use crate::ui::{ErrorPanel, SignInPanel};

const WHAT_GOES: &str = "licensed projects and their history, Procore settings, project entries, sync logs, Plan Boards, the company's Procore role list, its app install records and its members' access to it in Smartapp. Each person's own Procore sign-in is theirs: it stays until they choose Disconnect Procore";

/// The name-confirmation field every deleting form carries.
#[component]
fn ConfirmName(company: String) -> impl IntoView {
    view! {
        <label for="confirm-name">{format!("Type the company name ({company}) to confirm")}</label>
        <input id="confirm-name" name="confirm_name" type="text" autocomplete="off" required=true/>
    }
}

/// `/account/delete-data`.
#[component]
pub fn DeleteDataPage() -> impl IntoView {
    let viewer = viewer_resource(Signal::stored(0));
    let delete = ServerAction::<DeleteCompanyData>::new();
    let schedule = ServerAction::<ScheduleCompanyDeletion>::new();
    let cancel = ServerAction::<CancelScheduledDeletion>::new();
    let status = Resource::new(
        move || (schedule.version().get(), cancel.version().get()),
        |_| super::get_deletion_status(),
    );
    view! {
        <main class="page narrow" id="main">
            <p><a href="/projects">"← Project Central"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(v)) if v.is_admin => match status.await {
                            Ok(s) => view! { <Standing status=s delete=delete schedule=schedule cancel=cancel/> }.into_any(),
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        },
                        Ok(Some(_)) => view! { <p class="panel notice">"Only Procore company admins can delete the company's data."</p> }.into_any(),
                        Ok(None) => view! { <SignInPanel message="Sign in with Procore to manage your company's data."/> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {move || delete.value().get().map(|r| match r {
                Ok(receipt) => view! {
                    <p class="panel notice" role="status" id="deletion-receipt">
                        {format!("All data of {} was deleted on {}. Reference {} — quote it if you write to us. You have been signed out of that company.", receipt.company_name, date(receipt.deleted_at), receipt.reference)}
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="error" role="alert" id="deletion-problem">{e.to_string()}</p> }.into_any(),
            })}
            {move || schedule.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert" id="deletion-problem">{e.to_string()}</p> })}
            {move || cancel.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert" id="deletion-problem">{e.to_string()}</p> })}
        </main>
    }
}

/// The panel for where the company stands.
#[component]
fn Standing(
    status: DeletionStatus,
    delete: ServerAction<DeleteCompanyData>,
    schedule: ServerAction<ScheduleCompanyDeletion>,
    cancel: ServerAction<CancelScheduledDeletion>,
) -> impl IntoView {
    let company = status.company_name.clone();
    let called_off = status.called_off.clone().map(|why| {
        view! { <p class="panel notice" role="status" id="deletion-called-off">{why}</p> }
    });
    let body = match status.standing {
        DeletionStanding::Immediate => view! {
            <p>{format!("This deletes everything Smartapp holds for {company}: {WHAT_GOES}. It cannot be undone. Invoices stay with Stripe, as tax law requires.")}</p>
            <p>"This company has no live subscription, so the data is deleted at once."</p>
            <ActionForm action=delete>
                <ConfirmName company=company.clone()/>
                <button class="button danger" type="submit" id="delete-data">"Delete all data"</button>
            </ActionForm>
        }.into_any(),
        DeletionStanding::CanSchedule { due_at } => view! {
            <p>{format!("This deletes everything Smartapp holds for {company}: {WHAT_GOES}. It cannot be undone. Invoices stay with Stripe, as tax law requires.")}</p>
            <p id="deletion-when">{format!("Every subscription of {company} is set to end; the last one ends on {}. Your projects keep working until then, so the deletion is scheduled for that day. You can cancel it until then.", date(due_at))}</p>
            <ActionForm action=schedule>
                <ConfirmName company=company.clone()/>
                <button class="button danger" type="submit" id="schedule-deletion">{format!("Schedule deletion for {}", date(due_at))}</button>
            </ActionForm>
        }.into_any(),
        DeletionStanding::Scheduled { due_at, scheduled_at } => view! {
            <p class="panel notice" role="status" id="deletion-scheduled">
                <strong>{DeletionStatus::scheduled_words(due_at)}</strong>
                {format!(" Scheduled on {}. Until then your projects keep working; on that day everything Smartapp holds for {company} is deleted and cannot be restored.", date(scheduled_at))}
            </p>
            <p>"Reactivating a subscription or buying a new one cancels the scheduled deletion."</p>
            <ActionForm action=cancel>
                <button class="button" type="submit" id="cancel-deletion">"Cancel scheduled deletion"</button>
            </ActionForm>
        }.into_any(),
        DeletionStanding::Refused { renewing } => view! {
            <p>{format!("Deleting removes everything Smartapp holds for {company}: {WHAT_GOES}.")}</p>
            <p id="deletion-refused">{format!("{renewing} subscription(s) of {company} still renew, so the data cannot be deleted yet: nobody should pay for projects whose data is gone. End each licensed project (its page in Project Central → Manage Subscription → End subscription); once every subscription is set to end, come back here to schedule the deletion for the day the last one ends.")}</p>
        }.into_any(),
    };
    view! {
        <section class="panel">
            <h1>"Delete this company's data"</h1>
            {called_off}
            {body}
        </section>
    }
}
