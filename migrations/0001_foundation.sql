-- Foundation: Procore companies and users, who belongs where, encrypted Procore
-- connections and web sessions. Portable SQL for SQLite and PostgreSQL: BIGINT ids
-- (Procore ids exceed 32 bits), times as UTC unix seconds, flags as 0/1 BIGINT.

CREATE TABLE companies (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    login TEXT NOT NULL,
    name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE company_users (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, user_id)
);

CREATE INDEX company_users_by_user ON company_users (user_id);

-- One Procore connection per user: the user token works across their companies.
CREATE TABLE procore_connections (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    access_token_enc TEXT NOT NULL,
    refresh_token_enc TEXT,
    expires_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_by_expiry ON sessions (expires_at);
