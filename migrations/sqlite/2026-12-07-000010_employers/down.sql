DROP INDEX cases_employer_credit_code;
DROP TABLE case_employers;
