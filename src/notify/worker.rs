//! The outbox worker: claims due rows, sends them, and records the result.
//!
//! Claiming sets a lease (`claimed_until`) on up to a batch of due rows in one statement; on
//! PostgreSQL the candidate rows are picked `FOR UPDATE SKIP LOCKED`, so several servers sharing
//! a database never claim the same row, and SQLite has a single writer. Sending happens outside
//! any transaction; a failure schedules the next attempt with capped exponential backoff, and
//! after the configured number of attempts the row is marked dead (visible to admins, who may
//! retry it). A process that dies mid-send leaves a lease that simply expires
//! (`MEDIATION_OUTBOX_LEASE_SECONDS`), and the row is sent again, with the same `Message-ID`.
//!
//! Just before each send the worker renews the row's lease, on condition that it still holds
//! the lease it claimed. So the lease only has to outlast one message
//! ([`SEND_DEADLINE`](super::mailer::SEND_DEADLINE)), not a whole batch; and a worker that
//! was held up (a paused VM, a stalled disk) until its lease ran out and another worker took
//! the row skips it instead of sending it a second time.
//!
//! Rows go out by their `channel`: email through the [`Mailer`], text messages through the
//! [`SmsSender`] after their phone is decrypted with the data key. Same lease, same retries,
//! same dead letters; a failure the transport calls permanent (a 4xx from the SMS gateway, a row
//! that cannot be read) makes the row dead at once instead of retrying it.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use lettre::message::Mailbox;

use super::links;
use super::mailer::{message_id, Mailer, SEND_DEADLINE};
use super::sms::SmsTemplate;
use super::sms_transport::{OutgoingSms, SendFailure, SmsSender};
use super::{OutboxChannel, OutboxRow};
use crate::clock::Clock;
use crate::config::MailSettings;
use crate::db::{write_transaction, Db, DbConnection};
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::schema::outbox;

/// Rows claimed per pass.
const BATCH: i64 = 20;

/// The delay before attempt `attempts + 1`: `base · 2^(attempts − 1)`, at most `cap`.
pub fn backoff(attempts: i32, base: Duration, cap: Duration) -> Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    base.checked_mul(2u32.saturating_pow(exponent))
        .map_or(cap, |delay| delay.min(cap))
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// The configured lease as a time span for the database.
fn lease_of(settings: &MailSettings) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(settings.lease).unwrap_or(chrono::TimeDelta::minutes(5))
}

/// Leases up to `BATCH` due rows to this worker for `lease` and returns them.
pub fn claim(
    connection: &mut DbConnection,
    now: NaiveDateTime,
    lease: chrono::TimeDelta,
) -> QueryResult<Vec<OutboxRow>> {
    let skip_locked = if connection.is_postgres() {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let ids: Vec<ClaimedId> = write_transaction(connection, |connection| {
        diesel::sql_query(format!(
            "UPDATE outbox SET claimed_until = $1 WHERE id IN ( \
                 SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
                 AND (claimed_until IS NULL OR claimed_until < $2) \
                 ORDER BY next_attempt_at LIMIT $3{skip_locked}) \
             RETURNING id"
        ))
        .bind::<Timestamp, _>(now + lease)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(BATCH)
        .load(connection)
    })?;
    let ids: Vec<String> = ids.into_iter().map(|c| c.id).collect();
    outbox::table
        .filter(outbox::id.eq_any(ids))
        .order(outbox::next_attempt_at.asc())
        .select(OutboxRow::as_select())
        .load(connection)
}

/// Extends the lease on `row` to `now + lease` if this worker still holds the lease it
/// claimed (the row is pending and `claimed_until` is unchanged). `false` means another worker
/// took the row after this one's lease ran out, or an admin retried it: do not send it.
pub fn renew(
    connection: &mut DbConnection,
    row: &OutboxRow,
    now: NaiveDateTime,
    lease: chrono::TimeDelta,
) -> QueryResult<bool> {
    let Some(held) = row.claimed_until else {
        return Ok(false);
    };
    let renewed = diesel::update(
        outbox::table
            .find(&row.id)
            .filter(outbox::status.eq("pending"))
            .filter(outbox::claimed_until.eq(held)),
    )
    .set(outbox::claimed_until.eq(Some(now + lease)))
    .execute(connection)?;
    Ok(renewed == 1)
}

/// Records a successful send.
pub fn mark_sent(
    connection: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(Some(now)),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(connection)
}

