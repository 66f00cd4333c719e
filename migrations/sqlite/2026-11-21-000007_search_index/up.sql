-- PostgreSQL gets a trigram index for `?q=` here. The embedded SQLite backend serves one
-- office (hundreds of cases a year), where scanning that office's cases is fast enough.
SELECT 1;
