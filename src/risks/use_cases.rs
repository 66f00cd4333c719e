//! The risk use cases (docs/prevention.md): reporting one, listing and reading the visible ones,
//! editing and moving one along its lifecycle. Plain functions of the caller, the input and the
//! clock's `now`; each write owns its transaction and its `risk_events` row.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::events::{self, RiskEventView};
use super::rules::{self, RiskAction, RiskCategory, RiskLevel, RiskSource, RiskStatus};
use super::{Risk, RiskChanges, RiskFilter, RiskScope, RiskView};
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::db::{write_transaction, DbConnection};
use crate::domain::employer::normalize_name;
use crate::domain::identifiers::parse_credit_code;
use crate::domain::validation::{free_text, text, Validator};
use crate::domain::{check_version, lengths, new_id};
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::users;
use crate::users::Role;

/// The most workers one risk may concern: as many as one case may hold, so a risk can always be
/// turned into a case without the caller correcting a number they never sent.
pub const MAX_WORKERS: i32 = crate::cases::intake::MAX_WORKERS;

/// The employer of a risk, as received.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskEmployerInput {
    pub name: String,
    /// Unified social credit code; full-width characters and spaces are accepted and normalised.
    pub credit_code: Option<String>,
}

/// `POST /risks` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRisk {
    pub category: RiskCategory,
    pub level: RiskLevel,
    /// Default: `grid_worker` for a grid worker, `mediator` for union staff.
    pub source: Option<RiskSource>,
    pub employer: RiskEmployerInput,
    /// Workers who may be affected (default 1).
    pub workers_affected: Option<i32>,
    /// What was seen or heard.
    pub summary: String,
}

/// `PATCH /risks/{id}` body: only the fields sent change. A new `level` moves `due_at`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRisk {
    pub category: Option<RiskCategory>,
    pub level: Option<RiskLevel>,
    pub employer: Option<RiskEmployerInput>,
    pub workers_affected: Option<i32>,
    pub summary: Option<String>,
    /// The handling mediator's notes; `null` clears them.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// A mediator or supervisor of the risk's office; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
}

/// A field that is present (even `null`) is `Some`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `POST /risks/{id}/transitions` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskTransition {
    pub action: RiskAction,
    /// What was done (resolve) or why there is nothing to do (close); kept on the timeline.
    pub note: Option<String>,
}

/// Filters of `GET /risks`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskQuery {
    pub category: Option<RiskCategory>,
    pub level: Option<RiskLevel>,
    pub status: Option<RiskStatus>,
    /// `true`: open or handling past `due_at`; `false`: the others.
    pub overdue: Option<bool>,
    /// Part of the employer's name (compared normalised), or its exact credit code.
    pub employer: Option<String>,
}

/// A risk with its timeline (staff only; a grid worker gets no `events`).
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct RiskDetail {
    #[serde(flatten)]
    pub risk: RiskView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<RiskEventView>>,
}

fn employer(v: &mut Validator, input: &RiskEmployerInput) -> Option<(String, Option<String>)> {
    let name = v.check("employer.name", text(&input.name, lengths::NAME));
    let code = match input.credit_code.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => {
            Some(v.check("employer.credit_code", parse_credit_code(code)))
        }
        _ => None,
    };
    match code {
        Some(None) => None,
        Some(code) => Some((name?, code)),
        None => Some((name?, None)),
    }
}

fn workers(v: &mut Validator, count: i32) -> Option<i32> {
    v.check(
        "workers_affected",
        if (1..=MAX_WORKERS).contains(&count) {
            Ok(count)
        } else {
            Err(crate::msg!("field.between", min = 1, max = MAX_WORKERS))
        },
    )
}

/// 403 unless the caller may report risks (union staff, grid workers): checked before the body.
pub fn ensure_may_report(caller: &Caller) -> Result<(), AppError> {
    if policy::may_report_risks(caller.role) {
        Ok(())
    } else {
        caller.require(Action::WorkCases)
    }
}

