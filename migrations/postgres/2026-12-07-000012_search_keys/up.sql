-- Issue 19: `?q=` at province scale. Every case's search keys (`domain::search_keys`: the
-- trigrams of its search text, once per office and once global) in a GIN index, so a search
-- looks up the query's own keys and rechecks those candidates with LIKE. It replaces the pg_trgm
-- index on `cases.search_text`, whose entries for the city prefix every employer name shares
-- (鹤山市…) hold a million cases each. Rows are written by `cases::search_index`; cases older
-- than this migration are indexed at startup (`search_index::index_missing`).
CREATE TABLE case_search (
    case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    keys TEXT[] NOT NULL
);
CREATE INDEX case_search_keys ON case_search USING gin (keys);
DROP INDEX cases_search_text_trgm;
