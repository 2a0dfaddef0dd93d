//! What a change to one project's subscription means: which priced items go up now (and
//! are charged, prorated), which go down now without credit (the project keeps them until
//! the paid period ends), and what the project holds afterwards. Pure rules, shared by the
//! Manage Subscription panel and the server, which re-checks every request with them.

use serde::{Deserialize, Serialize};

use crate::licensing::{AddOn, BillingInterval, CatalogItem, Module, ProjectLicense};

/// What an admin asks for one licensed project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeRequest {
    /// Renew with exactly these modules and add-ons (additions start now and are charged;
    /// removals end with the paid period).
    Modules {
        /// The modules and add-ons wanted.
        license: ProjectLicense,
    },
    /// End the project's subscription when the paid period ends.
    End,
    /// Take back a pending removal, end or interval switch.
    Undo,
    /// Renew in the other interval from the end of the paid period.
    SwitchInterval {
        /// The interval wanted.
        to: BillingInterval,
    },
}

/// What the project holds now and what renews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// Modules the project may use now (paid for this period).
    pub current: ProjectLicense,
    /// Modules that renew at the period end (fewer after a removal; none after End).
    pub renewing: ProjectLicense,
    /// The interval the project is billed in now.
    pub interval: BillingInterval,
    /// Set when the project moves to the other interval at the period end.
    pub switching_to: Option<BillingInterval>,
}

/// The kind of a planned change, for wording and for the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Something is added now (charged now, prorated).
    Addition,
    /// Something is removed at the period end (no credit).
    Removal,
    /// The whole project ends at the period end.
    End,
    /// A pending removal, end or switch is taken back.
    Undo,
    /// The project renews in the other interval.
    Switch,
}

impl ChangeKind {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Addition => "addition",
            Self::Removal => "removal",
            Self::End => "end",
            Self::Undo => "undo",
            Self::Switch => "switch",
        }
    }
}

/// A change the rules allow, and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// What kind of change it is.
    pub kind: ChangeKind,
    /// Items the project starts paying for now (a prorated charge).
    pub added: Vec<CatalogItem>,
    /// Items that stop renewing (no credit; kept until the period end).
    pub removed: Vec<CatalogItem>,
    /// Items taken back from a pending removal (no charge: already paid this period).
    pub restored: Vec<CatalogItem>,
    /// The project's terms once Stripe confirms.
    pub after: Terms,
}

