-- Plan Board (issue 10): a licensed Planner project's plan items, edited in Project Central,
-- and whether the board is published to the project's embedded view inside Procore.

CREATE TABLE plan_items (
    id TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX plan_items_by_project ON plan_items (company_id, project_id, starts_on);

CREATE TABLE plan_boards (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL,
    published BIGINT NOT NULL,
    changed_by BIGINT,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, project_id)
);
