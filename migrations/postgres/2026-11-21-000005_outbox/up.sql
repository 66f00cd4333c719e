CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    template TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    case_id TEXT REFERENCES cases (id),
    dedup_key TEXT UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_status_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at DESC, id DESC);
CREATE INDEX outbox_status_created ON outbox (status, created_at DESC, id DESC);
COMMENT ON TABLE outbox IS 'Emails written in the transaction of the change that causes them, sent after commit';
COMMENT ON COLUMN outbox.dedup_key IS 'Reminders: one per thing per day (kind:thing:local date)';
COMMENT ON COLUMN outbox.claimed_until IS 'Lease of the worker sending the row; others skip it until it expires';
-- The reminder scheduler looks across offices by status and deadline.
CREATE INDEX cases_status_deadline ON cases (status, deadline_passes_at);
CREATE INDEX referrals_status_due ON referrals (status, due_at);
CREATE INDEX agreement_terms_due ON agreement_terms (due_date);
