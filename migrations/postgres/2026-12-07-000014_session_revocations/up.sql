-- Issue 19: sessions are checked from an in-process cache (auth::session_cache). On PostgreSQL
-- the nodes hear revocations by NOTIFY mediation_sessions; this table, which SQLite processes
-- poll instead, exists so that both backends have one schema, and stays empty here.
CREATE TABLE session_revocations (
    id BIGSERIAL PRIMARY KEY,
    target TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX session_revocations_created ON session_revocations (created_at);
