//! `/api/v1/cases/{id}/agreements`, `/agreement` and `/payments`.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::views::agreement_view;
pub use super::views::{AgreementView, TermView};
use super::{Agreement, Payment, PaymentView, Term};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::cases::intake::amount;
use crate::cases::lifecycle::CaseStatus;
use crate::cases::transitions;
use crate::cases::visibility::find_for;
use crate::db::write_transaction;
use crate::domain::new_id;
use crate::domain::validation::{free_text, text, Validator};
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::timeline::{self, Actor};

/// One payment term as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermInputBody {
    pub description: String,
    pub amount_fen: i64,
    /// Who receives the money (a worker, or "all claimants").
    pub payee: String,
    pub due_date: NaiveDate,
}

/// `POST /cases/{id}/agreements` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgreement {
    pub signed_at: DateTime<Utc>,
    pub terms: Vec<TermInputBody>,
}

/// Records the signed mediation agreement; the case moves from `in_mediation` to
/// `agreement_reached` and its agreed amount becomes the sum of the terms.
#[utoipa::path(post, path = "/api/v1/cases/{id}/agreements", tag = "agreements", request_body = CreateAgreement,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded, with its follow-ups", body = AgreementView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 409, description = "The case is not in mediation, or already has an agreement", body = Problem),
              (status = 422, description = "Invalid terms", body = Problem)))]
pub async fn create_agreement(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<String>,
    body: JsonBody<CreateAgreement>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let mut v = Validator::new();
    v.require(
        input.signed_at <= now + chrono::Duration::minutes(5),
        "signed_at",
        "must not be in the future",
    );
    v.require(
        !input.terms.is_empty(),
        "terms",
        "an agreement needs at least one payment term",
    );
    v.require(input.terms.len() <= 100, "terms", "at most 100 terms");
    let mut terms = Vec::new();
    for (index, term) in input.terms.iter().enumerate() {
        let description = v.check(
            &format!("terms[{index}].description"),
            free_text(&term.description, 2000),
        );
        let payee = v.check(&format!("terms[{index}].payee"), text(&term.payee, 200));
        let amount_fen = v.check(
            &format!("terms[{index}].amount_fen"),
            amount(term.amount_fen),
        );
        if term.due_date < input.signed_at.date_naive() {
            v.add(
                &format!("terms[{index}].due_date"),
                "must not be before the agreement was signed",
            );
        }
        if let (Some(description), Some(payee), Some(amount_fen)) = (description, payee, amount_fen)
        {
            terms.push((description, payee, amount_fen, term.due_date));
        }
    }
    v.finish()?;
    let total: i64 = terms.iter().map(|t| t.2).sum();
    let view = state
        .db
        .run(move |connection| {
            let case = write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &case_id)?;
                if super::for_case(connection, &case.id)?.is_some() {
                    return Err(AppError::Conflict { code: "agreement_exists", detail: "the case already has an agreement".into() });
                }
                transitions::may_reach_agreement(&case)?;
                let agreement = Agreement {
                    id: new_id(),
                    case_id: case.id.clone(),
                    signed_at: input.signed_at.naive_utc(),
                    total_amount_fen: total,
                    created_by: caller.actor_id().to_owned(),
                    created_at: now.naive_utc(),
                };
                let rows: Vec<Term> = terms
                    .iter()
                    .enumerate()
                    .map(|(i, (description, payee, amount_fen, due_date))| Term {
                        id: new_id(),
                        agreement_id: agreement.id.clone(),
                        position: i as i32 + 1,
                        description: description.clone(),
                        amount_fen: *amount_fen,
                        payee: payee.clone(),
                        due_date: *due_date,
                    })
                    .collect();
                super::insert(connection, &agreement, &rows)?;
                transitions::reach_agreement(connection, &case, total, now.naive_utc())?;
                let data = json!({"agreement_id": agreement.id, "signed_at": input.signed_at, "total_amount_fen": total,
                                  "terms": rows.len(), "from": "in_mediation", "to": "agreement_reached"});
                timeline::append(connection, &case.id, &Actor::from(&caller), "agreement_signed", data, now.naive_utc())?;
                Ok::<_, AppError>(crate::cases::reload(connection, &case.id)?)
            })?;
            agreement_view(connection, &case, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The case's agreement, what is paid, and the statutory follow-ups.
#[utoipa::path(get, path = "/api/v1/cases/{id}/agreement", tag = "agreements", security(("bearer" = [])),
    responses((status = 200, description = "The agreement", body = AgreementView),
              (status = 404, description = "No agreement, or no such visible case", body = Problem)))]
pub async fn get_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &case_id)?;
            agreement_view(connection, &case, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `POST /cases/{id}/payments` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePayment {
    pub amount_fen: i64,
    pub paid_at: DateTime<Utc>,
    pub note: Option<String>,
}

/// Records money actually paid to the workers; the case's recovered amount becomes the sum of
/// its payments.
#[utoipa::path(post, path = "/api/v1/cases/{id}/payments", tag = "agreements", request_body = CreatePayment,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = PaymentView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 409, description = "The case is not in mediation or under an agreement", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn record_payment(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<String>,
    body: JsonBody<CreatePayment>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let amount_fen = v.check("amount_fen", amount(input.amount_fen));
    v.require(input.amount_fen > 0, "amount_fen", "must be more than 0");
    v.require(
        input.paid_at <= now + chrono::Duration::minutes(5),
        "paid_at",
        "must not be in the future",
    );
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .and_then(|n| v.check("note", free_text(n, 2000)));
    let amount_fen = v.finish_with(|| amount_fen)?;
    let payment = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &case_id)?;
                if !matches!(case.status, CaseStatus::InMediation | CaseStatus::AgreementReached) {
                    return Err(AppError::Conflict {
                        code: "invalid_transition",
                        detail: format!("payments are recorded in mediation or under an agreement; the case is {}", case.status),
                    });
                }
                let payment = Payment {
                    id: new_id(),
                    case_id: case.id.clone(),
                    amount_fen,
                    paid_at: input.paid_at.naive_utc(),
                    note: note.clone(),
                    recorded_by: caller.actor_id().to_owned(),
                    created_at: now.naive_utc(),
                };
                super::insert_payment(connection, &payment)?;
                super::refresh_recovered(connection, &case.id, now.naive_utc())?;
                let recovered = crate::cases::reload(connection, &case.id)?.recovered_amount_fen;
                let data = json!({"payment_id": payment.id, "amount_fen": amount_fen, "paid_at": input.paid_at,
                                  "note": note, "recovered_amount_fen": recovered});
                timeline::append(connection, &case.id, &Actor::from(&caller), "payment_recorded", data, now.naive_utc())?;
                Ok::<_, AppError>(payment)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(PaymentView::from(payment)))
}

/// The payments of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/payments", tag = "agreements", security(("bearer" = [])),
    responses((status = 200, description = "The payments, oldest first", body = [PaymentView]),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_payments(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &case_id)?;
            Ok(super::payments_for_case(connection, &case.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(PaymentView::from).collect::<Vec<_>>()))
}
