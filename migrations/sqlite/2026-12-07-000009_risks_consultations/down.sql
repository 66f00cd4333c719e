PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE consultations;
DROP TABLE risk_events;
DROP TABLE risks;
DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE role = 'grid_worker');
CREATE TABLE users_rebuilt (
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
INSERT INTO users_rebuilt (id, email, email_normalized, name, role, office_id, password_hash, active,
                           created_at, updated_at, version)
    SELECT id, email, email_normalized, name, role, office_id, password_hash, active,
           created_at, updated_at, version FROM users WHERE role <> 'grid_worker';
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_office_created ON users (office_id, created_at DESC, id DESC);
CREATE INDEX users_role_created ON users (role, created_at DESC, id DESC);
CREATE INDEX users_created ON users (created_at DESC, id DESC);
COMMIT;
PRAGMA foreign_keys = ON;
