-- Procore settings per project and the project's own directory (issue 9).
--
-- project_sync_settings: the Procore toggle and whose connection background runs use.
-- project_sync_resources: per resource the direction, frequency, the next scheduled run and
--   the start of the last successful run (the `filters[updated_at]` cursor of the next
--   incremental run) and of the last full one.
-- directory_entries: Locations, Companies, Users, Roles, one row per entry, keyed by a
--   natural key (path, name, email, role|email); procore_id links it with its Procore
--   record, procore_updated_at is Procore's updated_at last seen or returned to our own
--   write (so our writes do not come back as changes), changed_at > synced_at means changed
--   here since the last sync, deleted_at marks a removal not yet sent to Procore.
-- sync_runs: one row per run, unique per project:resource:due_at; at most one open run per
--   project and resource (partial unique index); progress and counts committed per record.
-- sync_log: each run's lines (CSV download).

CREATE TABLE project_sync_settings (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL,
    procore_on BIGINT NOT NULL DEFAULT 0,
    connection_user_id BIGINT,
    updated_by BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, project_id)
);

CREATE TABLE project_sync_resources (
    company_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    resource TEXT NOT NULL,
    direction TEXT NOT NULL,
    frequency TEXT NOT NULL,
    next_run_at BIGINT,
    last_success_at BIGINT,
    last_full_at BIGINT,
    PRIMARY KEY (company_id, project_id, resource),
    FOREIGN KEY (company_id, project_id) REFERENCES project_sync_settings (company_id, project_id) ON DELETE CASCADE
);

CREATE INDEX project_sync_resources_due ON project_sync_resources (next_run_at);

CREATE TABLE directory_entries (
    id TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL,
    resource TEXT NOT NULL,
    natural_key TEXT NOT NULL,
    label TEXT NOT NULL,
    fields TEXT NOT NULL,
    procore_id BIGINT,
    procore_updated_at BIGINT,
    changed_at BIGINT NOT NULL,
    synced_at BIGINT,
    deleted_at BIGINT,
    UNIQUE (company_id, project_id, resource, natural_key)
);

CREATE INDEX directory_entries_by_procore_id ON directory_entries (company_id, project_id, resource, procore_id);

CREATE TABLE sync_runs (
    id TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL,
    resource TEXT NOT NULL,
    run_key TEXT NOT NULL UNIQUE,
    due_at BIGINT NOT NULL,
    trigger_kind TEXT NOT NULL,
    full_run BIGINT NOT NULL,
    direction TEXT NOT NULL,
    state TEXT NOT NULL,
    is_open BIGINT,
    requested_by BIGINT,
    total BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    deleted BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    lease_until BIGINT,
    paused_until BIGINT,
    message TEXT,
    queued_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);

-- is_open is 1 while queued/running/paused and NULL after: NULLs never collide, so this is
-- "one open run per project and resource" on both engines.
CREATE UNIQUE INDEX sync_runs_one_open ON sync_runs (company_id, project_id, resource, is_open);
CREATE INDEX sync_runs_by_project ON sync_runs (company_id, project_id, queued_at);

CREATE TABLE sync_log (
    run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    level TEXT NOT NULL,
    record TEXT,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
