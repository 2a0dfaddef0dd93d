//! Project Central: everything the browser and the server share — domain types and rules,
//! Leptos pages and components, and `#[server]` functions that are thin shims over the
//! server's services (reached through the ports in [`ports`]).
#![recursion_limit = "512"]

pub mod account;
pub mod badges;
pub mod billing;
#[macro_use]
pub mod bundle;
pub mod codec;
pub mod embedded;
pub mod error;
pub mod ids;
pub mod installs;
pub mod licensing;
pub mod onboarding;
pub mod planboard;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod privacy;
pub mod projects;
pub mod subscriptions;
pub mod sync;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options=bundle::for_request(options)/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The root component: stylesheet, title and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/project-central.css"/>
        <Title text="Project Central · Smartapp"/>
        <Router>
            <Routes fallback=ui::NotFound>
                <Route path=path!("") view=page!(main: account::Home)/>
                <Route path=path!("/projects") view=page!(main: projects::ProjectCentral)/>
                <Route path=path!("/projects/:id") view=page!(project: subscriptions::ProjectPage)/>
                <Route path=path!("/projects/:id/settings") view=page!(sync: sync::ProjectSettingsPage)/>
                <Route path=path!("/projects/:id/badges") view=page!(sync: badges::BadgesPage)/>
                <Route path=path!("/projects/:id/:section") view=page!(sync: sync::DirectoryPageView)/>
                <Route path=path!("/licensing") view=page!(wizard: licensing::LicensingWizard)/>
                // Async: the ids are checked with Procore before the first byte, so a refused
                // id answers 403/404 rather than a 200 with an error inside.
                <Route path=path!("/embedded/:company/:project") view=page!(main: embedded::EmbeddedPage) ssr=SsrMode::Async/>
                <Route path=path!("/embedded") view=page!(main: embedded::EmbeddedPage) ssr=SsrMode::Async/>
                <Route path=path!("/setup/:app") view=page!(main: onboarding::SetupPage)/>
                <Route path=path!("/get-started") view=page!(main: onboarding::GetStartedPage)/>
                <Route path=path!("/reconnect/:app") view=page!(main: installs::ReconnectPage)/>
                <Route path=path!("/account/delete-data") view=page!(main: privacy::DeleteDataPage)/>
                <Route path=path!("/billing") view=page!(main: billing::BillingPage)/>
                <Route path=path!("/auth/error") view=page!(main: account::AuthError)/>
                <Route path=path!("/account/disconnect") view=page!(main: account::DisconnectProcore)/>
            </Routes>
            <ui::SiteFooter/>
        </Router>
    }
}
