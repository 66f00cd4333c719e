//! The texts a worker receives about their case, written to the outbox in the transaction of the
//! change that causes them: accepted or not (with the reason), a joint session (its time in the
//! case office's time zone, its place), the agreement's payment schedule, and the closing with
//! the link to the satisfaction survey. The scheduled ones (day 12 of 15, payments) are in
//! [`super::text_reminders`].
//!
//! Who is texted: the case's worker-side parties — workers and the representatives they elected —
//! whose consent is recorded (`sms_consent`, PIPL) and who have a mobile number. Each gets their
//! own row (one phone per row). Nobody else is ever texted, and a case without such a party
//! writes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::sms::{chinese_date, chinese_time, enqueue_sms, Sms, SmsTemplate};
use super::yuan;
use crate::cases::deadlines::office_zone;
use crate::cases::lifecycle::{CaseAction, CaseStatus};
use crate::cases::Case;
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::offices;
use crate::parties::{is_mobile, PartyKind};
use crate::schema::case_parties;

/// The most terms an agreement's text lists; the rest are counted.
pub const SCHEDULE_TERMS: usize = 5;

/// What writing a worker's text needs besides the connection: the data key (to read a party's
/// phone and store it encrypted in the outbox) and the public origin of the links in texts
/// (`MEDIATION_PUBLIC_URL`).
#[derive(Clone)]
pub struct WorkerTexts {
    pub personal_data: PersonalData,
    pub public_url: String,
}

/// A party who may be texted, with the phone in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub party_id: String,
    pub phone: String,
}

/// The party kinds on the worker's side of a dispute, the only ones who may consent.
pub const WORKER_SIDE: [PartyKind; 2] = [PartyKind::Worker, PartyKind::Representative];

/// The worker-side parties of `case_id` who consented, have a mobile, and whose phone the data
/// key opens, in the order they were added; one per phone. A phone that does not decrypt (the
/// data key was changed) is skipped with a warning rather than failing the change.
pub fn recipients(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    case_id: &str,
) -> Result<Vec<Recipient>, AppError> {
    let kinds: Vec<&str> = WORKER_SIDE.iter().map(|k| k.as_str()).collect();
    let rows: Vec<(String, Option<String>)> = case_parties::table
        .filter(case_parties::case_id.eq(case_id))
        .filter(case_parties::sms_consent.eq(true))
        .filter(case_parties::kind.eq_any(kinds))
        .filter(case_parties::phone_cipher.is_not_null())
        .order((case_parties::created_at.asc(), case_parties::id.asc()))
        .select((case_parties::id, case_parties::phone_cipher))
        .load(connection)?;
    let mut found: Vec<Recipient> = Vec::new();
    for (party_id, cipher) in rows {
        let Some(cipher) = cipher else { continue };
        match personal_data.decrypt(&cipher) {
            Ok(phone) if is_mobile(&phone) && !found.iter().any(|r| r.phone == phone) => {
                found.push(Recipient { party_id, phone })
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%party_id, %error, "a consenting party's phone does not decrypt; not texted")
            }
        }
    }
    Ok(found)
}

/// One text about a case, before it is addressed.
#[derive(Debug, Clone)]
pub struct CaseText<'a> {
    pub case_id: &'a str,
    pub template: SmsTemplate,
    pub params: Vec<(&'static str, String)>,
}

/// Writes `text` to each of `to`; `key` gives a row's dedup key, if any. Returns how many rows
/// were written (a key already taken writes none).
pub fn text_each(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    to: &[Recipient],
    text: &CaseText<'_>,
    key: impl Fn(&Recipient) -> Option<String>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let params: BTreeMap<&'static str, String> = text.params.iter().cloned().collect();
    let mut written = 0;
    for recipient in to {
        let sms = Sms {
            template: text.template,
            phone: &recipient.phone,
            params: params.clone(),
            case_id: Some(text.case_id),
            dedup_key: key(recipient),
        };
        let inserted =
            enqueue_sms(connection, personal_data, sms, now).map_err(AppError::from_write)?;
        written += usize::from(inserted);
    }
    Ok(written)
}

