//! The case timeline: an append-only list of events, each carrying the hash of the one before
//! it, so any later edit of the history is detectable by recomputing the chain.
//!
//! Events are appended only through [`append`], inside the same transaction as the change they
//! record. The case row holds the chain's head (`events_count`, `events_head`); appending locks
//! that row (`FOR NO KEY UPDATE` on PostgreSQL; SQLite write transactions are already
//! exclusive), so concurrent changes to one case queue up instead of forking the chain.
//!
//! Why `NO KEY UPDATE` and not `FOR UPDATE`: every child row inserted before the event (a party,
//! a referral, a document) takes a `KEY SHARE` lock on the case row through its foreign key.
//! `FOR UPDATE` conflicts with another writer's `KEY SHARE`, so two writers each holding one and
//! wanting the other deadlocked (15 of 16 concurrent parties failed). `NO KEY UPDATE` — the lock
//! every plain `UPDATE cases` takes too — does not conflict with `KEY SHARE`; so a case write
//! takes exactly one conflicting lock on its case, the same one everywhere, and writers queue.
//!
//! [`verify`] reads the head and the events; call it inside [`crate::db::read_snapshot`] so an
//! event appended between the two reads is not mistaken for tampering.
//!
//! What callers do with a timeline (read a page, add a note, check the chain) is in
//! [`use_cases`]; HTTP in [`handlers`].

pub mod handlers;
pub mod names;
pub mod use_cases;

pub use use_cases::{add_note, check_chain, read_page, require_note_role};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::caller::{Caller, Principal};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::ids::{CaseId, OfficeId};
use crate::domain::new_id;
use crate::schema::{case_events, cases};

/// The `previous_hash` of a case's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something, as recorded on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<String>,
    /// `user`, `client` or `system`.
    pub kind: &'static str,
    pub role: Option<String>,
    pub office_id: Option<OfficeId>,
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Self {
        let kind = match caller.principal {
            Principal::User { .. } => "user",
            Principal::Client { .. } => "client",
        };
        Self {
            id: Some(caller.actor_id().to_owned()),
            kind,
            role: Some(caller.role.as_str().to_owned()),
            office_id: caller.office_id.clone(),
        }
    }
}

/// An event as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_events)]
pub struct Event {
    pub id: String,
    pub case_id: CaseId,
    pub sequence: i32,
    pub kind: String,
    pub actor_id: Option<String>,
    pub actor_kind: String,
    pub actor_role: Option<String>,
    pub office_id: Option<OfficeId>,
    pub occurred_at: NaiveDateTime,
    pub data: String,
    pub previous_hash: String,
    pub hash: String,
    /// If set, only the case's union staff and this office see the event.
    pub restricted_to_office_id: Option<String>,
}

impl Event {
    /// The hash this event should carry, recomputed from its own fields.
    pub fn computed_hash(&self) -> String {
        let mut canonical = serde_json::json!([
            self.case_id,
            self.sequence,
            self.kind,
            self.actor_kind,
            self.actor_id,
            self.actor_role,
            self.office_id,
            self.occurred_at.and_utc().timestamp_micros(),
            self.data,
            self.previous_hash,
        ]);
        if let (Some(office), Some(fields)) =
            (&self.restricted_to_office_id, canonical.as_array_mut())
        {
            fields.push(serde_json::json!({ "restricted_to_office_id": office }));
        }
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// An event as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    pub sequence: i32,
    /// `intake`, `transition`, `edit`, `assignment`, `party_added`, `note`, …
    pub kind: String,
    pub actor: ActorView,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// What changed; its shape depends on `kind`.
    #[schema(value_type = Object)]
    pub data: Value,
    pub previous_hash: String,
    pub hash: String,
}

/// Who did it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    pub id: Option<String>,
    pub kind: String,
    pub role: Option<String>,
    pub office_id: Option<String>,
}

impl From<Event> for EventView {
    fn from(event: Event) -> Self {
        Self {
            id: event.id,
            sequence: event.sequence,
            kind: event.kind,
            actor: ActorView {
                id: event.actor_id,
                kind: event.actor_kind,
                role: event.actor_role,
                office_id: event.office_id.map(Into::into),
            },
            occurred_at: event.occurred_at.and_utc(),
            data: serde_json::from_str(&event.data).unwrap_or(Value::Null),
            previous_hash: event.previous_hash,
            hash: event.hash,
        }
    }
}

/// The end of a case's timeline: how many events, and the last one's hash.
#[derive(QueryableByName)]
pub struct Head {
    #[diesel(sql_type = Integer)]
    pub events_count: i32,
    #[diesel(sql_type = Text)]
    pub events_head: String,
}

