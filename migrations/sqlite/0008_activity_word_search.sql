-- PostgreSQL's search index now matches words like journal_fts (0003) does here: nothing to change on SQLite.
-- This file keeps the two migration sets numbered alike.
SELECT 1;
