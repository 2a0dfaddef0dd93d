-- Background jobs. The queue itself is apalis's (its own migrations, tracked apart from
-- ours: schema `apalis` on PostgreSQL, table `_apalis_migrations` on SQLite). Here: the
-- unique key under which periodic work is enqueued (one row per task and period, so several
-- server processes never enqueue one period twice), and a record of each finished run.

CREATE TABLE job_periods (
    task TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    enqueued_at BIGINT NOT NULL,
    PRIMARY KEY (task, period_start)
);

CREATE TABLE job_runs (
    task TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    worker TEXT NOT NULL,
    outcome TEXT NOT NULL,
    finished_at BIGINT NOT NULL
);

CREATE INDEX job_runs_by_task ON job_runs (task, period_start);