/// Appends an event to a case's timeline. Call inside the transaction of the change it records.
pub fn append(
    connection: &mut DbConnection,
    case_id: &CaseId,
    actor: &Actor,
    kind: &str,
    data: Value,
    now: NaiveDateTime,
) -> QueryResult<Event> {
    append_restricted(connection, case_id, actor, kind, data, now, None)
}

/// Takes the case's timeline for this transaction (on PostgreSQL a row lock; SQLite's writer is
/// one at a time) and reads its head. [`append`] does it itself; a use case that numbers
/// something by counting earlier events (a paper's serial) calls it first, so two at once cannot
/// both count the same.
pub fn lock_chain(connection: &mut DbConnection, case_id: &CaseId) -> QueryResult<Head> {
    let lock = if connection.is_postgres() {
        " FOR NO KEY UPDATE"
    } else {
        ""
    };
    diesel::sql_query(format!(
        "SELECT events_count, events_head FROM cases WHERE id = $1{lock}"
    ))
    .bind::<Text, _>(case_id)
    .get_result(connection)
}

/// As [`append`], for an event only the case's union staff and `office` may see (a partner
/// office's referral: other partner offices never see its contents).
pub fn append_restricted(
    connection: &mut DbConnection,
    case_id: &CaseId,
    actor: &Actor,
    kind: &str,
    data: Value,
    now: NaiveDateTime,
    office: Option<&str>,
) -> QueryResult<Event> {
    let head = lock_chain(connection, case_id)?;
    let event = Event::after(&head, case_id, actor, kind, data, now, office);
    insert(connection, &event)?;
    diesel::update(cases::table.find(case_id))
        .set((
            cases::events_count.eq(event.sequence),
            cases::events_head.eq(&event.hash),
        ))
        .execute(connection)?;
    Ok(event)
}

/// The first event of a case about to be inserted (intake): with nothing before it, its hash is
/// known before the case row exists, so the case is inserted with its chain's head already set
/// and this event is written after it ([`insert`]). Intake then neither reads nor updates
/// the head while it holds its office's case-number counter (issue 19).
pub fn first_event(
    case_id: &CaseId,
    actor: &Actor,
    kind: &str,
    data: Value,
    now: NaiveDateTime,
) -> Event {
    let genesis = Head {
        events_count: 0,
        events_head: GENESIS.to_owned(),
    };
    Event::after(&genesis, case_id, actor, kind, data, now, None)
}

/// Writes an event whose case's head is set in the same transaction: by [`append_restricted`],
/// or by intake's insert of the case for its [`first_event`].
pub fn insert(connection: &mut DbConnection, event: &Event) -> QueryResult<()> {
    diesel::insert_into(case_events::table)
        .values(event)
        .execute(connection)?;
    Ok(())
}

impl Event {
    /// The event that follows `head` in a case's chain, hashed.
    fn after(
        head: &Head,
        case_id: &CaseId,
        actor: &Actor,
        kind: &str,
        data: Value,
        now: NaiveDateTime,
        office: Option<&str>,
    ) -> Self {
        let mut event = Event {
            id: new_id(),
            case_id: case_id.to_owned(),
            sequence: head.events_count + 1,
            kind: kind.to_owned(),
            actor_id: actor.id.clone(),
            actor_kind: actor.kind.to_owned(),
            actor_role: actor.role.clone(),
            office_id: actor.office_id.clone(),
            occurred_at: now,
            data: data.to_string(),
            previous_hash: head.events_head.clone(),
            hash: String::new(),
            restricted_to_office_id: office.map(str::to_owned),
        };
        event.hash = event.computed_hash();
        event
    }
}

/// A condition on a case's events that the case is one the caller may see, checked in the same
/// statement as the page (`use_cases::read_page`): a timeline page is one query.
pub type VisibleCase =
    Box<dyn BoxableExpression<EventsOfCases, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// The events joined with their case, so that [`VisibleCase`] can name the case's columns.
pub type EventsOfCases = diesel::dsl::InnerJoinQuerySource<case_events::table, cases::table>;

