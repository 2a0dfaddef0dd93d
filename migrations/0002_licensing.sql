-- Licensing: a per-company cache of Procore projects for the wizard (searchable, pageable
-- at 10,000 projects), checkout orders, licensed projects, Stripe customers and the
-- webhook events already applied (deduplication by event id).

CREATE TABLE procore_projects (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    project_number TEXT,
    stage TEXT,
    city TEXT,
    state_code TEXT,
    synced_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, id)
);

CREATE INDEX procore_projects_by_name ON procore_projects (company_id, name_key);

CREATE TABLE project_catalog_syncs (
    company_id BIGINT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    synced_at BIGINT NOT NULL,
    project_count BIGINT NOT NULL
);

CREATE TABLE billing_customers (
    company_id BIGINT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    stripe_customer_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    billing_interval TEXT NOT NULL,
    selection TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    stripe_session_id TEXT,
    stripe_subscription_id TEXT,
    stripe_customer_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX orders_by_company ON orders (company_id, created_at);
CREATE UNIQUE INDEX orders_by_session ON orders (stripe_session_id);

CREATE TABLE licensed_projects (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    procore_project_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    planner BIGINT NOT NULL,
    planner_board BIGINT NOT NULL,
    safety BIGINT NOT NULL,
    safety_badge BIGINT NOT NULL,
    billing_interval TEXT NOT NULL,
    status TEXT NOT NULL,
    order_id TEXT NOT NULL,
    stripe_subscription_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, procore_project_id)
);

CREATE TABLE stripe_events (
    id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
