-- Deletions of a company's data at an admin's request (issue 10, privacy): the confirmation
-- record outlives the company's rows on purpose (no foreign key).
CREATE TABLE data_deletions (
    id TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL,
    company_name TEXT NOT NULL,
    requested_by BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL
);
