//! What a caller can do with cases, as functions any front door calls — the REST handlers today,
//! the staff console and the public pages next. Each takes the acting [`Caller`], its input and
//! the clock's `now`, checks who may do it, owns its transaction and writes its timeline events;
//! HTTP (headers, `If-Match` parsing, status codes) stays in `cases::handlers`.

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::access::{case_to_change, find_for, CaseScope};
use super::intake::{self, amount, workers_count, CreateCase};
use super::lifecycle::{CaseStatus, TransitionRequest};
use super::{is_collective, store_flags, transitions, Case, CaseFilter, CaseView};
use super::{Category, Channel, Flag};
use crate::auth::caller::Caller;
use crate::auth::policy;
use crate::db::{write_transaction, DbConnection};
use crate::domain::identifiers::parse_resident_id;
use crate::domain::ids::{CaseId, UserId};
use crate::domain::protect::PersonalData;
use crate::domain::validation::{free_text, Validator};
use crate::error::AppError;
use crate::notify::texts::{self, WorkerTexts};
use crate::pagination::{PageRequest, Paginated};
use crate::schema::cases;
use crate::timeline::{self, Actor};
use crate::{offices, users};

fn view_one(
    connection: &mut DbConnection,
    case: Case,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    Ok(super::views(connection, vec![case], now)?.remove(0))
}

/// Registers a case in the caller's office: intake is union work, and a case belongs to the
/// office that received it (docs/cases.md "Intake").
pub fn register(
    connection: &mut DbConnection,
    caller: &Caller,
    input: CreateCase,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    caller.require(policy::Action::WorkCases)?;
    let intake = intake::validate(input, now)?;
    let office_id = caller
        .office_id
        .clone()
        .ok_or_else(|| AppError::Forbidden(crate::msg!("detail.forbidden.no_office")))?;
    let (case, office) = write_transaction(connection, |connection| {
        let office = offices::find(connection, &office_id)?;
        let case = intake::register(
            connection,
            &office,
            &intake,
            &Actor::from(caller),
            protector,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>((case, office))
    })?;
    // The office was read in the transaction: the view needs no second look-up.
    let office = super::CaseOffice {
        id: office.id.to_string(),
        name: office.name,
        kind: office.kind,
    };
    Ok(CaseView::new(case, office, now))
}

/// Filters of `GET /cases`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    pub assignee_id: Option<String>,
    /// `true`: the 15-day window has closed with no agreement.
    pub overdue: Option<bool>,
    /// `true`: ten or more workers.
    pub collective: Option<bool>,
    /// Part of a case number, employer or party name; or an exact resident ID number.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// `newest` (the default) or `priority`: collective and overdue cases first, then the rest,
    /// newest first within each (docs/cases.md "Collective disputes").
    pub sort: Option<super::priority::CaseSort>,
}

/// A page of the cases the caller may see that match `query`, newest first; with
/// `sort=priority`, collective and overdue cases first (`cases::priority`).
pub fn list_for(
    connection: &mut DbConnection,
    caller: &Caller,
    query: CaseQuery,
    page: &PageRequest,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<Paginated<CaseView>, AppError> {
    let priority = query.sort == Some(super::priority::CaseSort::Priority);
    let mut filter = case_filter(query, protector)?;
    if priority {
        filter.priority = Some(super::priority::PriorityOrder::read(page, now)?);
    }
    let scope = CaseScope::of(connection, caller)?;
    Ok(super::list(connection, &scope, &filter, page, now)?)
}

/// Validates the filters of `GET /cases`; an exact ID number in `q` becomes its search hash.
fn case_filter(query: CaseQuery, protector: &PersonalData) -> Result<CaseFilter, AppError> {
    let q = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_lowercase);
    if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::BadRequest {
            code: "invalid_query",
            detail: crate::msg!("detail.invalid_query.q_too_long", max = 100),
        });
    }
    let id_number_hash = q
        .as_deref()
        .and_then(|q| parse_resident_id(q).ok())
        .map(|id| protector.search_hash(&id));
    Ok(CaseFilter {
        status: query.status,
        category: query.category,
        channel: query.channel,
        assignee_id: query.assignee_id,
        overdue: query.overdue,
        collective: query.collective,
        text: q,
        id_number_hash,
        priority: None,
    })
}

/// One case the caller may see (404 otherwise), with its office, in one query.
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &CaseId,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    let scope = CaseScope::of(connection, caller)?;
    Ok(super::find_visible_view(connection, &scope, id, now)?)
}

fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `PATCH /cases/{id}` body: only the fields given change; `assignee_id: null` unassigns.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCase {
    pub summary: Option<String>,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    pub claimed_amount_fen: Option<i64>,
    pub workers_involved: Option<i32>,
    pub flags: Option<Vec<Flag>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<UserId>>,
}

/// The validated fields of an [`UpdateCase`].
struct CaseEdit {
    summary: Option<String>,
    claimed_amount_fen: Option<i64>,
    workers_involved: Option<i32>,
    input: UpdateCase,
}

fn validate_edit(input: UpdateCase) -> Result<CaseEdit, AppError> {
    let mut v = Validator::new();
    let summary = input
        .summary
        .as_deref()
        .and_then(|s| v.check("summary", free_text(s, lengths::ACCOUNT)));
    let claimed_amount_fen = input
        .claimed_amount_fen
        .and_then(|a| v.check("claimed_amount_fen", amount(a)));
    let workers_involved = input
        .workers_involved
        .and_then(|w| v.check("workers_involved", workers_count(w)));
    v.finish()?;
    Ok(CaseEdit {
        summary,
        claimed_amount_fen,
        workers_involved,
        input,
    })
}

