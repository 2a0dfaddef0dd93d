//! Marketplace apps and their installs per company (procore-api.md §8–9, market.md §1.7).
//!
//! Each [`MarketplaceApp`] is its own Procore app with its own OAuth client. An app is
//! installed (or not) per company; while it is uninstalled, every `/rest` call naming that
//! company with a token of the app's client answers 403 "App is not connected to this
//! company". Embedded apps also carry configurations: which projects they apply to.
// Helpers return the finished error page: its size does not matter on these paths.
#![allow(clippy::result_large_err)]

mod configurations;
mod installations;
pub mod manifest;
pub(crate) mod switches;

use std::collections::HashMap;

use serde_json::{json, Value};

use super::seed::{iso_timestamp, Permitted, Seed, APP_INSTALLATION_ID};
use super::tokens::unix_now;
use super::{OAuthClient, ProcoreOptions};

pub(crate) use configurations::{
    create as create_configuration, destroy as destroy_configuration, list as list_configurations,
    show as show_configuration, update as update_configuration,
};
pub(crate) use installations::list as list_installations;

/// The error body Procore sends once an app is disconnected from a company.
pub(crate) const NOT_CONNECTED: &str = "App is not connected to this company";
/// Ids of seeded configurations start here (created ones take the shared id counter).
const FIRST_CONFIGURATION_ID: i64 = 7_310_000_000;
/// When the seeded installs happened (2024-01-15T12:00:00Z).
const SEEDED_INSTALL_AT: u64 = 1_705_320_000;

/// One app listed on the Marketplace: an OAuth client plus the embedded components of its
/// manifest (`manifests/smartapp-{key}.json`, read by [`manifest`]).
#[derive(Clone, Debug)]
pub struct MarketplaceApp {
    /// Short key used in URLs (`planner`, `safety`).
    pub key: String,
    /// Listing name (no "Procore" in it, market.md §1.4), e.g. "Smartapp Planner".
    pub name: String,
    /// The app's OAuth client; also accepted by `/oauth/*`.
    pub client: OAuthClient,
    /// Full-screen component URL with `{{procore.company.id}}`, `{{procore.project.id}}`
    /// (and optionally `{{procore.company.name}}` / `{{procore.project.name}}`).
    pub fullscreen_url: String,
    /// Side-panel component URL (None: the app has no side panel).
    pub sidepanel_url: Option<String>,
    /// The view keys the side panel is offered on.
    pub sidepanel_views: Vec<String>,
    /// The components `app_installations` lists (`oauth`, `fullscreen`, `sidepanel`).
    pub components: Vec<String>,
    /// The Instructions URL shown after install and in App Management.
    pub instructions_url: String,
    /// Label of the Instructions URL link ("App Setup Instructions").
    pub instructions_label: String,
    /// Post-installation notes shown right after install.
    pub notes: String,
}

