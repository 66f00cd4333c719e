//! `/api/v1/cases/{id}/referrals` and `/api/v1/referrals`: the union refers, the partner office
//! answers, and every step lands on the case timeline — visible to the union and that office only.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::answers::{apply, load_for_action, require_referral_role, Answer};
use super::rules::{self, ReferralAction, ReferralKind, ReferralStatus};
use super::{scope_of, Referral, ReferralView};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::auth::policy;
use crate::cases::visibility::find_for;
use crate::db::{write_transaction, DbConnection};
use crate::domain::new_id;
use crate::domain::validation::{free_text, text, Validator};
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::offices::{self, OfficeKind};
use crate::pagination::{PageQuery, Paginated};
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

fn views_one(
    connection: &mut DbConnection,
    referral: Referral,
    now: DateTime<Utc>,
) -> Result<ReferralView, AppError> {
    Ok(super::views(connection, vec![referral], now)?.remove(0))
}

/// Refers a case to a partner office.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "referrals", request_body = CreateReferral,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Referred", body = ReferralView),
        (status = 404, description = "No such case, or not visible to you", body = Problem),
        (status = 409, description = "The case is closed", body = Problem),
        (status = 422, description = "Invalid fields (e.g. a task the office does not take)", body = Problem),
    ))]
pub async fn create_referral(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<String>,
    body: JsonBody<CreateReferral>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let request = free_text(&input.request, 5000).map_err(|m| AppError::invalid("request", m))?;
    let now = state.clock.now();
    if input.due_at.is_some_and(|due| due <= now) {
        return Err(AppError::invalid("due_at", "must be in the future"));
    }
    let default_hours = state
        .config
        .referral_due_hours
        .get(input.kind.as_str())
        .copied()
        .unwrap_or(input.kind.default_due_hours());
    let due_at = input
        .due_at
        .unwrap_or(now + chrono::Duration::hours(default_hours));
    let view = state
        .db
        .run(move |connection| {
            let referral = write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &case_id)?;
                case.ensure_open()?;
                let office = offices::find(connection, &input.office_id)
                    .map_err(|_| AppError::invalid("office_id", "no office has this id"))?;
                let office_kind = office.kind;
                let mut v = Validator::new();
                if office_kind == OfficeKind::Union {
                    v.add("office_id", "cases are referred to judicial, hr, police, court or arbitration offices");
                } else if input.kind.office_kind() != office_kind {
                    v.add("kind", format!("a {office_kind} office takes: {}", rules::kinds_for(office_kind).join(", ")));
                }
                v.finish()?;
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
                timeline::append_restricted(connection, &case.id, &Actor::from(&caller), "referral_created", data,
                    now.naive_utc(), Some(&office.id))?;
                crate::notify::messages::referral_created(connection, &referral, &case, now.naive_utc())?;
                Ok::<_, AppError>(referral)
            })?;
            views_one(connection, referral, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/referrals/{}", view.id)))
        .json(view))
}

