-- Sessions end at an absolute age as well as after inactivity, and a save merges into the
-- stored record instead of overwriting it (a version number detects a concurrent write).
-- Sessions from before this change count as created at 0: their users sign in again.
ALTER TABLE sessions ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