impl MarketplaceApp {
    /// One of Project Central's two apps served by the app at `app_base_url` (no trailing
    /// slash): `key` "planner" or "safety", read from its manifest with the manifest's host
    /// replaced by `app_base_url` (any other key gets the same shape with its own key).
    pub fn smartapp(key: &str, app_base_url: &str, client: OAuthClient) -> Self {
        let base = app_base_url.trim_end_matches('/');
        let title = match key {
            "planner" => "Planner".to_owned(),
            "safety" => "Safety".to_owned(),
            other => {
                let mut c = other.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        };
        let m = manifest::of(key).unwrap_or_else(|| manifest::of("planner").expect("planner"));
        // Another key than ours: the Planner manifest's shape under that key.
        let own = |text: &str| {
            if manifest::of(key).is_some() {
                text.to_owned()
            } else {
                text.replace("app=planner", &format!("app={key}"))
                    .replace("/setup/planner", &format!("/setup/{key}"))
                    .replace("Planner", &title)
            }
        };
        let post = &m.post_installation_instruction;
        let fullscreen = m.components.fullscreen.as_ref();
        let side = m.components.sidepanel.as_ref();
        Self {
            key: key.to_owned(),
            name: format!("Smartapp {title}"),
            client,
            fullscreen_url: fullscreen
                .map(|f| own(&manifest::rebase(&f.source_url, base)))
                .unwrap_or_default(),
            sidepanel_url: side.map(|s| own(&manifest::rebase(&s.source_url, base))),
            sidepanel_views: side.map(|s| s.views.clone()).unwrap_or_default(),
            components: m.component_names().iter().map(|c| c.to_string()).collect(),
            instructions_url: own(&manifest::rebase(&post.page.url, base)),
            instructions_label: post.page.label.clone(),
            notes: own(&post.notes),
        }
    }

    /// Smartapp Planner.
    pub fn planner(app_base_url: &str, client: OAuthClient) -> Self {
        Self::smartapp("planner", app_base_url, client)
    }

    /// Smartapp Safety.
    pub fn safety(app_base_url: &str, client: OAuthClient) -> Self {
        Self::smartapp("safety", app_base_url, client)
    }

    /// The full-screen URL for one project, `{{…}}` interpolated (names URI-encoded).
    pub fn fullscreen_url_for(
        &self,
        company_id: i64,
        company_name: &str,
        project_id: i64,
        project_name: &str,
    ) -> String {
        manifest::interpolate(
            &self.fullscreen_url,
            manifest::Place {
                company: (company_id, company_name),
                project: Some((project_id, project_name)),
            },
        )
    }

    /// A component URL template interpolated for `place` (at company level the project's
    /// values are empty, as Procore leaves them).
    pub fn url_for(&self, template: &str, place: manifest::Place<'_>) -> String {
        manifest::interpolate(template, place)
    }
}

impl ProcoreOptions {
    /// Registers Smartapp Planner and Smartapp Safety, served by the app at `app_base_url`
    /// (e.g. `http://127.0.0.1:3000`), each with its own OAuth client, in place of the
    /// default apps. `clients` is left alone: its clients stay valid (and never uninstalled).
    pub fn with_smartapp_apps(
        mut self,
        app_base_url: &str,
        planner: OAuthClient,
        safety: OAuthClient,
    ) -> Self {
        self.apps = vec![
            MarketplaceApp::planner(app_base_url, planner),
            MarketplaceApp::safety(app_base_url, safety),
        ];
        self
    }
}

/// The default apps: Planner on the default client, Safety on its own local client.
pub(crate) fn default_apps(legacy: &OAuthClient) -> Vec<MarketplaceApp> {
    let safety = OAuthClient {
        client_id: "smartapp-safety-local".into(),
        client_secret: "smartapp-safety-local-secret".into(),
        redirect_uris: legacy.redirect_uris.clone(),
    };
    vec![
        MarketplaceApp::planner("http://127.0.0.1:3000", legacy.clone()),
        MarketplaceApp::safety("http://127.0.0.1:3000", safety),
    ]
}

/// `clients` followed by each app's client whose id is not already listed.
pub(crate) fn registry(opts: &ProcoreOptions) -> Vec<OAuthClient> {
    let mut all = opts.clients.clone();
    for app in &opts.apps {
        if !all.iter().any(|c| c.client_id == app.client.client_id) {
            all.push(app.client.clone());
        }
    }
    all
}

/// One app's install record in one company.
#[derive(Clone, Debug)]
pub(crate) struct Install {
    pub id: i64,
    pub installed: bool,
    pub installed_at: String,
    pub uninstalled_at: Option<String>,
    pub installer: (i64, String),
}

/// An embedded-app configuration (procore-api.md §8.6).
#[derive(Clone, Debug)]
pub(crate) struct Configuration {
    pub id: i64,
    pub app_installation_id: i64,
    pub company_id: i64,
    pub title: String,
    pub instance_configuration: Value,
    pub project_ids: Vec<i64>,
    pub applies_to_all_projects: bool,
    pub applies_to_company: bool,
}

impl Configuration {
    /// Procore's JSON shape.
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "app_installation_id": self.app_installation_id,
            "company_id": self.company_id,
            "title": self.title,
            "instance_configuration": self.instance_configuration,
            "project_ids": self.project_ids,
            "applies_to_all_projects": self.applies_to_all_projects,
            "applies_to_company": self.applies_to_company,
        })
    }

    /// True when the configuration covers the project.
    pub fn covers(&self, project_id: i64) -> bool {
        self.applies_to_all_projects || self.project_ids.contains(&project_id)
    }
}

/// Installs (by company, then app key) and configurations of every company.
pub(crate) struct Installs {
    by_company: HashMap<i64, HashMap<String, Install>>,
    pub configurations: Vec<Configuration>,
}

