-- PostgreSQL's word index is now filled by Koppel rather than a generated column: nothing to change on
-- SQLite, whose FTS table follows the journal by trigger. This file keeps the two migration sets numbered alike.
SELECT 1;
