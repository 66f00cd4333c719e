-- Secrets the service generates for itself when none is configured (e.g. the JWT signing key),
-- kept in the database so every server sharing it, and every restart, agrees on them.
CREATE TABLE service_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE service_secrets IS 'Generated secrets (signing keys) used when none is configured';
