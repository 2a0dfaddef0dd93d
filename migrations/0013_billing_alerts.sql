-- Failed payments (issue 8): per company, the newest invoice whose automatic charge failed
-- and which is still open, shown to its admins as a banner on every page until it is paid
-- or voided. Written only from the invoice's current state re-read from Stripe, so the
-- order and repetition of webhook events do not matter. Times are UTC unix seconds.

CREATE TABLE billing_alerts (
    company_id BIGINT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    stripe_customer_id TEXT NOT NULL,
    stripe_invoice_id TEXT NOT NULL,
    invoice_number TEXT,
    amount_due_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    attempt_count BIGINT NOT NULL,
    failed_at BIGINT NOT NULL,
    next_attempt_at BIGINT,
    updated_at BIGINT NOT NULL
);
