//! Sync planning: the diff of our entries and Procore's records into operations, with
//! conflict resolution (the most recent change wins; the log names the losing side), echo
//! suppression (a record whose `updated_at` is the one our own write got back is not a
//! change) and the count of deletions the delete cap is checked against. Pure: no I/O.

use std::collections::{HashMap, HashSet};

use app::sync::{Direction, Fields};

/// One of our entries, as the planner needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// Our id.
    pub id: String,
    /// Natural key.
    pub key: String,
    /// Fields.
    pub fields: Fields,
    /// The linked Procore record.
    pub procore_id: Option<i64>,
    /// Procore's `updated_at` last seen or returned to our own write (unix seconds).
    pub procore_updated_at: Option<i64>,
    /// Last changed here (unix seconds).
    pub changed_at: i64,
    /// `changed_at` as of the last sync (None: never synced).
    pub synced_at: Option<i64>,
    /// Removed here, not yet from Procore.
    pub deleted: bool,
}

impl Local {
    /// Changed here since the last sync.
    pub fn changed_here(&self) -> bool {
        self.synced_at.is_none_or(|s| self.changed_at > s)
    }
}

/// One Procore record, mapped to our fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// Procore id.
    pub id: i64,
    /// Natural key.
    pub key: String,
    /// Fields.
    pub fields: Fields,
    /// Procore's `updated_at` (unix seconds).
    pub updated_at: i64,
}

/// What one step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Copy Procore's record here (a new entry, or over ours) and link it.
    Pull {
        /// Our entry, if there is one.
        local: Option<String>,
        /// Procore's record.
        remote: Remote,
    },
    /// Equal on both sides: only record the link.
    Link {
        /// Our entry.
        local: String,
        /// Procore's record.
        remote: Remote,
    },
    /// Delete our entry: gone from Procore.
    DropLocal {
        /// Our entry.
        local: String,
        /// Its key.
        key: String,
    },
    /// Create in Procore (looking up first).
    Create {
        /// Our entry.
        local: String,
        /// Its key.
        key: String,
        /// Its fields.
        fields: Fields,
    },
    /// Send our fields to the Procore record.
    Update {
        /// Our entry.
        local: String,
        /// The Procore record.
        procore_id: i64,
        /// Its key.
        key: String,
        /// Our fields.
        fields: Fields,
    },
    /// Delete (or remove from the project) in Procore, then forget our removed entry.
    DeleteRemote {
        /// Our removed entry.
        local: String,
        /// The Procore record.
        procore_id: i64,
        /// Its key.
        key: String,
    },
    /// Forget our removed entry (never in Procore, or already gone there).
    Forget {
        /// Our removed entry.
        local: String,
        /// Its key.
        key: String,
    },
}

impl Op {
    /// The record's key, for the log and the resume cursor.
    pub fn key(&self) -> &str {
        match self {
            Op::Pull { remote, .. } | Op::Link { remote, .. } => &remote.key,
            Op::DropLocal { key, .. }
            | Op::Create { key, .. }
            | Op::Update { key, .. }
            | Op::DeleteRemote { key, .. }
            | Op::Forget { key, .. } => key,
        }
    }

    /// Deletes a record on either side (counted against the delete cap).
    pub fn deletes(&self) -> bool {
        matches!(self, Op::DropLocal { .. } | Op::DeleteRemote { .. })
    }
}

/// The operations of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// In key order.
    pub ops: Vec<Op>,
    /// Records already equal on both sides.
    pub unchanged: u32,
    /// One per conflict, naming the side that lost.
    pub conflicts: Vec<Conflict>,
}

/// A record changed on both sides (or removed on one and changed on the other).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Our entry.
    pub local: String,
    /// What happened, naming the side that lost.
    pub words: String,
    /// The values that lost and the values kept, when both sides had values.
    pub lost: Option<(Fields, Fields)>,
}

impl Conflict {
    /// Whether the words contain `text` (tests and callers reading the outcome).
    pub fn says(&self, text: &str) -> bool {
        self.words.contains(text)
    }
}

impl Plan {
    /// How many operations delete.
    pub fn deletions(&self) -> usize {
        self.ops.iter().filter(|o| o.deletes()).count()
    }

    /// The number of deletions when it is over `cap` (the run must stop before any).
    pub fn over_cap(&self, cap: u32) -> Option<usize> {
        let deletions = self.deletions();
        (deletions > cap as usize).then_some(deletions)
    }
}

/// What Procore's side of a run shows.
#[derive(Debug, Clone, Default)]
pub struct RemoteSide {
    /// Records listed (all of them in a full run, only the changed ones otherwise).
    pub records: Vec<Remote>,
    /// A full listing: a linked record not in it is gone from Procore.
    pub full: bool,
    /// Records known to be gone even in an incremental run (e.g. a vendor removed from
    /// the project, seen through the company list).
    pub gone: Vec<i64>,
}

