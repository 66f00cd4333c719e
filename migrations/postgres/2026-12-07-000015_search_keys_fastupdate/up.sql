-- Issue 19: each intake writes its case's ~50 search keys into case_search_keys while holding its
-- office's case-number counter. With GIN's pending list (fastupdate, the default) the insert is
-- cheap until the list fills (4 MB), and then the inserting intake merges it into the index: a
-- 100-150 ms stall that every intake queued on the same counter waits out. Written straight
-- into the index, an insert costs about 0.5 ms more at the median and the stalls are gone
-- (pgbench at 200 intakes/s: p99.9 87-124 ms with the list, 19-21 ms without; docs/performance.md).
ALTER INDEX case_search_keys SET (fastupdate = off);
