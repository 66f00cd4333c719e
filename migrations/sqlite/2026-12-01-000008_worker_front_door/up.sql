-- Issue 15, the worker's front door: SMS in the outbox, online applications, worker access to a
-- case, surveys, follow-ups, and the throttles of the public endpoints.

-- SMS rides the same outbox as email: same transaction, same retries, same lease.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
-- SMS only: the phone number, encrypted with the data key (recipients shows it masked).
ALTER TABLE outbox ADD COLUMN recipient_cipher TEXT;

-- Offices that take online applications, and what the public list shows of them.
ALTER TABLE offices ADD COLUMN accepts_online BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE offices ADD COLUMN address TEXT;
ALTER TABLE offices ADD COLUMN phone TEXT;
ALTER TABLE offices ADD COLUMN area TEXT;

-- PIPL: the worker's consent to be texted, recorded on the worker party.
ALTER TABLE case_parties ADD COLUMN sms_consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE case_parties ADD COLUMN sms_consent_at TIMESTAMP;

-- A closed case's follow-up (回访) falls due a configured number of days after it concluded
-- and stays due until one is recorded: found by status and conclusion time.
CREATE INDEX cases_status_concluded ON cases (status, concluded_at);

-- A 6-digit code texted to a phone; the phone is kept only as a keyed digest.
CREATE TABLE phone_verifications (
    id TEXT PRIMARY KEY,
    phone_digest TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX phone_verifications_by_phone ON phone_verifications (phone_digest, created_at DESC);

-- The worker's way into one case: the case number plus an access code (>= 40 bits), kept as a
-- keyed digest. The worker party it belongs to, for the worker's own masked details.
CREATE TABLE case_access (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    code_digest TEXT NOT NULL,
    party_id TEXT REFERENCES case_parties (id),
    created_at TIMESTAMP NOT NULL
);

-- Fixed-window counters for the public endpoints (per case number, phone, client address).
CREATE TABLE public_throttle (
    bucket TEXT PRIMARY KEY,
    window_started_at TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL
);

-- One satisfaction survey per closed case, answered once from the link in the closing SMS.
CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id),
    token_digest TEXT NOT NULL UNIQUE,
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    comment TEXT,
    created_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP
);

-- Follow-ups (回访) after a case closes.
CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    method TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'sms')),
    reached BOOLEAN NOT NULL,
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX follow_ups_by_case ON follow_ups (case_id, created_at, id);
