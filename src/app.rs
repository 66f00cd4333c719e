//! The state every request handler and background job shares. It imports nothing from the HTTP
//! adapter (routes, handlers, extractors), so that everything below the adapter can name it
//! without depending, through `startup`, on every handler (crates.io keeps its `App` the same way).

use std::sync::Arc;

use crate::auth::browser_session::BrowserSessions;
use crate::auth::session_cache::SessionCache;
use crate::auth::tokens::TokenSigner;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::documents::sweep::Sweeper;
use crate::domain::protect::PersonalData;
use crate::notify::mailer::Mailer;
use crate::notify::sms_transport::SmsSender;
use crate::notify::texts::WorkerTexts;
use crate::notify::worker::OutboxWorker;

/// Everything a handler may need, shared by all workers.
pub struct AppState {
    pub db: Db,
    /// For reads that may lag behind the last commit by a moment: statistics and exports, and
    /// nothing a caller reads back after writing it. A PostgreSQL standby when
    /// `MEDIATION_READ_DATABASE_URL` is set (docs/deployment.md), else the same pool as `db`.
    /// Never a case read, a list the caller just changed, or anything inside a write.
    pub read_db: Db,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// The secret signing access tokens (configured, or generated and persisted).
    pub jwt_secret: String,
    /// Issues and verifies access tokens with that secret.
    pub tokens: TokenSigner,
    /// Live sessions kept in memory, so a request checks its session without a query
    /// (`auth::session_cache`; off with `MEDIATION_SESSION_CACHE=off`).
    pub session_cache: Arc<SessionCache>,
    /// Seals the staff console's session cookies and derives their form tokens.
    pub browser_sessions: BrowserSessions,
    /// Encrypts, decrypts and search-hashes ID and phone numbers.
    pub personal_data: PersonalData,
    /// Sends the outbox's mail (SMTP, files or memory, by configuration).
    pub mailer: Mailer,
    /// Sends the outbox's text messages (the SMS gateway, files or memory, by configuration).
    pub sms: SmsSender,
    /// Where document bytes are kept.
    pub storage: std::sync::Arc<dyn object_store::ObjectStore>,
}

impl AppState {
    /// The outbox worker over this state's database, clock, mail settings and mailer.
    pub fn outbox_worker(&self) -> OutboxWorker {
        OutboxWorker {
            db: self.db.clone(),
            clock: self.clock.clone(),
            settings: self.config.mail.clone(),
            mailer: self.mailer.clone(),
            sms: self.sms.clone(),
            personal_data: self.personal_data.clone(),
            public_url: self.config.public.base_url.clone(),
        }
    }

    /// What the use cases that text workers need: the data key and the public origin of links.
    pub fn texts(&self) -> WorkerTexts {
        WorkerTexts {
            personal_data: self.personal_data.clone(),
            public_url: self.config.public.base_url.clone(),
        }
    }

    /// The orphaned-document sweeper over this state's database, clock and store.
    pub fn sweeper(&self) -> Sweeper {
        Sweeper {
            db: self.db.clone(),
            clock: self.clock.clone(),
            storage: self.storage.clone(),
            settings: self.config.documents.clone(),
        }
    }
}
