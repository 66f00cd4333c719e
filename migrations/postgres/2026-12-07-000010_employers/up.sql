-- Issue 17 B: employers as a first-class view (docs/prevention.md, "Employers").
-- A case's employer is matched by its credit code when it has one, else by its normalised name
-- (domain::employer: NFKC, full-width folded, spaces and punctuation dropped, lower case, the
-- long company-form suffix folded). `employer_key` is `cc-<credit code>` or
-- `nm-<normalised name>`: the employer's id in /employers/{id}. One row per case, written in
-- the intake's transaction.
--
-- Existing cases: NFKC cannot be computed in SQL the same way on SQLite and PostgreSQL, so the
-- rows of cases registered before this migration are written by the service right after it
-- migrates (employers::backfill_keys: every case without a row; a no-op once done).
CREATE TABLE case_employers (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    employer_key TEXT NOT NULL,
    employer_name_normalized TEXT NOT NULL
);
-- One employer's cases (joined to cases for the caller's scope), and the list of employers
-- (grouped and paged by key).
CREATE INDEX case_employers_key ON case_employers (employer_key, case_id);
-- The lookups themselves: by normalised name, and by credit code on cases.
CREATE INDEX case_employers_name ON case_employers (employer_name_normalized);
CREATE INDEX cases_employer_credit_code ON cases (employer_credit_code);
