//! Consultations (法律咨询) and legal aid (docs/prevention.md): most workers who call the
//! hotline or walk in need advice, not a case. Union staff record each one — who answered,
//! what was said, what came of it — so an office can show the advice it gave, the legal aid
//! granted and the consultations that became cases.
//!
//! The model and its queries live here; recording, listing and reading in [`use_cases`]. The
//! person's name, phone and ID number are optional and protected like a case party's
//! (`domain::protect`: encrypted, with only masked forms shown).

pub mod handlers;
pub mod use_cases;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::{Category, Channel};
use crate::db::DbConnection;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::consultations;
use crate::text_enum;

text_enum! {
    /// Who answered the question.
    pub enum AnsweredBy {
        Mediator = "mediator",
        UnionLawyer = "union_lawyer",
        JudicialOffice = "judicial_office",
    }
}

text_enum! {
    /// What came of it.
    pub enum ConsultationOutcome {
        Advised = "advised",
        BecameCase = "became_case",
        LegalAidGranted = "legal_aid_granted",
        ReferredElsewhere = "referred_elsewhere",
    }
}

/// A consultation as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultations)]
pub struct Consultation {
    pub id: String,
    pub office_id: String,
    pub channel: Channel,
    pub topic: Category,
    pub answered_by: AnsweredBy,
    pub minutes: String,
    pub outcome: ConsultationOutcome,
    pub case_id: Option<String>,
    pub person_name: Option<String>,
    pub phone_cipher: Option<String>,
    pub phone_masked: Option<String>,
    pub id_number_cipher: Option<String>,
    pub id_number_masked: Option<String>,
    pub id_number_hash: Option<String>,
    pub recorded_by: String,
    pub consulted_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// The person who asked, as shown: masked numbers only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationPersonView {
    pub name: Option<String>,
    /// e.g. `139****1111`.
    pub phone_masked: Option<String>,
    /// e.g. `440524********0013`.
    pub id_number_masked: Option<String>,
}

/// A consultation as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationView {
    pub id: String,
    pub office_id: String,
    pub channel: Channel,
    /// What it was about (a case category).
    pub topic: Category,
    pub answered_by: AnsweredBy,
    /// What was asked and advised.
    pub minutes: String,
    pub outcome: ConsultationOutcome,
    /// The case it concerns or became, if any.
    pub case_id: Option<String>,
    /// `null` when the person stayed anonymous.
    pub person: Option<ConsultationPersonView>,
    pub recorded_by: String,
    pub consulted_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<Consultation> for ConsultationView {
    fn from(c: Consultation) -> Self {
        let anonymous =
            c.person_name.is_none() && c.phone_masked.is_none() && c.id_number_masked.is_none();
        Self {
            id: c.id,
            office_id: c.office_id,
            channel: c.channel,
            topic: c.topic,
            answered_by: c.answered_by,
            minutes: c.minutes,
            outcome: c.outcome,
            case_id: c.case_id,
            person: (!anonymous).then_some(ConsultationPersonView {
                name: c.person_name,
                phone_masked: c.phone_masked,
                id_number_masked: c.id_number_masked,
            }),
            recorded_by: c.recorded_by,
            consulted_at: c.consulted_at.and_utc(),
            created_at: c.created_at.and_utc(),
        }
    }
}

/// The filters of `GET /consultations`, already checked.
#[derive(Debug, Clone, Default)]
pub struct ConsultationFilter {
    pub topic: Option<Category>,
    pub outcome: Option<ConsultationOutcome>,
    pub answered_by: Option<AnsweredBy>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

pub fn insert(connection: &mut DbConnection, consultation: &Consultation) -> QueryResult<usize> {
    diesel::insert_into(consultations::table)
        .values(consultation)
        .execute(connection)
}

/// A page of the consultations of `offices` matching `filter`, newest first by when they took
/// place (`consulted_at`, then id; the cursor carries both).
pub fn page(
    connection: &mut DbConnection,
    offices: &[String],
    filter: &ConsultationFilter,
    page: &PageRequest,
) -> QueryResult<Paginated<Consultation>> {
    let mut query = consultations::table
        .filter(consultations::office_id.eq_any(offices.to_vec()))
        .select(Consultation::as_select())
        .into_boxed();
    if let Some(topic) = filter.topic {
        query = query.filter(consultations::topic.eq(topic));
    }
    if let Some(outcome) = filter.outcome {
        query = query.filter(consultations::outcome.eq(outcome));
    }
    if let Some(answered_by) = filter.answered_by {
        query = query.filter(consultations::answered_by.eq(answered_by));
    }
    if let Some(from) = filter.from {
        query = query.filter(consultations::consulted_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(consultations::consulted_at.lt(until));
    }
    if let Some((at, id)) = &page.after {
        query = query.filter(
            consultations::consulted_at
                .lt(*at)
                .or(consultations::consulted_at
                    .eq(*at)
                    .and(consultations::id.lt(id.clone()))),
        );
    }
    let rows: Vec<Consultation> = query
        .order((consultations::consulted_at.desc(), consultations::id.desc()))
        .limit(page.limit + 1)
        .load(connection)?;
    Ok(Paginated::from_rows(rows, page, |c| {
        (c.consulted_at, c.id.as_str())
    }))
}

/// One consultation of `offices`; `None` when absent or of another office.
pub fn find_in(
    connection: &mut DbConnection,
    offices: &[String],
    id: &str,
) -> QueryResult<Option<Consultation>> {
    consultations::table
        .filter(consultations::office_id.eq_any(offices.to_vec()))
        .filter(consultations::id.eq(id.to_owned()))
        .select(Consultation::as_select())
        .first(connection)
        .optional()
}
