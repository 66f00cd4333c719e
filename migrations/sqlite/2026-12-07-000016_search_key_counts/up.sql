-- Issue 19: how many cases hold each search key, read from FTS5's own index (`fts5vocab`, one
-- row per key with its document count), so a search looks up only the query's rarest keys:
-- the trigrams every employer name shares (鹤山市…) hold a whole office and cost as much as
-- the rest together (`cases::search_index::key_counts`). A view over the index: no storage.
CREATE VIRTUAL TABLE case_search_vocab USING fts5vocab (case_search, 'row');