/// Records a failed send: retried later with backoff, or dead after the last attempt or at
/// once when the failure is permanent.
pub fn mark_failed(
    connection: &mut DbConnection,
    row: &OutboxRow,
    failure: &SendFailure,
    now: NaiveDateTime,
    settings: &MailSettings,
) -> QueryResult<usize> {
    let attempts = row.attempts + 1;
    let dead = failure.permanent || attempts >= settings.max_attempts;
    let delay = backoff(attempts, settings.backoff, settings.backoff_cap);
    let next = now + chrono::TimeDelta::from_std(delay).unwrap_or(chrono::TimeDelta::hours(1));
    let error: String = failure.error.chars().take(1000).collect();
    diesel::update(outbox::table.find(&row.id))
        .set((
            outbox::status.eq(if dead { "dead" } else { "pending" }),
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(next),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(connection)
}

/// The outbox worker, built from what it needs — the database, the clock, the mail settings, a
/// mailer, an SMS sender, the data key that opens the phones of texts and the public origin of
/// the console links in emails — so that any process
/// (the server, a test, a future standalone worker) can run it.
#[derive(Clone)]
pub struct OutboxWorker {
    pub db: Db,
    pub clock: Clock,
    pub settings: MailSettings,
    pub mailer: Mailer,
    pub sms: SmsSender,
    pub personal_data: PersonalData,
    /// `MEDIATION_PUBLIC_URL`: the origin of the console links in emails ([`links::complete`]).
    pub public_url: String,
}

impl OutboxWorker {
    /// Claims due rows for this worker under the configured lease (the first half of a pass).
    pub async fn claim_due(&self) -> Result<Vec<OutboxRow>, AppError> {
        let now = self.clock.now().naive_utc();
        let lease = lease_of(&self.settings);
        self.db
            .run(move |connection| Ok(claim(connection, now, lease)?))
            .await
    }

    /// Sends one row by its channel. The outer error is a sender that does not parse (checked
    /// at start, so never in practice); the inner one is the transport's, which the outbox
    /// records as a failed attempt.
    pub async fn send_row(&self, row: &OutboxRow) -> Result<Result<(), SendFailure>, AppError> {
        match row.channel {
            OutboxChannel::Email => Ok(self.send_mail(row).await?.map_err(SendFailure::retry)),
            OutboxChannel::Sms => Ok(self.send_text(row).await),
        }
    }

    /// Sends one text: the phone decrypted, the parameters as written, the row's id as the
    /// gateway's `message_id`, within [`SEND_DEADLINE`]. A row that cannot be read (no phone, a
    /// phone the data key does not open, an unknown template) fails permanently.
    async fn send_text(&self, row: &OutboxRow) -> Result<(), SendFailure> {
        let unreadable = |what: String| SendFailure::permanent(format!("sms: {what}"));
        let cipher = row
            .recipient_cipher
            .as_deref()
            .ok_or_else(|| unreadable("the row has no phone".into()))?;
        let phone = self
            .personal_data
            .decrypt(cipher)
            .map_err(|e| unreadable(format!("the data key does not open the phone: {e}")))?;
        let template = SmsTemplate::parse(&row.template)
            .ok_or_else(|| unreadable(format!("unknown template {}", row.template)))?;
        let params: BTreeMap<String, String> = serde_json::from_str(&row.body)
            .map_err(|e| unreadable(format!("the parameters are not a JSON object: {e}")))?;
        let sms = OutgoingSms {
            message_id: &row.id,
            phone: &phone,
            template,
            params: &params,
        };
        let sent = self.sms.send(&sms, self.clock.now());
        tokio::time::timeout(SEND_DEADLINE, sent)
            .await
            .map_err(|_| {
                SendFailure::retry(format!(
                    "sms: no answer within {} s",
                    SEND_DEADLINE.as_secs()
                ))
            })?
    }

    /// Sends one row as a message from `MEDIATION_MAIL_FROM`, with the row's stable `Message-ID`
    /// and its console links completed with the public origin.
    async fn send_mail(&self, row: &OutboxRow) -> Result<Result<(), String>, AppError> {
        let from: Mailbox = self
            .settings
            .from
            .parse()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("MEDIATION_MAIL_FROM: {e}")))?;
        let recipients: Vec<String> = row.recipients.split(',').map(str::to_owned).collect();
        let id = message_id(&row.id, &from);
        let body = links::complete(&row.body, &self.public_url);
        Ok(self
            .mailer
            .send(&from, &recipients, &row.subject, &body, &id)
            .await)
    }

    /// One pass: claim due rows, then for each renew its lease, send it and record the result.
    /// Returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let rows = self.claim_due().await?;
        let lease = lease_of(&self.settings);
        let mut sent = 0;
        for row in rows {
            let now = self.clock.now().naive_utc();
            let held = row.clone();
            let ours = self
                .db
                .run(move |connection| Ok(renew(connection, &held, now, lease)?))
                .await?;
            if !ours {
                tracing::info!(outbox_id = %row.id, "lease lost before sending; left to its new holder");
                continue;
            }
            let outcome = self.send_row(&row).await?;
            let settings = self.settings.clone();
            let now = self.clock.now().naive_utc();
            let succeeded = outcome.is_ok();
            self.db
                .run(move |connection| {
                    match &outcome {
                        Ok(()) => mark_sent(connection, &row.id, now)?,
                        Err(failure) => {
                            let (error, permanent) = (&failure.error, failure.permanent);
                            tracing::warn!(outbox_id = %row.id, attempts = row.attempts + 1, %error, permanent, "sending failed");
                            mark_failed(connection, &row, failure, now, &settings)?
                        }
                    };
                    Ok(())
                })
                .await?;
            sent += usize::from(succeeded);
        }
        Ok(sent)
    }

    /// Runs passes forever, every `poll_interval`.
    pub async fn run(self) {
        let interval = self.settings.poll_interval;
        loop {
            if let Err(error) = self.deliver_due().await {
                tracing::warn!(%error, "outbox pass failed; retrying");
            }
            tokio::time::sleep(interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let (base, cap) = (Duration::from_secs(30), Duration::from_secs(3600));
        assert_eq!(backoff(1, base, cap), Duration::from_secs(30));
        assert_eq!(backoff(2, base, cap), Duration::from_secs(60));
        assert_eq!(backoff(4, base, cap), Duration::from_secs(240));
        assert_eq!(backoff(10, base, cap), cap);
        assert_eq!(backoff(1000, base, cap), cap);
    }
}
