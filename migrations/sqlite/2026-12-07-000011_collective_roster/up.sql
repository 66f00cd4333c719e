-- Issue 17, part C: collective disputes (LDMAL Art. 7) carried worker by worker.

-- The roster of a case: one row per worker party, written the first time a worker's amounts,
-- representative mark or a payment to them is recorded. `paid_amount_fen` is the sum of the
-- payment allocations to the worker, kept in the same transaction as the allocation.
CREATE TABLE roster_entries (
    party_id TEXT PRIMARY KEY REFERENCES case_parties (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    claimed_amount_fen BIGINT NOT NULL DEFAULT 0 CHECK (claimed_amount_fen >= 0),
    agreed_amount_fen BIGINT NOT NULL DEFAULT 0 CHECK (agreed_amount_fen >= 0),
    paid_amount_fen BIGINT NOT NULL DEFAULT 0 CHECK (paid_amount_fen >= 0),
    representative BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX roster_entries_case ON roster_entries (case_id);

-- How one payment was shared among the workers of the case.
CREATE TABLE payment_allocations (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    party_id TEXT NOT NULL REFERENCES case_parties (id),
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0)
);
CREATE INDEX payment_allocations_payment ON payment_allocations (payment_id);
CREATE INDEX payment_allocations_party ON payment_allocations (party_id);

-- `GET /cases?sort=priority`: collective cases first, newest first within.
CREATE INDEX cases_collective_created ON cases (collective, created_at, id);
