CREATE TABLE case_grants (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    granted_by TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_grants_user ON case_grants (user_id, expires_at);
CREATE INDEX case_grants_case ON case_grants (case_id);

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    document_type TEXT NOT NULL CHECK (document_type IN ('pay_slip', 'contract', 'photo', 'agreement',
        'evidence', 'identity', 'correspondence', 'other')),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_case ON documents (case_id, created_at);