impl Installs {
    /// Every app installed in every seeded company by its first admin; one configuration per
    /// company for the first app, listing the service account's permitted projects.
    pub fn seeded(seed: &Seed, apps: &[MarketplaceApp]) -> Self {
        let mut by_company = HashMap::new();
        let mut configurations = Vec::new();
        for (ci, company) in seed.companies.iter().enumerate() {
            let installer = seed
                .users
                .iter()
                .find(|u| {
                    u.memberships
                        .iter()
                        .any(|m| m.company_id == company.id && m.admin)
                })
                .map(|u| (u.id, u.name.clone()))
                .unwrap_or((0, "Company Admin".into()));
            let installs: HashMap<String, Install> = apps
                .iter()
                .enumerate()
                .map(|(ai, app)| {
                    let install = Install {
                        id: installation_id(ci, ai),
                        installed: true,
                        installed_at: iso_timestamp(SEEDED_INSTALL_AT as i64),
                        uninstalled_at: None,
                        installer: installer.clone(),
                    };
                    (app.key.clone(), install)
                })
                .collect();
            by_company.insert(company.id, installs);
            let (all, mut ids) = match seed.dmsa_permitted(company.id) {
                Some(Permitted::All) => (true, Vec::new()),
                Some(Permitted::Only(ids)) => (false, ids.iter().copied().collect()),
                None => continue,
            };
            ids.sort_unstable();
            configurations.push(Configuration {
                id: FIRST_CONFIGURATION_ID + configurations.len() as i64,
                // Without apps, the one data-connection installation of old.
                app_installation_id: if apps.is_empty() {
                    APP_INSTALLATION_ID
                } else {
                    installation_id(ci, 0)
                },
                company_id: company.id,
                title: "Project Central data connection".into(),
                instance_configuration: json!({}),
                project_ids: ids,
                applies_to_all_projects: all,
                applies_to_company: true,
            });
        }
        Self {
            by_company,
            configurations,
        }
    }

    /// The install of app `key` in a company.
    pub fn get(&self, company_id: i64, key: &str) -> Option<&Install> {
        self.by_company.get(&company_id)?.get(key)
    }

    /// True when app `key` is installed in the company.
    pub fn is_installed(&self, company_id: i64, key: &str) -> bool {
        self.get(company_id, key).is_some_and(|i| i.installed)
    }

    /// Installs (or reinstalls) app `key`; false when the company or app is unknown.
    pub fn install(&mut self, company_id: i64, key: &str, installer: (i64, String)) -> bool {
        let Some(install) = self
            .by_company
            .get_mut(&company_id)
            .and_then(|m| m.get_mut(key))
        else {
            return false;
        };
        if !install.installed {
            install.installed = true;
            install.installed_at = iso_timestamp(unix_now() as i64);
            install.uninstalled_at = None;
            install.installer = installer;
        }
        true
    }

    /// Uninstalls app `key`; its configurations are kept for a reinstall.
    pub fn uninstall(&mut self, company_id: i64, key: &str) -> bool {
        let Some(install) = self
            .by_company
            .get_mut(&company_id)
            .and_then(|m| m.get_mut(key))
        else {
            return false;
        };
        if install.installed {
            install.installed = false;
            install.uninstalled_at = Some(iso_timestamp(unix_now() as i64));
        }
        true
    }

    /// The app key owning an installation id, with its company.
    pub fn by_installation(&self, id: i64) -> Option<(i64, &str)> {
        self.by_company.iter().find_map(|(company, apps)| {
            apps.iter()
                .find(|(_, i)| i.id == id)
                .map(|(key, _)| (*company, key.as_str()))
        })
    }

    /// Configurations of a company, in id order.
    pub fn configurations_of(&self, company_id: i64) -> impl Iterator<Item = &Configuration> {
        self.configurations
            .iter()
            .filter(move |c| c.company_id == company_id)
    }
}

/// Stable id of app number `app` in company number `company` (the first is the old
/// [`APP_INSTALLATION_ID`]).
fn installation_id(company: usize, app: usize) -> i64 {
    APP_INSTALLATION_ID + 100 * company as i64 + app as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> OAuthClient {
        OAuthClient {
            client_id: "c".into(),
            client_secret: "s".into(),
            redirect_uris: Vec::new(),
        }
    }

    #[test]
    fn the_apps_read_their_manifests() {
        for (key, json) in [
            ("planner", manifest::PLANNER_JSON),
            ("safety", manifest::SAFETY_JSON),
        ] {
            let m = manifest::Manifest::parse(json).unwrap();
            let app = MarketplaceApp::smartapp(key, "http://127.0.0.1:3000", client());
            let post = &m.post_installation_instruction;
            assert_eq!(
                app.notes, post.notes,
                "the install notes are the manifest's"
            );
            assert_eq!(app.instructions_label, post.page.label);
            assert_eq!(
                app.instructions_url,
                format!("http://127.0.0.1:3000/setup/{key}")
            );
            assert_eq!(
                app.fullscreen_url,
                manifest::rebase(
                    &m.components.fullscreen.as_ref().unwrap().source_url,
                    "http://127.0.0.1:3000"
                )
            );
            let side = m.components.sidepanel.as_ref().unwrap();
            assert_eq!(
                app.sidepanel_url.as_deref(),
                Some(manifest::rebase(&side.source_url, "http://127.0.0.1:3000").as_str())
            );
            assert_eq!(app.sidepanel_views, side.views);
            assert_eq!(
                app.fullscreen_url_for(1, "A", 2, "B"),
                format!("http://127.0.0.1:3000/embedded?company_id=1&project_id=2&app={key}")
            );
        }
    }
}
