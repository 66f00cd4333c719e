//! Intake (`POST /cases`): the request, its validation, the case number, and the one
//! transaction that writes the case, its parties and its first timeline event.

use crate::domain::lengths;
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::deadlines::{mediation_clock, office_zone};
use super::lifecycle::CaseStatus;
use super::{is_collective, store_flags, Case, Category, Channel, Flag};
use crate::db::DbConnection;
use crate::domain::employer;
use crate::domain::identifiers::{mask_phone, parse_credit_code, parse_phone};
use crate::domain::ids::CaseId;
use crate::domain::new_id;
use crate::domain::protect::PersonalData;
use crate::domain::validation::{free_text, text, Validator};
use crate::error::AppError;
use crate::offices::Office;
use crate::parties::{self, PartyInput, PartyKind, ValidParty};
use crate::schema::{case_employers, cases};
use crate::timeline::{self, Actor};

/// The largest amount accepted, in fen: 10 billion yuan — far above any real claim, low enough
/// that sums over a province can never overflow.
pub const MAX_AMOUNT_FEN: i64 = 1_000_000_000_000;
/// The most workers one case may involve.
pub const MAX_WORKERS: i32 = 100_000;

/// The employer as received.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerInput {
    pub name: String,
    /// Unified social credit code (GB 32100); full-width characters and spaces are accepted
    /// and normalised.
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// A worker's part in the claim.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum WorkerRole {
    /// A worker claiming for themself.
    #[default]
    Claimant,
    /// A representative elected by the workers of a collective dispute (Art. 7).
    Representative,
}

/// A worker as received at intake.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub role: WorkerRole,
    /// The worker agrees to receive text messages about the case on `phone`, which must then be
    /// a mobile (docs/notifications.md, "Text messages to workers"). Default `false`.
    #[serde(default)]
    pub sms_consent: bool,
}

/// `POST /cases` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCase {
    pub category: Category,
    pub channel: Channel,
    pub summary: String,
    /// When the union received the application; default now. Starts the 15-day clock.
    pub received_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub claimed_amount_fen: i64,
    /// Default: the number of workers listed, at least 1.
    pub workers_involved: Option<i32>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    pub employer: EmployerInput,
    #[serde(default)]
    pub workers: Vec<WorkerInput>,
}

/// A fully checked intake, ready to write.
#[derive(Debug, Clone)]
pub struct ValidIntake {
    pub category: Category,
    pub channel: Channel,
    pub summary: String,
    pub received_at: DateTime<Utc>,
    pub claimed_amount_fen: i64,
    pub workers_involved: i32,
    pub flags: Vec<Flag>,
    pub employer_name: String,
    pub employer_credit_code: Option<String>,
    pub employer_address: Option<String>,
    pub employer_contact_name: Option<String>,
    pub employer_contact_phone: Option<String>,
    pub parties: Vec<ValidParty>,
}

/// Checks an amount in fen.
pub fn amount(value: i64) -> Result<i64, crate::i18n::Message> {
    if value < 0 {
        Err(crate::msg!("field.amount.negative"))
    } else if value > MAX_AMOUNT_FEN {
        Err(crate::msg!("field.amount.too_large", max = MAX_AMOUNT_FEN))
    } else {
        Ok(value)
    }
}

/// Checks a worker count.
pub fn workers_count(value: i32) -> Result<i32, crate::i18n::Message> {
    if (1..=MAX_WORKERS).contains(&value) {
        Ok(value)
    } else {
        Err(crate::msg!("field.between", min = 1, max = MAX_WORKERS))
    }
}

fn optional_text(
    v: &mut Validator,
    field: &str,
    raw: &Option<String>,
    max: usize,
) -> Option<String> {
    let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    v.check(field, text(raw, max))
}

