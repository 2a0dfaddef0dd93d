//! The Plan Board on the project's page (admins edit and publish) and the read-only board
//! the embedded view shows once it is published.

use leptos::prelude::*;

use super::api::{
    load_plan_board, publish_plan_board, remove_plan_item, save_plan_item, PlanBoard,
};
use super::{check, day_label, ItemInput, ItemStatus, PlanItem};
use crate::error::AppError;
use crate::ids::ProjectId;

/// The board as a read-only table.
#[component]
pub fn PublishedBoard(items: Vec<PlanItem>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"The Plan Board has no items yet."</p> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|i| {
            view! {
                <tr>
                    <td>{i.title}</td>
                    <td>{i.owner}</td>
                    <td class="date"><time datetime={i.starts_on.clone()}>{day_label(&i.starts_on)}</time></td>
                    <td class="date"><time datetime={i.due_on.clone()}>{day_label(&i.due_on)}</time></td>
                    <td><span class={format!("plan-status {}", i.status.key())}>{i.status.label()}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="plan-board" id="plan-board">
            <caption class="visually-hidden">"Plan Board"</caption>
            <thead><tr><th scope="col">"Item"</th><th scope="col">"Owner"</th><th scope="col">"Start"</th><th scope="col">"Due"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// The project page's Plan Board section.
#[component]
pub fn PlanBoardSection(project: ProjectId) -> impl IntoView {
    let changed = RwSignal::new(0usize);
    // Read in the browser only, after hydration (an action, not a resource): the project
    // page around it is itself streamed, and a nested resource there broke hydration.
    let board = Action::new(move |_: &()| load_plan_board(project));
    Effect::new(move |_| {
        changed.track();
        board.dispatch(());
    });
    let problem = RwSignal::new(None::<String>);
    // The form's values and, while editing, the item's id (kept across reloads of the list).
    let input = RwSignal::new(blank());
    let editing = RwSignal::new(None::<String>);
    let done = move |r: Result<PlanBoard, AppError>| match r {
        Ok(_) => {
            problem.set(None);
            changed.update(|n| *n += 1);
        }
        Err(e) => problem.set(Some(e.to_string())),
    };
    let publish = Action::new(move |on: &bool| publish_plan_board(project, *on));
    let remove = Action::new(move |id: &String| remove_plan_item(project, id.clone()));
    Effect::new(move |_| {
        if let Some(r) = publish.value().get() {
            done(r)
        }
    });
    Effect::new(move |_| {
        if let Some(r) = remove.value().get() {
            done(r)
        }
    });
    view! {
        <section class="panel plan-board-section" aria-labelledby="plan-board-title">
            <h2 id="plan-board-title">"Plan Board"</h2>
            <div class="plan-board-body">
                {move || {
                    match board.value().get() {
                        None => view! { <p class="muted">"Loading the Plan Board…"</p> }.into_any(),
                        Some(result) => match result {
                        Ok(b) if !b.eligible => view! { <WithoutAddOn board=b project/> }.into_any(),
                        Ok(b) => {
                            let published = b.published;
                            let state = if published {
                                "Published: the project's Smartapp view inside Procore shows this board."
                            } else {
                                "Not published: only Project Central shows this board."
                            };
                            let toggle = b.can_edit.then(|| view! {
                                <button class="button" id="publish-board" on:click=move |_| { publish.dispatch(!published); }>
                                    {if published { "Unpublish Plan Board" } else { "Publish Plan Board" }}
                                </button>
                            });
                            let rows = b.items.iter().cloned().map(|i| {
                                let id = i.id.clone();
                                let label = format!("Remove {}", i.title);
                                let edit_label = format!("Edit {}", i.title);
                                let values = ItemInput {
                                    title: i.title.clone(),
                                    owner: i.owner.clone(),
                                    starts_on: i.starts_on.clone(),
                                    due_on: i.due_on.clone(),
                                    status: i.status.key().to_string(),
                                };
                                let edit_id = i.id.clone();
                                view! {
                                    <tr>
                                        <td>{i.title}</td><td>{i.owner}</td><td class="date"><time datetime={i.starts_on.clone()}>{day_label(&i.starts_on)}</time></td><td class="date"><time datetime={i.due_on.clone()}>{day_label(&i.due_on)}</time></td>
                                        <td>{i.status.label()}</td>
                                        <td>{b.can_edit.then(|| view! {
                                            <button class="link" aria-label=edit_label on:click=move |_| {
                                                input.set(values.clone());
                                                editing.set(Some(edit_id.clone()));
                                            }>"Edit"</button>
                                            " "
                                            <button class="link" aria-label=label on:click=move |_| { remove.dispatch(id.clone()); }>"Remove"</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <p id="board-state" role="status">{state}</p>
                                {toggle}
                                <table class="plan-board">
                                    <caption class="visually-hidden">"Plan items"</caption>
                                    <thead><tr><th scope="col">"Item"</th><th scope="col">"Owner"</th><th scope="col">"Start"</th><th scope="col">"Due"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                                {b.can_edit.then(|| view! { <ItemForm project changed problem input editing/> })}
                            }.into_any()
                        }
                        Err(AppError::NotSignedIn) => ().into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        },
                    }
                }}
            </div>
            <div class="plan-board-problem">
                {move || problem.get().map(|p| view! { <p class="error" role="alert" id="board-problem">{p}</p> })}
            </div>
        </section>
    }
}

/// A project that does not hold the Planner Board add-on now: why, what the add-on gives
/// and who can add it; items kept from before are shown read-only.
#[component]
fn WithoutAddOn(board: PlanBoard, project: ProjectId) -> impl IntoView {
    use crate::licensing::{AddOn, AddOnMissing};
    let why = match (&board.paused, board.planner) {
        (Some(reason), _) => view! { <p class="panel notice" id="board-paused" role="status">{reason.clone()}</p> }.into_any(),
        (None, false) => view! {
            <p class="muted">"The Plan Board comes with Planner and its Planner Board add-on: add Planner to this project first."</p>
        }.into_any(),
        (None, true) => view! { <AddOnMissing add_on=AddOn::PlannerBoard project admin=board.admin/> }.into_any(),
    };
    let kept = (!board.items.is_empty()).then(|| {
        let note = if board.published {
            "Kept from before, read-only. It was published; the project's Smartapp view inside Procore shows it again once the add-on is back."
        } else {
            "Kept from before, read-only."
        };
        view! {
            <p class="muted" id="board-kept">{note}</p>
            <PublishedBoard items=board.items.clone()/>
        }
    });
    view! { {why} {kept} }
}

/// An empty form (status: Not started).
fn blank() -> ItemInput {
    ItemInput {
        status: "not_started".into(),
        ..Default::default()
    }
}

/// Adds an item, or saves the one being edited.
#[component]
fn ItemForm(
    project: ProjectId,
    changed: RwSignal<usize>,
    problem: RwSignal<Option<String>>,
    input: RwSignal<ItemInput>,
    editing: RwSignal<Option<String>>,
) -> impl IntoView {
    let save = Action::new(move |(id, item): &(Option<String>, ItemInput)| {
        save_plan_item(project, id.clone(), item.clone())
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            problem.set(None);
            input.set(blank());
            editing.set(None);
            changed.update(|n| *n += 1);
        }
        Some(Err(e)) => problem.set(Some(e.to_string())),
        None => {}
    });
    let field = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      get: fn(&ItemInput) -> String,
                      set: fn(&mut ItemInput, String)| {
        view! {
            <label for=id>{label}</label>
            <input id=id type=kind prop:value=move || input.with(get)
                on:input=move |ev| input.update(|i| set(i, event_target_value(&ev)))/>
        }
    };
    let statuses = ItemStatus::ALL
        .into_iter()
        .map(|s| view! { <option value=s.key()>{s.label()}</option> })
        .collect_view();
    view! {
        <form class="plan-item-form" on:submit=move |ev| {
            ev.prevent_default();
            let item = input.get_untracked();
            match check(&item) {
                Ok(_) => { save.dispatch((editing.get_untracked(), item)); }
                Err(message) => problem.set(Some(message)),
            }
        }>
            <fieldset>
                <legend>{move || if editing.get().is_some() { "Edit the plan item" } else { "Add a plan item" }}</legend>
                {field("plan-title", "Title", "text", |i| i.title.clone(), |i, v| i.title = v)}
                {field("plan-owner", "Owner", "text", |i| i.owner.clone(), |i, v| i.owner = v)}
                {field("plan-start", "Start", "date", |i| i.starts_on.clone(), |i, v| i.starts_on = v)}
                {field("plan-due", "Due", "date", |i| i.due_on.clone(), |i, v| i.due_on = v)}
                <label for="plan-status">"Status"</label>
                <select id="plan-status" prop:value=move || input.with(|i| i.status.clone())
                    on:change=move |ev| input.update(|i| i.status = event_target_value(&ev))>{statuses}</select>
                <button class="button primary" type="submit" id="add-plan-item">
                    {move || if editing.get().is_some() { "Save changes" } else { "Add item" }}
                </button>
                {move || editing.get().is_some().then(|| view! {
                    <button class="button" type="button" id="cancel-plan-edit" on:click=move |_| {
                        editing.set(None);
                        input.set(blank());
                    }>"Cancel"</button>
                })}
            </fieldset>
        </form>
    }
}
