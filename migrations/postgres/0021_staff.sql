-- Platform staff (docs/security.md): people of the Koppel operator who see every company on the staff page.
-- Granted and revoked on the server only (`koppel staff grant|revoke EMAIL`), never through the web.
CREATE TABLE staff (
    user_id       UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    granted_at_ms BIGINT NOT NULL
);