/// Edits an open case at the version the client read. Each changed field goes on the timeline
/// as one `edit` event (from → to), and a new mediator as an `assignment` event; a request that
/// changes nothing writes nothing.
pub fn update(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &CaseId,
    expected_version: Option<i32>,
    input: UpdateCase,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    caller.require(policy::Action::WorkCases)?;
    let edit = validate_edit(input)?;
    let case = write_transaction(connection, |connection| {
        let current = case_to_change(connection, caller, id, expected_version)?;
        apply_edit(connection, caller, current, edit, now)
    })?;
    view_one(connection, case, now)
}

fn apply_edit(
    connection: &mut DbConnection,
    caller: &Caller,
    current: Case,
    edit: CaseEdit,
    now: DateTime<Utc>,
) -> Result<Case, AppError> {
    let mut changes = Map::new();
    let mut record = |field: &str, from: Value, to: Value| {
        if from != to {
            changes.insert(field.to_owned(), json!({"from": from, "to": to}));
        }
    };
    let input = &edit.input;
    let summary = edit.summary.unwrap_or(current.summary.clone());
    record("summary", json!(current.summary), json!(summary));
    let category = input.category.unwrap_or(current.category);
    record("category", json!(current.category), json!(category));
    let channel = input.channel.unwrap_or(current.channel);
    record("channel", json!(current.channel), json!(channel));
    let claimed = edit
        .claimed_amount_fen
        .unwrap_or(current.claimed_amount_fen);
    let (from, to) = (json!(current.claimed_amount_fen), json!(claimed));
    record("claimed_amount_fen", from, to);
    let workers = edit.workers_involved.unwrap_or(current.workers_involved);
    let (from, to) = (json!(current.workers_involved), json!(workers));
    record("workers_involved", from, to);
    let flags = input
        .flags
        .as_deref()
        .map(store_flags)
        .unwrap_or(current.flags.clone());
    record("flags", json!(current.flags), json!(flags));
    let assignee = match &input.assignee_id {
        Some(assignee) if *assignee != current.assignee_id => {
            check_assignment(connection, caller, &current, assignee.as_ref())?;
            assignee.clone()
        }
        _ => current.assignee_id.clone(),
    };
    let assignment_changed = assignee != current.assignee_id;
    if changes.is_empty() && !assignment_changed {
        return Ok(current);
    }
    let updated = diesel::update(
        cases::table
            .find(&current.id)
            .filter(cases::version.eq(current.version)),
    )
    .set((
        cases::summary.eq(&summary),
        cases::category.eq(category),
        cases::channel.eq(channel),
        cases::claimed_amount_fen.eq(claimed),
        cases::workers_involved.eq(workers),
        cases::collective.eq(is_collective(workers)),
        cases::flags.eq(&flags),
        cases::assignee_id.eq(&assignee),
        cases::updated_at.eq(now.naive_utc()),
        cases::version.eq(current.version + 1),
    ))
    .execute(connection)?;
    if updated == 0 {
        return Err(AppError::PreconditionFailed(crate::msg!(
            "detail.version_conflict.case"
        )));
    }
    let actor = Actor::from(caller);
    let at = now.naive_utc();
    if !changes.is_empty() {
        let data = Value::Object(changes);
        timeline::append(connection, &current.id, &actor, "edit", data, at)?;
    }
    if assignment_changed {
        let data = json!({"from": current.assignee_id, "to": assignee});
        timeline::append(connection, &current.id, &actor, "assignment", data, at)?;
    }
    Ok(super::reload(connection, &current.id)?)
}

/// An assignee must be active union staff of the case's own office; moving a case between
/// mediators is for supervisors.
fn check_assignment(
    connection: &mut DbConnection,
    caller: &Caller,
    case: &Case,
    assignee: Option<&UserId>,
) -> Result<(), AppError> {
    if !policy::may_assign(caller.role, case.assignee_id.is_some()) {
        return Err(AppError::Forbidden(crate::msg!(
            "detail.forbidden.reassign"
        )));
    }
    let Some(assignee) = assignee else {
        return Ok(());
    };
    let user = users::find(connection, assignee)
        .map_err(|_| AppError::invalid("assignee_id", crate::msg!("field.no_such_user")))?;
    if !user.active
        || !policy::may_be_assigned(user.role)
        || user.office_id.as_deref() != Some(case.office_id.as_str())
    {
        return Err(AppError::invalid(
            "assignee_id",
            crate::msg!("field.assignee_id.not_eligible"),
        ));
    }
    Ok(())
}

/// Moves a case along its lifecycle (docs/cases.md "Lifecycle"); an action the current status
/// does not allow is a 409 and changes nothing. Closed cases answer through the lifecycle's own
/// table, so this loads the case without the open-case check. The consenting workers are texted
/// in the same transaction: accepted, not accepted, or closed with the survey link.
pub fn transition(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &CaseId,
    expected_version: Option<i32>,
    request: TransitionRequest,
    texts: &WorkerTexts,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    caller.require(policy::Action::WorkCases)?;
    let transition = request.validate()?;
    let case = write_transaction(connection, |connection| {
        let current = find_for(connection, caller, id)?;
        crate::domain::check_version(expected_version, current.version)?;
        let case = transitions::apply(
            connection,
            &current,
            &transition,
            &Actor::from(caller),
            now.naive_utc(),
        )?;
        let reason = transition.reason.as_deref();
        texts::case_transitioned(connection, texts, &case, transition.action, reason, now)?;
        Ok::<_, AppError>(case)
    })?;
    view_one(connection, case, now)
}
