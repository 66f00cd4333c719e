DROP TABLE case_partner_offices;
DROP INDEX cases_status_created;
DROP INDEX cases_created;
