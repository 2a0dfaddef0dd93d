//! Full Screen opened from the company's Apps menu: Procore gives no project, so the frame
//! lists the company's Smartapp projects the user may see (from our records), each with its
//! status line and opening its project view in the same frame.

use leptos::prelude::*;

use super::api::{EmbeddedCompany, EmbeddedProjectLine};
use super::offer::EmbeddedApp;

/// The frame's address of one project's view (the query form Procore uses).
pub(crate) fn project_href(
    line: &EmbeddedProjectLine,
    company: i64,
    app: Option<EmbeddedApp>,
) -> String {
    let app = match app {
        Some(EmbeddedApp::Planner) => "&app=planner",
        Some(EmbeddedApp::Safety) => "&app=safety",
        None => "",
    };
    format!(
        "/embedded?company_id={company}&project_id={}{app}",
        line.project
    )
}

/// A project's status line: its modules and add-ons, then its standing.
pub(crate) fn status_line(line: &EmbeddedProjectLine) -> String {
    let items: Vec<&str> = line.items.iter().map(|i| i.name()).collect();
    let items = if items.is_empty() {
        "No modules".to_string()
    } else {
        items.join(", ")
    };
    format!("{items} · {}", line.standing.label())
}

/// The company-level page.
#[component]
pub fn CompanyView(c: EmbeddedCompany, app: Option<EmbeddedApp>) -> impl IntoView {
    let company = c.company.get();
    let count = c.projects.len();
    let body = if c.projects.is_empty() {
        let action = if c.can_license {
            view! {
                <p>
                    <a class="button primary" id="embedded-company-license" href="/licensing" target="_blank" rel="noopener">
                        "License projects in Project Central"
                    </a>
                </p>
            }
            .into_any()
        } else {
            view! { <p class="muted">"Ask a Procore company admin to license the projects you work on."</p> }
                .into_any()
        };
        view! {
            <section class="embedded-card" id="embedded-company-empty">
                <h2>"No Smartapp projects yet"</h2>
                <p>"None of this company's projects that you can see in Procore is licensed for Smartapp."</p>
                {action}
            </section>
        }
        .into_any()
    } else {
        let rows = c
            .projects
            .iter()
            .map(|line| {
                let href = project_href(line, company, app);
                let status = status_line(line);
                view! {
                    <li data-project-id=line.project.get()>
                        <a class="embedded-company-project" href=href>{line.name.clone()}</a>
                        <span class=format!("standing {}", line.standing.css())>{status}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="embedded-card" id="embedded-company-projects" aria-labelledby="embedded-company-projects-title">
                <h2 id="embedded-company-projects-title">
                    {if count == 1 { "1 Smartapp project".to_string() } else { format!("{count} Smartapp projects") }}
                </h2>
                <ul class="embedded-company-list">{rows}</ul>
            </section>
        }
        .into_any()
    };
    view! {
        <header class="embedded-head">
            <p class="embedded-brand">"Smartapp"</p>
            <h1 id="embedded-company">{c.company_name.clone()}</h1>
        </header>
        {body}
        <p class="embedded-actions">
            <a class="button" id="open-in-project-central" href="/projects" target="_blank" rel="noopener">
                "Open Project Central"
            </a>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ProjectId;
    use crate::licensing::CatalogItem;
    use crate::subscriptions::Standing;

    #[test]
    fn a_line_names_its_modules_and_standing_and_links_its_view() {
        let line = EmbeddedProjectLine {
            project: ProjectId(42),
            name: "Tower".into(),
            items: vec![CatalogItem::Planner, CatalogItem::PlannerBoard],
            standing: Standing::PaymentPending,
        };
        assert_eq!(
            status_line(&line),
            format!(
                "{}, {} · Inactive: payment pending",
                CatalogItem::Planner.name(),
                CatalogItem::PlannerBoard.name()
            )
        );
        assert_eq!(
            project_href(&line, 7, Some(EmbeddedApp::Safety)),
            "/embedded?company_id=7&project_id=42&app=safety"
        );
        assert_eq!(
            project_href(&line, 7, None),
            "/embedded?company_id=7&project_id=42"
        );
    }
}
