-- Claims on creating master data in AFAS (docs/flows.md, "No duplicate master data"): before a run creates a
-- debtor (key: the e-mail address, lower case) or an article (key: the item code) it claims the key here, so
-- two runs of one company (two flows, a run and a retry, two worker processes) never create the same one twice.
-- A claim is held until `held_until_ms`, or while `lease_owner` (the worker process of the run that creates)
-- holds a live run lease: a killed process's claims are free as soon as its runs are taken over. Once the
-- record exists, `afas_id` names it and the row tells later creators where it is.
CREATE TABLE master_data_claims (
    tenant_id     UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('debtor', 'article')),
    claim_key     TEXT NOT NULL,
    holder        TEXT NOT NULL,
    held_until_ms BIGINT NOT NULL,
    lease_owner   TEXT,
    afas_id       TEXT,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind, claim_key)
);
CREATE INDEX master_data_claims_age ON master_data_claims(updated_at_ms);
