//! `/api/v1/cases`: intake, lists, one case, edits and lifecycle transitions.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::intake::{self, amount, workers_count, CreateCase};
use super::lifecycle::{CaseStatus, TransitionRequest};
use super::transitions;
pub use super::visibility::find_for;
use super::visibility::CaseScope;
use super::{is_collective, store_flags, Case, CaseFilter, CaseView, Category, Channel, Flag};
use crate::app::AppState;
use crate::auth::extract::{Caller, PendingCaller, UnionStaff};
use crate::auth::policy;
use crate::db::{write_transaction, DbConnection};
use crate::domain::check_version;
use crate::domain::identifiers::parse_resident_id;
use crate::domain::protect::PersonalData;
use crate::domain::validation::{free_text, Validator};
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};
use crate::schema::cases;
use crate::timeline::{self, Actor};
use crate::{offices, users};

fn respond(view: CaseView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("etag", etag(view.version)))
        .json(view)
}

fn view_one(
    connection: &mut DbConnection,
    case: Case,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    Ok(super::views(connection, vec![case], now)?.remove(0))
}

/// Registers a case in the caller's office.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CreateCase, security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = CaseView),
        (status = 403, description = "Not union staff", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn create_case(
    state: web::Data<AppState>,
    caller: PendingCaller,
    body: JsonBody<CreateCase>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let protector = state.personal_data.clone();
    let view = state
        .db
        .run(move |connection| {
            let caller = caller.confirm(connection)?;
            caller.require(policy::Action::WorkCases)?;
            // The body only after the caller is known and allowed (401 → 403 → body).
            let intake = intake::validate(body.into_inner()?, now)?;
            let office_id = caller
                .office_id
                .clone()
                .ok_or_else(|| AppError::Forbidden("union staff need an office".into()))?;
            let case = write_transaction(connection, |connection| {
                let office = offices::find(connection, &office_id)?;
                Ok::<_, AppError>(intake::register(
                    connection,
                    &office,
                    &intake,
                    &Actor::from(&caller),
                    &protector,
                    now.naive_utc(),
                )?)
            })?;
            view_one(connection, case, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/cases/{}", view.id)))
        .insert_header(("etag", etag(view.version)))
        .json(view))
}

/// Filters of `GET /cases`.
#[derive(Debug, Deserialize, IntoParams)]
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
    pub q: Option<String>,
}

/// Lists the cases the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(PageQuery, CaseQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of cases", body = Paginated<CaseView>)))]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: PendingCaller,
    page: web::Query<PageQuery>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let protector = state.personal_data.clone();
    let list = state
        .db
        .run(move |connection| {
            let caller = caller.confirm(connection)?;
            let page = page.parse()?;
            let filter = case_filter(query.into_inner(), &protector)?;
            let scope = CaseScope::of(connection, &caller)?;
            Ok(super::list(connection, &scope, &filter, &page, now)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
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
            detail: "q must be at most 100 characters".into(),
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
    })
}

/// One case.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseView), (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: PendingCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let caller = caller.confirm(connection)?;
            let scope = CaseScope::of(connection, &caller)?;
            Ok(super::find_visible_view(connection, &scope, &id, now)?)
        })
        .await?;
    Ok(respond(view))
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
    pub assignee_id: Option<Option<String>>,
}