/// Validates a whole intake, reporting every invalid field at once.
pub fn validate(input: CreateCase, now: DateTime<Utc>) -> Result<ValidIntake, AppError> {
    let mut v = Validator::new();
    let summary = v.check("summary", free_text(&input.summary, lengths::ACCOUNT));
    // As the database keeps it, so the case `register` answers with equals the one read back.
    let received_at = input
        .received_at
        .map(crate::clock::to_stored_precision)
        .unwrap_or(now);
    v.require(
        received_at <= now + chrono::Duration::minutes(5),
        "received_at",
        crate::msg!("field.not_future"),
    );
    v.require(
        received_at.year() >= 2000,
        "received_at",
        crate::msg!("field.received_at.too_early"),
    );
    let claimed = v.check("claimed_amount_fen", amount(input.claimed_amount_fen));
    let workers_involved = v.check(
        "workers_involved",
        workers_count(
            input
                .workers_involved
                .unwrap_or(input.workers.len().max(1) as i32),
        ),
    );
    let employer_name = v.check("employer.name", text(&input.employer.name, lengths::NAME));
    let employer_credit_code = match input
        .employer
        .credit_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(code) => v.check("employer.credit_code", parse_credit_code(code)),
        None => None,
    };
    let employer_address = optional_text(
        &mut v,
        "employer.address",
        &input.employer.address,
        lengths::PLACE,
    );
    let employer_contact_name = optional_text(
        &mut v,
        "employer.contact_name",
        &input.employer.contact_name,
        lengths::NAME,
    );
    let employer_contact_phone = match input
        .employer
        .contact_phone
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(phone) => v.check("employer.contact_phone", parse_phone(phone)),
        None => None,
    };
    let mut parties = Vec::new();
    for (index, worker) in input.workers.iter().enumerate() {
        let as_party = PartyInput {
            kind: match worker.role {
                WorkerRole::Claimant => PartyKind::Worker,
                WorkerRole::Representative => PartyKind::Representative,
            },
            name: worker.name.clone(),
            id_number: worker.id_number.clone(),
            phone: worker.phone.clone(),
            sms_consent: worker.sms_consent,
        };
        if let Some(party) = parties::validate(&mut v, &format!("workers[{index}]."), &as_party) {
            parties.push(party);
        }
    }
    if let Some(count) = workers_involved {
        let listed = input
            .workers
            .iter()
            .filter(|w| w.role == WorkerRole::Claimant)
            .count() as i32;
        v.require(
            listed <= count,
            "workers_involved",
            crate::msg!("field.workers_involved.fewer_than_listed"),
        );
    }
    v.finish()?;
    let employer_name = employer_name.unwrap_or_default();
    parties.push(ValidParty {
        kind: PartyKind::Employer,
        name: employer_name.clone(),
        id_number: None,
        phone: employer_contact_phone.clone(),
        sms_consent: false,
    });
    Ok(ValidIntake {
        category: input.category,
        channel: input.channel,
        summary: summary.unwrap_or_default(),
        received_at,
        claimed_amount_fen: claimed.unwrap_or_default(),
        workers_involved: workers_involved.unwrap_or(1),
        flags: input.flags,
        employer_name,
        employer_credit_code,
        employer_address,
        employer_contact_name,
        employer_contact_phone,
        parties,
    })
}

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Integer)]
    last_value: i32,
}

/// The next case number of an office for a year: `HS-2026-000042`. The counter row is bumped
/// with one atomic upsert, so concurrent intakes never share a number.
pub fn next_case_number(
    connection: &mut DbConnection,
    office: &Office,
    year: i32,
) -> QueryResult<String> {
    let counter: Counter = diesel::sql_query(
        "INSERT INTO case_number_counters (office_id, year, last_value) VALUES ($1, $2, 1) \
         ON CONFLICT (office_id, year) DO UPDATE SET last_value = case_number_counters.last_value + 1 \
         RETURNING last_value",
    )
    .bind::<Text, _>(&office.id)
    .bind::<Integer, _>(year)
    .get_result(connection)?;
    Ok(format!("{}-{year}-{:06}", office.code, counter.last_value))
}

