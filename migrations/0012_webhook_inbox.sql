-- The Stripe webhook inbox: a verified event is stored here (once per event id) and
-- answered at once; workers of any server process claim unapplied rows, apply them and mark
-- them applied. Only what fulfilment reads is kept, never the payload.
--
-- A claim is `claimed_by` + `claimed_until` (a lease: a crashed process's claim runs out);
-- `attempts` counts claims, `next_attempt_at` is the backoff after a failure, `last_error`
-- the latest failure (kept for the reconciliation job once attempts run out), and
-- `apply_count` counts successful applications (1 unless a claim was lost mid-apply).

CREATE TABLE stripe_inbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    object_id TEXT,
    subscription TEXT,
    event_created BIGINT,
    received_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    applied_at BIGINT,
    apply_count BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);

-- What workers look for: unapplied rows, soonest due first.
CREATE INDEX stripe_inbox_due ON stripe_inbox (next_attempt_at) WHERE applied_at IS NULL;

-- Events applied before the inbox existed keep deduplicating redeliveries until pruned.
INSERT INTO stripe_inbox (id, kind, received_at, next_attempt_at, attempts, applied_at, apply_count)
SELECT id, event_type, received_at, received_at, 1, received_at, 1 FROM stripe_events;

DROP TABLE stripe_events;
