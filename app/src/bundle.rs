//! Two client bundles (README: client payload). The licensing wizard is most of the client
//! code, and only admins onboarding projects use it; everyone else — the embedded view inside
//! Procore above all — should not download it. So the WASM is built twice from this crate:
//!
//! - **main** (`project-central.wasm`): every page but the wizard;
//! - **wizard** (`project-central-wizard.wasm`, feature `bundle-wizard`): the wizard alone.
//!
//! The server renders every page and names, in the page's hydration scripts, the bundle that
//! holds it ([`for_request`]). On the client, a link to a page of the other bundle reaches
//! [`OtherBundle`], which loads that page from the server (and so its bundle).

use leptos::prelude::*;

/// The client bundles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Every page but the wizard.
    Main,
    /// The licensing wizard.
    Wizard,
}

impl Bundle {
    /// The bundle whose client code hydrates the page at `path`: the same paths as the routes
    /// in [`crate::App`] (the router ignores a trailing slash).
    pub fn for_path(path: &str) -> Bundle {
        match path.trim_end_matches('/') {
            "/licensing" => Bundle::Wizard,
            _ => Bundle::Main,
        }
    }

    /// The built files' name (`{name}.js`, `{name}.wasm` under the site's pkg folder), from
    /// the configured output name of the main bundle.
    pub fn output_name(self, main: &str) -> String {
        match self {
            Bundle::Main => main.to_string(),
            Bundle::Wizard => format!("{main}-wizard"),
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
        let href = format!(
            "{}{}{}",
            location.pathname.get_untracked(),
            location.search.get_untracked(),
            location.hash.get_untracked()
        );
        // While the page is still hydrating it was served with this bundle, which would be a
        // server bug: never reload then (no loop), say so in the console.
        let hydrated = document()
            .body()
            .is_some_and(|body| body.has_attribute("data-hydrated"));
        if hydrated {
            let _ = window().location().assign(&href);
        } else {
            leptos::logging::error!("{href} was served with the wrong client bundle");
        }
    }
    view! { <main class="page narrow" aria-busy="true"><p>"Loading…"</p></main> }
}

/// A route's view: the page itself where its code is built in (the server, and the client
/// bundle that holds it), [`OtherBundle`] in the other client bundle.
macro_rules! page {
    (wizard: $page:path) => {
        || -> AnyView {
            #[cfg(any(feature = "ssr", feature = "bundle-wizard"))]
            let view = $page().into_any();
            #[cfg(not(any(feature = "ssr", feature = "bundle-wizard")))]
            let view = $crate::bundle::OtherBundle().into_any();
            view
        }
    };
    (main: $page:path) => {
        || -> AnyView {
            #[cfg(any(feature = "ssr", not(feature = "bundle-wizard")))]
            let view = $page().into_any();
            #[cfg(not(any(feature = "ssr", not(feature = "bundle-wizard"))))]
            let view = $crate::bundle::OtherBundle().into_any();
            view
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn only_the_wizard_route_loads_the_wizard_bundle() {
        assert_eq!(Bundle::for_path("/licensing"), Bundle::Wizard);
        assert_eq!(Bundle::for_path("/licensing/"), Bundle::Wizard);
        for path in [
            "/",
            "/projects",
            "/licensing/x",
            "/Licensing",
            "/embedded/1/2",
            "/billing",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Main, "{path}");
        }
        assert_eq!(Bundle::Wizard.output_name("pc"), "pc-wizard");
        assert_eq!(Bundle::Main.output_name("pc"), "pc");
    }
}
