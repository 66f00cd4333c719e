-- Secrets the service generates for itself when none is configured (e.g. the JWT signing key),
-- kept in the database so every restart agrees on them.
CREATE TABLE service_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
