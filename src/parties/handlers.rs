//! `/api/v1/cases/{id}/parties`: the people and the employer of a case.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde_json::json;

use super::{PartyInput, PartyView};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::cases::visibility::find_for;
use crate::db::write_transaction;
use crate::domain::validation::Validator;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::schema::cases;
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
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
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
                case.ensure_open()?;
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
                Ok::<_, AppError>(row)
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
) -> Result<HttpResponse, AppError> {
    let parties = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &id)?;
            Ok(super::list(connection, &case.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(parties.into_iter().map(PartyView::from).collect::<Vec<_>>()))
}

/// `POST /cases/{id}/parties/{party_id}/reveal` body.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// Why the full numbers are needed; recorded on the timeline.
    pub purpose: String,
}

/// A party's full ID and phone numbers.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RevealedParty {
    pub party_id: String,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

/// Shows a party's full ID and phone numbers to a role that needs them — union staff of the
/// case, police on a referred case, a lawyer holding a grant — and records the reveal, with its
/// purpose, on the timeline (个人信息保护法 Art. 51).
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{party_id}/reveal", tag = "cases", request_body = RevealRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The full numbers", body = RevealedParty),
        (status = 403, description = "The role does not need the full numbers", body = Problem),
        (status = 404, description = "No such case or party, or not visible to you", body = Problem),
        (status = 422, description = "No purpose given", body = Problem),
    ))]
pub async fn reveal_party(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<RevealRequest>,
) -> Result<HttpResponse, AppError> {
    let (case_id, party_id) = path.into_inner();
    let now = state.clock.now().naive_utc();
    let protector = state.personal_data.clone();
    let revealed = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                // Visibility, then the role, then the body (docs/case-files.md): a judicial
                // officer gets 404 on a case not referred to their office, 403 on one that is.
                let case = find_for(connection, &caller, &case_id)?;
                if !crate::auth::policy::may_reveal_personal_data(caller.role) {
                    return Err(AppError::Forbidden(format!("the {} role does not need full ID or phone numbers", caller.role)));
                }
                let purpose = crate::domain::validation::text(&body.into_inner()?.purpose, 500)
                    .map_err(|m| AppError::invalid("purpose", m))?;
                let party = super::list(connection, &case.id)?
                    .into_iter()
                    .find(|p| p.id == party_id)
                    .ok_or(AppError::NotFound)?;
                let decrypt = |value: &Option<String>| value.as_deref().map(|v| protector.decrypt(v)).transpose();
                let revealed = RevealedParty {
                    id_number: decrypt(&party.id_number_cipher)?,
                    phone: decrypt(&party.phone_cipher)?,
                    party_id: party.id.clone(),
                    name: party.name.clone(),
                };
                let fields: Vec<&str> = [("id_number", &revealed.id_number), ("phone", &revealed.phone)]
                    .into_iter()
                    .filter(|(_, v)| v.is_some())
                    .map(|(name, _)| name)
                    .collect();
                let data = json!({"party_id": party.id, "name": party.name, "fields": fields, "purpose": purpose});
                timeline::append(connection, &case.id, &Actor::from(&caller), "personal_data_revealed", data, now)?;
                Ok::<_, AppError>(revealed)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(revealed))
}
