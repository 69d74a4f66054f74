-- Activity log search. The searchable keys (order number, e-mail, SKU, customer name) and the error text are
-- indexed by an FTS5 table of words (unicode61: split at punctuation, case and accents folded), so a search
-- for "ann@shop.nl", "shop.nl", "2026-00" or "timeout" is a phrase / prefix lookup in the index. It is an
-- external-content table over journal (no second copy of the text), kept in step by the triggers below;
-- retention's deletes and tenant deletion's cascades fire them.
-- The link is journal's rowid: after a VACUUM (which may renumber rowids) run
--   INSERT INTO journal_fts(journal_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE journal_fts USING fts5(
    search_keys,
    reason,
    content = 'journal',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER journal_fts_after_insert AFTER INSERT ON journal BEGIN
    INSERT INTO journal_fts (rowid, search_keys, reason) VALUES (new.rowid, new.search_keys, new.reason);
END;

CREATE TRIGGER journal_fts_after_delete AFTER DELETE ON journal BEGIN
    INSERT INTO journal_fts (journal_fts, rowid, search_keys, reason)
    VALUES ('delete', old.rowid, old.search_keys, old.reason);
END;

CREATE TRIGGER journal_fts_after_update AFTER UPDATE OF search_keys, reason ON journal BEGIN
    INSERT INTO journal_fts (journal_fts, rowid, search_keys, reason)
    VALUES ('delete', old.rowid, old.search_keys, old.reason);
    INSERT INTO journal_fts (rowid, search_keys, reason) VALUES (new.rowid, new.search_keys, new.reason);
END;

-- Entries already journaled before this migration.
INSERT INTO journal_fts (journal_fts) VALUES ('rebuild');

-- "Everything that failed this week": the outcome filter walks this index newest first.
CREATE INDEX journal_by_outcome ON journal(tenant_id, outcome, created_at_ms, id);
