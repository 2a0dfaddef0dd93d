//! A resource's Procore sync on its directory page: the schedule, **Sync now**, the progress
//! bar (polled from the server about once a second while a run is open, so a reload or a
//! second tab shows the same run), the last result, and the log with its CSV download.

use std::time::Duration;

use leptos::prelude::*;

use super::held::HeldNotice;
use super::{clock, counts, date_time, state_label, SyncResource};
use crate::error::AppError;
use crate::ids::ProjectId;
use crate::sync::api::{
    start_sync, sync_log, sync_progress, sync_runs, ResourceStatus, RunState, RunView, SyncOverview,
};
use crate::ui::urlencode;

/// The panel; `on_finished` is called when a run this page watched ends.
#[component]
pub(super) fn SyncPanel(
    project: ProjectId,
    resource: SyncResource,
    overview: SyncOverview,
    on_finished: Callback<()>,
) -> impl IntoView {
    let label = resource.label();
    let settings_href = format!("/projects/{project}/settings");
    if !overview.settings.procore_on {
        return view! {
            <section class="panel sync-panel" aria-labelledby="sync-title">
                <h2 id="sync-title">"Procore sync"</h2>
                <p id="procore-off">
                    "Procore sync is OFF for this project. "
                    <a href=settings_href>"Turn it on in the project's settings"</a>
                    {format!(" to keep its {} in step with Procore.", label.to_lowercase())}
                </p>
            </section>
        }
        .into_any();
    }
    let choice = overview
        .settings
        .choices
        .iter()
        .find(|c| c.resource == resource)
        .copied();
    let paused_reason = overview.paused_reason.clone();
    let blocked = paused_reason.is_some();
    let status = RwSignal::new(
        overview
            .resources
            .iter()
            .find(|s| s.resource == resource)
            .cloned()
            .unwrap_or(ResourceStatus {
                resource,
                next_run_at: None,
                active: None,
                last: None,
                held: None,
            }),
    );
    let open = Memo::new(move |_| status.with(|s| s.active.is_some()));
    let problem = RwSignal::new(None::<String>);
    let poll = Action::new(move |_: &()| sync_progress(project, resource));
    Effect::new(move |_| match poll.value().get() {
        Some(Ok(s)) => status.set(s),
        Some(Err(e)) => problem.set(Some(e.to_string())),
        None => {}
    });
    // While a run is open, ask the server where it is about once a second.
    Effect::new(move |_| {
        if open.get() {
            let tick = move || {
                if !poll.pending().get_untracked() {
                    poll.dispatch(());
                }
            };
            if let Ok(handle) = set_interval_with_handle(tick, Duration::from_secs(1)) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    let runs_version = RwSignal::new(0usize);
    Effect::new(move |was_open: Option<bool>| {
        let now = open.get();
        if was_open.is_some_and(|was| was != now) {
            runs_version.update(|n| *n += 1);
            if !now {
                problem.set(None);
                on_finished.run(());
            }
        }
        now
    });
    // The recent-runs table follows the open run's state too (queued → running → paused).
    let active_state = Memo::new(move |_| status.with(|s| s.active.as_ref().map(|r| r.state)));
    Effect::new(move |was: Option<Option<RunState>>| {
        let now = active_state.get();
        if now.is_some() && was.is_some_and(|was| was.is_some() && was != now) {
            runs_version.update(|n| *n += 1);
        }
        now
    });
    let start = Action::new(move |_: &()| start_sync(project, resource));
    Effect::new(move |_| match start.value().get() {
        Some(Ok(run)) => status.update(|s| s.active = Some(run)),
        Some(Err(e)) => {
            // 409: a run is queued or running already (another tab, or the schedule): show it.
            if matches!(e, AppError::Conflict(_)) {
                poll.dispatch(());
            }
            problem.set(Some(e.to_string()));
        }
        None => {}
    });
    let schedule = move || {
        let next = status
            .with(|s| s.next_run_at)
            .map_or_else(|| "not scheduled".to_string(), date_time);
        match choice {
            Some(c) => format!(
                "{} · {} · Next sync: {next}",
                c.direction.label(),
                c.frequency.label()
            ),
            None => format!("Next sync: {next}"),
        }
    };
    let can_edit = overview.can_edit;
    view! {
        <section class="panel sync-panel" aria-labelledby="sync-title">
            <h2 id="sync-title">"Procore sync"</h2>
            <p id="sync-schedule">{schedule}</p>
            {paused_reason.map(|reason| view! {
                <p class="panel notice paused-reason" id="paused-reason" role="status"><strong>{reason}</strong></p>
            })}
            {if can_edit {
                view! {
                    <div class="sync-actions">
                        <button type="button" class="button primary" id="sync-now" aria-describedby="sync-schedule"
                            disabled=move || blocked || open.get() || start.pending().get()
                            on:click=move |_| { problem.set(None); start.dispatch(()); }>
                            {move || if open.get() { "Syncing…".to_string() } else { format!("Sync {} now", label) }}
                        </button>
                    </div>
                }.into_any()
            } else {
                view! { <p class="muted small">"Only Procore company admins can start a sync."</p> }.into_any()
            }}
            <p class="error-text" role="alert" id="sync-problem">{move || problem.get()}</p>
            {move || status.with(|s| s.held.clone()).map(|held| {
                let on_confirmed = Callback::new(move |run: RunView| status.update(|s| { s.held = None; s.active = Some(run); }));
                let on_kept = Callback::new(move |s: ResourceStatus| status.set(s));
                view! { <HeldNotice project resource held can_edit on_confirmed on_kept/> }
            })}
            <Show when=move || open.get()>
                <Progress status label/>
            </Show>
            <Show when=move || !open.get()>
                {move || status.with(|s| s.last.clone()).map(|run| view! { <LastResult run/> })}
            </Show>
            <SyncLog project resource runs_version active=Signal::derive(move || status.with(|s| s.active.clone()))/>
        </section>
    }
    .into_any()
}

/// The open run: a labelled progress bar, "12 of 40 records", or why it waits.
#[component]
fn Progress(status: RwSignal<ResourceStatus>, label: &'static str) -> impl IntoView {
    let run = move || status.with(|s| s.active.clone());
    let total = move || run().map_or(0, |r| r.total);
    let done = move || run().map_or(0, |r| r.done.min(r.total));
    let words = move || match run() {
        None => String::new(),
        Some(r) if r.state == RunState::Paused => format!(
            "Paused by Procore's rate limit — resumes at {}.",
            r.paused_until
                .map_or_else(|| "any moment".to_string(), clock)
        ),
        Some(r) if r.state == RunState::Queued => "Queued: waiting for a worker to start.".into(),
        Some(r) if r.total == 0 => "Reading Procore and Smartapp…".into(),
        Some(r) => format!("{} of {} records", r.done.min(r.total), r.total),
    };
    view! {
        <div class="sync-progress" id="sync-progress-box" data-state=move || run().map(|r| r.state.key())>
            <label for="sync-progress">{format!("{label} sync progress")}</label>
            // No value while the total is unknown: the bar shows it is busy without a figure.
            <progress id="sync-progress"
                max=move || total().max(1).to_string()
                value=move || (total() > 0).then(|| done().to_string())
                aria-valuetext=words>
                {words}
            </progress>
            <p class="progress-words" id="sync-progress-words">{words}</p>
        </div>
    }
}

/// The last finished run of this resource.
#[component]
fn LastResult(run: RunView) -> impl IntoView {
    let when = run
        .finished_at
        .map(|t| format!(" · finished {}", date_time(t)))
        .unwrap_or_default();
    view! {
        <div class="sync-result" id="sync-result" role="status" data-state=run.state.key()>
            <p>
                <strong>{format!("Last sync: {}", state_label(run.state))}</strong>
                {when}
            </p>
            <p id="sync-counts">{counts(&run)}</p>
            {run.message.map(|m| view! { <p class="sync-message">{m}</p> })}
        </div>
    }
}

/// Recent runs of this resource and, for the chosen one, its log and CSV download.
#[component]
fn SyncLog(
    project: ProjectId,
    resource: SyncResource,
    runs_version: RwSignal<usize>,
    active: Signal<Option<RunView>>,
) -> impl IntoView {
    // Actions, not resources: the log is read in the browser only, after hydration.
    let runs = Action::new(move |_: &()| sync_runs(project, Some(resource)));
    Effect::new(move |_| {
        runs_version.track();
        runs.dispatch(());
    });
    let chosen = RwSignal::new(None::<RunView>);
    let log = Action::new(move |run: &String| sync_log(project, run.clone()));
    let list = move || match runs.value().get() {
        None => view! { <p class="muted">"Loading recent runs…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
        Some(Ok(all)) => {
            let mine = with_open(all, active.get().as_ref());
            if mine.is_empty() {
                return view! { <p class="muted" id="no-runs">"No runs yet."</p> }.into_any();
            }
            let rows = mine
                .into_iter()
                .map(|run| {
                    let when = date_time(run.started_at.unwrap_or(run.queued_at));
                    let pick = run.clone();
                    view! {
                        <tr data-run-id=run.id.clone()>
                            <th scope="row">{when.clone()}</th>
                            <td>{if run.trigger == "manual" { "Manual" } else { "Scheduled" }}{if run.full { " · full" } else { "" }}</td>
                            <td>{run.direction.label()}</td>
                            <td>{state_label(run.state)}</td>
                            <td class="small">{counts(&run)}</td>
                            <td>
                                <button type="button" class="button-link view-log"
                                    aria-label=format!("Show the log of the run of {when}")
                                    on:click=move |_| { log.dispatch(pick.id.clone()); chosen.set(Some(pick.clone())); }>
                                    "Show log"
                                </button>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-scroll" role="region" aria-label="Recent runs" tabindex="0">
                    <table class="table dense" id="sync-runs">
                        <thead><tr>
                            <th scope="col">"Started"</th><th scope="col">"Trigger"</th><th scope="col">"Direction"</th>
                            <th scope="col">"State"</th><th scope="col">"Result"</th><th scope="col"><span class="visually-hidden">"Log"</span></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <section class="sync-log" aria-labelledby="sync-log-title">
            <h3 id="sync-log-title">"Log"</h3>
            {list}
            {move || chosen.get().map(|run| view! { <LogLines project run log/> })}
        </section>
    }
}

/// One run's log lines (the first ones; the CSV has all of them).
#[component]
fn LogLines(
    project: ProjectId,
    run: RunView,
    log: Action<String, Result<Vec<crate::sync::api::LogLine>, AppError>>,
) -> impl IntoView {
    let csv = format!(
        "/projects/{project}/sync/runs/{}/log.csv",
        urlencode(&run.id)
    );
    let title = format!(
        "Log of the run of {}",
        date_time(run.started_at.unwrap_or(run.queued_at))
    );
    let lines = move || {
        match log.value().get() {
        _ if log.pending().get() => view! { <p class="muted">"Loading the log…"</p> }.into_any(),
        None => ().into_any(),
        Some(Err(e)) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
        Some(Ok(lines)) if lines.is_empty() => view! { <p class="muted">"This run wrote no lines."</p> }.into_any(),
        Some(Ok(lines)) => view! {
            <div class="table-scroll" role="region" aria-label="Log lines" tabindex="0">
                <table class="table dense" id="log-lines">
                    <thead><tr><th scope="col">"Time (UTC)"</th><th scope="col">"Level"</th><th scope="col">"Record"</th><th scope="col">"What happened"</th></tr></thead>
                    <tbody>
                        {lines.into_iter().map(|l| {
                            let class = format!("log-{}", l.level);
                            view! {
                            <tr class=class>
                                <td>{clock(l.at)}</td>
                                <td>{l.level}</td>
                                <td>{l.record.unwrap_or_default()}</td>
                                <td>{l.message}</td>
                            </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any(),
    }
    };
    view! {
        <div class="log-lines" id="run-log" data-run-id=run.id.clone()>
            <h4>{title}</h4>
            <p>
                <a class="button" id="download-csv" href=csv rel="external"
                    download=format!("sync-log-{}.csv", run.id)>"Download CSV"</a>
                <span class="muted small">" The download has every line; this page shows the first ones."</span>
            </p>
            {lines}
        </div>
    }
}

/// The first ten runs, the open one as the latest poll saw it: its row moves with the bar.
fn with_open(runs: Vec<RunView>, open: Option<&RunView>) -> Vec<RunView> {
    runs.into_iter()
        .take(10)
        .map(|run| match open {
            Some(open) if open.id == run.id => open.clone(),
            _ => run,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::settings::Direction;

    fn run(id: &str, done: u32) -> RunView {
        RunView {
            id: id.into(),
            resource: SyncResource::Users,
            trigger: "manual".into(),
            full: true,
            direction: Direction::Both,
            state: RunState::Running,
            total: 40,
            done,
            created: done,
            updated: 0,
            deleted: 0,
            unchanged: 0,
            failed: 0,
            queued_at: 0,
            started_at: Some(0),
            finished_at: None,
            paused_until: None,
            message: None,
        }
    }

    #[test]
    fn the_open_runs_row_follows_the_latest_poll() {
        let listed = vec![run("b", 0), run("a", 40)];
        let rows = with_open(listed, Some(&run("b", 12)));
        assert_eq!((rows[0].done, rows[0].created), (12, 12));
        assert_eq!(rows[1].done, 40);
    }
}
