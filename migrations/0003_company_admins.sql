-- Who may buy licences: company admins (learned at sign-in from Procore's App Management,
-- which only company admins may read).
ALTER TABLE company_users ADD COLUMN is_admin BIGINT NOT NULL DEFAULT 0;
