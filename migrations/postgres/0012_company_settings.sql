-- The company-wide settings (administration, debtor ledger, payment terms, default debtor, warehouse, VAT and
-- revenue mappings, ...): one JSON document per company that every flow reads, so flows cannot disagree.
-- A flow's row in `flows` keeps only its own settings. Existing companies get their row from their flows'
-- settings in Rust right after the migrations run (koppel_jobs::settings::adopt_flow_settings): SQL cannot
-- merge JSON portably.
CREATE TABLE company_settings (
    tenant_id     UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    settings      TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
