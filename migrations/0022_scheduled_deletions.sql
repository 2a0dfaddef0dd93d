-- Scheduled deletion of a company's data (issue 21): once every live subscription of the
-- company is set to end at its period end, an admin may schedule the deletion for the latest
-- period end instead of waiting for it. One row per company; the periodic job deletes the
-- company's data when `due_at` has come (the row goes with the company's rows), unless the
-- schedule was cancelled: by an admin (cancelled_by set) or by the job because a
-- subscription was reactivated or bought (cancel_reason says which).
CREATE TABLE scheduled_deletions (
    company_id BIGINT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    requested_by BIGINT NOT NULL,
    scheduled_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    cancelled_by BIGINT,
    cancel_reason TEXT
);

CREATE INDEX scheduled_deletions_due ON scheduled_deletions (due_at);

-- The receipt of a scheduled deletion says when it was scheduled (NULL: deleted at once).
ALTER TABLE data_deletions ADD COLUMN scheduled_at BIGINT;