/// The texts of a lifecycle step, after [`crate::cases::transitions::apply`] moved `case`
/// (as it is now) by `action`: accepted; not accepted, with the reason; or closed (resolved,
/// escalated or withdrawn), with a link to the survey, which is issued here. Starting mediation
/// texts nothing. Call in the transition's transaction.
pub fn case_transitioned(
    connection: &mut DbConnection,
    texts: &WorkerTexts,
    case: &Case,
    action: CaseAction,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let template = match (action, case.status) {
        (CaseAction::Accept, _) => SmsTemplate::CaseAccepted,
        (CaseAction::Reject, _) => SmsTemplate::CaseNotAccepted,
        (_, status) if status.is_terminal() && status != CaseStatus::Rejected => {
            SmsTemplate::CaseClosed
        }
        _ => return Ok(0),
    };
    let to = recipients(connection, &texts.personal_data, &case.id)?;
    if to.is_empty() {
        return Ok(0);
    }
    let detail = match template {
        SmsTemplate::CaseAccepted => ("office", offices::find(connection, &case.office_id)?.name),
        SmsTemplate::CaseNotAccepted => ("reason", reason.unwrap_or_default().to_owned()),
        _ => {
            // An answered survey is not asked again (a case concluded twice): no closing text.
            let Some(token) = crate::public::surveys::issue(connection, &case.id, now)? else {
                return Ok(0);
            };
            ("survey_url", format!("{}/survey/{token}", texts.public_url))
        }
    };
    let text = CaseText {
        case_id: &case.id,
        template,
        params: vec![("case_number", case.case_number.clone()), detail],
    };
    let at = now.naive_utc();
    text_each(connection, &texts.personal_data, &to, &text, |_| None, at)
}

/// The text of a joint session scheduled on `case`: its time in the case office's time zone and
/// its place. Call in the scheduling transaction.
pub fn session_scheduled(
    connection: &mut DbConnection,
    texts: &WorkerTexts,
    case: &Case,
    scheduled_at: NaiveDateTime,
    place: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let to = recipients(connection, &texts.personal_data, &case.id)?;
    if to.is_empty() {
        return Ok(0);
    }
    let zone = office_zone(&offices::find(connection, &case.office_id)?.time_zone);
    let local = scheduled_at.and_utc().with_timezone(&zone).naive_local();
    let text = CaseText {
        case_id: &case.id,
        template: SmsTemplate::SessionScheduled,
        params: vec![
            ("case_number", case.case_number.clone()),
            ("time", chinese_time(local)),
            ("place", place.to_owned()),
        ],
    };
    text_each(connection, &texts.personal_data, &to, &text, |_| None, now)
}

/// `2026年12月10日 3000.00元；2027年1月10日 2000.00元`: the terms by due date, at most
/// [`SCHEDULE_TERMS`] of them, then how many there are in all.
pub fn schedule(terms: &[(NaiveDate, i64)]) -> String {
    let mut sorted = terms.to_vec();
    sorted.sort_by_key(|(date, _)| *date);
    let listed: Vec<String> = sorted
        .iter()
        .take(SCHEDULE_TERMS)
        .map(|(date, fen)| format!("{} {}元", chinese_date(*date), yuan(*fen)))
        .collect();
    let mut text = listed.join("；");
    if sorted.len() > SCHEDULE_TERMS {
        text.push_str(&format!("等，共{}期", sorted.len()));
    }
    text
}

/// The text of a signed agreement: its payment schedule, each term's amount and due date. Call
/// in the transaction that records the agreement.
pub fn agreement_signed(
    connection: &mut DbConnection,
    texts: &WorkerTexts,
    case: &Case,
    terms: &[(NaiveDate, i64)],
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let to = recipients(connection, &texts.personal_data, &case.id)?;
    if to.is_empty() {
        return Ok(0);
    }
    let text = CaseText {
        case_id: &case.id,
        template: SmsTemplate::AgreementSigned,
        params: vec![
            ("case_number", case.case_number.clone()),
            ("schedule", schedule(terms)),
        ],
    };
    text_each(connection, &texts.personal_data, &to, &text, |_| None, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mainland_mobiles_are_texted() {
        assert!(is_mobile("13900001111"));
        assert!(!is_mobile("0750-1234567"));
        assert!(!is_mobile("075012345678"));
        assert!(!is_mobile("1390000111"));
    }

    #[test]
    fn the_schedule_lists_terms_by_due_date_in_yuan_and_counts_the_rest() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(
            schedule(&[(day(12, 10), 200_000), (day(11, 30), 100_050)]),
            "2026年11月30日 1000.50元；2026年12月10日 2000.00元"
        );
        let many: Vec<(NaiveDate, i64)> = (1..=7).map(|m| (day(m, 1), 10_000)).collect();
        let text = schedule(&many);
        assert!(
            text.starts_with("2026年1月1日 100.00元；")
                && text.ends_with("2026年5月1日 100.00元等，共7期"),
            "{text}"
        );
    }
}
