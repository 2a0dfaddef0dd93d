-- Install state per company and marketplace app (issue 10): what Procore's
-- app_installations (or a 403 "App is not connected to this company") last said.
CREATE TABLE app_installs (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    app TEXT NOT NULL,
    connected BIGINT NOT NULL,
    checked_at BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, app)
);
