//! Lawyers' grants: union staff give a lawyer (union lawyer group, duty lawyer) read access to
//! one case file until a time, and may revoke it. Visibility follows the grant inside every case
//! query (`CaseScope::GrantedTo`), so after expiry or revocation the case answers 404. This
//! module is the model and its queries; granting, listing and revoking are in [`use_cases`].

pub mod handlers;
pub mod use_cases;

pub use use_cases::{desk, grant, list_grants, revoke_grant};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::domain::ids::{CaseId, UserId};
use crate::schema::{case_grants, users};

/// A grant as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_grants)]
pub struct Grant {
    pub id: String,
    pub case_id: CaseId,
    pub user_id: UserId,
    pub granted_by: String,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A grant as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub id: String,
    pub case_id: String,
    pub user_id: String,
    pub granted_by: String,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Neither revoked nor expired.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl GrantView {
    pub fn new(grant: Grant, now: DateTime<Utc>) -> Self {
        Self {
            active: grant.revoked_at.is_none() && grant.expires_at > now.naive_utc(),
            id: grant.id,
            case_id: grant.case_id.into(),
            user_id: grant.user_id.into(),
            granted_by: grant.granted_by,
            expires_at: grant.expires_at.and_utc(),
            revoked_at: grant.revoked_at.map(|t| t.and_utc()),
            created_at: grant.created_at.and_utc(),
        }
    }
}

pub fn insert(connection: &mut DbConnection, grant: &Grant) -> QueryResult<usize> {
    diesel::insert_into(case_grants::table)
        .values(grant)
        .execute(connection)
}

pub fn for_case(connection: &mut DbConnection, case_id: &str) -> QueryResult<Vec<Grant>> {
    case_grants::table
        .filter(case_grants::case_id.eq(case_id))
        .order((case_grants::created_at.asc(), case_grants::id.asc()))
        .select(Grant::as_select())
        .load(connection)
}

/// The live grants of `case_id` (unrevoked, unexpired at `now`) with each lawyer's name, the
/// soonest to end first, in one query.
pub fn live_for_case(
    connection: &mut DbConnection,
    case_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<(Grant, String)>> {
    case_grants::table
        .inner_join(users::table.on(users::id.eq(case_grants::user_id)))
        .filter(case_grants::case_id.eq(case_id))
        .filter(case_grants::revoked_at.is_null())
        .filter(case_grants::expires_at.gt(now))
        .order((case_grants::expires_at.asc(), case_grants::id.asc()))
        .select((Grant::as_select(), users::name))
        .load(connection)
}

/// Revokes a grant of `case_id`; `false` when there is no such unrevoked grant.
pub fn revoke(
    connection: &mut DbConnection,
    case_id: &str,
    grant_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        case_grants::table
            .find(grant_id)
            .filter(case_grants::case_id.eq(case_id))
            .filter(case_grants::revoked_at.is_null()),
    )
    .set(case_grants::revoked_at.eq(Some(now)))
    .execute(connection)?;
    Ok(updated == 1)
}

/// The latest expiry of `user`'s live grants (unrevoked, unexpired at `now`) for each of
/// `case_ids`, in one query: a lawyer holding two grants for one file keeps it until the later.
pub fn live_expiries(
    connection: &mut DbConnection,
    user: &str,
    case_ids: &[&str],
    now: NaiveDateTime,
) -> QueryResult<std::collections::HashMap<String, NaiveDateTime>> {
    let rows: Vec<(String, NaiveDateTime)> = case_grants::table
        .filter(case_grants::user_id.eq(user))
        .filter(case_grants::revoked_at.is_null())
        .filter(case_grants::expires_at.gt(now))
        .filter(case_grants::case_id.eq_any(case_ids))
        .select((case_grants::case_id, case_grants::expires_at))
        .load(connection)?;
    let mut latest = std::collections::HashMap::new();
    for (case_id, expires_at) in rows {
        let entry = latest.entry(case_id).or_insert(expires_at);
        if expires_at > *entry {
            *entry = expires_at;
        }
    }
    Ok(latest)
}
