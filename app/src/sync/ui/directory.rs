//! `/projects/:id/{team,locations,roles,users}`: one resource's entries with search and
//! paging, Add / Edit / Remove for admins, and the resource's Procore sync panel.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::entry_form::{noun, Editing, EntryForm};
use super::sync_panel::SyncPanel;
use super::{
    resource_of_section, section_href, section_title, DirectoryLinks, ProjectTopBar, SyncResource,
};
use crate::error::AppError;
use crate::ids::ProjectId;
use crate::sync::api::{
    directory_entries, load_sync_settings, remove_directory_entry, DirectoryPage, EntryChoices,
    EntryView, SyncOverview,
};
use crate::ui::{urlencode, ErrorPanel, NotFound, Pager, SearchBox};

/// A directory page; an unknown section is the not-found page.
#[component]
pub fn DirectoryPageView() -> impl IntoView {
    let project = super::project_in_route();
    let params = use_params_map();
    let resource = Memo::new(move |_| {
        params
            .read()
            .get("section")
            .and_then(|s| resource_of_section(&s))
    });
    let page = Memo::new(move |_| project.get().zip(resource.get()));
    // One dynamic child only: a nested one here leaves the server's markers and the
    // browser's out of step, and the page would not hydrate.
    move || match page.get() {
        Some((project, resource)) => {
            view! { <ProjectTopBar/> <Directory project resource/> }.into_any()
        }
        None => view! { <NotFound/> }.into_any(),
    }
}

/// The page of one resource of one project.
#[component]
fn Directory(project: ProjectId, resource: SyncResource) -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    // Bumped after a change here or a finished sync, to read the entries again.
    let version = RwSignal::new(0usize);
    // The head and sync panel come from the settings, so reading the entries again does
    // not redraw the panel (its progress, chosen log, or focus).
    let overview = Resource::new(|| (), move |_| load_sync_settings(project));
    let list = Resource::new(
        move || (search(), page(), version.get()),
        move |(search, page, _)| directory_entries(project, resource, search, page),
    );
    let editing = RwSignal::new(None::<Editing>);
    // What the form offers, from the latest page read.
    let choices = RwSignal::new(EntryChoices::default());
    Effect::new(move |_| {
        if let Some(Ok(p)) = list.get() {
            choices.set(p.choices);
        }
    });
    let notice = RwSignal::new(None::<String>);
    let on_finished = Callback::new(move |_| version.update(|n| *n += 1));
    let on_saved = Callback::new(move |entry: EntryView| {
        notice.set(Some(format!("Saved {}.", entry.label)));
        editing.set(None);
        version.update(|n| *n += 1);
    });
    let on_cancel = Callback::new(move |_| editing.set(None));
    let search_label = match resource {
        SyncResource::Locations => "Search locations",
        SyncResource::Companies => "Search companies",
        SyncResource::Roles => "Search roles",
        SyncResource::Users => "Search users",
    };
    view! {
        <main class="page sync-page">
            <Suspense fallback=|| view! { <p class="muted">"Loading the project…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! { <Head project resource overview=o on_finished/> }.into_any(),
                        Err(AppError::NotSignedIn) => ().into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <section class="directory" aria-labelledby="entries-title">
                <div class="page-head">
                    <h2 id="entries-title">{resource.label()}</h2>
                    <SearchBox initial=search() action=section_href(project, resource) id="entry-search"
                        label=search_label placeholder=search_label/>
                </div>
                <p class="directory-notice" role="status" id="directory-notice">{move || notice.get()}</p>
                // In its own element, so its marker stays clear of the list's Transition.
                <div class="entry-form-slot">
                    {move || editing.get().map(|editing| view! {
                        <EntryForm project resource editing choices=choices.get_untracked() on_saved on_cancel/>
                    })}
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(p) => view! { <EntryTable project page=p search=search() editing notice version/> }.into_any(),
                            // The head shows these already.
                            Err(AppError::NotSignedIn | AppError::NotFound(_) | AppError::Forbidden(_)) => ().into_any(),
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </main>
    }
}

