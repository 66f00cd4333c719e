//! What a caller can do with referrals, as functions any front door calls — the REST handlers
//! today, a staff console or a partner office's own system next. Each takes the acting
//! [`Caller`], its input and the clock's `now`; it checks who may do it, validates the input (in
//! the order the API has always checked it: docs/errors.md), owns its transaction, and writes its
//! timeline event and outbox rows. HTTP (extractors, body parsing, status codes, `Location`)
//! stays in `referrals::handlers`.
//!
//! What a caller sees of referrals is decided in one place: `referrals::scope_of` for the
//! inbox and single referrals, `cases::access::partner_office` inside a case.

use crate::domain::lengths;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::answers::{self, Answer};
use super::rules::{self, ReferralAction, ReferralKind, ReferralStatus};
use super::{scope_of, Referral, ReferralView};
use crate::auth::caller::Caller;
use crate::auth::policy;
use crate::cases::access::{find_for, partner_office};
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::{CaseId, OfficeId};
use crate::domain::new_id;
use crate::domain::validation::{free_text, text, Validator};
use crate::error::AppError;
use crate::offices::{self, OfficeKind};
use crate::pagination::{PageRequest, Paginated};
use crate::timeline::{self, Actor};

/// `POST /cases/{id}/referrals` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReferral {
    /// The receiving office: judicial, hr, police, court or arbitration.
    pub office_id: String,
    /// A task that office takes (docs/referrals.md "Kinds and default due times" lists them by office kind).
    pub kind: ReferralKind,
    /// What the union asks for, in words.
    pub request: String,
    /// Default: now plus the kind's default hours (e.g. `locate_party`: 48).
    pub due_at: Option<DateTime<Utc>>,
}

/// Filters of `GET /referrals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    pub status: Option<ReferralStatus>,
    /// `true`: past due and still pending or accepted.
    pub overdue: Option<bool>,
}

/// `POST /referrals/{id}/decline` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineReferral {
    pub reason: String,
}

/// `POST /referrals/{id}/complete` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteReferral {
    /// A code valid for the receiving office's kind (e.g. police `party_located`), or `other`.
    pub outcome: String,
    /// What was done, in words.
    pub result: String,
}

/// `POST /referrals/{id}/cancel` body (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelReferral {
    pub reason: Option<String>,
}

fn view_one(
    connection: &mut DbConnection,
    referral: Referral,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    Ok(super::views(connection, vec![referral], now)?.remove(0))
}

/// Refers a visible, open case to a partner office (docs/referrals.md "Making a referral");
/// union work (403 for anyone else).
/// `due_hours` are the configured overrides of the kinds' default time to answer. The body is
/// checked before the case is loaded, so an invalid request is a 422 whatever the case.
pub fn refer(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: CreateReferral,
    due_hours: &BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    caller.require(policy::Action::WorkCases)?;
    let request =
        free_text(&input.request, lengths::ACCOUNT).map_err(|m| AppError::invalid("request", m))?;
    if input.due_at.is_some_and(|due| due <= now) {
        return Err(AppError::invalid(
            "due_at",
            crate::msg!("field.must_be_future"),
        ));
    }
    let default_hours = due_hours
        .get(input.kind.as_str())
        .copied()
        .unwrap_or(input.kind.default_due_hours());
    let due_at = input
        .due_at
        .unwrap_or(now + chrono::Duration::hours(default_hours));
    let referral = write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        case.ensure_open()?;
        let office = offices::find(connection, &OfficeId::from(&input.office_id))
            .map_err(|_| AppError::invalid("office_id", crate::msg!("field.no_such_office")))?;
        check_office_takes(office.kind, input.kind)?;
        let referral = Referral {
            id: new_id(),
            case_id: case.id.clone(),
            office_id: office.id.clone(),
            kind: input.kind,
            request: request.clone(),
            status: ReferralStatus::Pending,
            due_at: due_at.naive_utc(),
            created_by: caller.actor_id().to_owned(),
            accepted_at: None,
            declined_at: None,
            decline_reason: None,
            completed_at: None,
            outcome: None,
            result: None,
            cancelled_at: None,
            cancel_reason: None,
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
            version: 1,
        };
        super::insert(connection, &referral)?;
        let data = json!({"referral_id": referral.id, "office_id": office.id, "office_name": office.name,
                          "kind": referral.kind, "request": request, "due_at": due_at});
        // Restricted: other partner offices never see what this one was asked.
        timeline::append_restricted(
            connection,
            &case.id,
            &Actor::from(caller),
            "referral_created",
            data,
            now.naive_utc(),
            Some(&office.id),
        )?;
        crate::notify::messages::referral_created(connection, &referral, &case, now.naive_utc())?;
        Ok::<_, AppError>(referral)
    })?;
    view_one(connection, referral, now)
}

/// 422 unless an office of `office_kind` takes tasks of `kind`: union offices take none, and
/// each partner office its own (`rules::kinds_for`).
fn check_office_takes(office_kind: OfficeKind, kind: ReferralKind) -> Result<(), AppError> {
    let mut v = Validator::new();
    if office_kind == OfficeKind::Union {
        v.add("office_id", crate::msg!("field.office_id.union_office"));
    } else if kind.office_kind() != office_kind {
        v.add(
            "kind",
            crate::msg!(
                "field.referral_kind.not_for_office",
                office_kind = office_kind,
                allowed = crate::i18n::List::of(rules::kinds_for(office_kind))
            ),
        );
    }
    v.finish()
}

