use super::*;

fn lic(planner: bool, board: bool, safety: bool, badge: bool) -> ProjectLicense {
    ProjectLicense {
        planner,
        planner_board: board,
        safety,
        safety_badge: badge,
    }
}

fn terms(current: ProjectLicense, renewing: ProjectLicense) -> Terms {
    Terms {
        current,
        renewing,
        interval: BillingInterval::Monthly,
        switching_to: None,
    }
}

#[test]
fn adding_a_module_is_an_addition_charged_now() {
    let t = terms(
        lic(true, false, false, false),
        lic(true, false, false, false),
    );
    let p = plan(
        &t,
        ChangeRequest::Modules {
            license: lic(true, false, true, false),
        },
    )
    .unwrap();
    assert_eq!(p.kind, ChangeKind::Addition);
    assert_eq!(p.added, vec![CatalogItem::Safety]);
    assert!(p.restored.is_empty());
    assert_eq!(p.after.current, lic(true, false, true, false));
}

#[test]
fn removing_an_add_on_keeps_it_until_the_period_end() {
    let both = lic(true, true, false, false);
    let p = plan(
        &terms(both, both),
        ChangeRequest::Modules {
            license: lic(true, false, false, false),
        },
    )
    .unwrap();
    assert_eq!(p.kind, ChangeKind::Removal);
    assert_eq!(p.removed, vec![CatalogItem::PlannerBoard]);
    assert_eq!(p.after.current, both, "kept until the period ends");
    assert_eq!(p.after.renewing, lic(true, false, false, false));
}

#[test]
fn re_adding_a_pending_removal_is_restored_without_charge() {
    let t = terms(
        lic(true, true, false, false),
        lic(true, false, false, false),
    );
    let p = plan(
        &t,
        ChangeRequest::Modules {
            license: lic(true, true, true, false),
        },
    )
    .unwrap();
    assert_eq!(p.restored, vec![CatalogItem::PlannerBoard]);
    assert_eq!(p.added, vec![CatalogItem::Safety]);
}

#[test]
fn gating_rules_and_mixed_changes_are_refused() {
    let t = terms(
        lic(true, false, false, false),
        lic(true, false, false, false),
    );
    let board_alone = ChangeRequest::Modules {
        license: lic(false, true, true, false),
    };
    assert!(matches!(
        plan(&t, board_alone),
        Err(ChangeProblem::AddOnWithoutModule { .. })
    ));
    let nothing = ChangeRequest::Modules {
        license: lic(false, false, false, false),
    };
    assert_eq!(plan(&t, nothing), Err(ChangeProblem::NoModule));
    let swap = ChangeRequest::Modules {
        license: lic(false, false, true, false),
    };
    assert_eq!(plan(&t, swap), Err(ChangeProblem::Mixed));
    let same = ChangeRequest::Modules {
        license: lic(true, false, false, false),
    };
    assert_eq!(plan(&t, same), Err(ChangeProblem::Nothing));
}

#[test]
fn end_then_undo() {
    let l = lic(false, false, true, true);
    let ended = plan(&terms(l, l), ChangeRequest::End).unwrap();
    assert_eq!(ended.kind, ChangeKind::End);
    assert_eq!(
        ended.removed,
        vec![CatalogItem::Safety, CatalogItem::SafetyBadge]
    );
    assert!(items_of(&ended.after.renewing).is_empty());
    assert_eq!(
        plan(&ended.after, ChangeRequest::End),
        Err(ChangeProblem::AlreadyEnding)
    );
    let undone = plan(&ended.after, ChangeRequest::Undo).unwrap();
    assert_eq!(undone.kind, ChangeKind::Undo);
    assert_eq!(undone.restored, ended.removed);
    assert_eq!(undone.after.renewing, l);
    assert_eq!(
        plan(&terms(l, l), ChangeRequest::Undo),
        Err(ChangeProblem::Nothing)
    );
}

#[test]
fn switching_interval_waits_for_the_period_end() {
    let l = lic(true, false, false, false);
    let t = terms(l, l);
    let yearly = ChangeRequest::SwitchInterval {
        to: BillingInterval::Yearly,
    };
    let p = plan(&t, yearly).unwrap();
    assert_eq!(p.kind, ChangeKind::Switch);
    assert_eq!(p.after.switching_to, Some(BillingInterval::Yearly));
    assert_eq!(p.after.current, l);
    assert!(matches!(
        plan(&p.after, yearly),
        Err(ChangeProblem::SameInterval(_))
    ));
    let more = ChangeRequest::Modules {
        license: lic(true, true, false, false),
    };
    assert!(matches!(
        plan(&p.after, more),
        Err(ChangeProblem::SwitchPending("yearly"))
    ));
    assert_eq!(
        plan(&p.after, ChangeRequest::Undo)
            .unwrap()
            .after
            .switching_to,
        None
    );
    let monthly = ChangeRequest::SwitchInterval {
        to: BillingInterval::Monthly,
    };
    assert!(plan(&t, monthly).is_err(), "already monthly");
}

#[test]
fn names_read_as_a_list() {
    assert_eq!(names(&[CatalogItem::Planner]), "Planner");
    assert_eq!(
        names(&[
            CatalogItem::Planner,
            CatalogItem::Safety,
            CatalogItem::SafetyBadge
        ]),
        "Planner, Safety and Safety Badge"
    );
}
