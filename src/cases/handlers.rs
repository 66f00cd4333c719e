//! `/api/v1/cases`: intake, lists, one case, edits and lifecycle transitions. Each handler
//! extracts, calls one use case in `cases::use_cases`, and answers.

use actix_web::{web, HttpRequest, HttpResponse};

use super::intake::CreateCase;
use super::lifecycle::TransitionRequest;
use super::use_cases::{self, CaseQuery, UpdateCase};
use super::CaseView;
use crate::app::AppState;
use crate::auth::extract::{PendingCaller, UnionStaff};
use crate::auth::policy;
use crate::domain::ids::CaseId;
use crate::employers::{self, use_cases::RegisteredCase};
use crate::exports::{self, ExportParams};
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};

fn respond(view: CaseView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("etag", etag(view.version)))
        .json(view)
}

/// Registers a case in the caller's office.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CreateCase, security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered, with what the intake found (`warnings`)", body = RegisteredCase),
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
            let input = body.into_inner()?;
            employers::register_case(connection, &caller, input, &protector, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/cases/{}", view.case.id)))
        .insert_header(("etag", etag(view.case.version)))
        .json(view))
}

/// Lists the cases the caller may see, newest first; as a CSV or XLSX download of every matching
/// case with `?format=` or `Accept` (docs/exports.md).
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(PageQuery, CaseQuery, ExportParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of cases; or every matching case as a spreadsheet (`format`, `Accept`)", body = Paginated<CaseView>)))]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: PendingCaller,
    request: HttpRequest,
    page: crate::http::query::Query<PageQuery>,
    query: crate::http::query::Query<CaseQuery>,
    export: crate::http::query::Query<ExportParams>,
) -> Result<HttpResponse, AppError> {
    if let Some(format) = exports::handlers::wanted(request.headers(), &export) {
        page.parse()?; // refused as by the list, although an export is every page
        let lang = crate::http::language::of(request.headers());
        let confirm = move |connection: &mut _| caller.confirm(connection);
        return exports::handlers::cases(&state, confirm, query.into_inner(), format, lang).await;
    }
    let now = state.clock.now();
    let protector = state.personal_data.clone();
    let list = state
        .db
        .run(move |connection| {
            let caller = caller.confirm(connection)?;
            let page = page.parse()?;
            use_cases::list_for(
                connection,
                &caller,
                query.into_inner(),
                &page,
                &protector,
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One case.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "The case's id")), security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseView), (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: PendingCaller,
    id: web::Path<CaseId>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let caller = caller.confirm(connection)?;
            use_cases::get(connection, &caller, &id, now)
        })
        .await?;
    Ok(respond(view))
}

/// Edits a case; honours `If-Match`. Edits and assignments go on the timeline.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases",
    params(
        ("id" = String, Path, description = "The case's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The version you read, as an ETag: `\"3\"` (or `*`); a stale one is 412 `version_conflict`"),
    ),
    request_body = UpdateCase, security(("bearer" = [])),
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
    id: web::Path<CaseId>,
    body: JsonBody<UpdateCase>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let input = body.into_inner()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| use_cases::update(connection, &caller, &id, expected, input, now))
        .await?;
    Ok(respond(view))
}

/// Moves a case along its lifecycle (docs/cases.md "Lifecycle"). An action the current status does not allow is
/// a 409 and changes nothing.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases",
    params(
        ("id" = String, Path, description = "The case's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The version you read, as an ETag: `\"3\"` (or `*`); a stale one is 412 `version_conflict`"),
    ),
    request_body = TransitionRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "The case in its new status", body = CaseView),
        (status = 409, description = "Not allowed from the current status, or a resolve before the agreed amount is paid", body = Problem),
        (status = 422, description = "Missing reason or destination", body = Problem),
    ))]
pub async fn transition_case(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    id: web::Path<CaseId>,
    body: JsonBody<TransitionRequest>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let request = body.into_inner()?;
    let now = state.clock.now();
    let texts = state.texts();
    let view = state
        .db
        .run(move |connection| {
            use_cases::transition(connection, &caller, &id, expected, request, &texts, now)
        })
        .await?;
    Ok(respond(view))
}
