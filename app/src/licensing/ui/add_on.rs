//! What a licensed project without an add-on is shown where the add-on's feature would be:
//! what the add-on gives, and who can add it (company admins, under Manage Subscription on
//! the project's page; anyone else is told to ask one).

use leptos::prelude::*;

use crate::ids::ProjectId;
use crate::licensing::AddOn;

/// The notice for `add_on`; `admin` says whether the viewer can add it.
#[component]
pub fn AddOnMissing(add_on: AddOn, project: ProjectId, admin: bool) -> impl IntoView {
    let id = match add_on {
        AddOn::PlannerBoard => "planner-board-missing",
        AddOn::SafetyBadge => "safety-badge-missing",
    };
    let how = if admin {
        view! {
            <p>
                <a class="button primary" id={format!("{id}-add")} href={format!("/projects/{}#manage-title", project.get())}>
                    {format!("Add {} under Manage Subscription", add_on.name())}
                </a>
            </p>
        }
        .into_any()
    } else {
        view! {
            <p class="muted">{format!("Ask a company admin to add the {} add-on to this project.", add_on.name())}</p>
        }
        .into_any()
    };
    view! {
        <div class="panel notice add-on-missing" id=id role="status">
            <p>
                <strong>{add_on.needed()}</strong>
                " With it, "{add_on.unlocks()}
            </p>
            {how}
        </div>
    }
}
