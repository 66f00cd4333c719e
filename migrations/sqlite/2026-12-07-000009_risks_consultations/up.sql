-- Issue 17 A: risk screening (风险隐患排查), grid workers, consultations and legal aid.
-- Runs outside diesel's transaction (metadata.toml): foreign keys must be off to rebuild users.
PRAGMA foreign_keys = OFF;
BEGIN;

-- Grid workers (网格员/信息员/义务调解员) sign in to report risks: users is rebuilt with the
-- wider role check (SQLite cannot alter a CHECK constraint).
CREATE TABLE users_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'union_mediator', 'union_supervisor', 'police_officer',
                                       'judicial_officer', 'hr_officer', 'lawyer', 'grid_worker')),
    office_id TEXT REFERENCES offices (id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    CHECK (office_id IS NOT NULL OR role = 'admin')
);
INSERT INTO users_rebuilt (id, email, email_normalized, name, role, office_id, password_hash, active,
                           created_at, updated_at, version)
    SELECT id, email, email_normalized, name, role, office_id, password_hash, active,
           created_at, updated_at, version FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_office_created ON users (office_id, created_at DESC, id DESC);
CREATE INDEX users_role_created ON users (role, created_at DESC, id DESC);
CREATE INDEX users_created ON users (created_at DESC, id DESC);

-- 风险隐患排查: a risk of a labour dispute found before it becomes a case (docs/prevention.md).
-- Employers view (issue 17 B) reads employer_name(_normalized), employer_credit_code, level,
-- status, office_id, case_id and created_at: keep those names.
CREATE TABLE risks (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    category TEXT NOT NULL CHECK (category IN ('wage_arrears', 'social_insurance_arrears', 'restructuring',
        'relocation_or_closure', 'mass_layoff', 'gig_platform', 'other')),
    level TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high', 'major')),
    status TEXT NOT NULL CHECK (status IN ('open', 'handling', 'resolved', 'closed')),
    source TEXT NOT NULL CHECK (source IN ('grid_worker', 'volunteer_mediator', 'inspection', 'hotline_12351',
        'mediator', 'survey')),
    employer_name TEXT NOT NULL,
    employer_name_normalized TEXT NOT NULL,
    employer_credit_code TEXT,
    workers_affected INTEGER NOT NULL CHECK (workers_affected >= 0),
    summary TEXT NOT NULL,
    notes TEXT,
    assignee_id TEXT REFERENCES users (id),
    reported_by TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    case_id TEXT REFERENCES cases (id),
    reminded_at TIMESTAMP,
    concluded_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX risks_office_created ON risks (office_id, created_at DESC, id DESC);
CREATE INDEX risks_office_category_created ON risks (office_id, category, created_at DESC, id DESC);
CREATE INDEX risks_office_level_created ON risks (office_id, level, created_at DESC, id DESC);
CREATE INDEX risks_office_status_created ON risks (office_id, status, created_at DESC, id DESC);
CREATE INDEX risks_office_status_due ON risks (office_id, status, due_at);
CREATE INDEX risks_office_employer ON risks (office_id, employer_name_normalized);
CREATE INDEX risks_credit_code ON risks (employer_credit_code);
CREATE INDEX risks_reported_by_created ON risks (reported_by, created_at DESC, id DESC);
CREATE INDEX risks_status_due ON risks (status, due_at);
CREATE INDEX risks_case ON risks (case_id);

-- A risk's timeline: one row per change, written in the change's transaction.
CREATE TABLE risk_events (
    id TEXT PRIMARY KEY NOT NULL,
    risk_id TEXT NOT NULL REFERENCES risks (id),
    kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX risk_events_risk ON risk_events (risk_id, created_at, id);

-- 法律咨询: a question answered by the union, its lawyer or the judicial office, often without a case.
CREATE TABLE consultations (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    channel TEXT NOT NULL,
    topic TEXT NOT NULL,
    answered_by TEXT NOT NULL CHECK (answered_by IN ('mediator', 'union_lawyer', 'judicial_office')),
    minutes TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('advised', 'became_case', 'legal_aid_granted', 'referred_elsewhere')),
    case_id TEXT REFERENCES cases (id),
    person_name TEXT,
    phone_cipher TEXT,
    phone_masked TEXT,
    id_number_cipher TEXT,
    id_number_masked TEXT,
    id_number_hash TEXT,
    recorded_by TEXT NOT NULL,
    consulted_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_office_consulted ON consultations (office_id, consulted_at DESC, id DESC);
CREATE INDEX consultations_office_topic ON consultations (office_id, topic, consulted_at DESC, id DESC);
CREATE INDEX consultations_office_outcome ON consultations (office_id, outcome, consulted_at DESC, id DESC);
CREATE INDEX consultations_office_answered_by ON consultations (office_id, answered_by, consulted_at DESC, id DESC);
CREATE INDEX consultations_case ON consultations (case_id);

COMMIT;
PRAGMA foreign_keys = ON;
