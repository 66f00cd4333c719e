-- Issue 19, item 4: the case list of a supervisor (many offices) and of a partner office at
-- province scale (docs/performance.md, "Supervisors and partner offices at scale").

-- A supervisor's offices hold most cases, so the newest cases of the whole table, kept if their
-- office is in scope, fill a page after a few dozen rows; without these indexes every case of
-- the scope was read and sorted for the first page. The office-led indexes stay for one office.
CREATE INDEX cases_created ON cases (created_at DESC, id DESC);
CREATE INDEX cases_status_created ON cases (status, created_at DESC, id DESC);

-- Which cases each partner office may see: one row per office and case that has or had a
-- referral to it, whatever the referral's status (`CaseScope::ReferredTo`). Written in the
-- same transaction as the referral (`referrals::insert`); the case's `created_at` is copied so
-- a partner's list walks its own newest cases off one index, in the list's keyset order.
CREATE TABLE case_partner_offices (
    office_id TEXT NOT NULL REFERENCES offices (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    case_created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (office_id, case_id)
);
CREATE INDEX case_partner_offices_newest
    ON case_partner_offices (office_id, case_created_at DESC, case_id DESC);
COMMENT ON TABLE case_partner_offices IS 'Cases a partner office sees: those with any referral to it (derived from referrals)';

INSERT INTO case_partner_offices (office_id, case_id, case_created_at)
SELECT DISTINCT referrals.office_id, referrals.case_id, cases.created_at
FROM referrals INNER JOIN cases ON cases.id = referrals.case_id;
