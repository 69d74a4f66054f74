-- Activity log search over the searchable keys (order number, e-mail, SKU, customer name) and the error text.
--  * Substring search ("shop.nl", "2026-00", "timeout"), case-insensitive: ILIKE on the expression below,
--    served by a pg_trgm GIN index. Queries must spell the expression exactly like this to use it.
--  * Words shorter than three characters (which trigrams cannot index): a generated tsvector column
--    ('simple' configuration: no stemming, no stop words) with a GIN index, matched as word prefixes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE journal ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_keys || ' ' || coalesce(reason, ''))) STORED;
CREATE INDEX journal_search_tsv ON journal USING GIN (search_tsv);
CREATE INDEX journal_search_trgm ON journal USING GIN ((search_keys || ' ' || coalesce(reason, '')) gin_trgm_ops);

-- "Everything that failed this week": the outcome filter walks this index newest first.
CREATE INDEX journal_by_outcome ON journal(tenant_id, outcome, created_at_ms, id);
