CREATE INDEX cases_search_text_trgm ON cases USING gin (search_text gin_trgm_ops);
DROP TABLE case_search;
