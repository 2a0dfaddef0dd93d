//! Searching as the user types: the Project Central search box, and the debounce the
//! licensing wizard's search shares with it.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// Runs `run` with the latest text once the user has paused typing for `delay`; each new
/// keystroke cancels the previous wait, so the server sees one search per pause.
pub fn debounce(
    delay: Duration,
    run: impl Fn(String) + Clone + 'static,
) -> impl Fn(String) + Clone + 'static {
    let pending = StoredValue::new(None::<TimeoutHandle>);
    move |text: String| {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let run = run.clone();
        let handle = set_timeout_with_handle(move || run(text), delay).ok();
        pending.set_value(handle);
    }
}

/// Search input that updates the URL (and so the project list) as the user types.
#[component]
pub fn SearchBox(initial: String) -> impl IntoView {
    let navigate = use_navigate();
    let go = move |text: String| {
        let target = if text.trim().is_empty() {
            "/projects".to_string()
        } else {
            format!("/projects?q={}", urlencode(text.trim()))
        };
        navigate(
            &target,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let text = RwSignal::new(initial.clone());
    let go_now = go.clone();
    let go_later = debounce(Duration::from_millis(250), go);
    view! {
        <form
            class="search"
            role="search"
            method="get"
            action="/projects"
            on:submit=move |ev| {
                ev.prevent_default();
                go_now(text.get_untracked());
            }
        >
            <label for="project-search" class="visually-hidden">"Search projects"</label>
            <input
                id="project-search"
                type="search"
                name="q"
                placeholder="Search by project name"
                value=initial
                autocomplete="off"
                maxlength="100"
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    text.set(value.clone());
                    go_later(value);
                }
            />
            <button type="submit" class="button">"Search"</button>
        </form>
    }
}

/// Encodes text for a query-string value.
pub fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
