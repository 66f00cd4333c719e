//! The outbox worker: claims due rows, sends them, and records the result.
//!
//! Claiming sets a lease (`claimed_until`) on up to a batch of due rows in one statement; on
//! PostgreSQL the candidate rows are picked `FOR UPDATE SKIP LOCKED`, so several servers sharing
//! a database never claim the same row, and SQLite has a single writer. Sending happens outside
//! any transaction; a failure schedules the next attempt with capped exponential backoff, and
//! after the configured number of attempts the row is marked dead (visible to admins, who may
//! retry it). A process that dies mid-send leaves a lease that simply expires.

use std::time::Duration;

use actix_web::web;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use lettre::message::Mailbox;

use super::mailer::Mailer;
use super::OutboxRow;
use crate::config::MailSettings;
use crate::db::{write_transaction, DbConnection};
use crate::http::error::ApiError;
use crate::schema::outbox;
use crate::startup::AppState;

/// How long a claimed row is reserved for the worker that claimed it.
const LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
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

/// Leases up to `BATCH` due rows to this worker and returns them.
pub fn claim(connection: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<OutboxRow>> {
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
        .bind::<Timestamp, _>(now + LEASE)
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

/// Records a failed send: retried later with backoff, or dead after the last attempt.
pub fn mark_failed(
    connection: &mut DbConnection,
    row: &OutboxRow,
    error: &str,
    now: NaiveDateTime,
    settings: &MailSettings,
) -> QueryResult<usize> {
    let attempts = row.attempts + 1;
    let dead = attempts >= settings.max_attempts;
    let delay = backoff(attempts, settings.backoff, settings.backoff_cap);
    let next = now + chrono::TimeDelta::from_std(delay).unwrap_or(chrono::TimeDelta::hours(1));
    let error: String = error.chars().take(1000).collect();
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

/// One pass: claim due rows, send each, record each result. Returns how many were sent.
pub async fn deliver_due(state: &web::Data<AppState>, mailer: &Mailer) -> Result<usize, ApiError> {
    let now = state.clock.now().naive_utc();
    let rows = state
        .db
        .run(move |connection| Ok(claim(connection, now)?))
        .await?;
    let from: Mailbox = state
        .config
        .mail
        .from
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("MEDIATION_MAIL_FROM: {e}")))?;
    let mut sent = 0;
    for row in rows {
        let recipients: Vec<String> = row.recipients.split(',').map(str::to_owned).collect();
        let outcome = mailer
            .send(&from, &recipients, &row.subject, &row.body)
            .await;
        let settings = state.config.mail.clone();
        let now = state.clock.now().naive_utc();
        let succeeded = outcome.is_ok();
        state
            .db
            .run(move |connection| {
                match &outcome {
                    Ok(()) => mark_sent(connection, &row.id, now)?,
                    Err(error) => {
                        tracing::warn!(outbox_id = %row.id, attempts = row.attempts + 1, %error, "sending failed");
                        mark_failed(connection, &row, error, now, &settings)?
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
pub async fn run(state: web::Data<AppState>, mailer: Mailer) {
    let interval = state.config.mail.poll_interval;
    loop {
        if let Err(error) = deliver_due(&state, &mailer).await {
            tracing::warn!(%error, "outbox pass failed; retrying");
        }
        tokio::time::sleep(interval).await;
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
