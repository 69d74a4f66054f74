-- How long a tenant's activity log is kept: payloads (what came in, what was sent and answered) for
-- payload_retention_days, the rest of each entry for entry_retention_days.
ALTER TABLE tenants ADD COLUMN payload_retention_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE tenants ADD COLUMN entry_retention_days BIGINT NOT NULL DEFAULT 180;
