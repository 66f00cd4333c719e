-- `?q=` matches any part of a case number, employer or party name (LIKE '%…%'). A trigram
-- index lets PostgreSQL answer that without scanning an office's cases; pg_trgm is a trusted
-- extension (PostgreSQL 13+), so a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_search_text_trgm ON cases USING gin (search_text gin_trgm_ops);