/// The referrals of a case: all of them for union staff, only their own office's for partners.
#[utoipa::path(get, path = "/api/v1/cases/{id}/referrals", tag = "referrals", security(("bearer" = [])),
    responses((status = 200, description = "The case's referrals, oldest first", body = [ReferralView]),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_case_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let list = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &case_id)?;
            let only = policy::is_partner(caller.role)
                .then(|| caller.office_id.clone().unwrap_or_default());
            let rows = super::for_case(connection, &case.id, only.as_deref())?;
            Ok(super::views(connection, rows, now)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Filters of `GET /referrals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    pub status: Option<ReferralStatus>,
    /// `true`: past due and still pending or accepted.
    pub overdue: Option<bool>,
}

/// The inbox: referrals to the caller's office (partner staff and machine clients), or on the
/// cases of the caller's scope (union staff). Newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(PageQuery, ReferralQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of referrals", body = Paginated<ReferralView>)))]
pub async fn list_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
    query: web::Query<ReferralQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let (status, overdue) = (query.status, query.overdue);
    let now = state.clock.now();
    let list = state
        .db
        .run(move |connection| {
            let scope = scope_of(connection, &caller)?;
            let found = super::list(connection, &scope, status, overdue, &page, now)?;
            Ok(Paginated {
                next_cursor: found.next_cursor,
                items: super::views(connection, found.items, now)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One referral.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", security(("bearer" = [])),
    responses((status = 200, description = "The referral", body = ReferralView),
              (status = 404, description = "No such referral, or not visible to you", body = Problem)))]
pub async fn get_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let scope = scope_of(connection, &caller)?;
            let referral = super::find_visible(connection, &scope, &id)?;
            views_one(connection, referral, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
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

async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    action: ReferralAction,
    answer: Answer,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let referral = write_transaction(connection, |connection| {
                let (current, office_kind) = load_for_action(connection, &caller, &id, action)?;
                if let Some(outcome) = &answer.outcome {
                    let allowed = rules::outcomes_for(office_kind);
                    if !allowed.contains(&outcome.as_str()) {
                        return Err(AppError::invalid(
                            "outcome",
                            format!(
                                "a {office_kind} office answers with: {}",
                                allowed.join(", ")
                            ),
                        ));
                    }
                }
                apply(
                    connection,
                    &current,
                    action,
                    &answer,
                    &Actor::from(&caller),
                    now.naive_utc(),
                )
            })?;
            views_one(connection, referral, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The receiving office takes the task on.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", tag = "referrals", security(("bearer" = [])),
    responses((status = 200, description = "Accepted", body = ReferralView),
              (status = 404, description = "Not a referral to your office", body = Problem),
              (status = 409, description = "Not pending", body = Problem)))]
pub async fn accept_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    act(
        state,
        caller,
        id.into_inner(),
        ReferralAction::Accept,
        Answer::default(),
    )
    .await
}

/// The receiving office declines, saying why.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/decline", tag = "referrals", request_body = DeclineReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "Declined", body = ReferralView),
              (status = 409, description = "Already answered or cancelled", body = Problem),
              (status = 422, description = "No reason", body = Problem)))]
pub async fn decline_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<DeclineReferral>,
) -> Result<HttpResponse, AppError> {
    require_referral_role(&caller)?;
    let reason =
        free_text(&body.into_inner()?.reason, 2000).map_err(|m| AppError::invalid("reason", m))?;
    act(
        state,
        caller,
        id.into_inner(),
        ReferralAction::Decline,
        Answer {
            reason: Some(reason),
            ..Answer::default()
        },
    )
    .await
}

/// The receiving office reports what it did: an outcome code and a free text.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/complete", tag = "referrals", request_body = CompleteReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "Completed", body = ReferralView),
              (status = 409, description = "Already answered or cancelled", body = Problem),
              (status = 422, description = "An outcome the office cannot give", body = Problem)))]
pub async fn complete_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<CompleteReferral>,
) -> Result<HttpResponse, AppError> {
    require_referral_role(&caller)?;
    let body = body.into_inner()?;
    let mut v = Validator::new();
    let outcome = v.check("outcome", text(&body.outcome, 100));
    let result = v.check("result", free_text(&body.result, 5000));
    let (outcome, result) = v.finish_with(|| Some((outcome?, result?)))?;
    let answer = Answer {
        outcome: Some(outcome),
        result: Some(result),
        reason: None,
    };
    act(
        state,
        caller,
        id.into_inner(),
        ReferralAction::Complete,
        answer,
    )
    .await
}

/// Union staff withdraw a referral that is no longer needed.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/cancel", tag = "referrals", request_body = CancelReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "Cancelled", body = ReferralView),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 409, description = "Already answered or cancelled", body = Problem)))]
pub async fn cancel_referral(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    id: web::Path<String>,
    body: JsonBody<CancelReferral>,
) -> Result<HttpResponse, AppError> {
    // No body at all means "no reason"; a body that was sent must be valid, or nothing happens.
    let reason = match body.into_optional()?.and_then(|b| b.reason) {
        Some(raw) if !crate::domain::text::is_blank(&raw) => {
            Some(free_text(&raw, 2000).map_err(|m| AppError::invalid("reason", m))?)
        }
        _ => None,
    };
    act(
        state,
        caller,
        id.into_inner(),
        ReferralAction::Cancel,
        Answer {
            reason,
            ..Answer::default()
        },
    )
    .await
}
