-- Leases: "one at a time" across server processes without holding a transaction or a
-- pooled connection while the holder talks to Procore or Stripe. A lease is taken with an
-- upsert that only succeeds when the current one has run out, and given back by its holder.

CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);
