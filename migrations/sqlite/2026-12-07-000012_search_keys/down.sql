DROP TABLE case_search;
DROP TABLE case_search_docs;
