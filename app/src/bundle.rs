//! Client bundles by area (README: client payload). One WASM with every page is more than a
//! browser should download for any one of them, so the WASM is built once per area from this
//! crate, and each page loads only its area's:
//!
//! - **main** (`project-central.wasm`): Project Central, billing, the embedded view inside
//!   Procore, onboarding, account pages (disconnect, delete data) and Reconnect;
//! - **wizard** (`project-central-wizard.wasm`, feature `bundle-wizard`): the licensing wizard;
//! - **project** (`project-central-project.wasm`, feature `bundle-project`): a project's page —
//!   its subscription and Plan Board;
//! - **sync** (`project-central-sync.wasm`, feature `bundle-sync`): a project's Procore
//!   settings and synced directory.
//!
//! The server renders every page and names, in the page's hydration scripts, the bundle that
//! holds it ([`for_request`]). On the client, a link to a page of another bundle reaches
//! [`OtherBundle`], which loads that page from the server (and so its bundle).

use leptos::prelude::*;

/// The client bundles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Every page the other two do not hold.
    Main,
    /// The licensing wizard.
    Wizard,
    /// A project's page.
    Project,
    /// A project's Procore settings and directory.
    Sync,
}

impl Bundle {
    /// Every bundle, the main one first.
    pub const ALL: [Bundle; 4] = [Bundle::Main, Bundle::Wizard, Bundle::Project, Bundle::Sync];

    /// The bundle whose client code hydrates the page at `path`: the same paths as the routes
    /// in [`crate::App`] (the router ignores a trailing slash).
    pub fn for_path(path: &str) -> Bundle {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        match segments.as_slice() {
            ["licensing"] => Bundle::Wizard,
            ["projects", id] if !id.is_empty() => Bundle::Project,
            ["projects", id, section] if !id.is_empty() && !section.is_empty() => Bundle::Sync,
            _ => Bundle::Main,
        }
    }

    /// The built files' name (`{name}.js`, `{name}.wasm` under the site's pkg folder), from
    /// the configured output name of the main bundle.
    pub fn output_name(self, main: &str) -> String {
        match self {
            Bundle::Main => main.to_string(),
            Bundle::Wizard => format!("{main}-wizard"),
            Bundle::Project => format!("{main}-project"),
            Bundle::Sync => format!("{main}-sync"),
        }
    }
}

/// The Leptos options for the page being rendered: the output name of the bundle that
/// hydrates it, so `<HydrationScripts>` loads that one.
#[cfg_attr(not(feature = "ssr"), allow(unused_mut))]
pub fn for_request(mut options: LeptosOptions) -> LeptosOptions {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        let name = Bundle::for_path(parts.uri.path()).output_name(&options.output_name);
        options.output_name = name.into();
    }
    options
}

/// A page of a bundle this one does not hold: reached only by a link followed on the client,
/// so it asks the server for the page (a full load), which brings that page's own bundle.
#[component]
pub fn OtherBundle() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        let href = with_query(
            &location.pathname.get_untracked(),
            &location.search.get_untracked(),
            &location.hash.get_untracked(),
        );
        // While the page is still hydrating it was served with this bundle, which would be a
        // server bug: never reload then (no loop), say so in the console.
        let body = document().body();
        if let Some(body) = body.filter(|b| b.has_attribute("data-hydrated")) {
            // Not interactive until the page has loaded (tests wait for the attribute).
            let _ = body.remove_attribute("data-hydrated");
            let _ = window().location().assign(&href);
        } else {
            leptos::logging::error!("{href} was served with the wrong client bundle");
        }
    }
    view! { <main class="page narrow" aria-busy="true"><p>"Loading…"</p></main> }
}

/// `path?search#hash`, whether the router gives `search` and `hash` with their leading `?`
/// and `#` or without (it strips the `?`).
pub fn with_query(path: &str, search: &str, hash: &str) -> String {
    let mut href = path.to_string();
    let search = search.trim_start_matches('?');
    if !search.is_empty() {
        href.push('?');
        href.push_str(search);
    }
    let hash = hash.trim_start_matches('#');
    if !hash.is_empty() {
        href.push('#');
        href.push_str(hash);
    }
    href
}

/// A route's view: the page itself where its code is built in (the server, and the client
/// bundle that holds it), [`OtherBundle`] in the other client bundles.
macro_rules! page {
    (wizard: $page:path) => {
        page!(@ any(feature = "ssr", feature = "bundle-wizard"), $page)
    };
    (project: $page:path) => {
        page!(@ any(feature = "ssr", feature = "bundle-project"), $page)
    };
    (sync: $page:path) => {
        page!(@ any(feature = "ssr", feature = "bundle-sync"), $page)
    };
    (main: $page:path) => {
        page!(@ any(
            feature = "ssr",
            not(any(feature = "bundle-wizard", feature = "bundle-project", feature = "bundle-sync"))
        ), $page)
    };
    (@ $here:meta, $page:path) => {
        || -> AnyView {
            #[cfg($here)]
            let view = $page().into_any();
            #[cfg(not($here))]
            let view = $crate::bundle::OtherBundle().into_any();
            view
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{with_query, Bundle};

    #[test]
    fn each_route_is_hydrated_by_the_bundle_that_holds_it() {
        assert_eq!(Bundle::for_path("/licensing"), Bundle::Wizard);
        assert_eq!(Bundle::for_path("/licensing/"), Bundle::Wizard);
        assert_eq!(Bundle::for_path("/projects/42"), Bundle::Project);
        assert_eq!(Bundle::for_path("/projects/42/"), Bundle::Project);
        for path in [
            "/projects/42/settings",
            "/projects/42/users",
            "/projects/x/locations/",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Sync, "{path}");
        }
        for path in [
            "/",
            "",
            "/projects",
            "/projects/",
            "/projects/1/2/3",
            "/licensing/x",
            "/Licensing",
            "/embedded/1/2",
            "/billing",
            "/account/delete-data",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Main, "{path}");
        }
        assert_eq!(
            with_query("/licensing", "module=safety", ""),
            "/licensing?module=safety"
        );
        assert_eq!(
            with_query("/licensing", "?module=safety", "#top"),
            "/licensing?module=safety#top"
        );
        assert_eq!(with_query("/licensing", "", "top"), "/licensing#top");
        assert_eq!(with_query("/projects", "?", "#"), "/projects");
        assert_eq!(Bundle::Wizard.output_name("pc"), "pc-wizard");
        assert_eq!(Bundle::Project.output_name("pc"), "pc-project");
        assert_eq!(Bundle::Sync.output_name("pc"), "pc-sync");
        assert_eq!(Bundle::Main.output_name("pc"), "pc");
    }
}
