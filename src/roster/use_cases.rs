//! What callers do with a roster: read it, set one worker's amounts and representative mark, and
//! (for `agreements::record_payment`, inside its transaction) share a payment among the workers.
//! Plain functions of the caller, the input and the time; no HTTP (docs/architecture.md).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::rules::{check_allocations, AllocationInput};
use super::{RosterEntryInput, RosterEntryView};
use crate::auth::caller::Caller;
use crate::auth::policy::Action;
use crate::cases::access::{case_to_change, find_for};
use crate::cases::intake::amount;
use crate::cases::Case;
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::new_id;
use crate::domain::validation::Validator;
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::payment_allocations;
use crate::timeline::{self, Actor};

/// A page of the roster of a case the caller may see (else 404): every worker party, oldest
/// first, with their amounts (zero while none were recorded).
pub fn list_for(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: &PageRequest,
) -> Result<Paginated<RosterEntryView>, AppError> {
    let case = find_for(connection, caller, case_id)?;
    Ok(super::page_for_case(connection, &case.id, page)?)
}

/// Sets one worker's claimed and agreed amounts and representative mark: union staff (403); the
/// body first (422); then, in one transaction, the case visible (404) and open (409
/// `case_closed`), the party a worker of it (404), the entry at the version `If-Match` named
/// (412; 0 for a worker with no entry yet); `roster_updated` goes on the timeline.
pub fn set_entry(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    party_id: &str,
    input: RosterEntryInput,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
) -> Result<RosterEntryView, AppError> {
    caller.require(Action::WorkCases)?;
    let mut v = Validator::new();
    v.check("claimed_amount_fen", amount(input.claimed_amount_fen));
    v.check("agreed_amount_fen", amount(input.agreed_amount_fen));
    v.finish()?;
    let now = now.naive_utc();
    write_transaction(connection, |connection| {
        let case = case_to_change(connection, caller, case_id, None)?;
        // One roster change per case at a time (the timeline's lock): two first writes for the
        // same worker would otherwise both insert, and the version check would see neither.
        timeline::lock_chain(connection, case_id)?;
        let current =
            super::worker_of_case(connection, &case.id, party_id)?.ok_or(AppError::NotFound)?;
        crate::domain::check_version(expected_version, current.version)?;
        super::save_entry(connection, &case.id, party_id, &input, now)?;
        let data = json!({"party_id": party_id, "name": current.name,
                          "claimed_amount_fen": input.claimed_amount_fen,
                          "agreed_amount_fen": input.agreed_amount_fen,
                          "representative": input.representative});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "roster_updated",
            data,
            now,
        )?;
        super::worker_of_case(connection, &case.id, party_id)?.ok_or(AppError::NotFound)
    })
}

/// Checks a payment's `allocations` before anything is read: the pure rule
/// ([`check_allocations`]) under `allocations…` fields.
pub fn check_shares(v: &mut Validator, payment_fen: i64, allocations: &[AllocationInput]) {
    check_allocations(v, payment_fen, allocations);
}

/// Shares a payment already stored among the workers of its case: each party must be a worker
/// of `case` (else 422 on `allocations[i].party_id`, and the caller's transaction rolls the
/// payment back); each share is stored and added to the worker's paid amount. Call inside the
/// payment's transaction, after [`check_shares`] passed.
pub fn allocate(
    connection: &mut DbConnection,
    case: &Case,
    payment_id: &str,
    allocations: &[AllocationInput],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if allocations.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = allocations.iter().map(|a| a.party_id.as_str()).collect();
    let workers = super::workers_among(connection, &case.id, &ids)?;
    let mut v = Validator::new();
    for (index, share) in allocations.iter().enumerate() {
        v.require(
            workers.contains(&share.party_id),
            &format!("allocations[{index}].party_id"),
            crate::msg!("field.allocations.not_a_worker"),
        );
    }
    v.finish()?;
    for share in allocations {
        diesel::insert_into(payment_allocations::table)
            .values((
                payment_allocations::id.eq(new_id()),
                payment_allocations::payment_id.eq(payment_id),
                payment_allocations::case_id.eq(case.id.as_str()),
                payment_allocations::party_id.eq(&share.party_id),
                payment_allocations::amount_fen.eq(share.amount_fen),
            ))
            .execute(connection)?;
        super::add_paid(connection, &case.id, &share.party_id, share.amount_fen, now)?;
    }
    Ok(())
}
