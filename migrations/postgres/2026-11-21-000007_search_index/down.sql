DROP INDEX cases_search_text_trgm;