/// A page of a case's timeline, oldest first, starting after `after_sequence`. A partner
/// office (`viewer_office`) sees unrestricted events and those restricted to itself. With
/// `visible`, no event is read unless it holds.
pub fn list(
    connection: &mut DbConnection,
    case_id: &str,
    viewer_office: Option<&str>,
    after_sequence: i32,
    limit: i64,
    visible: Option<VisibleCase>,
) -> QueryResult<Vec<Event>> {
    let mut query = case_events::table.inner_join(cases::table).into_boxed();
    if let Some(office) = viewer_office {
        query = query.filter(
            case_events::restricted_to_office_id
                .is_null()
                .or(case_events::restricted_to_office_id.eq(office.to_owned())),
        );
    }
    if let Some(visible) = visible {
        query = query.filter(visible);
    }
    query
        .filter(case_events::case_id.eq(case_id))
        .filter(case_events::sequence.gt(after_sequence))
        .order(case_events::sequence.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(connection)
}

/// The result of recomputing a case's hash chain.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct ChainCheck {
    pub valid: bool,
    pub events: i64,
    pub first_invalid_event_id: Option<String>,
    /// The hash of the newest event; print it with a dossier to check the file later.
    pub head_hash: String,
}

/// Recomputes the chain: every event's hash must match its content, link to the previous
/// event's hash, and the newest must equal the head stored on the case.
pub fn verify_chain(events: &[Event], stored_head: &str) -> ChainCheck {
    let mut previous = GENESIS.to_owned();
    for (index, event) in events.iter().enumerate() {
        let in_place = event.sequence == index as i32 + 1;
        if !in_place || event.previous_hash != previous || event.computed_hash() != event.hash {
            return ChainCheck {
                valid: false,
                events: events.len() as i64,
                first_invalid_event_id: Some(event.id.clone()),
                head_hash: stored_head.to_owned(),
            };
        }
        previous = event.hash.clone();
    }
    let head_matches = previous == stored_head || (events.is_empty() && stored_head == GENESIS);
    ChainCheck {
        valid: head_matches,
        events: events.len() as i64,
        first_invalid_event_id: if head_matches {
            None
        } else {
            events.last().map(|e| e.id.clone())
        },
        head_hash: stored_head.to_owned(),
    }
}

/// Loads a case's whole timeline and checks its chain. Call inside
/// [`crate::db::read_snapshot`]: the head and the events must come from one snapshot.
pub fn verify(connection: &mut DbConnection, case_id: &str) -> QueryResult<ChainCheck> {
    let stored_head: String = cases::table
        .find(case_id)
        .select(cases::events_head)
        .first(connection)?;
    let events = list(connection, case_id, None, 0, i64::MAX, None)?;
    Ok(verify_chain(&events, &stored_head))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(length: usize) -> Vec<Event> {
        let mut previous = GENESIS.to_owned();
        (1..=length)
            .map(|sequence| {
                let mut event = Event {
                    id: format!("e{sequence}"),
                    case_id: "c".into(),
                    sequence: sequence as i32,
                    kind: "note".into(),
                    actor_id: Some("u".into()),
                    actor_kind: "user".into(),
                    actor_role: Some("union_mediator".into()),
                    office_id: Some("o".into()),
                    occurred_at: chrono::DateTime::from_timestamp(
                        1_763_600_000 + sequence as i64,
                        0,
                    )
                    .unwrap()
                    .naive_utc(),
                    data: format!(r#"{{"body":"note {sequence}"}}"#),
                    previous_hash: previous.clone(),
                    hash: String::new(),
                    restricted_to_office_id: None,
                };
                event.hash = event.computed_hash();
                previous = event.hash.clone();
                event
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let events = chain(3);
        let head = events[2].hash.clone();
        assert_eq!(
            verify_chain(&events, &head),
            ChainCheck {
                valid: true,
                events: 3,
                first_invalid_event_id: None,
                head_hash: head
            }
        );
    }

    #[test]
    fn an_edited_event_is_the_first_invalid_one() {
        let mut events = chain(3);
        let head = events[2].hash.clone();
        events[1].data = r#"{"body":"rewritten"}"#.into();
        let check = verify_chain(&events, &head);
        assert!(!check.valid);
        assert_eq!(check.first_invalid_event_id.as_deref(), Some("e2"));
    }

    #[test]
    fn moving_an_event_to_another_offices_eyes_breaks_its_hash() {
        let mut events = chain(2);
        let head = events[1].hash.clone();
        events[0].restricted_to_office_id = Some("police".into());
        assert_eq!(
            verify_chain(&events, &head)
                .first_invalid_event_id
                .as_deref(),
            Some("e1")
        );
    }

    #[test]
    fn a_deleted_last_event_is_caught_by_the_stored_head() {
        let mut events = chain(3);
        let head = events[2].hash.clone();
        events.pop();
        assert!(!verify_chain(&events, &head).valid);
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_link_to_the_next_event() {
        let mut events = chain(3);
        let head = events[2].hash.clone();
        events[0].data = r#"{"body":"forged"}"#.into();
        events[0].hash = events[0].computed_hash();
        assert_eq!(
            verify_chain(&events, &head)
                .first_invalid_event_id
                .as_deref(),
            Some("e2")
        );
    }
}