/// The way back, the title, the links between the four pages and the sync panel.
#[component]
fn Head(
    project: ProjectId,
    resource: SyncResource,
    overview: SyncOverview,
    on_finished: Callback<()>,
) -> impl IntoView {
    let name = overview.project_name.clone();
    view! {
        <p class="breadcrumbs">
            <a href=format!("/projects/{project}")>{format!("← {name}")}</a>
            " · "
            <a href=format!("/projects/{project}/settings")>"Project settings"</a>
        </p>
        <div class="page-head">
            <h1>{section_title(resource)}<span class="muted">{format!(" · {name}")}</span></h1>
        </div>
        <DirectoryLinks project current=resource label="Project data"/>
        {(resource == SyncResource::Companies).then(|| view! {
            <p class="muted">
                "The companies on this project. Their people are on the "
                <a href=section_href(project, SyncResource::Users)>"Users"</a>
                " page, each with their company."
            </p>
        })}
        <SyncPanel project resource overview on_finished/>
    }
}

/// What a column shows: the entry's label, or one field.
#[derive(Clone, Copy)]
enum Column {
    Label(&'static str),
    Field(&'static str, &'static str),
}

/// The columns of each resource's list (the label first, as a row header).
fn columns(resource: SyncResource) -> &'static [Column] {
    use Column::{Field, Label};
    match resource {
        SyncResource::Locations => &[Label("Location")],
        SyncResource::Companies => &[
            Label("Company"),
            Field("abbreviated_name", "Abbreviation"),
            Field("trade_name", "Trade"),
            Field("business_phone", "Phone"),
            Field("email_address", "Email"),
        ],
        SyncResource::Users => &[
            Label("Name"),
            Field("email_address", "Email"),
            Field("job_title", "Job title"),
            Field("company", "Company"),
        ],
        SyncResource::Roles => &[
            Field("role", "Role"),
            Field("person", "Person"),
            Field("email_address", "Email"),
        ],
    }
}

