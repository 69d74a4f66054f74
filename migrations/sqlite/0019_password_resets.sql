-- "Forgot password" (docs/security.md): a single-use link valid one hour, mailed to the account's address; the
-- database keeps only the SHA-256 of its token.
CREATE TABLE password_resets (
    token_hash    TEXT PRIMARY KEY,
    user_id       BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT
);
CREATE INDEX password_resets_expiry ON password_resets(expires_at_ms);
