DROP TABLE documents;
DROP TABLE case_grants;
