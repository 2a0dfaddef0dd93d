//! Manage Subscription: choose modules and add-ons (the wizard's gating rules), end,
//! undo, or switch interval; every change shows Stripe's preview in plain words before
//! **Confirm**, and the page reloads from the server once Stripe has confirmed.

use leptos::prelude::*;

use crate::licensing::{BillingInterval, ProjectLicense};
use crate::subscriptions::api::{
    confirm_project_change, preview_project_change, ChangeOutcome, SubscribedProject,
};
use crate::subscriptions::change::{check_license, items_of, ChangeRequest};
use crate::subscriptions::standing::Standing;
use crate::ui::ErrorPanel;

/// The Manage Subscription panel of one project.
#[component]
pub(super) fn Manage(
    project: SubscribedProject,
    changed: RwSignal<usize>,
    done: RwSignal<Option<Vec<String>>>,
) -> impl IntoView {
    let id = project.id;
    let terms = project.terms;
    let wanted = RwSignal::new(terms.renewing);
    let pending =
        items_of(&terms.current) != items_of(&terms.renewing) || terms.switching_to.is_some();
    let ending = items_of(&terms.renewing).is_empty();
    let closed = matches!(
        project.standing,
        Standing::Cancelled | Standing::PaymentPending
    );
    let other = match terms.interval {
        BillingInterval::Monthly => BillingInterval::Yearly,
        BillingInterval::Yearly => BillingInterval::Monthly,
    };
    let request = RwSignal::new(None::<ChangeRequest>);
    let preview = Action::new(move |req: &ChangeRequest| {
        let req = *req;
        async move { preview_project_change(id, req).await }
    });
    let confirm = Action::new(move |req: &ChangeRequest| {
        let req = *req;
        async move { confirm_project_change(id, req).await }
    });
    let ask = move |req: ChangeRequest| {
        request.set(Some(req));
        confirm.value().set(None);
        done.set(None);
        preview.dispatch(req);
    };
    let cancel = move |_| {
        request.set(None);
        preview.value().set(None);
    };
    Effect::new(move |_| {
        if let Some(Ok(ChangeOutcome::Applied { words })) = confirm.value().get() {
            // Kept by the page: this panel is made anew when the project reloads.
            done.set(Some(words));
            changed.update(|n| *n += 1);
        }
    });
    let toggle = move |field: fn(&mut ProjectLicense) -> &mut bool| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            wanted.update(|l| {
                *field(l) = on;
                // The wizard's gating: an add-on goes with its module.
                if !l.planner {
                    l.planner_board = false;
                }
                if !l.safety {
                    l.safety_badge = false;
                }
            });
        }
    };
    // Only about a choice the admin made: an ending project renews nothing, and that is
    // not a mistake to point out.
    let problem = move || {
        let wanted = wanted.get();
        (!ending && !closed && wanted != terms.renewing)
            .then(|| check_license(&wanted).err().map(|p| p.to_string()))
            .flatten()
    };
    view! {
        <section class="panel manage" aria-labelledby="manage-title">
            <h2 id="manage-title">"Manage Subscription"</h2>
            {closed.then(|| view! { <p class="muted" id="manage-locked">"Locked: this project's modules cannot be changed while its subscription is not active (see above for what brings it back)."</p> })}
            <fieldset disabled={closed || ending}>
                <legend>"Modules and add-ons that renew"</legend>
                <label><input type="checkbox" id="m-planner" prop:checked=move || wanted.get().planner on:change=toggle(|l| &mut l.planner)/>" Planner"</label>
                <label><input type="checkbox" id="m-planner-board" prop:checked=move || wanted.get().planner_board prop:disabled=move || !wanted.get().planner on:change=toggle(|l| &mut l.planner_board)/>" Planner Board"</label>
                <label><input type="checkbox" id="m-safety" prop:checked=move || wanted.get().safety on:change=toggle(|l| &mut l.safety)/>" Safety"</label>
                <label><input type="checkbox" id="m-safety-badge" prop:checked=move || wanted.get().safety_badge prop:disabled=move || !wanted.get().safety on:change=toggle(|l| &mut l.safety_badge)/>" Safety Badge"</label>
                <p class="small error-text" role="status">{problem}</p>
                <button type="button" class="button primary" id="review-change"
                    prop:disabled=move || problem().is_some() || wanted.get() == terms.renewing
                    on:click=move |_| ask(ChangeRequest::Modules { license: wanted.get_untracked() })>
                    "Review change"
                </button>
            </fieldset>
            <div class="manage-actions">
                {pending.then(|| view! {
                    <button type="button" class="button" id="undo-change" on:click=move |_| ask(ChangeRequest::Undo)>"Undo pending change"</button>
                })}
                {(!ending && !closed && terms.switching_to.is_none()).then(|| view! {
                    <button type="button" class="button" id="switch-interval" on:click=move |_| ask(ChangeRequest::SwitchInterval { to: other })>
                        {format!("Switch to {} billing", other.as_str())}
                    </button>
                })}
                {(!ending && !closed).then(|| view! {
                    <button type="button" class="button danger" id="end-subscription" on:click=move |_| ask(ChangeRequest::End)>"End subscription"</button>
                })}
            </div>
            {move || preview.value().get().map(|r| match r {
                Ok(p) => view! {
                    <div class="panel preview" id="change-preview" role="region" aria-label="What this change does">
                        {p.words.into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}
                        <button type="button" class="button primary" id="confirm-change"
                            prop:disabled=move || confirm.pending().get()
                            on:click=move |_| { if let Some(r) = request.get_untracked() { confirm.dispatch(r); } }>
                            {move || if confirm.pending().get() { "Confirming with Stripe…" } else { "Confirm" }}
                        </button>
                        " "
                        <button type="button" class="button" id="cancel-change"
                            prop:disabled={move || confirm.pending().get()} on:click={cancel}>
                            "Cancel"
                        </button>
                    </div>
                }.into_any(),
                Err(e) => view! {
                    <div id="change-preview-error">
                        <ErrorPanel error=e/>
                        <button type="button" class="button" id="cancel-change" on:click={cancel}>"Cancel"</button>
                    </div>
                }.into_any(),
            })}
            {move || done.get().map(|words| view! {
                <div class="panel success" role="status" id="change-done">
                    <p>{format!("Done. {}", words.join(" "))}</p>
                    <button type="button" class="button" id="dismiss-done" on:click={move |_| done.set(None)}>"Dismiss"</button>
                </div>
            })}
            {move || confirm.value().get().and_then(|r| match r {
                Ok(ChangeOutcome::Applied { .. }) => None,
                Ok(ChangeOutcome::NeedsAuthentication { url }) => Some(view! {
                    <p class="panel notice" role="status">
                        "Your bank asks the card holder to confirm this payment. "
                        <a href=url rel="external">"Confirm it on Stripe's page"</a>
                        "; the project changes as soon as it is paid."
                    </p>
                }.into_any()),
                Err(e) => Some(view! { <ErrorPanel error=e/> }.into_any()),
            })}
        </section>
    }
}
