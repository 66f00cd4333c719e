//! Live sessions kept in memory, so that an authenticated request is let in without a database
//! round trip of its own, while logout, refresh-token reuse, a password change, deactivation,
//! a role or office change and a client's revocation still stop a session at once.
//!
//! How "at once" is kept (docs/security.md, "The session cache"):
//!
//! - **On the node that makes the change**, every function that revokes a session or changes
//!   what [`sessions::live`] returns calls [`announce`] inside its own transaction. `announce`
//!   drops the matching entries from every cache in this process and leaves a *tombstone* that
//!   refuses to cache them again for [`SAFETY_TTL`]: a request racing with the transaction may
//!   read the row before the commit, but cannot put it back. So the node that revoked refuses
//!   the session before it answers.
//! - **On other nodes**, `announce` writes the change into the same transaction — PostgreSQL
//!   `NOTIFY mediation_sessions` (delivered only on commit), or a row of `session_revocations`
//!   on SQLite — and each node's listener ([`listen`]) evicts the entries it names: within
//!   milliseconds on PostgreSQL, within [`listen::POLL_INTERVAL`] on SQLite.
//! - **When a node cannot hear** (its listener's connection dropped, or it has not reported for
//!   [`STALE_AFTER`]), the cache is emptied and bypassed: every request checks the database, as
//!   without a cache, until the listener is back and listening again.
//! - Every entry also expires [`SAFETY_TTL`] after it was loaded, and at the session's own end,
//!   so a lost notification heals by itself.
//!
//! A fill is refused if any eviction happened after its database read began (a generation
//! counter), so an answer read before a commit can never outlive that commit's eviction.

pub mod listen;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::sessions::{self, LiveSession};
use crate::db::DbConnection;
use crate::schema::session_revocations;

/// How long an entry is trusted after it was read from the database, and how long a tombstone
/// refuses its session: short, so that even a lost notification heals quickly.
pub const SAFETY_TTL: Duration = Duration::from_secs(30);

/// Sessions kept at most; beyond it the oldest entries go. A province's staff is a few
/// thousand people, so this bounds memory (a few hundred bytes an entry) without ever biting.
pub const CAPACITY: usize = 100_000;

/// How long the cache is trusted after the listener last proved that it hears every change.
pub const STALE_AFTER: Duration = Duration::from_secs(3);

/// The PostgreSQL channel the changes are announced on.
pub const CHANNEL: &str = "mediation_sessions";

/// What a change stops or alters: one session, every session of a user or of a machine client,
/// or everything (a change too broad to name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Session(String),
    User(String),
    Client(String),
    All,
}

impl Target {
    /// The text carried by a notification or a `session_revocations` row.
    pub fn encode(&self) -> String {
        match self {
            Self::Session(id) => format!("s:{id}"),
            Self::User(id) => format!("u:{id}"),
            Self::Client(id) => format!("c:{id}"),
            Self::All => "*".to_owned(),
        }
    }

    /// The target a payload names; anything unreadable counts as everything, to be safe.
    pub fn decode(payload: &str) -> Self {
        match payload.split_once(':') {
            Some(("s", id)) => Self::Session(id.to_owned()),
            Some(("u", id)) => Self::User(id.to_owned()),
            Some(("c", id)) => Self::Client(id.to_owned()),
            _ => Self::All,
        }
    }

    fn matches(&self, live: &LiveSession) -> bool {
        match self {
            Self::Session(id) => &live.session_id == id,
            Self::User(id) => live.user_id.as_ref() == Some(id),
            Self::Client(id) => live.client_id.as_ref() == Some(id),
            Self::All => true,
        }
    }
}

/// Records, inside the caller's transaction, that sessions named by `target` were revoked or
/// changed: evicts them from every cache of this process (with a tombstone, see the module
/// comment) and tells the other nodes once the transaction commits.
pub fn announce(
    connection: &mut DbConnection,
    target: Target,
    now: NaiveDateTime,
) -> QueryResult<()> {
    for cache in registered() {
        cache.evict(&target, true);
    }
    let payload = target.encode();
    if connection.is_postgres() {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(CHANNEL)
            .bind::<diesel::sql_types::Text, _>(&payload)
            .execute(connection)?;
    } else {
        diesel::insert_into(session_revocations::table)
            .values((
                session_revocations::target.eq(&payload),
                session_revocations::created_at.eq(now),
            ))
            .execute(connection)?;
    }
    Ok(())
}

/// Every cache of this process. Why a registry: the functions that revoke sessions run deep in
/// use cases that are handed only a connection, and every cache in the process must forget the
/// session before the transaction commits. Session, user and client ids are unique across
/// databases, so a second application in the same process (tests) at most drops an entry it
/// never had.
static REGISTRY: Mutex<Vec<Weak<SessionCache>>> = Mutex::new(Vec::new());

fn registered() -> Vec<Arc<SessionCache>> {
    let mut registry = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    registry.retain(|cache| cache.strong_count() > 0);
    registry.iter().filter_map(Weak::upgrade).collect()
}

struct Entry {
    live: LiveSession,
    expires_at: NaiveDateTime,
    loaded_at: Instant,
    /// Which fill put it here, to tell it from a later one of the same session in `order`.
    fill: u64,
}

#[derive(Default)]
struct Entries {
    by_session: HashMap<String, Entry>,
    /// Fills, oldest first: what is dropped when the cache is full.
    order: VecDeque<(String, u64)>,
    fills: u64,
    /// Targets evicted on this node while their transaction may not have committed yet.
    tombstones: Vec<(Target, Instant)>,
}

