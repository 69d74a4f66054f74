-- no-transaction
-- Delivery addresses are master data too: before a run adds a delivery address (an AFAS contact of kind AFL) to a
-- debtor it claims the key (the debtor and the structured address), so two sales to one address add it once. The
-- claims table's CHECK constraint gains the kind `delivery_address`; SQLite cannot change a CHECK constraint in
-- place, so the table is rebuilt (SQLite's documented procedure, as in 0010).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE master_data_claims_new (
    tenant_id     BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('debtor', 'article', 'delivery_address')),
    claim_key     TEXT NOT NULL,
    holder        TEXT NOT NULL,
    held_until_ms BIGINT NOT NULL,
    lease_owner   TEXT,
    afas_id       TEXT,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind, claim_key)
);
INSERT INTO master_data_claims_new (tenant_id, kind, claim_key, holder, held_until_ms, lease_owner, afas_id,
                                    updated_at_ms)
    SELECT tenant_id, kind, claim_key, holder, held_until_ms, lease_owner, afas_id, updated_at_ms
    FROM master_data_claims;
DROP TABLE master_data_claims;
ALTER TABLE master_data_claims_new RENAME TO master_data_claims;
CREATE INDEX master_data_claims_age ON master_data_claims(updated_at_ms);
COMMIT;
PRAGMA foreign_keys = ON;
