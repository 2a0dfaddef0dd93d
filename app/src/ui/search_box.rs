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

/// Search input that updates the URL (and so the list on the page) as the user types.
#[component]
pub fn SearchBox(
    initial: String,
    /// The page whose `?q=` it sets.
    #[prop(into, default = "/projects".into())]
    action: String,
    /// The input's id.
    #[prop(default = "project-search")]
    id: &'static str,
    /// What it searches, for people who cannot see the page.
    #[prop(default = "Search projects")]
    label: &'static str,
    /// The hint inside the empty box.
    #[prop(default = "Search by project name")]
    placeholder: &'static str,
) -> impl IntoView {
    let navigate = use_navigate();
    let page = action.clone();
    let go = move |text: String| {
        let target = if text.trim().is_empty() {
            page.clone()
        } else {
            format!("{page}?q={}", urlencode(text.trim()))
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
            action=action
            on:submit=move |ev| {
                ev.prevent_default();
                go_now(text.get_untracked());
            }
        >
            <label for=id class="visually-hidden">{label}</label>
            <input
                id=id
                type="search"
                name="q"
                placeholder=placeholder
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
