//! The consultation use cases: recording one in the caller's office, listing and reading the
//! consultations of the caller's offices (a supervisor's tree). Union staff only: others list
//! nothing, read nothing (404) and may not record (403).

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{AnsweredBy, Consultation, ConsultationFilter, ConsultationOutcome, ConsultationView};
use crate::auth::caller::Caller;
use crate::auth::policy::Action;
use crate::cases::access::{find_for, CaseScope};
use crate::cases::{Category, Channel};
use crate::db::{write_transaction, DbConnection};
use crate::domain::identifiers::{mask_id_number, mask_phone};
use crate::domain::ids::CaseId;
use crate::domain::protect::PersonalData;
use crate::domain::validation::{free_text, Validator};
use crate::domain::{lengths, new_id};
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::parties::{self, PartyInput, PartyKind};

/// The person who asked; every number is optional, and protected like a party's.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationPerson {
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

/// `POST /consultations` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConsultation {
    pub channel: Channel,
    /// What it was about, as a case category.
    pub topic: Category,
    pub answered_by: AnsweredBy,
    /// What was asked and advised.
    pub minutes: String,
    pub outcome: ConsultationOutcome,
    /// A case the caller sees that this consultation concerns or became.
    pub case_id: Option<String>,
    /// When it took place; default now.
    pub consulted_at: Option<DateTime<Utc>>,
    /// Leave out for an anonymous consultation.
    pub person: Option<ConsultationPerson>,
}

/// Filters of `GET /consultations`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsultationQuery {
    pub topic: Option<Category>,
    pub outcome: Option<ConsultationOutcome>,
    pub answered_by: Option<AnsweredBy>,
    /// First day (UTC) counted: consultations on or after it.
    pub from: Option<NaiveDate>,
    /// Last day (UTC) counted, inclusive.
    pub to: Option<NaiveDate>,
}

/// The offices whose consultations the caller works: union staff's case offices.
fn offices_of(connection: &mut DbConnection, caller: &Caller) -> Result<Vec<String>, AppError> {
    Ok(match CaseScope::of(connection, caller)? {
        CaseScope::Offices(ids) => ids,
        _ => Vec::new(),
    })
}

/// Records a consultation in the caller's office (union staff: 403 otherwise; bad fields and a
/// `case_id` the caller does not see: 422).
pub fn record(
    connection: &mut DbConnection,
    caller: &Caller,
    input: CreateConsultation,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<ConsultationView, AppError> {
    caller.require(Action::WorkCases)?;
    let office_id = caller
        .office_id
        .clone()
        .ok_or_else(|| AppError::Forbidden(crate::msg!("detail.forbidden.no_office")))?;
    let mut v = Validator::new();
    let minutes = v.check("minutes", free_text(&input.minutes, lengths::MINUTES));
    let consulted_at = input.consulted_at.unwrap_or(now);
    v.require(
        consulted_at <= now + chrono::Duration::minutes(5),
        "consulted_at",
        crate::msg!("field.not_future"),
    );
    let person = input.person.as_ref().map(|person| {
        let party = PartyInput {
            kind: PartyKind::Worker,
            name: person.name.clone(),
            id_number: person.id_number.clone(),
            phone: person.phone.clone(),
            sms_consent: false,
        };
        parties::validate(&mut v, "person.", &party)
    });
    let case_id = input
        .case_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let visible_case = match case_id {
        Some(id) => match find_for(connection, caller, &CaseId::from(id.to_owned())) {
            Ok(case) => Some(case.id.as_str().to_owned()),
            Err(AppError::NotFound) => {
                v.add("case_id", crate::msg!("field.case_id.not_visible"));
                None
            }
            Err(other) => return Err(other),
        },
        None => None,
    };
    let (minutes, person) = v.finish_with(|| match person {
        Some(None) => None,
        Some(Some(person)) => Some((minutes?, Some(person))),
        None => Some((minutes?, None)),
    })?;
    let consultation = Consultation {
        id: new_id(),
        office_id: office_id.to_string(),
        channel: input.channel,
        topic: input.topic,
        answered_by: input.answered_by,
        minutes,
        outcome: input.outcome,
        case_id: visible_case,
        person_name: person.as_ref().map(|p| p.name.clone()),
        phone_cipher: person
            .as_ref()
            .and_then(|p| p.phone.as_deref().map(|n| protector.encrypt(n))),
        phone_masked: person
            .as_ref()
            .and_then(|p| p.phone.as_deref().map(mask_phone)),
        id_number_cipher: person
            .as_ref()
            .and_then(|p| p.id_number.as_deref().map(|n| protector.encrypt(n))),
        id_number_masked: person
            .as_ref()
            .and_then(|p| p.id_number.as_deref().map(mask_id_number)),
        id_number_hash: person
            .as_ref()
            .and_then(|p| p.id_number.as_deref().map(|n| protector.search_hash(n))),
        recorded_by: caller.actor_id().to_owned(),
        consulted_at: consulted_at.naive_utc(),
        created_at: now.naive_utc(),
    };
    write_transaction(connection, |connection| {
        super::insert(connection, &consultation)?;
        Ok::<_, AppError>(())
    })?;
    Ok(ConsultationView::from(consultation))
}

/// A page of the consultations of the caller's offices, newest first; 400 `invalid_query` when
/// `to` is before `from`.
pub fn list(
    connection: &mut DbConnection,
    caller: &Caller,
    query: ConsultationQuery,
    page: &PageRequest,
) -> Result<Paginated<ConsultationView>, AppError> {
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if to < from {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                detail: crate::msg!("detail.invalid_query.period"),
            });
        }
    }
    let start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let filter = ConsultationFilter {
        topic: query.topic,
        outcome: query.outcome,
        answered_by: query.answered_by,
        from: query.from.map(start),
        until: query
            .to
            .and_then(|to| to.checked_add_days(Days::new(1)))
            .map(start),
    };
    let offices = offices_of(connection, caller)?;
    Ok(super::page(connection, &offices, &filter, page)?.map(ConsultationView::from))
}

/// One consultation of the caller's offices, else 404.
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<ConsultationView, AppError> {
    let offices = offices_of(connection, caller)?;
    super::find_in(connection, &offices, id)?
        .map(ConsultationView::from)
        .ok_or(AppError::NotFound)
}
