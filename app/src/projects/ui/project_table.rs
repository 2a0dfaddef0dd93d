//! The Procore project list: one row per project, and the pager.

use leptos::prelude::*;

use crate::projects::ProjectPage;
use crate::ui::{urlencode, Pager};

/// The project rows and the pager.
#[component]
pub(super) fn ProjectTable(page: ProjectPage, search: String) -> impl IntoView {
    let pages = page.page_count();
    let link = move |p: u32| {
        if search.is_empty() {
            format!("/projects?page={p}")
        } else {
            format!("/projects?q={}&page={p}", urlencode(&search))
        }
    };
    if page.projects.is_empty() {
        return view! {
            <section class="panel empty">
                <p>"No projects match your search."</p>
            </section>
        }
        .into_any();
    }
    let rows = page
        .projects
        .into_iter()
        .map(|p| {
            view! {
                <tr data-project-id=p.id.to_string()>
                    <td class="project-name">{p.name}</td>
                    <td>{p.number.unwrap_or_default()}</td>
                    <td>{p.stage.unwrap_or_default()}</td>
                    <td class="muted">{p.location.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let prev = (page.page > 1).then(|| link(page.page - 1));
    let next = (page.page < pages).then(|| link(page.page + 1));
    view! {
        <table class="projects">
            <thead>
                <tr>
                    <th scope="col">"Project"</th>
                    <th scope="col">"Number"</th>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"Location"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <Pager
            status=format!("Page {} of {} · {} projects", page.page, pages, page.total)
            previous=prev.map(|href| view! { <a class="button" href=href rel="prev">"Previous"</a> }).into_any()
            next=next.map(|href| view! { <a class="button" href=href rel="next">"Next"</a> }).into_any()
        />
    }
    .into_any()
}
