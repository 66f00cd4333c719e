DROP INDEX agreement_terms_due;
DROP INDEX referrals_status_due;
DROP INDEX cases_status_deadline;
DROP TABLE outbox;
