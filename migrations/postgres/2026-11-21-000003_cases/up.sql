CREATE TABLE case_number_counters (
    office_id TEXT NOT NULL REFERENCES offices (id),
    year INTEGER NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (office_id, year)
);
COMMENT ON TABLE case_number_counters IS 'Last case number issued per office and year (HS-2026-000042)';

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    case_number TEXT NOT NULL UNIQUE,
    office_id TEXT NOT NULL REFERENCES offices (id),
    status TEXT NOT NULL CHECK (status IN ('intake', 'accepted', 'in_mediation', 'agreement_reached',
                                           'resolved', 'escalated', 'withdrawn', 'rejected')),
    category TEXT NOT NULL CHECK (category IN ('wage_arrears', 'overtime_pay', 'compensation', 'work_injury',
        'social_insurance', 'labour_contract', 'labour_relationship', 'rest_and_leave', 'other')),
    channel TEXT NOT NULL CHECK (channel IN ('walk_in', 'hotline_12351', 'online', 'grid_worker',
                                             'court_referral', 'other')),
    summary TEXT NOT NULL,
    assignee_id TEXT REFERENCES users (id),
    claimed_amount_fen BIGINT NOT NULL CHECK (claimed_amount_fen >= 0),
    agreed_amount_fen BIGINT NOT NULL CHECK (agreed_amount_fen >= 0),
    recovered_amount_fen BIGINT NOT NULL CHECK (recovered_amount_fen >= 0),
    workers_involved INTEGER NOT NULL CHECK (workers_involved >= 1),
    collective BOOLEAN NOT NULL,
    flags TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    mediation_deadline DATE NOT NULL,
    deadline_passes_at TIMESTAMP NOT NULL,
    escalated_to TEXT,
    employer_name TEXT NOT NULL,
    employer_credit_code TEXT,
    employer_address TEXT,
    employer_contact_name TEXT,
    employer_contact_phone_cipher TEXT,
    employer_contact_phone_masked TEXT,
    search_text TEXT NOT NULL,
    events_count INTEGER NOT NULL,
    events_head TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    CHECK (collective = (workers_involved >= 10))
);
-- Every list is "visible offices, newest first"; each filter has an index that leads with the
-- office and ends in the keyset order.
CREATE INDEX cases_office_created ON cases (office_id, created_at DESC, id DESC);
CREATE INDEX cases_office_status_created ON cases (office_id, status, created_at DESC, id DESC);
CREATE INDEX cases_office_category_created ON cases (office_id, category, created_at DESC, id DESC);
CREATE INDEX cases_office_channel_created ON cases (office_id, channel, created_at DESC, id DESC);
CREATE INDEX cases_office_assignee_created ON cases (office_id, assignee_id, created_at DESC, id DESC);
CREATE INDEX cases_office_collective_created ON cases (office_id, collective, created_at DESC, id DESC);
CREATE INDEX cases_office_status_deadline ON cases (office_id, status, deadline_passes_at);
COMMENT ON TABLE cases IS 'Labour-dispute mediation cases';
COMMENT ON COLUMN cases.collective IS 'workers_involved >= 10 (LDMAL Art. 7); derived, stored for filtering';
COMMENT ON COLUMN cases.deadline_passes_at IS 'UTC instant the 15-day mediation window (Art. 14) closes';
COMMENT ON COLUMN cases.search_text IS 'Lower-cased case number, employer and party names, for ?q=';
COMMENT ON COLUMN cases.events_head IS 'Hash of the newest timeline event: the head of the hash chain';

CREATE TABLE case_parties (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('worker', 'employer', 'representative')),
    name TEXT NOT NULL,
    id_number_cipher TEXT,
    id_number_masked TEXT,
    id_number_hash TEXT,
    phone_cipher TEXT,
    phone_masked TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_parties_case ON case_parties (case_id, created_at, id);
CREATE INDEX case_parties_id_number_hash ON case_parties (id_number_hash);
COMMENT ON TABLE case_parties IS 'Workers, the employer and representatives of a case';
COMMENT ON COLUMN case_parties.id_number_cipher IS 'ChaCha20-Poly1305 ciphertext; never stored in plain';
COMMENT ON COLUMN case_parties.id_number_hash IS 'HMAC-SHA256 of the ID number, for exact search';

CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    sequence INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor_id TEXT,
    actor_kind TEXT NOT NULL,
    actor_role TEXT,
    office_id TEXT,
    occurred_at TIMESTAMP NOT NULL,
    data TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (case_id, sequence)
);
COMMENT ON TABLE case_events IS 'Append-only case timeline; each row hashes the previous one (tamper evidence)';
