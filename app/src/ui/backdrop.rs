//! Project Central behind the setup and get-started panels (seed 003: App Setup
//! Instructions opens "a new browser tab with Project Central in the background"): a
//! dimmed, blurred sketch of the Project Central page — its top bar and a grid of project
//! tiles — drawn in HTML and CSS (no image to download), hidden from assistive technology.

use leptos::prelude::*;

/// The tiles the sketch shows: (module label, whether it is Safety's colour).
const TILES: [(&str, bool); 6] = [
    ("Planner", false),
    ("Planner & Safety", true),
    ("Safety", true),
    ("Planner", false),
    ("Planner", false),
    ("Safety", true),
];

/// The decorative Project Central page behind a panel.
#[component]
pub fn ProjectCentralBackdrop() -> impl IntoView {
    let tiles = TILES
        .iter()
        .map(|(label, safety)| {
            view! {
                <div class="backdrop-tile">
                    <span class="backdrop-line wide"></span>
                    <span class="backdrop-line"></span>
                    <span class="backdrop-badge" class:safety=*safety>{*label}</span>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="pc-backdrop" aria-hidden="true">
            <div class="backdrop-bar"><span class="backdrop-brand">"Project Central"</span></div>
            <div class="backdrop-body">
                <span class="backdrop-title">"Smartapp projects"</span>
                <div class="backdrop-tiles">{tiles}</div>
            </div>
        </div>
    }
}
