use super::*;

fn fields(name: &str) -> Fields {
    [("name".to_string(), name.to_string())]
        .into_iter()
        .collect()
}

fn local(
    id: &str,
    name: &str,
    procore: Option<(i64, i64)>,
    changed: i64,
    synced: Option<i64>,
) -> Local {
    Local {
        id: id.into(),
        key: name.to_lowercase(),
        fields: fields(name),
        procore_id: procore.map(|p| p.0),
        procore_updated_at: procore.map(|p| p.1),
        changed_at: changed,
        synced_at: synced,
        deleted: false,
    }
}

fn remote(id: i64, name: &str, updated: i64) -> Remote {
    Remote {
        id,
        key: name.to_lowercase(),
        fields: fields(name),
        updated_at: updated,
    }
}

fn full(records: Vec<Remote>) -> RemoteSide {
    RemoteSide {
        records,
        full: true,
        gone: vec![],
    }
}

fn incremental(records: Vec<Remote>) -> RemoteSide {
    RemoteSide {
        records,
        full: false,
        gone: vec![],
    }
}

#[test]
fn first_full_pull_creates_every_record_here() {
    let p = plan(
        &[],
        &full(vec![remote(1, "Acme", 10), remote(2, "Bolt", 10)]),
        Direction::FromProcore,
    );
    assert_eq!(p.ops.len(), 2);
    assert!(p
        .ops
        .iter()
        .all(|o| matches!(o, Op::Pull { local: None, .. })));
    // One way out: Procore's records are not ours to create there.
    let push_only = plan(
        &[],
        &full(vec![remote(1, "Acme", 10)]),
        Direction::ToProcore,
    );
    assert!(push_only.ops.is_empty());
    assert_eq!(push_only.unchanged, 1);
}

#[test]
fn equal_records_with_the_same_key_are_linked_not_copied() {
    let ours = local("a", "Acme", None, 5, None);
    let p = plan(&[ours], &full(vec![remote(7, "Acme", 10)]), Direction::Both);
    assert_eq!(
        p.ops,
        vec![Op::Link {
            local: "a".into(),
            remote: remote(7, "Acme", 10)
        }]
    );
}

#[test]
fn our_own_write_does_not_come_back_as_a_change() {
    // We wrote "Acme" and Procore answered updated_at 20: the same record in the next
    // incremental listing is an echo, not a change.
    let ours = local("a", "Acme", Some((7, 20)), 15, Some(15));
    let p = plan(
        &[ours],
        &incremental(vec![remote(7, "Acme", 20)]),
        Direction::Both,
    );
    assert!(p.ops.is_empty());
    assert_eq!(p.unchanged, 1);
}

#[test]
fn a_change_on_one_side_travels_the_allowed_way() {
    let ours = local("a", "Acme Inc", Some((7, 20)), 30, Some(15));
    let theirs = remote(7, "Acme", 20);
    let both = plan(
        std::slice::from_ref(&ours),
        &incremental(vec![theirs.clone()]),
        Direction::Both,
    );
    assert!(matches!(&both.ops[..], [Op::Update { procore_id: 7, .. }]));
    let from = plan(
        std::slice::from_ref(&ours),
        &incremental(vec![theirs.clone()]),
        Direction::FromProcore,
    );
    assert!(matches!(&from.ops[..], [Op::Pull { local: Some(_), .. }]));
    // Procore changed, ours did not.
    let synced = local("a", "Acme", Some((7, 20)), 15, Some(15));
    let p = plan(
        &[synced],
        &incremental(vec![remote(7, "Acme Group", 40)]),
        Direction::Both,
    );
    assert!(matches!(&p.ops[..], [Op::Pull { .. }]));
}

#[test]
fn a_conflict_goes_to_the_most_recent_change_and_names_the_loser() {
    let ours = local("a", "Acme Inc", Some((7, 20)), 50, Some(15));
    let older_theirs = remote(7, "Acme Group", 40);
    let p = plan(
        std::slice::from_ref(&ours),
        &incremental(vec![older_theirs]),
        Direction::Both,
    );
    assert!(matches!(&p.ops[..], [Op::Update { .. }]));
    assert!(
        p.conflicts[0].says("Procore's change lost"),
        "{:?}",
        p.conflicts
    );
    let newer_theirs = remote(7, "Acme Group", 60);
    let p = plan(&[ours], &incremental(vec![newer_theirs]), Direction::Both);
    assert!(matches!(&p.ops[..], [Op::Pull { .. }]));
    assert!(p.conflicts[0].says("Smartapp's change lost"));
    // The values lost and kept travel with it (the log shows them).
    let (lost, kept) = p.conflicts[0].lost.clone().unwrap();
    assert_eq!(
        (lost["name"].as_str(), kept["name"].as_str()),
        ("Acme Inc", "Acme Group")
    );
}

