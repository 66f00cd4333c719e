DROP TABLE case_search_vocab;
