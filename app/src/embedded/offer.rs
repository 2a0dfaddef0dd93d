//! Which Procore app framed us (`?app=planner|safety`), and what an unlicensed project would
//! get: the modules, each with its add-on and monthly price, that app's module first.

use serde::{Deserialize, Serialize};

use crate::licensing::{Catalog, CatalogItem, Module};

/// The marketplace app whose iframe shows the view (Smartapp Planner or Smartapp Safety).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddedApp {
    /// Smartapp Planner.
    Planner,
    /// Smartapp Safety.
    Safety,
}

impl EmbeddedApp {
    /// Reads the `app` query parameter; anything else means "not said".
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value.map(str::trim) {
            Some("planner") => Some(Self::Planner),
            Some("safety") => Some(Self::Safety),
            _ => None,
        }
    }

    /// The module this app sells.
    pub fn module(self) -> Module {
        match self {
            Self::Planner => Module::Planner,
            Self::Safety => Module::Safety,
        }
    }
}

/// One module an unlicensed project could have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferLine {
    /// The module.
    pub module: Module,
    /// Its add-on's name.
    pub add_on: String,
    /// Module price per project per month.
    pub monthly_cents: i64,
    /// Add-on price per project per month (0 = included).
    pub add_on_monthly_cents: i64,
}

/// What a project could be licensed for, the framing app's module first.
pub fn offer(catalog: &Catalog, app: Option<EmbeddedApp>) -> Vec<OfferLine> {
    let mut modules = Module::ALL.to_vec();
    if let Some(app) = app {
        modules.sort_by_key(|m| *m != app.module());
    }
    modules
        .into_iter()
        .map(|module| {
            let (item, add_on) = match module {
                Module::Planner => (CatalogItem::Planner, CatalogItem::PlannerBoard),
                Module::Safety => (CatalogItem::Safety, CatalogItem::SafetyBadge),
            };
            OfferLine {
                module,
                add_on: module.add_on().name().to_string(),
                monthly_cents: catalog.monthly_cents(item).unwrap_or(0),
                add_on_monthly_cents: catalog.monthly_cents(add_on).unwrap_or(0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_parameter_is_planner_safety_or_nothing() {
        assert_eq!(
            EmbeddedApp::parse(Some("planner")),
            Some(EmbeddedApp::Planner)
        );
        assert_eq!(
            EmbeddedApp::parse(Some("safety")),
            Some(EmbeddedApp::Safety)
        );
        assert_eq!(EmbeddedApp::parse(Some("Safety; drop")), None);
        assert_eq!(EmbeddedApp::parse(None), None);
    }

    #[test]
    fn the_framing_apps_module_comes_first_with_catalog_prices() {
        let catalog = Catalog::default();
        let lines = offer(&catalog, Some(EmbeddedApp::Safety));
        assert_eq!(lines[0].module, Module::Safety);
        assert_eq!(lines[0].add_on, "Safety Badge");
        assert_eq!(
            lines[0].monthly_cents,
            catalog.monthly_cents(CatalogItem::Safety).unwrap()
        );
        assert_eq!(offer(&catalog, None)[0].module, Module::Planner);
        assert_eq!(offer(&catalog, Some(EmbeddedApp::Planner)).len(), 2);
    }
}
