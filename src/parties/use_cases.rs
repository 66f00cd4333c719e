//! What can be done with the parties of a case — add one, list them (numbers masked), reveal one
//! party's full numbers — as plain functions of the caller, the input and the time, with no HTTP
//! in them (docs/architecture.md: one use-case module per resource). Each write owns its
//! transaction and its timeline event, so every front door gets the same checks in the same
//! order (docs/errors.md) and the same record of who saw what (docs/case-files.md).

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{PartyInput, PartyView};
use crate::auth::caller::Caller;
use crate::auth::policy::may_reveal_personal_data;
use crate::cases::access::{case_to_change, find_for};
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::protect::PersonalData;
use crate::domain::validation::{text, Validator};
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::timeline::{self, Actor};

/// `POST /cases/{id}/parties/{party_id}/reveal` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// Why the full numbers are needed; recorded on the timeline.
    pub purpose: String,
}

/// A party's full ID and phone numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevealedParty {
    pub party_id: String,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

/// Adds a party to a case the caller may see (else 404) that is still open (else 409), its
/// numbers stored encrypted, masked and search-hashed, and its name added to the case's search
/// text. The party is checked before the case is loaded, so an invalid one answers 422 whatever
/// the case.
pub fn add(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: PartyInput,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<PartyView, AppError> {
    let mut v = Validator::new();
    let party = super::validate(&mut v, "", &input);
    let party = v.finish_with(|| party)?;
    let now = now.naive_utc();
    let row = write_transaction(connection, |connection| {
        let case = case_to_change(connection, caller, case_id, None)?;
        let row = party.protect(protector, &case.id, now);
        super::insert(connection, &row)?;
        super::add_to_search_text(connection, &case.id, &row.name)?;
        let data = json!({"party_id": row.id, "kind": row.kind, "name": row.name,
                          "id_number": row.id_number_masked, "phone": row.phone_masked});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "party_added",
            data,
            now,
        )?;
        Ok::<_, AppError>(row)
    })?;
    Ok(PartyView::from(row))
}

/// A page of the parties of a case the caller may see (else 404), in the order they were
/// added, numbers masked. A collective dispute may list thousands of workers.
pub fn list_for(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: &PageRequest,
) -> Result<Paginated<PartyView>, AppError> {
    let case = find_for(connection, caller, case_id)?;
    Ok(super::page_for_case(connection, &case.id, page)?.map(PartyView::from))
}

/// A party's full numbers, for a role whose work needs them (`auth::policy`), with the reveal
/// and its purpose recorded on the timeline (个人信息保护法 Art. 51).
///
/// `input` is the body as read, failure included: visibility, then the role, then the body
/// (docs/case-files.md), so a judicial officer gets 404 on a case not referred to their office
/// and 403 on one that is, whatever they sent.
pub fn reveal(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    party_id: &str,
    input: Result<RevealRequest, AppError>,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<RevealedParty, AppError> {
    write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        if !may_reveal_personal_data(caller.role) {
            return Err(AppError::Forbidden(crate::msg!(
                "detail.forbidden.reveal",
                role = caller.role
            )));
        }
        let purpose =
            text(&input?.purpose, lengths::PURPOSE).map_err(|m| AppError::invalid("purpose", m))?;
        let party = super::list(connection, &case.id)?
            .into_iter()
            .find(|p| p.id == party_id)
            .ok_or(AppError::NotFound)?;
        let decrypt =
            |value: &Option<String>| value.as_deref().map(|v| protector.decrypt(v)).transpose();
        let revealed = RevealedParty {
            id_number: decrypt(&party.id_number_cipher)?,
            phone: decrypt(&party.phone_cipher)?,
            party_id: party.id.clone(),
            name: party.name.clone(),
        };
        let fields: Vec<&str> = [
            ("id_number", &revealed.id_number),
            ("phone", &revealed.phone),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(name, _)| name)
        .collect();
        let data = json!({"party_id": party.id, "name": party.name, "fields": fields,
                          "purpose": purpose});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "personal_data_revealed",
            data,
            now.naive_utc(),
        )?;
        Ok(revealed)
    })
}
