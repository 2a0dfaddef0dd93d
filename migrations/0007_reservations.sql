-- Checkout reservations: while a Checkout Session is open, each of its projects is held for
-- it (one row per company and project), so a second admin, tab or double submit cannot open
-- a second payable session for the same project. Held until the session's expiry, its
-- payment or its cancellation; expired rows are released by a background job.

CREATE TABLE project_reservations (
    company_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    order_id TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, project_id)
);

CREATE INDEX project_reservations_by_order ON project_reservations (order_id);
CREATE INDEX project_reservations_by_expiry ON project_reservations (expires_at);

-- Orders are keyed by company + selection (+ interval) for re-use; the id itself is unique
-- per checkout attempt.
ALTER TABLE orders ADD COLUMN selection_key TEXT;
ALTER TABLE orders ADD COLUMN expires_at BIGINT;
CREATE INDEX orders_by_selection ON orders (company_id, selection_key);
