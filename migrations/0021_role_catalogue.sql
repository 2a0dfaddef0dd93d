-- The company's Procore role catalogue (GET /rest/v1.0/companies/{id}/roles), kept by every
-- Roles sync run, so the Roles form offers only the roles Procore accepts (issue 20 item 16)
-- without a page view waiting on Procore.
CREATE TABLE company_role_catalogue (
    company_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, name)
);