#[test]
fn deletions_show_only_in_full_runs_or_when_known() {
    let linked = local("a", "Acme", Some((7, 20)), 15, Some(15));
    let inc = plan(
        std::slice::from_ref(&linked),
        &incremental(vec![]),
        Direction::FromProcore,
    );
    assert!(
        inc.ops.is_empty(),
        "an incremental run cannot see deletions"
    );
    let f = plan(
        std::slice::from_ref(&linked),
        &full(vec![]),
        Direction::FromProcore,
    );
    assert_eq!(
        f.ops,
        vec![Op::DropLocal {
            local: "a".into(),
            key: "acme".into()
        }]
    );
    assert_eq!(f.deletions(), 1);
    let known = RemoteSide {
        records: vec![],
        full: false,
        gone: vec![7],
    };
    assert_eq!(
        plan(std::slice::from_ref(&linked), &known, Direction::Both).deletions(),
        1
    );
    // Smartapp → Procore puts it back instead.
    let back = plan(&[linked], &full(vec![]), Direction::ToProcore);
    assert!(matches!(&back.ops[..], [Op::Create { .. }]));
}

#[test]
fn a_removal_here_is_sent_to_procore_then_forgotten() {
    let mut removed = local("a", "Acme", Some((7, 20)), 30, Some(15));
    removed.deleted = true;
    let p = plan(
        &[removed.clone()],
        &incremental(vec![]),
        Direction::ToProcore,
    );
    assert_eq!(
        p.ops,
        vec![Op::DeleteRemote {
            local: "a".into(),
            procore_id: 7,
            key: "acme".into()
        }]
    );
    // Already gone in Procore: just forget it.
    let p = plan(&[removed.clone()], &full(vec![]), Direction::Both);
    assert!(matches!(&p.ops[..], [Op::Forget { .. }]));
    // Procore changed it after our removal: in Both, Procore wins and it comes back.
    let p = plan(
        &[removed],
        &incremental(vec![remote(7, "Acme", 40)]),
        Direction::Both,
    );
    assert!(matches!(&p.ops[..], [Op::Pull { .. }]));
    assert_eq!(p.conflicts.len(), 1);
}

#[test]
fn new_entries_here_are_created_in_procore_when_pushing() {
    let fresh = local("a", "Acme", None, 5, None);
    assert!(matches!(
        &plan(std::slice::from_ref(&fresh), &full(vec![]), Direction::Both).ops[..],
        [Op::Create { .. }]
    ));
    let p = plan(&[fresh], &full(vec![]), Direction::FromProcore);
    assert!(p.ops.is_empty());
    assert_eq!(p.unchanged, 1);
}

#[test]
fn operations_come_in_key_order_for_resuming() {
    let locals = vec![
        local("z", "Zeta", None, 1, None),
        local("a", "Alpha", None, 1, None),
    ];
    let p = plan(&locals, &full(vec![remote(3, "Mid", 1)]), Direction::Both);
    let keys: Vec<&str> = p.ops.iter().map(Op::key).collect();
    assert_eq!(keys, vec!["alpha", "mid", "zeta"]);
}

#[test]
fn the_delete_cap_counts_deletions_on_either_side() {
    let mut gone_here = local("a", "Acme", Some((7, 20)), 15, Some(15));
    gone_here.deleted = true;
    let gone_there = local("b", "Bolt", Some((8, 20)), 15, Some(15));
    let kept = local("c", "Cord", Some((9, 20)), 15, Some(15));
    let p = plan(
        &[gone_here, gone_there, kept],
        &full(vec![remote(7, "Acme", 20), remote(9, "Cord", 20)]),
        Direction::Both,
    );
    assert_eq!(p.deletions(), 2, "{:?}", p.ops);
    assert_eq!(p.over_cap(2), None);
    assert_eq!(p.over_cap(1), Some(2));
    assert_eq!(p.over_cap(0), Some(2));
}
