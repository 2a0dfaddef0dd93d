-- The projects each user sees in Procore, per company, kept briefly: Project Central's table
-- is served from here instead of asking Procore on every view, and a non-admin sees licensed
-- projects only where Procore shows them that project.

CREATE TABLE user_projects (
    user_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    project_number TEXT,
    stage TEXT,
    location TEXT,
    PRIMARY KEY (user_id, company_id, project_id)
);

CREATE INDEX user_projects_by_name ON user_projects (user_id, company_id, name_key);

CREATE TABLE user_project_syncs (
    user_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    synced_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, company_id)
);