/// A page of the referrals of a visible case, oldest first: all of them for union staff and
/// lawyers, only their own office's for partner staff.
pub fn list_for_case(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> Result<Paginated<ReferralView>, AppError> {
    let case = find_for(connection, caller, case_id)?;
    let found = super::page_for_case(connection, &case.id, partner_office(caller), page)?;
    Ok(Paginated {
        next_cursor: found.next_cursor,
        items: super::views_of_case(connection, found.items, &case, now)?,
    })
}

/// The inbox: a page of the referrals the caller sees (`scope_of`), newest first.
pub fn inbox(
    connection: &mut DbConnection,
    caller: &Caller,
    query: &ReferralQuery,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> Result<Paginated<ReferralView>, AppError> {
    let scope = scope_of(connection, caller)?;
    let found = super::list(connection, &scope, query.status, query.overdue, page, now)?;
    Ok(Paginated {
        next_cursor: found.next_cursor,
        items: super::views(connection, found.items, now)?,
    })
}

/// A referral of the inbox with the union office that referred its case: who asks, in the
/// partner office's list (`GET /referrals` carries only the receiving office).
#[derive(Debug, Clone)]
pub struct InboxEntry {
    pub referral: ReferralView,
    pub from_office: Option<crate::cases::CaseOffice>,
}

/// The [`inbox`] with each referral's referring office, loaded for the whole page in one more
/// query (`referrals::referring_offices`), never one per row.
pub fn inbox_with_senders(
    connection: &mut DbConnection,
    caller: &Caller,
    query: &ReferralQuery,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> Result<Paginated<InboxEntry>, AppError> {
    let found = inbox(connection, caller, query, page, now)?;
    let case_ids: Vec<&str> = found.items.iter().map(|r| r.case_id.as_str()).collect();
    let senders = super::referring_offices(connection, &case_ids)?;
    Ok(found.map(|referral| InboxEntry {
        from_office: senders.get(&referral.case_id).cloned(),
        referral,
    }))
}

/// One referral the caller sees, or 404.
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    let scope = scope_of(connection, caller)?;
    let referral = super::find_visible(connection, &scope, id)?;
    view_one(connection, referral, now)
}

/// 403 unless the caller's role ever acts on referrals (`policy::may_act_on_referrals`). Front
/// doors call it before reading a request body, so a role that may not answer never learns
/// what a valid body would be; the use cases check it again.
pub fn require_referral_role(caller: &Caller) -> Result<(), AppError> {
    if policy::may_act_on_referrals(caller.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden(crate::msg!(
            "detail.forbidden.referral_role",
            role = caller.role
        )))
    }
}

/// The receiving office takes the task on.
pub fn accept(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    act(
        connection,
        caller,
        id,
        ReferralAction::Accept,
        Answer::default(),
        now,
    )
}

/// The receiving office declines, saying why; the reason is checked before the referral is
/// loaded.
pub fn decline(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: DeclineReferral,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    require_referral_role(caller)?;
    let reason =
        free_text(&input.reason, lengths::REASON).map_err(|m| AppError::invalid("reason", m))?;
    let answer = Answer {
        reason: Some(reason),
        ..Answer::default()
    };
    act(connection, caller, id, ReferralAction::Decline, answer, now)
}

/// The receiving office reports what it did. The fields are checked before the referral is
/// loaded; whether the outcome is one the office's kind may give, after.
pub fn complete(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: CompleteReferral,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    require_referral_role(caller)?;
    let mut v = Validator::new();
    let outcome = v.check("outcome", text(&input.outcome, lengths::OUTCOME));
    let result = v.check("result", free_text(&input.result, lengths::ACCOUNT));
    let (outcome, result) = v.finish_with(|| Some((outcome?, result?)))?;
    let answer = Answer {
        outcome: Some(outcome),
        result: Some(result),
        reason: None,
    };
    act(
        connection,
        caller,
        id,
        ReferralAction::Complete,
        answer,
        now,
    )
}

/// Union staff withdraw a referral no longer needed. `None` (no body at all) and a blank
/// reason both mean "no reason"; a reason that was given must be valid, or nothing happens.
pub fn cancel(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: Option<CancelReferral>,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    let reason = match input.and_then(|b| b.reason) {
        Some(raw) if !crate::domain::text::is_blank(&raw) => {
            Some(free_text(&raw, lengths::REASON).map_err(|m| AppError::invalid("reason", m))?)
        }
        _ => None,
    };
    let answer = Answer {
        reason,
        ..Answer::default()
    };
    act(connection, caller, id, ReferralAction::Cancel, answer, now)
}

/// One answer, in one transaction: load what the caller may act on, check the outcome against
/// the office's kind, then the write and its event (`answers::apply`).
fn act(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: ReferralAction,
    answer: Answer,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    let referral = write_transaction(connection, |connection| {
        let (current, office_kind) = load_for_action(connection, caller, id, action)?;
        answers::check_outcome(&answer, office_kind)?;
        answers::apply(
            connection,
            &current,
            action,
            &answer,
            &Actor::from(caller),
            now.naive_utc(),
        )
    })?;
    view_one(connection, referral, now)
}

/// Loads a referral `caller` may act on with `action`: the receiving office answers its own
/// referrals (union staff record answers for court and arbitration, which do not use the
/// system); union staff cancel (`policy::may_act_on_referral`). Anything else is invisible (404)
/// or forbidden (403).
fn load_for_action(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: ReferralAction,
) -> Result<(Referral, OfficeKind), AppError> {
    let scope = scope_of(connection, caller)?;
    require_referral_role(caller)?;
    let referral = super::find_visible(connection, &scope, id)?;
    let office_kind = offices::find(connection, &referral.office_id)?.kind;
    if !policy::may_act_on_referral(caller.role, action, office_kind) {
        return Err(AppError::Forbidden(match action {
            ReferralAction::Cancel => crate::msg!("detail.forbidden.referral_cancel"),
            _ => crate::msg!("detail.forbidden.referral_answer"),
        }));
    }
    Ok((referral, office_kind))
}
