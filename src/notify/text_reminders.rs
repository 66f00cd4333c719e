//! The scheduled texts to workers, written by the reminder scheduler ([`super::reminders`]) at
//! each pass:
//!
//! - **Day 12 of 15**: from the first instant of the 12th day after receipt (the office's
//!   calendar) until the window closes, a case still in intake, accepted or in mediation tells its
//!   worker that arbitration may be applied for once the mediation period ends (Art. 14).
//! - **Payment due tomorrow** and **payment missed**, for a case under its agreement, judged as in
//!   docs/agreements.md (payments spread over the terms, earliest first, "today" in the case
//!   office's calendar); terms due the same day make one text with what is still owed.
//!
//! Deadline texts never go twice for the same date: each row's `dedup_key` is
//! `<template>:<case id>:<date>:<party id>` (the mediation deadline, or the terms' due date) and
//! the column is unique, so a second pass, or a second server, writes nothing again.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::sms::{chinese_date, SmsTemplate};
use super::texts::{recipients, text_each, CaseText, Recipient, WORKER_SIDE};
use super::yuan;
use crate::agreements::follow_ups::{allocate, TermInput, TermState};
use crate::cases::deadlines::office_zone;
use crate::cases::lifecycle::CaseStatus;
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::schema::{agreement_terms, agreements, case_parties, cases, offices, outbox};

/// Candidates looked at per kind and pass; the rest wait for the next pass.
const PER_PASS: i64 = 500;

/// The day of the window (after the day of receipt) from which the arbitration notice goes.
pub const NOTICE_DAY: u64 = 12;

/// The key that makes a deadline text go once per case, date and recipient.
pub fn dedup_key(template: SmsTemplate, case_id: &str, date: NaiveDate, party_id: &str) -> String {
    format!("{template}:{case_id}:{date}:{party_id}")
}

/// Writes every scheduled text now due; returns how many rows were written.
pub fn run_once(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    Ok(arbitration_notices(connection, personal_data, now)?
        + payment_texts(connection, personal_data, now)?)
}

/// SQL: the consenting worker-side party of the row has no arbitration notice for this case's
/// deadline yet. The deadline is written as `YYYY-MM-DD` by both backends.
fn notice_not_written(connection: &DbConnection) -> diesel::expression::SqlLiteral<Bool> {
    let deadline = if connection.is_postgres() {
        "to_char(cases.mediation_deadline, 'YYYY-MM-DD')"
    } else {
        "cases.mediation_deadline"
    };
    sql::<Bool>(&format!(
        "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = '{}:' || cases.id || ':' || \
         {deadline} || ':' || case_parties.id)",
        SmsTemplate::ArbitrationNotice.as_str()
    ))
}

/// Day 12: the arbitration notice to each consenting worker of a case whose window closes
/// within four days, once its 12th local day has begun.
fn arbitration_notices(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let naive = now.naive_utc();
    let open: Vec<&str> = CaseStatus::OPEN_BEFORE_AGREEMENT
        .iter()
        .map(|s| s.as_str())
        .collect();
    let kinds: Vec<&str> = WORKER_SIDE.iter().map(|k| k.as_str()).collect();
    let not_written = notice_not_written(connection);
    // The 12th day begins four days before the window closes (an hour more for a zone whose
    // clocks moved); the exact local day is checked below.
    let horizon = naive + TimeDelta::days(15 - NOTICE_DAY as i64 + 1) + TimeDelta::hours(1);
    type Row = (String, String, NaiveDate, String, String, Option<String>);
    let rows: Vec<Row> = case_parties::table
        .inner_join(cases::table.inner_join(offices::table))
        .filter(cases::status.eq_any(open))
        .filter(cases::deadline_passes_at.gt(naive))
        .filter(cases::deadline_passes_at.le(horizon))
        .filter(case_parties::sms_consent.eq(true))
        .filter(case_parties::kind.eq_any(kinds))
        .filter(case_parties::phone_cipher.is_not_null())
        .filter(not_written)
        .order((cases::deadline_passes_at.asc(), case_parties::id.asc()))
        .select((
            cases::id,
            cases::case_number,
            cases::mediation_deadline,
            offices::time_zone,
            case_parties::id,
            case_parties::phone_cipher,
        ))
        .limit(PER_PASS)
        .load(connection)?;
    let mut written = 0;
    for (case_id, number, deadline, zone, party_id, cipher) in rows {
        let today = now.with_timezone(&office_zone(&zone)).date_naive();
        let first_day = deadline
            .checked_sub_days(Days::new(15 - NOTICE_DAY))
            .unwrap_or(deadline);
        if today < first_day {
            continue;
        }
        let Some(recipient) = open_phone(personal_data, party_id, cipher) else {
            continue;
        };
        let template = SmsTemplate::ArbitrationNotice;
        let text = CaseText {
            case_id: &case_id,
            template,
            params: vec![
                ("case_number", number),
                ("deadline", chinese_date(deadline)),
            ],
        };
        let key = |r: &Recipient| Some(dedup_key(template, &case_id, deadline, &r.party_id));
        written += text_each(connection, personal_data, &[recipient], &text, key, naive)?;
    }
    Ok(written)
}

/// A party's phone in clear, if it decrypts to a mobile.
fn open_phone(
    personal_data: &PersonalData,
    party_id: String,
    cipher: Option<String>,
) -> Option<Recipient> {
    let phone = personal_data.decrypt(&cipher?).ok()?;
    crate::parties::is_mobile(&phone).then_some(Recipient { party_id, phone })
}

/// Whether a row with `key` was written.
fn written_before(connection: &mut DbConnection, key: &str) -> QueryResult<bool> {
    Ok(outbox::table
        .filter(outbox::dedup_key.eq(key))
        .select(outbox::id)
        .first::<String>(connection)
        .optional()?
        .is_some())
}

