-- Issue 19: PostgreSQL's GIN index on the search keys goes back to its pending list (see the
-- PostgreSQL migration of the same name). SQLite's FTS5 index has no such list: nothing to do.
SELECT 1;
