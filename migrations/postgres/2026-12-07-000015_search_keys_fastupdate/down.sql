ALTER INDEX case_search_keys RESET (fastupdate);
