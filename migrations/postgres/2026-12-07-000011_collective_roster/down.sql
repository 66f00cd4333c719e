DROP INDEX cases_collective_created;
DROP TABLE payment_allocations;
DROP TABLE roster_entries;