/// The entries of one page, the pager, and for admins Add / Edit / Remove.
#[component]
fn EntryTable(
    project: ProjectId,
    page: DirectoryPage,
    search: String,
    editing: RwSignal<Option<Editing>>,
    notice: RwSignal<Option<String>>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let resource = page.resource;
    let can_edit = page.can_edit;
    let confirming = RwSignal::new(None::<String>);
    // Answers with the removed entry's label, for the notice.
    let remove = Action::new(move |(id, label): &(String, String)| {
        let (id, label) = (id.clone(), label.clone());
        async move {
            remove_directory_entry(project, resource, id)
                .await
                .map(|()| label)
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(label)) = remove.value().get() {
            notice.set(Some(format!("Removed {label}.")));
            confirming.set(None);
            version.update(|n| *n += 1);
        }
    });
    let add = can_edit.then(|| {
        view! {
            <button type="button" class="button" id="add-entry"
                on:click=move |_| { notice.set(None); editing.set(Some(Editing::default())); }>
                {format!("Add {}", noun(resource))}
            </button>
        }
    });
    let pages = page.total.div_ceil(u64::from(page.per_page.max(1))).max(1);
    let base = section_href(project, resource);
    let link = move |p: u64| {
        if search.is_empty() {
            format!("{base}?page={p}")
        } else {
            format!("{base}?q={}&page={p}", urlencode(&search))
        }
    };
    if page.entries.is_empty() {
        let words = if page.total == 0 && page.page <= 1 {
            format!("No {} yet.", resource.label().to_lowercase())
        } else {
            "Nothing matches your search.".to_string()
        };
        return view! {
            <div class="directory-tools">{add}</div>
            <section class="panel empty"><p>{words}</p></section>
        }
        .into_any();
    }
    let cols = columns(resource);
    let headers = cols
        .iter()
        .map(|c| match c {
            Column::Label(h) | Column::Field(_, h) => view! { <th scope="col">{*h}</th> },
        })
        .collect_view();
    let rows = page
        .entries
        .into_iter()
        .map(
            |entry| view! { <EntryRow project resource entry can_edit editing confirming remove/> },
        )
        .collect_view();
    let at = u64::from(page.page);
    let prev = (at > 1).then(|| link(at - 1));
    let next = (at < pages).then(|| link(at + 1));
    // A count of the project team is a count of its companies.
    let noun_plural = match resource {
        SyncResource::Companies => "companies".to_string(),
        _ => resource.label().to_lowercase(),
    };
    view! {
        <div class="directory-tools">{add}</div>
        {move || remove.value().get().and_then(Result::err).map(|e| view! {
            <p class="panel error" role="alert" id="remove-problem">{e.to_string()}</p>
        })}
        <div class="table-scroll" role="region" aria-labelledby="entries-title" tabindex="0">
            <table class="table entries" id="entries">
                <thead><tr>
                    {headers}
                    <th scope="col">"Procore"</th>
                    {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager
            status=format!("Page {} of {pages} · {} {noun_plural}", page.page, page.total)
            previous=prev.map(|href| view! { <a class="button" href=href rel="prev">"Previous"</a> }).into_any()
            next=next.map(|href| view! { <a class="button" href=href rel="next">"Next"</a> }).into_any()
        />
    }
    .into_any()
}

/// One entry: its columns, the "In Procore" badge, and Edit / Remove (with a confirm step).
#[component]
fn EntryRow(
    project: ProjectId,
    resource: SyncResource,
    entry: EntryView,
    can_edit: bool,
    editing: RwSignal<Option<Editing>>,
    confirming: RwSignal<Option<String>>,
    remove: Action<(String, String), Result<String, AppError>>,
) -> impl IntoView {
    let cells = columns(resource)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = match c {
                Column::Label(_) => entry.label.clone(),
                Column::Field(name, _) => entry.fields.get(*name).cloned().unwrap_or_default(),
            };
            let people = (resource == SyncResource::Companies && i == 0).then(|| {
                let href = format!(
                    "{}?q={}",
                    section_href(project, SyncResource::Users),
                    urlencode(&text)
                );
                view! { " " <a class="small" href=href aria-label=format!("People of {text}")>"People"</a> }
            });
            if i == 0 {
                view! { <th scope="row">{text.clone()}{people}</th> }.into_any()
            } else {
                view! { <td>{text}</td> }.into_any()
            }
        })
        .collect_view();
    let badge = entry
        .in_procore
        .then(|| view! { <span class="badge in-procore">"In Procore"</span> });
    let id = entry.id.clone();
    let actions = can_edit.then(|| {
        let (edit_entry, label) = (entry.clone(), entry.label.clone());
        let asking = {
            let id = id.clone();
            move || confirming.get().as_deref() == Some(id.as_str())
        };
        let ask = {
            let id = id.clone();
            move |_| confirming.set(Some(id.clone()))
        };
        let confirm = {
            let (id, label) = (id.clone(), label.clone());
            move |_| {
                remove.dispatch((id.clone(), label.clone()));
            }
        };
        let linked = entry.in_procore;
        view! {
            <td class="row-actions">
                <Show when=asking.clone() fallback=move || {
                    let edit_entry = edit_entry.clone();
                    let name = edit_entry.label.clone();
                    view! {
                        <button type="button" class="button-link edit-entry"
                            aria-label=format!("Edit {name}")
                            on:click=move |_| editing.set(Some(Editing::of(&edit_entry)))>"Edit"</button>
                        <button type="button" class="button-link remove-entry"
                            aria-label=format!("Remove {name}") on:click=ask.clone()>"Remove"</button>
                    }
                }>
                    <span class="confirm-remove" role="group" aria-label=format!("Remove {label}?")>
                        <span>{format!("Remove {label}?")}</span>
                        {linked.then_some(" It is removed from Procore too by the next sync that sends changes there.")}
                        " "
                        <button type="button" class="button danger confirm-remove-yes"
                            disabled=move || remove.pending().get() on:click=confirm.clone()>"Remove"</button>
                        <button type="button" class="button" on:click=move |_| confirming.set(None)>"Keep"</button>
                    </span>
                </Show>
            </td>
        }
    });
    view! {
        <tr data-entry-id=id>
            {cells}
            <td>{badge}</td>
            {actions}
        </tr>
    }
}
