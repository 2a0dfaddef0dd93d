-- A run stopped at the delete cap keeps what it would have deleted (issue 20, item 17), so
-- the settings and resource pages can name those records and a company admin can decide:
-- sync_runs.held_deletes: JSON list of {local, name, side} (side: 'here' or 'procore');
-- sync_runs.held_decision: NULL while waiting, then 'confirmed' or 'kept';
-- project_sync_resources.confirmed_deletes: deletions an admin confirmed; the next run of
--   the resource may make that many past the cap, once (cleared when that run closes).
ALTER TABLE sync_runs ADD COLUMN held_deletes TEXT;
ALTER TABLE sync_runs ADD COLUMN held_decision TEXT;
ALTER TABLE project_sync_resources ADD COLUMN confirmed_deletes BIGINT;
