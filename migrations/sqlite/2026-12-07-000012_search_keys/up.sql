-- Issue 19: `?q=` at province scale. Every case's search keys (`domain::search_keys`: the
-- trigrams of its search text, once per office and once global) in an FTS5 index, so a search
-- looks up the query's own keys and rechecks those candidates with LIKE instead of reading the
-- whole office. The FTS table stores no text (contentless; `contentless_delete` lets a case's
-- keys be rewritten) and no positions (`detail=none`: every key is a single token). Its rowid
-- is `case_search_docs.doc`, a stable integer for the case (`cases` has a text key, and an
-- implicit rowid may change on VACUUM). Rows are written by `cases::search_index`; cases older
-- than this migration are indexed at startup (`search_index::index_missing`).
CREATE TABLE case_search_docs (
    doc INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id)
);
CREATE VIRTUAL TABLE case_search USING fts5 (
    keys,
    content = '',
    contentless_delete = 1,
    detail = none
);
