-- When a case was accepted and when it reached a terminal status, for the reported figures.
ALTER TABLE cases ADD COLUMN accepted_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN concluded_at TIMESTAMP;
-- An event about one partner office's referral is shown only to union staff and that office.
ALTER TABLE case_events ADD COLUMN restricted_to_office_id TEXT;
CREATE INDEX cases_received ON cases (received_at);
COMMENT ON COLUMN case_events.restricted_to_office_id IS 'If set, only the case''s union staff and this office see the event';

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    kind TEXT NOT NULL CHECK (kind IN ('legal_consultation', 'duty_lawyer', 'legal_aid', 'people_mediation',
        'negotiation', 'labour_inspection', 'social_insurance_check', 'locate_party', 'keep_order',
        'wage_crime_investigation', 'judicial_confirmation', 'payment_order', 'litigation', 'arbitration')),
    request TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'completed', 'cancelled')),
    due_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    accepted_at TIMESTAMP,
    declined_at TIMESTAMP,
    decline_reason TEXT,
    completed_at TIMESTAMP,
    outcome TEXT,
    result TEXT,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX referrals_office_created ON referrals (office_id, created_at DESC, id DESC);
CREATE INDEX referrals_office_status_created ON referrals (office_id, status, created_at DESC, id DESC);
CREATE INDEX referrals_office_status_due ON referrals (office_id, status, due_at);
CREATE INDEX referrals_case ON referrals (case_id, office_id);
COMMENT ON TABLE referrals IS 'A task the union gives a partner office on a case (一会联三所)';

CREATE TABLE mediation_sessions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    scheduled_at TIMESTAMP NOT NULL,
    location TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'cancelled')),
    minutes TEXT,
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('agreement', 'partial_agreement', 'no_agreement', 'postponed')),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX mediation_sessions_case ON mediation_sessions (case_id, scheduled_at);
COMMENT ON TABLE mediation_sessions IS 'Joint (tripartite) mediation sessions with several offices';

CREATE TABLE session_offices (
    session_id TEXT NOT NULL REFERENCES mediation_sessions (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    PRIMARY KEY (session_id, office_id)
);
CREATE INDEX session_offices_office ON session_offices (office_id);

CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id),
    signed_at TIMESTAMP NOT NULL,
    total_amount_fen BIGINT NOT NULL CHECK (total_amount_fen >= 0),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE agreements IS 'The signed mediation agreement of a case (one per case)';

CREATE TABLE agreement_terms (
    id TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    payee TEXT NOT NULL,
    due_date DATE NOT NULL,
    UNIQUE (agreement_id, position)
);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    paid_at TIMESTAMP NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX payments_case ON payments (case_id, paid_at);
COMMENT ON TABLE payments IS 'Money actually paid to the workers: the source of recovered amounts';
