//! Text messages to workers, through the same outbox as email.
//!
//! Chinese SMS providers send only templates approved in advance: a message is a template id
//! and its parameters, never free text. So an SMS outbox row keeps the template (`template`), its
//! parameters as JSON (`body`), the phone number encrypted with the data key
//! (`recipient_cipher`; `recipients` shows it masked to admins), and `channel = 'sms'`. It is
//! written in the transaction of the change that causes it, like an email, and so is never sent
//! for a change that rolled back, nor lost after one that committed.
//!
//! The Chinese wording of every template is in one catalogue, `templates/sms/zh-CN.txt`,
//! compiled into the binary: it is what is submitted to the provider for approval, and what the
//! file transport writes beside the parameters ([`render`]). The worker ([`super::worker`])
//! sends the rows through [`super::sms_transport`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

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

/// The catalogue of template texts, one `template id = text` a line.
const CATALOGUE: &str = include_str!("../../templates/sms/zh-CN.txt");

/// The catalogue, read once: template id → text.
fn catalogue() -> &'static BTreeMap<&'static str, &'static str> {
    static TEXTS: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        CATALOGUE
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(id, text)| (id.trim(), text.trim()))
            .collect()
    })
}

/// The Chinese text of `template`, with its `{parameter}` placeholders.
pub fn text_of(template: SmsTemplate) -> &'static str {
    catalogue().get(template.as_str()).copied().unwrap_or("")
}

/// The names between braces in `text`.
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        found.insert(&after[..close]);
        rest = &after[close + 1..];
    }
    found
}

/// The text a worker reads: `template`'s catalogue text with `params` filled in. Values are
/// inserted as they are, never expanded again. A parameter missing or left over is an error.
pub fn render(template: SmsTemplate, params: &BTreeMap<String, String>) -> Result<String, String> {
    let text = text_of(template);
    let wanted = placeholders(text);
    let given: BTreeSet<&str> = params.keys().map(String::as_str).collect();
    if wanted != given {
        return Err(format!(
            "{template} takes the parameters {wanted:?}, not {given:?}"
        ));
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push_str(params.get(&after[..close]).map_or("", String::as_str));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A date as a worker reads it: `2026年12月5日`.
pub fn chinese_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// A local time as a worker reads it: `2026年12月5日 14:30`.
pub fn chinese_time(at: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    format!(
        "{} {:02}:{:02}",
        chinese_date(at.date()),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_has_a_chinese_text_using_exactly_its_parameters() {
        let ids: BTreeSet<&str> = SmsTemplate::ALL.iter().map(|t| t.as_str()).collect();
        let listed: BTreeSet<&str> = catalogue().keys().copied().collect();
        assert_eq!(
            listed, ids,
            "the catalogue lists each template once, and no other"
        );
        for template in SmsTemplate::ALL {
            let text = text_of(*template);
            assert!(
                text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{template}"
            );
            let wanted: BTreeSet<&str> = template.parameters().iter().copied().collect();
            assert_eq!(placeholders(text), wanted, "{template}: {text}");
            assert!(
                !text.contains('【'),
                "{template}: the provider adds the signature"
            );
        }
    }

    #[test]
    fn rendering_fills_each_parameter_once_and_refuses_a_wrong_set() {
        let params: BTreeMap<String, String> = [
            ("case_number".to_owned(), "SP-2026-000001".to_owned()),
            ("office".to_owned(), "沙坪街道工会{reason}".to_owned()),
        ]
        .into();
        let text = render(SmsTemplate::CaseAccepted, &params).unwrap();
        assert_eq!(
            text,
            "您的案件SP-2026-000001已由沙坪街道工会{reason}受理，调解员将尽快与您联系，请保持电话畅通。",
            "values are not expanded again"
        );
        let mut missing = params.clone();
        missing.remove("office");
        assert!(render(SmsTemplate::CaseAccepted, &missing).is_err());
        let mut extra = params;
        extra.insert("reason".into(), "x".into());
        assert!(render(SmsTemplate::CaseAccepted, &extra).is_err());
    }

    #[test]
    fn dates_and_times_read_the_chinese_way() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(chinese_date(date), "2026年3月5日");
        let at = date.and_hms_opt(9, 5, 0).unwrap();
        assert_eq!(chinese_time(at), "2026年3月5日 09:05");
    }
}