/// Payments due tomorrow and missed: for each case under its agreement with a term due by
/// tomorrow and a consenting worker, one text per due date with what is still owed on it.
fn payment_texts(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let naive = now.naive_utc();
    let latest = now
        .date_naive()
        .checked_add_days(Days::new(2))
        .unwrap_or(now.date_naive());
    let kinds: Vec<&str> = WORKER_SIDE.iter().map(|k| k.as_str()).collect();
    let candidates: Vec<(String, String, String, String, i64)> = agreements::table
        .inner_join(cases::table.inner_join(offices::table))
        .filter(cases::status.eq(CaseStatus::AgreementReached.as_str()))
        .filter(
            agreements::id.eq_any(
                agreement_terms::table
                    .filter(agreement_terms::due_date.le(latest))
                    .select(agreement_terms::agreement_id),
            ),
        )
        .filter(
            cases::id.eq_any(
                case_parties::table
                    .filter(case_parties::sms_consent.eq(true))
                    .filter(case_parties::kind.eq_any(kinds))
                    .filter(case_parties::phone_cipher.is_not_null())
                    .select(case_parties::case_id),
            ),
        )
        .order(cases::id.asc())
        .select((
            agreements::id,
            cases::id,
            cases::case_number,
            offices::time_zone,
            cases::recovered_amount_fen,
        ))
        .limit(PER_PASS)
        .load(connection)?;
    let mut written = 0;
    for (agreement_id, case_id, number, zone, paid) in candidates {
        let terms: Vec<(i64, NaiveDate)> = agreement_terms::table
            .filter(agreement_terms::agreement_id.eq(&agreement_id))
            .order(agreement_terms::position.asc())
            .select((agreement_terms::amount_fen, agreement_terms::due_date))
            .load(connection)?;
        let today = now.with_timezone(&office_zone(&zone)).date_naive();
        let owed = owed_by_date(&terms, paid, today);
        for (template, date, amount) in owed {
            let case_text = CaseText {
                case_id: &case_id,
                template,
                params: vec![
                    ("case_number", number.clone()),
                    ("amount", yuan(amount)),
                    ("due_date", chinese_date(date)),
                ],
            };
            written += text_once(connection, personal_data, &case_text, date, naive)?;
        }
    }
    Ok(written)
}

/// What is still owed per text and due date, earliest date first: terms due tomorrow and terms
/// missed, each summed over the terms of one due date.
pub fn owed_by_date(
    terms: &[(i64, NaiveDate)],
    paid: i64,
    today: NaiveDate,
) -> Vec<(SmsTemplate, NaiveDate, i64)> {
    let inputs: Vec<TermInput> = terms
        .iter()
        .map(|(amount_fen, due_date)| TermInput {
            amount_fen: *amount_fen,
            due_date: *due_date,
        })
        .collect();
    let tomorrow = today.checked_add_days(Days::new(1));
    let mut owed: BTreeMap<NaiveDate, (SmsTemplate, i64)> = BTreeMap::new();
    for ((amount, date), covered) in terms.iter().zip(allocate(&inputs, paid, today)) {
        let template = match covered.state {
            TermState::Missed => SmsTemplate::PaymentMissed,
            TermState::Due if Some(*date) == tomorrow => SmsTemplate::PaymentDueTomorrow,
            _ => continue,
        };
        // Terms of one date are all missed or all due: the date decides, not the term.
        owed.entry(*date).or_insert((template, 0)).1 += amount - covered.paid_fen;
    }
    owed.into_iter()
        .map(|(date, (template, fen))| (template, date, fen))
        .collect()
}

/// Writes `text` to each consenting worker of its case who has not had it for `date`, reading
/// their phones only when one is missing it.
fn text_once(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    text: &CaseText<'_>,
    date: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<usize, AppError> {
    let kinds: Vec<&str> = WORKER_SIDE.iter().map(|k| k.as_str()).collect();
    let parties: Vec<String> = case_parties::table
        .filter(case_parties::case_id.eq(text.case_id))
        .filter(case_parties::sms_consent.eq(true))
        .filter(case_parties::kind.eq_any(kinds))
        .filter(case_parties::phone_cipher.is_not_null())
        .select(case_parties::id)
        .load(connection)?;
    let key = |party_id: &str| dedup_key(text.template, text.case_id, date, party_id);
    let mut missing = false;
    for party_id in &parties {
        missing |= !written_before(connection, &key(party_id))?;
    }
    if !missing {
        return Ok(0);
    }
    let to = recipients(connection, personal_data, text.case_id)?;
    text_each(
        connection,
        personal_data,
        &to,
        text,
        |r| Some(key(&r.party_id)),
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn terms_of_one_date_make_one_text_with_what_is_still_owed() {
        let terms = [
            (100_000, day(10)),
            (50_000, day(10)),
            (70_000, day(20)),
            (30_000, day(21)),
        ];
        // 120,000 paid covers the first term and 20,000 of the second.
        let owed = owed_by_date(&terms, 120_000, day(20));
        assert_eq!(
            owed,
            [
                (SmsTemplate::PaymentMissed, day(10), 30_000),
                (SmsTemplate::PaymentDueTomorrow, day(21), 30_000),
            ]
        );
        assert!(
            owed_by_date(&terms, 250_000, day(25)).is_empty(),
            "all paid"
        );
    }

    #[test]
    fn a_deadline_key_names_the_template_the_case_the_date_and_the_recipient() {
        assert_eq!(
            dedup_key(SmsTemplate::ArbitrationNotice, "c1", day(5), "p1"),
            "sms_arbitration_notice:c1:2026-12-05:p1"
        );
    }
}