/// Why a change is refused, in words an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeProblem {
    /// The request changes nothing.
    #[error("That is what this project already has.")]
    Nothing,
    /// An add-on without its module.
    #[error("{add_on} needs {module}: choose {module} too, or leave {add_on} off.")]
    AddOnWithoutModule {
        /// The add-on.
        add_on: AddOn,
        /// The module it needs.
        module: Module,
    },
    /// No module left: that is ending the subscription.
    #[error("A project keeps at least Planner or Safety. To stop paying for this project, use End subscription.")]
    NoModule,
    /// Additions and removals at once.
    #[error("Add and remove in two steps: additions are charged now, removals take effect at the end of the paid period.")]
    Mixed,
    /// The project is already ending.
    #[error("This project's subscription already ends with the paid period. Undo that first.")]
    AlreadyEnding,
    /// A switch is pending and modules would change.
    #[error("This project moves to {0} billing at the end of the paid period. Undo the switch before changing modules.")]
    SwitchPending(&'static str),
    /// Switching to the interval it already has.
    #[error("This project is already billed {0}.")]
    SameInterval(&'static str),
}

fn has(license: &ProjectLicense, item: CatalogItem) -> bool {
    match item {
        CatalogItem::Planner => license.planner,
        CatalogItem::Safety => license.safety,
        CatalogItem::PlannerBoard => license.planner && license.planner_board,
        CatalogItem::SafetyBadge => license.safety && license.safety_badge,
    }
}

/// The priced items a licence holds, in quote order.
pub fn items_of(license: &ProjectLicense) -> Vec<CatalogItem> {
    CatalogItem::ALL
        .into_iter()
        .filter(|i| has(license, *i))
        .collect()
}

/// The licence holding both `a`'s and `b`'s items.
fn union(a: &ProjectLicense, b: &ProjectLicense) -> ProjectLicense {
    ProjectLicense {
        planner: a.planner || b.planner,
        planner_board: has(a, CatalogItem::PlannerBoard) || has(b, CatalogItem::PlannerBoard),
        safety: a.safety || b.safety,
        safety_badge: has(a, CatalogItem::SafetyBadge) || has(b, CatalogItem::SafetyBadge),
    }
}

/// The gating rules of the wizard, on a wanted licence.
pub fn check_license(license: &ProjectLicense) -> Result<(), ChangeProblem> {
    for add_on in AddOn::ALL {
        let flag = match add_on {
            AddOn::PlannerBoard => license.planner_board,
            AddOn::SafetyBadge => license.safety_badge,
        };
        if flag && !license.has_module(add_on.requires()) {
            return Err(ChangeProblem::AddOnWithoutModule {
                add_on,
                module: add_on.requires(),
            });
        }
    }
    if !license.is_licensed() {
        return Err(ChangeProblem::NoModule);
    }
    Ok(())
}

/// Plans `request` for a project with `terms`, or says why it cannot be done.
pub fn plan(terms: &Terms, request: ChangeRequest) -> Result<Plan, ChangeProblem> {
    let ending = items_of(&terms.renewing).is_empty();
    match request {
        ChangeRequest::Modules { license } => {
            check_license(&license)?;
            if ending {
                return Err(ChangeProblem::AlreadyEnding);
            }
            if let Some(to) = terms.switching_to {
                return Err(ChangeProblem::SwitchPending(to.as_str()));
            }
            let wanted = items_of(&license);
            let renewing = items_of(&terms.renewing);
            let gained: Vec<_> = wanted
                .iter()
                .copied()
                .filter(|i| !renewing.contains(i))
                .collect();
            let removed: Vec<_> = renewing
                .iter()
                .copied()
                .filter(|i| !wanted.contains(i))
                .collect();
            match (gained.is_empty(), removed.is_empty()) {
                (true, true) => Err(ChangeProblem::Nothing),
                (false, false) => Err(ChangeProblem::Mixed),
                (false, true) => {
                    let (restored, added) =
                        gained.into_iter().partition(|i| has(&terms.current, *i));
                    Ok(Plan {
                        kind: ChangeKind::Addition,
                        added,
                        removed: vec![],
                        restored,
                        after: Terms {
                            current: union(&terms.current, &license),
                            renewing: license,
                            ..*terms
                        },
                    })
                }
                (true, false) => Ok(Plan {
                    kind: ChangeKind::Removal,
                    added: vec![],
                    removed,
                    restored: vec![],
                    after: Terms {
                        renewing: license,
                        ..*terms
                    },
                }),
            }
        }
        ChangeRequest::End => {
            if ending {
                return Err(ChangeProblem::AlreadyEnding);
            }
            Ok(Plan {
                kind: ChangeKind::End,
                added: vec![],
                removed: items_of(&terms.renewing),
                restored: vec![],
                after: Terms {
                    renewing: ProjectLicense::default(),
                    switching_to: None,
                    ..*terms
                },
            })
        }
        ChangeRequest::Undo => {
            let restored: Vec<_> = items_of(&terms.current)
                .into_iter()
                .filter(|i| !has(&terms.renewing, *i))
                .collect();
            if restored.is_empty() && terms.switching_to.is_none() {
                return Err(ChangeProblem::Nothing);
            }
            Ok(Plan {
                kind: ChangeKind::Undo,
                added: vec![],
                removed: vec![],
                restored,
                after: Terms {
                    renewing: terms.current,
                    switching_to: None,
                    ..*terms
                },
            })
        }
        ChangeRequest::SwitchInterval { to } => {
            if ending {
                return Err(ChangeProblem::AlreadyEnding);
            }
            if to == terms.interval || terms.switching_to == Some(to) {
                return Err(ChangeProblem::SameInterval(to.as_str()));
            }
            Ok(Plan {
                kind: ChangeKind::Switch,
                added: vec![],
                removed: vec![],
                restored: vec![],
                after: Terms {
                    switching_to: Some(to),
                    ..*terms
                },
            })
        }
    }
}

/// The names of items, joined for a sentence: "Planner and Safety Badge".
pub fn names(items: &[CatalogItem]) -> String {
    let names: Vec<&str> = items.iter().map(|i| i.name()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[path = "change_tests.rs"]
mod tests;