/// Writes a validated intake: number, case (its timeline's head already set), the `intake`
/// event, search keys, employer key and parties. Call inside a write transaction.
///
/// The office's counter row stays locked from the upsert to the commit, so an office registers
/// one case at a time for that stretch. The number is taken first because the case row is
/// written with it: writing the case under a stand-in and setting the number last was measured
/// slower on PostgreSQL, where changing an indexed column rewrites every index entry of the row.
/// What can be done before is: the event is built (and hashed) in memory, so the case goes in
/// with its head, and the head is neither read nor updated afterwards (issue 19).
pub fn register(
    connection: &mut DbConnection,
    office: &Office,
    intake: &ValidIntake,
    actor: &Actor,
    protector: &PersonalData,
    now: NaiveDateTime,
) -> QueryResult<Case> {
    let zone = office_zone(&office.time_zone);
    let year = now.and_utc().with_timezone(&zone).year();
    let clock = mediation_clock(intake.received_at, zone);
    let id: CaseId = new_id().into();
    let case_number = next_case_number(connection, office, year)?;
    let event = timeline::first_event(
        &id,
        actor,
        "intake",
        json!({
            "case_number": case_number,
            "category": intake.category,
            "channel": intake.channel,
            "received_at": intake.received_at,
            "claimed_amount_fen": intake.claimed_amount_fen,
            "workers_involved": intake.workers_involved,
            "parties": intake.parties.len(),
        }),
        now,
    );
    let search_text = intake_search_text(&case_number, intake);
    let case = Case {
        id: id.clone(),
        case_number,
        office_id: office.id.clone(),
        status: CaseStatus::Intake,
        category: intake.category,
        channel: intake.channel,
        summary: intake.summary.clone(),
        assignee_id: None,
        claimed_amount_fen: intake.claimed_amount_fen,
        agreed_amount_fen: 0,
        recovered_amount_fen: 0,
        workers_involved: intake.workers_involved,
        collective: is_collective(intake.workers_involved),
        flags: store_flags(&intake.flags),
        received_at: intake.received_at.naive_utc(),
        mediation_deadline: clock.deadline,
        deadline_passes_at: clock.passes_at.naive_utc(),
        escalated_to: None,
        employer_name: intake.employer_name.clone(),
        employer_credit_code: intake.employer_credit_code.clone(),
        employer_address: intake.employer_address.clone(),
        employer_contact_name: intake.employer_contact_name.clone(),
        employer_contact_phone_cipher: intake
            .employer_contact_phone
            .as_deref()
            .map(|p| protector.encrypt(p)),
        employer_contact_phone_masked: intake.employer_contact_phone.as_deref().map(mask_phone),
        search_text,
        events_count: event.sequence,
        events_head: event.hash.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
        accepted_at: None,
        concluded_at: None,
    };
    diesel::insert_into(cases::table)
        .values(&case)
        .execute(connection)?;
    timeline::insert(connection, &event)?;
    super::search_index::store(connection, &id, &case.search_text, &case.office_id)?;
    stamp_employer(
        connection,
        &id,
        &case.employer_name,
        case.employer_credit_code.as_deref(),
    )?;
    for party in &intake.parties {
        parties::insert(connection, &party.protect(protector, &id, now))?;
    }
    // The row as written, without reading it back: every value was set here (timestamps to the
    // microsecond, see `validate`).
    Ok(case)
}

/// What `?q=` finds a new case by: its number, employer and the names of its workers, lower-cased.
fn intake_search_text(case_number: &str, intake: &ValidIntake) -> String {
    let mut search_text = format!(
        "{}\n{}",
        case_number.to_lowercase(),
        intake.employer_name.to_lowercase()
    );
    for party in intake
        .parties
        .iter()
        .filter(|p| p.kind != PartyKind::Employer)
    {
        search_text = super::extend_search_text(&search_text, &[&party.name]);
    }
    search_text
}

/// Keys a case by its employer (`domain::employer`), so `/employers/{id}` and the intake
/// warnings find it through an index: the credit code when known, else the normalised name.
/// Also keys the cases registered before there were keys (`employers::backfill_keys`).
pub fn stamp_employer(
    connection: &mut DbConnection,
    case_id: &str,
    employer_name: &str,
    credit_code: Option<&str>,
) -> QueryResult<usize> {
    let normalized = employer::normalize_name(employer_name);
    let key = employer::employer_key(&normalized, credit_code);
    diesel::insert_into(case_employers::table)
        .values((
            case_employers::case_id.eq(case_id),
            case_employers::employer_key.eq(key),
            case_employers::employer_name_normalized.eq(normalized),
        ))
        .execute(connection)
}