/// Reports a risk in the caller's office: union staff and grid workers (403 for other roles,
/// 422 for bad fields). Due by level (`due_days`, `MEDIATION_RISK_DUE_DAYS`).
pub fn report(
    connection: &mut DbConnection,
    caller: &Caller,
    input: CreateRisk,
    due_days: &BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<RiskView, AppError> {
    ensure_may_report(caller)?;
    let office_id = caller
        .office_id
        .clone()
        .ok_or_else(|| AppError::Forbidden(crate::msg!("detail.forbidden.no_office")))?;
    let mut v = Validator::new();
    let summary = v.check("summary", free_text(&input.summary, lengths::ACCOUNT));
    let employer = employer(&mut v, &input.employer);
    let workers_affected = workers(&mut v, input.workers_affected.unwrap_or(1));
    let (summary, (employer_name, credit_code), workers_affected) =
        v.finish_with(|| Some((summary?, employer?, workers_affected?)))?;
    let source = input.source.unwrap_or(match caller.role {
        Role::GridWorker => RiskSource::GridWorker,
        _ => RiskSource::Mediator,
    });
    let at = now.naive_utc();
    let risk = Risk {
        id: new_id(),
        office_id: office_id.to_string(),
        category: input.category,
        level: input.level,
        status: RiskStatus::Open,
        source,
        employer_name_normalized: normalize_name(&employer_name),
        employer_name,
        employer_credit_code: credit_code,
        workers_affected,
        summary,
        notes: None,
        assignee_id: None,
        reported_by: caller.actor_id().to_owned(),
        due_at: rules::due_at(input.level, at, due_days),
        case_id: None,
        reminded_at: None,
        concluded_at: None,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    write_transaction(connection, |connection| {
        super::insert(connection, &risk)?;
        let data = json!({"category": risk.category, "level": risk.level, "source": risk.source,
                          "employer_name": risk.employer_name, "workers_affected": risk.workers_affected});
        events::append(connection, &risk.id, caller, "reported", data, at)?;
        Ok::<_, AppError>(())
    })?;
    Ok(RiskView::of(risk, caller, at))
}

/// Checks the filters of `GET /risks` (an `employer` that is a credit code matches it exactly,
/// any text matches part of the normalised name).
fn filter_of(query: RiskQuery) -> RiskFilter {
    let employer = query
        .employer
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    RiskFilter {
        category: query.category,
        level: query.level,
        status: query.status,
        overdue: query.overdue,
        employer_like: employer.map(|e| super::like_pattern(&normalize_name(e))),
        credit_code: employer.and_then(|e| parse_credit_code(e).ok()),
    }
}

/// A page of the risks the caller sees, newest first (an empty page for roles that see none).
pub fn list(
    connection: &mut DbConnection,
    caller: &Caller,
    query: RiskQuery,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> Result<Paginated<RiskView>, AppError> {
    let scope = RiskScope::of(connection, caller)?;
    let at = now.naive_utc();
    let rows = super::page(connection, &scope, &filter_of(query), at, page)?;
    Ok(rows.map(|risk| RiskView::of(risk, caller, at)))
}

/// Loads a risk the caller sees, or 404.
pub fn find_for(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<Risk, AppError> {
    let scope = RiskScope::of(connection, caller)?;
    super::find_visible(connection, &scope, id)?.ok_or(AppError::NotFound)
}

/// One risk the caller sees (else 404); staff get its timeline too.
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<RiskDetail, AppError> {
    let risk = find_for(connection, caller, id)?;
    let events = if caller.role == Role::GridWorker {
        None
    } else {
        Some(events::of_risk(connection, &risk.id)?)
    };
    Ok(RiskDetail {
        risk: RiskView::of(risk, caller, now.naive_utc()),
        events,
    })
}

/// Loads a risk for a change by union staff: role (403), visible (404), at the version read
/// (412), still open or handling (409 `risk_concluded`). Call inside the write transaction.
pub fn risk_to_change(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i32>,
) -> Result<Risk, AppError> {
    caller.require(Action::WorkCases)?;
    let risk = find_for(connection, caller, id)?;
    check_version(expected_version, risk.version)?;
    if !rules::is_open(risk.status) {
        return Err(AppError::Conflict {
            code: "risk_concluded",
            detail: crate::msg!("detail.risk_concluded", status = risk.status),
        });
    }
    Ok(risk)
}

/// Whether `assignee` may handle a risk of `office`: an active mediator or supervisor there.
fn eligible_assignee(
    connection: &mut DbConnection,
    assignee: &str,
    office: &str,
) -> QueryResult<bool> {
    let role: Option<Role> = users::table
        .filter(users::id.eq(assignee.to_owned()))
        .filter(users::office_id.eq(office.to_owned()))
        .filter(users::active.eq(true))
        .select(users::role)
        .first(connection)
        .optional()?;
    Ok(role.is_some_and(policy::may_be_assigned))
}

/// Edits a risk (union staff; `If-Match` honoured). The fields that changed go on its timeline.
pub fn update(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i32>,
    input: UpdateRisk,
    due_days: &BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<RiskView, AppError> {
    caller.require(Action::WorkCases)?;
    let mut v = Validator::new();
    let mut changes = RiskChanges {
        category: input.category,
        level: input.level,
        ..RiskChanges::default()
    };
    if let Some(summary) = &input.summary {
        changes.summary = v.check("summary", free_text(summary, lengths::ACCOUNT));
    }
    if let Some(input) = &input.employer {
        if let Some((name, code)) = employer(&mut v, input) {
            changes.employer_name_normalized = Some(normalize_name(&name));
            changes.employer_name = Some(name);
            changes.employer_credit_code = Some(code);
        }
    }
    if let Some(count) = input.workers_affected {
        changes.workers_affected = workers(&mut v, count);
    }
    if let Some(notes) = &input.notes {
        changes.notes = Some(match notes.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(notes) => v.check("notes", free_text(notes, lengths::NOTE)),
            None => None,
        });
    }
    v.finish()?;
    let at = now.naive_utc();
    let risk = write_transaction(connection, |connection| {
        let risk = risk_to_change(connection, caller, id, expected_version)?;
        if let Some(Some(assignee)) = &input.assignee_id {
            if !eligible_assignee(connection, assignee, &risk.office_id)? {
                return Err(AppError::Validation(vec![crate::error::FieldError::new(
                    "assignee_id",
                    crate::msg!("field.assignee_id.not_eligible_risk"),
                )]));
            }
        }
        changes.assignee_id = input.assignee_id.clone();
        if let Some(level) = changes.level {
            changes.due_at = Some(rules::due_at(level, risk.created_at, due_days));
        }
        let changed = changed_fields(&input);
        let updated = super::apply(connection, &risk, &changes, at)?;
        events::append(
            connection,
            &risk.id,
            caller,
            "edited",
            Value::Object(changed),
            at,
        )?;
        Ok::<_, AppError>(updated)
    })?;
    Ok(RiskView::of(risk, caller, at))
}

/// The names of the fields an edit sent (their values, but never the notes' text).
fn changed_fields(input: &UpdateRisk) -> Map<String, Value> {
    let mut changed = Map::new();
    let mut put = |name: &str, value: Value| {
        changed.insert(name.to_owned(), value);
    };
    if let Some(category) = input.category {
        put("category", json!(category));
    }
    if let Some(level) = input.level {
        put("level", json!(level));
    }
    if let Some(employer) = &input.employer {
        put("employer_name", json!(employer.name));
    }
    if let Some(count) = input.workers_affected {
        put("workers_affected", json!(count));
    }
    if input.summary.is_some() {
        put("summary", json!(true));
    }
    if input.notes.is_some() {
        put("notes", json!(true));
    }
    if let Some(assignee) = &input.assignee_id {
        put("assignee_id", json!(assignee));
    }
    changed
}

/// Moves a risk along its lifecycle (union staff; `If-Match` honoured); 409
/// `invalid_transition` when the status does not allow the action.
pub fn transition(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i32>,
    input: RiskTransition,
    now: DateTime<Utc>,
) -> Result<RiskView, AppError> {
    caller.require(Action::WorkCases)?;
    let mut v = Validator::new();
    let note = match input.note.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(note) => v.check("note", free_text(note, lengths::REASON)),
        None => None,
    };
    v.finish()?;
    let at = now.naive_utc();
    let risk = write_transaction(connection, |connection| {
        let risk = find_for(connection, caller, id)?;
        check_version(expected_version, risk.version)?;
        let status =
            rules::next_status(risk.status, input.action).ok_or_else(|| AppError::Conflict {
                code: "invalid_transition",
                detail: crate::msg!(
                    "detail.invalid_transition.risk",
                    status = risk.status,
                    action = input.action
                ),
            })?;
        let changes = RiskChanges {
            status: Some(status),
            concluded_at: (!rules::is_open(status)).then_some(Some(at)),
            ..RiskChanges::default()
        };
        let updated = super::apply(connection, &risk, &changes, at)?;
        let kind = match status {
            RiskStatus::Handling => "started",
            RiskStatus::Resolved => "resolved",
            _ => "closed",
        };
        let data = json!({"from": risk.status, "to": status, "note": note});
        events::append(connection, &risk.id, caller, kind, data, at)?;
        Ok::<_, AppError>(updated)
    })?;
    Ok(RiskView::of(risk, caller, at))
}