/// Plans a run of `direction` over our entries and Procore's side.
pub fn plan(locals: &[Local], remote: &RemoteSide, direction: Direction) -> Plan {
    let mut out = Plan::default();
    let by_id: HashMap<i64, usize> = locals
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.procore_id.map(|id| (id, i)))
        .collect();
    let by_key: HashMap<&str, usize> = locals
        .iter()
        .enumerate()
        .map(|(i, l)| (l.key.as_str(), i))
        .collect();
    let mut matched: HashSet<usize> = HashSet::new();
    for r in &remote.records {
        let found = by_id
            .get(&r.id)
            .or_else(|| by_key.get(r.key.as_str()))
            .copied()
            .filter(|i| !matched.contains(i));
        match found {
            Some(i) => {
                matched.insert(i);
                pair(&locals[i], r, direction, &mut out);
            }
            None if direction.pulls() => out.ops.push(Op::Pull {
                local: None,
                remote: r.clone(),
            }),
            None => out.unchanged += 1,
        }
    }
    let gone: HashSet<i64> = remote.gone.iter().copied().collect();
    for (i, l) in locals.iter().enumerate() {
        if !matched.contains(&i) {
            let known_gone = l
                .procore_id
                .is_some_and(|id| remote.full || gone.contains(&id));
            alone(l, known_gone, direction, &mut out);
        }
    }
    out.ops.sort_by(|a, b| a.key().cmp(b.key()));
    out
}

/// Our entry and its Procore record.
fn pair(l: &Local, r: &Remote, direction: Direction, out: &mut Plan) {
    let here = l.changed_here();
    let there = l.procore_id != Some(r.id) || l.procore_updated_at != Some(r.updated_at);
    let local = l.id.clone();
    if l.deleted {
        let procore_newer = there && r.updated_at > l.changed_at;
        if direction == Direction::FromProcore || (direction == Direction::Both && procore_newer) {
            if direction == Direction::Both {
                out.conflicts.push(Conflict {
                    local: l.id.clone(),
                    words: "removed in Smartapp but changed in Procore later; Procore's record was kept and Smartapp's removal lost".into(),
                    lost: None,
                });
            }
            out.ops.push(Op::Pull {
                local: Some(local),
                remote: r.clone(),
            });
        } else {
            out.ops.push(Op::DeleteRemote {
                local,
                procore_id: r.id,
                key: r.key.clone(),
            });
        }
        return;
    }
    if l.fields == r.fields {
        if here || there {
            out.ops.push(Op::Link {
                local,
                remote: r.clone(),
            });
        } else {
            out.unchanged += 1;
        }
        return;
    }
    let push = |out: &mut Plan| {
        out.ops.push(Op::Update {
            local: l.id.clone(),
            procore_id: r.id,
            key: l.key.clone(),
            fields: l.fields.clone(),
        })
    };
    let pull = |out: &mut Plan| {
        out.ops.push(Op::Pull {
            local: Some(l.id.clone()),
            remote: r.clone(),
        })
    };
    match direction {
        Direction::FromProcore => pull(out),
        Direction::ToProcore => push(out),
        Direction::Both => match (here, there) {
            (true, false) => push(out),
            (false, _) => pull(out),
            (true, true) => {
                if l.changed_at > r.updated_at {
                    out.conflicts.push(Conflict {
                        local: l.id.clone(),
                        words: "changed on both sides; Smartapp's change is newer and was kept, Procore's change lost".into(),
                        lost: Some((r.fields.clone(), l.fields.clone())),
                    });
                    push(out)
                } else {
                    out.conflicts.push(Conflict {
                        local: l.id.clone(),
                        words: "changed on both sides; Procore's change is newer and was kept, Smartapp's change lost".into(),
                        lost: Some((l.fields.clone(), r.fields.clone())),
                    });
                    pull(out)
                }
            }
        },
    }
}

/// Our entry with no Procore record in this listing.
fn alone(l: &Local, known_gone: bool, direction: Direction, out: &mut Plan) {
    let (local, key) = (l.id.clone(), l.key.clone());
    if l.deleted {
        match l.procore_id {
            Some(procore_id) if !known_gone && direction.pushes() => {
                out.ops.push(Op::DeleteRemote {
                    local,
                    procore_id,
                    key,
                })
            }
            // Never in Procore, gone there too, or not ours to remove there.
            _ => out.ops.push(Op::Forget { local, key }),
        }
        return;
    }
    let create = Op::Create {
        local: local.clone(),
        key: key.clone(),
        fields: l.fields.clone(),
    };
    match (l.procore_id, known_gone) {
        (None, _) if direction.pushes() => out.ops.push(create),
        (None, _) => out.unchanged += 1,
        (Some(_), true) => match direction {
            Direction::FromProcore => out.ops.push(Op::DropLocal { local, key }),
            Direction::ToProcore => out.ops.push(create),
            Direction::Both if l.changed_here() => {
                out.conflicts.push(Conflict {
                    local: l.id.clone(),
                    words: "removed in Procore but changed in Smartapp since; Smartapp's entry was kept and created again in Procore".into(),
                    lost: None,
                });
                out.ops.push(create)
            }
            Direction::Both => out.ops.push(Op::DropLocal { local, key }),
        },
        (Some(procore_id), false) if direction.pushes() && l.changed_here() => {
            out.ops.push(Op::Update {
                local,
                procore_id,
                key,
                fields: l.fields.clone(),
            })
        }
        (Some(_), false) => out.unchanged += 1,
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
