CREATE TABLE offices (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('union', 'judicial', 'hr', 'police', 'court', 'arbitration')),
    email TEXT,
    parent_id TEXT REFERENCES offices (id),
    time_zone TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX offices_parent_id ON offices (parent_id);
CREATE INDEX offices_kind_created ON offices (kind, created_at DESC, id DESC);
CREATE INDEX offices_created ON offices (created_at DESC, id DESC);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'union_mediator', 'union_supervisor', 'police_officer',
                                       'judicial_officer', 'hr_officer', 'lawyer')),
    office_id TEXT REFERENCES offices (id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    CHECK (office_id IS NOT NULL OR role = 'admin')
);
CREATE INDEX users_office_created ON users (office_id, created_at DESC, id DESC);
CREATE INDEX users_role_created ON users (role, created_at DESC, id DESC);
CREATE INDEX users_created ON users (created_at DESC, id DESC);

CREATE TABLE office_clients (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX office_clients_office ON office_clients (office_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id),
    client_id TEXT REFERENCES office_clients (id),
    refresh_token_hash TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    CHECK ((user_id IS NULL) <> (client_id IS NULL))
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_client ON sessions (client_id);

CREATE TABLE spent_refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    spent_at TIMESTAMP NOT NULL
);
CREATE INDEX spent_refresh_tokens_session ON spent_refresh_tokens (session_id);

CREATE TABLE login_throttle (
    email_normalized TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    last_failure_at TIMESTAMP NOT NULL
);
