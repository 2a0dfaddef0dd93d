-- Procore request budgets, one row per Procore connection (`user:ID`), shared by every
-- server process. Procore's limits are per token owner and ROLL (a request counts for one
-- window length after it was sent), so each window keeps a short log of send times
-- (`spike_log`: exact, at most the spike limit of entries; `hour_log`: coalesced per
-- minute). A slot is taken with a compare-and-swap on `version`: no transaction or pooled
-- connection is held while the caller sleeps or talks to Procore. `blocked_until` (Unix ms)
-- is what Procore told us (429 `Retry-After`, or `X-Rate-Limit-Remaining: 0` until
-- `X-Rate-Limit-Reset`).

CREATE TABLE procore_budgets (
    key TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    spike_log TEXT NOT NULL,
    hour_log TEXT NOT NULL,
    blocked_until BIGINT NOT NULL
);
