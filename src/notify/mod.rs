//! Notifications that are never lost. A change that should tell someone writes an `outbox`
//! row **in its own transaction** ([`enqueue`]): rolled back with it, never sent before commit,
//! never forgotten after. A worker in the same process ([`worker`]) sends pending rows with
//! lettre, retries with capped exponential backoff and marks rows dead after the configured
//! attempts; reminders ([`reminders`]) are enqueued by a scheduler with one-per-day keys.
//! Text messages to workers ([`sms`], [`texts`]) ride the same outbox on the `sms` channel and
//! leave through [`sms_transport`].

pub mod handlers;
pub mod links;
pub mod mailer;
pub mod messages;
pub mod reminders;
pub mod sms;
pub mod sms_transport;
pub mod templates;
pub mod text_reminders;
pub mod texts;
pub mod use_cases;
pub mod worker;

pub use use_cases::retry;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use self::templates::{render, Template};
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::domain::new_id;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::{offices, outbox, users};
use crate::text_enum;
use crate::users::Role;

text_enum! {
    /// Where an outbox row stands.
    pub enum OutboxStatus {
        Pending = "pending",
        Sent = "sent",
        Dead = "dead",
    }
}

text_enum! {
    /// How an outbox row is delivered: by email, or as a text message to a phone.
    pub enum OutboxChannel {
        Email = "email",
        Sms = "sms",
    }
}

/// An outbox row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub template: String,
    pub recipients: String,
    pub subject: String,
    pub body: String,
    pub case_id: Option<CaseId>,
    pub dedup_key: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub channel: OutboxChannel,
    /// SMS rows: the phone, encrypted with the data key; `recipients` holds it masked.
    pub recipient_cipher: Option<String>,
}

/// An outbox row as admins see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// `email`, or `sms` for a text message to a worker.
    pub channel: OutboxChannel,
    pub template: String,
    /// Email addresses; for a text, the phone masked (`139****1111`).
    pub recipients: Vec<String>,
    pub subject: String,
    pub case_id: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<OutboxRow> for NotificationView {
    fn from(row: OutboxRow) -> Self {
        Self {
            status: row.status,
            channel: row.channel,
            recipients: row
                .recipients
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            id: row.id,
            template: row.template,
            subject: row.subject,
            case_id: row.case_id.map(Into::into),
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at.and_utc(),
            last_error: row.last_error,
            created_at: row.created_at.and_utc(),
            sent_at: row.sent_at.map(|t| t.and_utc()),
        }
    }
}

/// A message to send, before rendering.
#[derive(Debug, Clone)]
pub struct Notification<'a> {
    pub template: Template,
    pub recipients: Vec<String>,
    pub case_id: Option<&'a str>,
    /// For reminders: a second row with the same key is not written.
    pub dedup_key: Option<String>,
    pub vars: BTreeMap<&'static str, String>,
}

/// Renders and writes `notification` to the outbox; call inside the transaction of the change
/// that causes it. No recipients means nothing to send (`Ok(false)`); a duplicate reminder key
/// is skipped (`Ok(false)`).
pub fn enqueue(
    connection: &mut DbConnection,
    notification: Notification<'_>,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    let mut recipients = notification.recipients;
    recipients.sort();
    recipients.dedup();
    recipients.retain(|r| !r.is_empty());
    if recipients.is_empty() {
        return Ok(false);
    }
    let rendered = render(notification.template, &notification.vars)?;
    let written = diesel::sql_query(
        "INSERT INTO outbox (id, template, recipients, subject, body, case_id, dedup_key, status, attempts, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) \
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind::<Text, _>(new_id())
    .bind::<Text, _>(notification.template.as_str())
    .bind::<Text, _>(recipients.join(","))
    .bind::<Text, _>(rendered.subject)
    .bind::<Text, _>(rendered.body)
    .bind::<Nullable<Text>, _>(notification.case_id)
    .bind::<Nullable<Text>, _>(notification.dedup_key)
    .bind::<Timestamp, _>(now)
    .execute(connection)?;
    Ok(written == 1)
}

/// The office's own address and those of its active partner staff: who hears of a referral.
pub fn office_recipients(
    connection: &mut DbConnection,
    office_id: &str,
) -> QueryResult<Vec<String>> {
    // Only the office's own partner staff: an admin or lawyer attached to it does not see
    // referrals in the API, so they are not mailed them either.
    let partner_roles = [
        Role::PoliceOfficer.as_str(),
        Role::JudicialOfficer.as_str(),
        Role::HrOfficer.as_str(),
    ];
    let mut emails: Vec<String> = users::table
        .filter(users::office_id.eq(office_id))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(partner_roles))
        .select(users::email)
        .load(connection)?;
    if let Some(Some(email)) = offices::table
        .find(office_id)
        .select(offices::email)
        .first::<Option<String>>(connection)
        .optional()?
    {
        emails.push(email);
    }
    Ok(emails)
}

/// Who is told about a case: its assignee, or else its office's address.
pub fn case_recipients(
    connection: &mut DbConnection,
    assignee_id: Option<&str>,
    office_id: &str,
) -> QueryResult<Vec<String>> {
    if let Some(assignee) = assignee_id {
        let email: Option<String> = users::table
            .find(assignee)
            .filter(users::active.eq(true))
            .select(users::email)
            .first(connection)
            .optional()?;
        if let Some(email) = email {
            return Ok(vec![email]);
        }
    }
    let office: Option<Option<String>> = offices::table
        .find(office_id)
        .select(offices::email)
        .first(connection)
        .optional()?;
    Ok(office.flatten().into_iter().collect())
}

/// A page of outbox rows, newest first.
pub fn list(
    connection: &mut DbConnection,
    status: Option<OutboxStatus>,
    page: &PageRequest,
) -> QueryResult<Paginated<OutboxRow>> {
    let mut query = outbox::table.select(OutboxRow::as_select()).into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox::status.eq(status.as_str()));
    }
    let rows = crate::keyset_page!(query, outbox, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |r| {
        (r.created_at, r.id.as_str())
    }))
}

/// Fen as yuan with two decimals, for messages.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

#[cfg(test)]
mod tests {
    #[test]
    fn fen_read_as_yuan() {
        assert_eq!(super::yuan(300000), "3000.00");
        assert_eq!(super::yuan(96_000_005), "960000.05");
    }
}
