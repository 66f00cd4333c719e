//! Text messages to workers, through the same outbox as email.
//!
//! Chinese SMS providers send only templates approved in advance: a message is a template id
//! and its parameters, never free text. So an SMS outbox row keeps the template (`template`), its
//! parameters as JSON (`body`), the phone number encrypted with the data key
//! (`recipient_cipher`; `recipients` shows it masked to admins), and `channel = 'sms'`. It is
//! written in the transaction of the change that causes it, like an email, and so is never sent
//! for a change that rolled back, nor lost after one that committed.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamp};

use crate::db::DbConnection;
use crate::domain::identifiers::mask_phone;
use crate::domain::new_id;
use crate::domain::protect::PersonalData;
use crate::text_enum;

text_enum! {
    /// The messages a worker may receive, each a template approved by the provider.
    pub enum SmsTemplate {
        /// The 6-digit code that proves the phone is the applicant's.
        VerificationCode = "sms_verification_code",
        /// The application was registered: its case number and access code.
        ApplicationReceived = "sms_application_received",
        /// The office took the case on.
        CaseAccepted = "sms_case_accepted",
        /// The office did not take the case on, and why.
        CaseNotAccepted = "sms_case_not_accepted",
        /// A joint session: when and where.
        SessionScheduled = "sms_session_scheduled",
        /// Day 12 of 15: arbitration may be applied for once the mediation period ends.
        ArbitrationNotice = "sms_arbitration_notice",
        /// An agreement was signed: its payment schedule.
        AgreementSigned = "sms_agreement_signed",
        /// A payment of the agreement falls due tomorrow.
        PaymentDueTomorrow = "sms_payment_due_tomorrow",
        /// A payment of the agreement was missed: the worker's rights.
        PaymentMissed = "sms_payment_missed",
        /// The case closed: the survey link.
        CaseClosed = "sms_case_closed",
    }
}

impl SmsTemplate {
    /// The parameters the approved template takes, in its order. A message must give each one
    /// and no other: a provider refuses a message whose parameters differ from the template's.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            Self::VerificationCode => &["code", "minutes"],
            Self::ApplicationReceived => &["case_number", "access_code", "track_url"],
            Self::CaseAccepted => &["case_number", "office"],
            Self::CaseNotAccepted => &["case_number", "reason"],
            Self::SessionScheduled => &["case_number", "time", "place"],
            Self::ArbitrationNotice => &["case_number", "deadline"],
            Self::AgreementSigned => &["case_number", "schedule"],
            Self::PaymentDueTomorrow => &["case_number", "amount", "due_date"],
            Self::PaymentMissed => &["case_number", "amount", "due_date"],
            Self::CaseClosed => &["case_number", "survey_url"],
        }
    }
}

/// One text message to send, before it is written.
#[derive(Debug, Clone)]
pub struct Sms<'a> {
    pub template: SmsTemplate,
    /// The mobile number, normalised (11 digits).
    pub phone: &'a str,
    pub params: BTreeMap<&'static str, String>,
    pub case_id: Option<&'a str>,
    /// A second message with the same key is not written: a deadline text goes once per date.
    pub dedup_key: Option<String>,
}

/// Writes `sms` to the outbox; call inside the transaction of the change that causes it.
/// `Ok(false)` when a message with the same `dedup_key` was already written. Parameters that do
/// not match the template's are a programming error, refused before anything is written.
pub fn enqueue_sms(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    sms: Sms<'_>,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    let wanted = sms.template.parameters();
    let given: Vec<&str> = sms.params.keys().copied().collect();
    let mut expected: Vec<&str> = wanted.to_vec();
    expected.sort_unstable();
    if given != expected {
        anyhow::bail!(
            "{} takes the parameters {wanted:?}, not {given:?}",
            sms.template.as_str()
        );
    }
    let params = serde_json::to_string(&sms.params)?;
    let written = diesel::sql_query(
        "INSERT INTO outbox (id, template, recipients, subject, body, case_id, dedup_key, status, attempts, \
         next_attempt_at, created_at, channel, recipient_cipher) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, 'sms', $9) \
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind::<Text, _>(new_id())
    .bind::<Text, _>(sms.template.as_str())
    .bind::<Text, _>(mask_phone(sms.phone))
    .bind::<Text, _>(sms.template.as_str())
    .bind::<Text, _>(params)
    .bind::<Nullable<Text>, _>(sms.case_id)
    .bind::<Nullable<Text>, _>(sms.dedup_key)
    .bind::<Timestamp, _>(now)
    .bind::<Text, _>(personal_data.encrypt(sms.phone))
    .execute(connection)?;
    Ok(written == 1)
}