/// Edits a case; honours `If-Match`. Edits and assignments go on the timeline.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases", request_body = UpdateCase, security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated case", body = CaseView),
        (status = 403, description = "Not union staff, or reassigning without being a supervisor", body = Problem),
        (status = 409, description = "The case is closed", body = Problem),
        (status = 412, description = "Stale If-Match", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn update_case(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<UpdateCase>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let input = body.into_inner()?;
    let mut v = Validator::new();
    let summary = input
        .summary
        .as_deref()
        .and_then(|s| v.check("summary", free_text(s, 5000)));
    let claimed = input
        .claimed_amount_fen
        .and_then(|a| v.check("claimed_amount_fen", amount(a)));
    let workers = input
        .workers_involved
        .and_then(|w| v.check("workers_involved", workers_count(w)));
    v.finish()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let case = write_transaction(connection, |connection| {
                let current = find_for(connection, &caller, &id)?;
                check_version(expected, current.version)?;
                current.ensure_open()?;
                let mut changes = Map::new();
                let mut record = |field: &str, from: Value, to: Value| {
                    if from != to {
                        changes.insert(field.to_owned(), json!({"from": from, "to": to}));
                    }
                };
                let next_summary = summary.unwrap_or(current.summary.clone());
                record("summary", json!(current.summary), json!(next_summary));
                let next_category = input.category.unwrap_or(current.category);
                record("category", json!(current.category), json!(next_category));
                let next_channel = input.channel.unwrap_or(current.channel);
                record("channel", json!(current.channel), json!(next_channel));
                let next_claimed = claimed.unwrap_or(current.claimed_amount_fen);
                record(
                    "claimed_amount_fen",
                    json!(current.claimed_amount_fen),
                    json!(next_claimed),
                );
                let next_workers = workers.unwrap_or(current.workers_involved);
                record(
                    "workers_involved",
                    json!(current.workers_involved),
                    json!(next_workers),
                );
                let next_flags = input
                    .flags
                    .as_deref()
                    .map(store_flags)
                    .unwrap_or(current.flags.clone());
                record("flags", json!(current.flags), json!(next_flags));
                let next_assignee = match &input.assignee_id {
                    Some(assignee) if *assignee != current.assignee_id => {
                        check_assignment(connection, &caller, &current, assignee.as_deref())?;
                        assignee.clone()
                    }
                    _ => current.assignee_id.clone(),
                };
                let assignment_changed = next_assignee != current.assignee_id;
                if changes.is_empty() && !assignment_changed {
                    return Ok(current);
                }
                let updated = diesel::update(
                    cases::table
                        .find(&current.id)
                        .filter(cases::version.eq(current.version)),
                )
                .set((
                    cases::summary.eq(&next_summary),
                    cases::category.eq(next_category),
                    cases::channel.eq(next_channel),
                    cases::claimed_amount_fen.eq(next_claimed),
                    cases::workers_involved.eq(next_workers),
                    cases::collective.eq(is_collective(next_workers)),
                    cases::flags.eq(&next_flags),
                    cases::assignee_id.eq(&next_assignee),
                    cases::updated_at.eq(now.naive_utc()),
                    cases::version.eq(current.version + 1),
                ))
                .execute(connection)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed(
                        "the case changed meanwhile; read it again".into(),
                    ));
                }
                let actor = Actor::from(&caller);
                if !changes.is_empty() {
                    timeline::append(
                        connection,
                        &current.id,
                        &actor,
                        "edit",
                        Value::Object(changes),
                        now.naive_utc(),
                    )?;
                }
                if assignment_changed {
                    let data = json!({"from": current.assignee_id, "to": next_assignee});
                    timeline::append(
                        connection,
                        &current.id,
                        &actor,
                        "assignment",
                        data,
                        now.naive_utc(),
                    )?;
                }
                Ok(super::find_visible(
                    connection,
                    &CaseScope::Offices(vec![current.office_id.clone()]),
                    &current.id,
                )?)
            })?;
            view_one(connection, case, now)
        })
        .await?;
    Ok(respond(view))
}

/// An assignee must be active union staff of the case's own office; moving a case between
/// mediators is for supervisors.
fn check_assignment(
    connection: &mut DbConnection,
    caller: &Caller,
    case: &Case,
    assignee: Option<&str>,
) -> Result<(), AppError> {
    if !policy::may_assign(caller.role, case.assignee_id.is_some()) {
        return Err(AppError::Forbidden(
            "only a supervisor may reassign a case that already has a mediator".into(),
        ));
    }
    let Some(assignee) = assignee else {
        return Ok(());
    };
    let user = users::find(connection, assignee)
        .map_err(|_| AppError::invalid("assignee_id", "no user has this id"))?;
    if !user.active
        || !policy::may_be_assigned(user.role)
        || user.office_id.as_deref() != Some(case.office_id.as_str())
    {
        return Err(AppError::invalid(
            "assignee_id",
            "must be an active mediator or supervisor of the case's office",
        ));
    }
    Ok(())
}

/// Moves a case along its lifecycle (docs/cases.md "Lifecycle"). An action the current status does not allow is
/// a 409 and changes nothing.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", request_body = TransitionRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "The case in its new status", body = CaseView),
        (status = 409, description = "Not allowed from the current status (invalid_transition)", body = Problem),
        (status = 422, description = "Missing reason or destination", body = Problem),
    ))]
pub async fn transition_case(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<TransitionRequest>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let transition = body.into_inner()?.validate()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let case = write_transaction(connection, |connection| {
                let current = find_for(connection, &caller, &id)?;
                check_version(expected, current.version)?;
                transitions::apply(
                    connection,
                    &current,
                    &transition,
                    &Actor::from(&caller),
                    now.naive_utc(),
                )
            })?;
            view_one(connection, case, now)
        })
        .await?;
    Ok(respond(view))
}
