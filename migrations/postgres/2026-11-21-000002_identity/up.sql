CREATE TABLE offices (
    id TEXT PRIMARY KEY,
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
COMMENT ON TABLE offices IS 'Union offices and the partner offices cases are referred to';
COMMENT ON COLUMN offices.code IS 'Short unique code used in case numbers (HS-2026-000042)';
COMMENT ON COLUMN offices.time_zone IS 'IANA zone in which statutory deadlines are counted';

CREATE TABLE users (
    id TEXT PRIMARY KEY,
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
COMMENT ON TABLE users IS 'People who sign in: union staff, partner-office staff, lawyers, admins';
COMMENT ON COLUMN users.email_normalized IS 'Lower-cased email: uniqueness is case-insensitive';
COMMENT ON COLUMN users.password_hash IS 'Argon2id PHC string';

CREATE TABLE office_clients (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX office_clients_office ON office_clients (office_id);
COMMENT ON TABLE office_clients IS 'OAuth2 client-credentials of partner offices'' own systems';
COMMENT ON COLUMN office_clients.secret_hash IS 'SHA-256 of a 256-bit random secret (shown once)';

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
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
COMMENT ON TABLE sessions IS 'A sign-in; access tokens name it (sid) so revoking it stops them at once';

CREATE TABLE spent_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    spent_at TIMESTAMP NOT NULL
);
CREATE INDEX spent_refresh_tokens_session ON spent_refresh_tokens (session_id);
COMMENT ON TABLE spent_refresh_tokens IS 'Rotated-out refresh tokens: presenting one again revokes its session';

CREATE TABLE login_throttle (
    email_normalized TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    last_failure_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE login_throttle IS 'Failed sign-ins per email, known or not, so lockout reveals nothing';
