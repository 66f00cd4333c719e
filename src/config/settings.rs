//! The mail and document settings, as parsed by [`super::Config::from_vars`].

use std::time::Duration;

/// Where document bytes go and how large they may be.
#[derive(Clone, Debug)]
pub struct DocumentSettings {
    pub storage: crate::documents::storage::StorageConfig,
    /// Largest accepted document (413 above it).
    pub limit_bytes: usize,
    /// How often stored objects without a document row are looked for and deleted
    /// (`documents::sweep`), besides once at start.
    pub sweep_interval: Duration,
    /// How old such an object must be before it is deleted: far longer than an upload takes
    /// from storing its bytes to committing its row, so an upload in flight is never touched.
    /// One hour; not an environment variable, tests shorten it.
    pub orphan_age: Duration,
}

/// Where mail goes and how the outbox retries.
#[derive(Clone, Debug)]
pub struct MailSettings {
    pub transport: crate::notify::mailer::MailTransport,
    /// The sender, e.g. `工会调解 <mediation@union.example>`.
    pub from: String,
    /// Attempts before a row is marked dead.
    pub max_attempts: i32,
    /// First retry delay; doubled each attempt up to `backoff_cap`.
    pub backoff: Duration,
    pub backoff_cap: Duration,
    /// How often the worker looks for due rows.
    pub poll_interval: Duration,
    /// How long a claimed row stays reserved for its worker; a row claimed by a process that
    /// died is sent by another once this has passed. Longer than the longest send
    /// (`mailer::SEND_DEADLINE`), so a live worker never loses a row it is sending.
    pub lease: Duration,
    /// Whether this process sends mail (several servers may share one database).
    pub worker_enabled: bool,
    /// How often reminders are looked for.
    pub reminder_interval: Duration,
}
