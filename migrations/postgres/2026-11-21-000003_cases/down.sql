DROP TABLE case_events;
DROP TABLE case_parties;
DROP TABLE cases;
DROP TABLE case_number_counters;
