//! The grant use cases: union staff give a lawyer read access to one case file until a time, list
//! a case's grants, and revoke one (docs/case-files.md, "Lawyers' grants"). Plain functions of the
//! acting caller, the input and the clock's `now` that own their transaction and timeline event,
//! so that nothing here knows about HTTP (docs/architecture.md). Who may hold a grant is
//! `auth::policy::may_hold_grant`; what a grant opens is `CaseScope::GrantedTo`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Grant, GrantView};
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::cases::access::{find_for, CaseScope};
use crate::cases::CaseFilter;
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::{CaseId, UserId};
use crate::domain::new_id;
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::timeline::{self, Actor};
use crate::users::{self, Role};

/// The longest a grant may run: a review, not a standing permission.
pub const MAX_GRANT_DAYS: i64 = 365;

/// `POST /cases/{id}/grants` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGrant {
    /// An active user with the `lawyer` role.
    pub user_id: String,
    pub expires_at: DateTime<Utc>,
}

/// Whether `role` gives and revokes grants: union staff, who own the cases (the same rule as the
/// API's `UnionStaff` extractor, here so that every front door asks the same question).
pub fn may_grant(role: Role) -> bool {
    policy::allows(role, Action::WorkCases)
}

/// 403 unless the caller may give and revoke grants ([`may_grant`]).
fn require_granter(caller: &Caller) -> Result<(), AppError> {
    caller.require(Action::WorkCases)
}

/// Grants a lawyer read access to a case the caller sees. The checks run in the documented
/// order: the caller's role (403), `expires_at` (422) before anything is read, then, in one
/// transaction, the case's visibility (404), then `user_id` (422: unknown, inactive or not a
/// lawyer). Writes the grant and a `grant_created` event; the case's version does not change.
pub fn grant(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: CreateGrant,
    now: DateTime<Utc>,
) -> Result<GrantView, AppError> {
    require_granter(caller)?;
    if input.expires_at <= now {
        return Err(AppError::invalid(
            "expires_at",
            crate::msg!("field.must_be_future"),
        ));
    }
    if input.expires_at > now + chrono::Duration::days(MAX_GRANT_DAYS) {
        return Err(AppError::invalid(
            "expires_at",
            crate::msg!("field.expires_at.too_far", days = MAX_GRANT_DAYS),
        ));
    }
    let grant = write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        let lawyer = users::find(connection, &UserId::from(&input.user_id))
            .map_err(|_| AppError::invalid("user_id", crate::msg!("field.no_such_user")))?;
        if !policy::may_hold_grant(lawyer.role) || !lawyer.active {
            return Err(AppError::invalid(
                "user_id",
                crate::msg!("field.user_id.not_lawyer"),
            ));
        }
        let grant = Grant {
            id: new_id(),
            case_id: case.id.clone(),
            user_id: lawyer.id.clone(),
            granted_by: caller.actor_id().to_owned(),
            expires_at: input.expires_at.naive_utc(),
            revoked_at: None,
            created_at: now.naive_utc(),
        };
        super::insert(connection, &grant)?;
        let data = json!({"grant_id": grant.id, "user_id": lawyer.id, "lawyer": lawyer.name,
                          "expires_at": input.expires_at});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "grant_created",
            data,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(grant)
    })?;
    Ok(GrantView::new(grant, now))
}

/// The grants of a case the caller sees (else 404), active or not, oldest first; `active` is
/// judged at `now`. Union staff only (403).
pub fn list_grants(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<Vec<GrantView>, AppError> {
    require_granter(caller)?;
    let case = find_for(connection, caller, case_id)?;
    Ok(super::for_case(connection, &case.id)?
        .into_iter()
        .map(|g| GrantView::new(g, now))
        .collect())
}

/// Revokes a grant of a case the caller sees: the lawyer loses the case at once. 404 for an
/// invisible case, and for a grant of another case, unknown or already revoked; an expired grant
/// may still be revoked. Writes a `grant_revoked` event. Union staff only (403).
pub fn revoke_grant(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    grant_id: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    require_granter(caller)?;
    let now = now.naive_utc();
    write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        if !super::revoke(connection, &case.id, grant_id, now)? {
            return Err(AppError::NotFound);
        }
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "grant_revoked",
            json!({"grant_id": grant_id}),
            now,
        )?;
        Ok(())
    })
}

/// A grant that still runs, with the name of the lawyer holding it.
#[derive(Debug, Clone)]
pub struct LiveGrant {
    pub id: String,
    pub lawyer_id: String,
    pub lawyer: String,
    pub expires_at: DateTime<Utc>,
}

/// What a front door shows beside its grant form: the case's live grants (to revoke) and the
/// people who may be given one ([`policy::may_hold_grant`], active, any office).
#[derive(Debug, Clone)]
pub struct GrantDesk {
    pub live: Vec<LiveGrant>,
    pub lawyers: Vec<users::Pickable>,
}

/// The [`GrantDesk`] of a case the caller sees (else 404), for union staff (else 403): the
/// visibility check, then one query for the live grants with their lawyers' names and one for
/// the lawyers.
pub fn desk(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<GrantDesk, AppError> {
    require_granter(caller)?;
    let case = find_for(connection, caller, case_id)?;
    desk_of(connection, caller, &case, now)
}

/// [`desk`] of a case the caller was already found to see (`find_for`), for a reader that loads
/// the whole case at once and checks its visibility once (`cases::page`): union staff only
/// (403), two queries.
pub fn desk_of(
    connection: &mut DbConnection,
    caller: &Caller,
    case: &crate::cases::Case,
    now: DateTime<Utc>,
) -> Result<GrantDesk, AppError> {
    require_granter(caller)?;
    let live = super::live_for_case(connection, &case.id, now.naive_utc())?
        .into_iter()
        .map(|(grant, lawyer)| LiveGrant {
            id: grant.id,
            lawyer_id: grant.user_id.into(),
            lawyer,
            expires_at: grant.expires_at.and_utc(),
        })
        .collect();
    let holders: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|role| policy::may_hold_grant(*role))
        .collect();
    let lawyers = users::active_with_roles(connection, &holders)?;
    Ok(GrantDesk { live, lawyers })
}

/// A case file a lawyer holds a live grant for, and until when.
#[derive(Debug)]
pub struct GrantedFile {
    pub case: crate::cases::CaseView,
    pub expires_at: DateTime<Utc>,
}

/// A page of the case files granted to the calling lawyer, newest case first: exactly the cases
/// `CaseScope::GrantedTo` lets them see (so an expired or revoked grant drops the file at once),
/// each with its grant's expiry, in three queries. 403 for a role that holds no grants.
pub fn granted_files(
    connection: &mut DbConnection,
    caller: &Caller,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> Result<Paginated<GrantedFile>, AppError> {
    if !policy::may_hold_grant(caller.role) {
        return Err(AppError::Forbidden(crate::msg!(
            "detail.forbidden.role",
            role = caller.role
        )));
    }
    let scope = CaseScope::of(connection, caller)?;
    let found = crate::cases::list(connection, &scope, &CaseFilter::default(), page, now)?;
    let case_ids: Vec<&str> = found.items.iter().map(|c| c.id.as_str()).collect();
    let expiries = super::live_expiries(
        connection,
        caller.actor_id(),
        &case_ids,
        caller.now.naive_utc(),
    )?;
    let files = found.items.into_iter().filter_map(|case| {
        let expires_at = expiries.get(&case.id)?.and_utc();
        Some(GrantedFile { case, expires_at })
    });
    Ok(Paginated {
        items: files.collect(),
        next_cursor: found.next_cursor,
    })
}
