use chrono::{NaiveDate, NaiveDateTime};

use super::*;

fn at(hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 7)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("a valid time")
}

fn session(id: &str, user: &str) -> LiveSession {
    LiveSession {
        session_id: id.into(),
        user_id: Some(user.into()),
        client_id: None,
        role: Some(crate::users::Role::UnionMediator),
        active: Some(true),
        office_id: Some("office".into()),
        office_kind: None,
        client_revoked_at: None,
        user_name: Some("name".into()),
        expires_at: at(12),
    }
}

fn listening_cache() -> Arc<SessionCache> {
    let cache = SessionCache::new(true);
    cache.listening_again();
    cache
}

fn fill(cache: &SessionCache, live: &LiveSession) {
    cache.fill(cache.generation.load(Ordering::Acquire), live);
}

#[test]
fn a_cache_that_does_not_hear_changes_neither_answers_nor_keeps() {
    let cache = SessionCache::new(true);
    fill(&cache, &session("s1", "u1"));
    assert!(cache.is_empty());
    let cache = listening_cache();
    fill(&cache, &session("s1", "u1"));
    assert!(cache.lookup("s1", at(9)).is_some());
    cache.deaf();
    assert!(cache.lookup("s1", at(9)).is_none());
    assert!(cache.is_empty());
    let off = SessionCache::new(false);
    off.listening_again();
    fill(&off, &session("s1", "u1"));
    assert!(off.lookup("s1", at(9)).is_none());
}

#[test]
fn an_entry_ends_with_its_session() {
    let cache = listening_cache();
    fill(&cache, &session("s1", "u1"));
    assert!(cache.lookup("s1", at(11)).is_some());
    assert!(cache.lookup("s1", at(12)).is_none());
}

#[test]
fn eviction_names_a_session_a_user_a_client_or_everything() {
    let cache = listening_cache();
    let mut client = session("s4", "none");
    client.user_id = None;
    client.client_id = Some("c1".into());
    for live in [
        session("s1", "u1"),
        session("s2", "u1"),
        session("s3", "u2"),
        client,
    ] {
        fill(&cache, &live);
    }
    cache.evict(&Target::Session("s1".into()), false);
    assert!(cache.lookup("s1", at(9)).is_none());
    assert!(cache.lookup("s2", at(9)).is_some());
    cache.evict(&Target::User("u1".into()), false);
    assert!(cache.lookup("s2", at(9)).is_none());
    assert!(cache.lookup("s3", at(9)).is_some());
    cache.evict(&Target::Client("c1".into()), false);
    assert!(cache.lookup("s4", at(9)).is_none());
    assert!(cache.lookup("s3", at(9)).is_some());
    cache.evict(&Target::All, false);
    assert!(cache.is_empty());
}

#[test]
fn a_read_that_began_before_an_eviction_is_not_kept() {
    let cache = listening_cache();
    let before = cache.generation.load(Ordering::Acquire);
    cache.evict(&Target::Session("other".into()), false);
    cache.fill(before, &session("s1", "u1"));
    assert!(cache.is_empty());
}

#[test]
fn a_tombstone_keeps_a_revoked_session_out_until_the_change_has_surely_committed() {
    let cache = listening_cache();
    cache.evict(&Target::User("u1".into()), true);
    fill(&cache, &session("s1", "u1"));
    assert!(cache.is_empty());
    fill(&cache, &session("s2", "u2"));
    assert_eq!(cache.len(), 1);
}

#[test]
fn a_full_cache_drops_its_oldest_entries() {
    let cache = listening_cache();
    for n in 0..CAPACITY + 5 {
        fill(&cache, &session(&format!("s{n}"), "u"));
    }
    assert_eq!(cache.len(), CAPACITY);
    assert!(cache.lookup("s0", at(9)).is_none());
    assert!(cache.lookup(&format!("s{}", CAPACITY + 4), at(9)).is_some());
}

#[test]
fn targets_travel_as_text_and_unreadable_text_clears_everything() {
    for target in [
        Target::Session("0190-a".into()),
        Target::User("0190-b".into()),
        Target::Client("mtc_c".into()),
        Target::All,
    ] {
        assert_eq!(Target::decode(&target.encode()), target);
    }
    assert_eq!(Target::decode("garbage"), Target::All);
}
