-- Sign-in hand-off codes of the embedded view (issue 10).
--
-- The sign-in popup is a top-level window, so its session cookie does not reach the
-- Procore iframe. After the OAuth callback the popup posts a code to the frame, and the
-- frame redeems it (POST /embedded/session) for its own partitioned session. A code is kept
-- only as its SHA-256 (hex), lives 60 seconds, is bound to the origin that asked for it, and
-- is deleted when redeemed (single use).

CREATE TABLE embedded_sign_in_codes (
    code_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    origin TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX embedded_sign_in_codes_expiry ON embedded_sign_in_codes (expires_at);
