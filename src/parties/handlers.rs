//! `/api/v1/cases/{id}/parties`: the people and the employer of a case.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde_json::json;

use super::{PartyInput, PartyView};
use crate::auth::extract::{Caller, UnionStaff};
use crate::cases::handlers::find_for;
use crate::db::write_transaction;
use crate::domain::validation::Validator;
use crate::http::error::{ApiError, Problem};
use crate::http::json::JsonBody;
use crate::schema::cases;
use crate::startup::AppState;
use crate::timeline::{self, Actor};

/// Adds a party to a case; its ID and phone numbers are stored encrypted and shown masked.
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties", tag = "cases", request_body = PartyInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = PartyView),
        (status = 404, description = "No such case, or not visible to you", body = Problem),
        (status = 422, description = "Invalid fields (e.g. an ID number failing its check digit)", body = Problem),
    ))]
pub async fn add_party(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    id: web::Path<String>,
    body: JsonBody<PartyInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let mut v = Validator::new();
    let party = super::validate(&mut v, "", &input);
    let party = v.finish_with(|| party)?;
    let now = state.clock.now().naive_utc();
    let protector = state.personal_data.clone();
    let stored = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &id)?;
                let row = party.protect(&protector, &case.id, now);
                super::insert(connection, &row)?;
                if case.status().is_terminal() {
                    return Err(ApiError::Conflict {
                        code: "case_closed",
                        detail: format!("the case is {}", case.status),
                    });
                }
                // Appended in SQL, so two parties added at once both stay searchable.
                diesel::update(cases::table.find(&case.id))
                        .set(cases::search_text.eq(
                            cases::search_text.concat(format!("\n{}", row.name.to_lowercase())),
                        ))
                        .execute(connection)?;
                let data = json!({"party_id": row.id, "kind": row.kind, "name": row.name,
                                  "id_number": row.id_number_masked, "phone": row.phone_masked});
                timeline::append(
                    connection,
                    &case.id,
                    &Actor::from(&caller),
                    "party_added",
                    data,
                    now,
                )?;
                Ok::<_, ApiError>(row)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(PartyView::from(stored)))
}

/// The parties of a case, in the order they were added.
#[utoipa::path(get, path = "/api/v1/cases/{id}/parties", tag = "cases", security(("bearer" = [])),
    responses((status = 200, description = "The parties, numbers masked", body = [PartyView]),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_parties(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let parties = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &id)?;
            Ok(super::list(connection, &case.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(parties.into_iter().map(PartyView::from).collect::<Vec<_>>()))
}
