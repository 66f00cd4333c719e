-- Issue 19: sessions are checked from an in-process cache (auth::session_cache). Processes that
-- share this SQLite file learn of each other's revocations from this table, written in the same
-- transaction as the revocation and polled by every process. AUTOINCREMENT: ids only ever grow,
-- even after old rows are deleted, so "rows above the last one seen" never skips one.
CREATE TABLE session_revocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX session_revocations_created ON session_revocations (created_at);
