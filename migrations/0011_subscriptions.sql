-- Subscriptions after checkout (issue 8). One live Stripe subscription per company and
-- interval, one item per priced module; which project holds which module stays here.
--
-- billing_subscriptions mirrors what Stripe says of each subscription (re-read from
-- Stripe, never inferred). licensed_projects gains what renews at the period end
-- (renew_*: a removal lowers Stripe's quantity now and the module stays until then), the
-- interval it renews in (a switch), and when the project's own licence ended.

CREATE TABLE billing_subscriptions (
    id TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    billing_interval TEXT NOT NULL,
    status TEXT NOT NULL,
    cancel_at_period_end BIGINT NOT NULL,
    current_period_end BIGINT NOT NULL,
    trial_end BIGINT,
    stripe_created BIGINT NOT NULL,
    synced_at BIGINT NOT NULL
);

CREATE INDEX billing_subscriptions_by_company ON billing_subscriptions (company_id, billing_interval, stripe_created);

ALTER TABLE licensed_projects ADD COLUMN renew_planner BIGINT NOT NULL DEFAULT 0;
ALTER TABLE licensed_projects ADD COLUMN renew_planner_board BIGINT NOT NULL DEFAULT 0;
ALTER TABLE licensed_projects ADD COLUMN renew_safety BIGINT NOT NULL DEFAULT 0;
ALTER TABLE licensed_projects ADD COLUMN renew_safety_badge BIGINT NOT NULL DEFAULT 0;
ALTER TABLE licensed_projects ADD COLUMN renew_interval TEXT;
ALTER TABLE licensed_projects ADD COLUMN renew_at BIGINT;
ALTER TABLE licensed_projects ADD COLUMN ended_at BIGINT;
ALTER TABLE licensed_projects ADD COLUMN move_failed_at BIGINT;
UPDATE licensed_projects SET renew_planner = planner, renew_planner_board = planner_board,
    renew_safety = safety, renew_safety_badge = safety_badge;

-- Every change to a project's licence: who asked, what, and what Stripe said. A change is
-- 'pending' while Stripe has not confirmed it (e.g. a card that needs authentication:
-- stripe_invoice_id is the invoice whose payment applies it), then 'applied' or 'failed'.
CREATE TABLE licence_changes (
    id TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL,
    user_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    target TEXT,
    status TEXT NOT NULL,
    stripe_subscription_id TEXT,
    stripe_invoice_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX licence_changes_by_project ON licence_changes (company_id, project_id, created_at);
CREATE INDEX licence_changes_by_invoice ON licence_changes (stripe_invoice_id);