impl Entries {
    fn remove_matching(&mut self, target: &Target) {
        match target {
            Target::Session(id) => {
                self.by_session.remove(id);
            }
            Target::All => {
                self.by_session.clear();
                self.order.clear();
            }
            _ => self
                .by_session
                .retain(|_, entry| !target.matches(&entry.live)),
        }
    }

    /// Drops fills from the front of `order` that are gone, replaced, too old, or beyond
    /// capacity.
    fn trim(&mut self) {
        while let Some((id, fill)) = self.order.front() {
            let current = self.by_session.get(id).filter(|e| e.fill == *fill);
            let keep = match current {
                None => false,
                Some(entry) => {
                    entry.loaded_at.elapsed() < SAFETY_TTL
                        && self.by_session.len() <= CAPACITY
                        && self.order.len() <= 2 * CAPACITY
                }
            };
            if keep {
                break;
            }
            if current.is_some() {
                self.by_session.remove(id);
            }
            self.order.pop_front();
        }
    }
}

/// The cache of one application (one node). Held by `AppState`; filled by the session check,
/// emptied by [`announce`] and by the listener.
pub struct SessionCache {
    enabled: bool,
    entries: RwLock<Entries>,
    /// Bumped by every eviction; a fill whose read began under another value is dropped.
    generation: AtomicU64,
    /// Whether the listener is connected and listening.
    listening: AtomicBool,
    /// When the listener last proved it hears changes, in milliseconds since `epoch`.
    heard_at: AtomicU64,
    epoch: Instant,
}

impl SessionCache {
    /// A cache, registered with this process so that [`announce`] reaches it; `enabled: false`
    /// (`MEDIATION_SESSION_CACHE=off`) gives one that never holds anything.
    pub fn new(enabled: bool) -> Arc<Self> {
        let cache = Arc::new(Self {
            enabled,
            entries: RwLock::new(Entries::default()),
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(false),
            heard_at: AtomicU64::new(0),
            epoch: Instant::now(),
        });
        if enabled {
            let mut registry = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
            registry.retain(|cache| cache.strong_count() > 0);
            registry.push(Arc::downgrade(&cache));
        }
        cache
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Whether entries may be used and stored: enabled, and the listener hearing changes.
    fn trusted(&self) -> bool {
        self.enabled
            && self.listening.load(Ordering::Acquire)
            && self
                .millis_now()
                .saturating_sub(self.heard_at.load(Ordering::Acquire))
                < STALE_AFTER.as_millis() as u64
    }

    fn millis_now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The cached live session `session_id`, if it is here, fresh and not past its end at
    /// `now` (the service clock). Touches no database.
    pub fn lookup(&self, session_id: &str, now: NaiveDateTime) -> Option<LiveSession> {
        if !self.trusted() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .by_session
            .get(session_id)
            .filter(|e| e.loaded_at.elapsed() < SAFETY_TTL && e.expires_at > now)
            .map(|e| e.live.clone())
    }

    /// The live session `session_id`: from the cache, or read with [`sessions::live`] and kept.
    pub fn live(
        &self,
        connection: &mut DbConnection,
        session_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<LiveSession>> {
        if let Some(live) = self.lookup(session_id, now) {
            return Ok(Some(live));
        }
        let generation = self.generation.load(Ordering::Acquire);
        let found = sessions::live(connection, session_id, now)?;
        if let Some(live) = &found {
            self.fill(generation, live);
        }
        Ok(found)
    }

    fn fill(&self, generation: u64, live: &LiveSession) {
        if !self.trusted() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        entries
            .tombstones
            .retain(|(_, at)| at.elapsed() < SAFETY_TTL);
        if entries.tombstones.iter().any(|(t, _)| t.matches(live)) {
            return;
        }
        entries.fills += 1;
        let fill = entries.fills;
        entries.by_session.insert(
            live.session_id.clone(),
            Entry {
                live: live.clone(),
                expires_at: live.expires_at,
                loaded_at: Instant::now(),
                fill,
            },
        );
        entries.order.push_back((live.session_id.clone(), fill));
        entries.trim();
    }

    /// Drops the entries `target` names; with `tombstone`, also refuses to store them again for
    /// [`SAFETY_TTL`] (a change not yet committed).
    pub fn evict(&self, target: &Target, tombstone: bool) {
        if !self.enabled {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.remove_matching(target);
        if tombstone {
            entries
                .tombstones
                .retain(|(_, at)| at.elapsed() < SAFETY_TTL);
            entries.tombstones.push((target.clone(), Instant::now()));
        }
    }

    /// The listener is connected and listening: from now on every change reaches this node.
    /// Whatever was read before is dropped, since changes made meanwhile were not heard.
    fn listening_again(&self) {
        self.evict(&Target::All, false);
        self.heard();
        self.listening.store(true, Ordering::Release);
    }

    /// The listener cannot hear changes: empty the cache and check the database every request.
    fn deaf(&self) {
        self.listening.store(false, Ordering::Release);
        self.evict(&Target::All, false);
    }

    /// The listener proved it is still connected.
    fn heard(&self) {
        self.heard_at.store(self.millis_now(), Ordering::Release);
    }

    /// How many sessions are cached (for tests and diagnostics).
    pub fn len(&self) -> usize {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.by_session.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
