//! What admins do with the outbox besides reading it: send a notification again
//! (docs/notifications.md, "The admin view and retry"). Plain functions that own their
//! transaction, so the retry is the same from any front door and nothing here knows about HTTP
//! (docs/architecture.md). [`outbox_page`] and [`retry_as`] check the caller (admins only, who
//! manage the directory the mail goes to) for front doors without a role extractor of their own,
//! the console; no timeline event is written because an outbox row belongs to no case history.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{NotificationView, OutboxRow, OutboxStatus};
use crate::auth::caller::Caller;
use crate::auth::policy::Action;
use crate::db::{write_transaction, DbConnection};
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::outbox;

/// Queues a dead (or waiting) notification again, due at `now` with a fresh count of attempts
/// and no lease, so the next worker pass sends it. 404 for an unknown id; 409 `already_sent` for
/// a row that was sent, which is never sent twice.
pub fn retry(
    connection: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
) -> Result<NotificationView, AppError> {
    let now = now.naive_utc();
    let row = write_transaction(connection, |connection| {
        let row: OutboxRow = outbox::table
            .find(id)
            .select(OutboxRow::as_select())
            .first(connection)?;
        if row.status == OutboxStatus::Sent {
            return Err(AppError::Conflict {
                code: "already_sent",
                detail: crate::msg!("detail.already_sent"),
            });
        }
        diesel::update(outbox::table.find(&row.id))
            .set((
                outbox::status.eq(OutboxStatus::Pending.as_str()),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(now),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(connection)?;
        Ok::<_, AppError>(
            outbox::table
                .find(&row.id)
                .select(OutboxRow::as_select())
                .first(connection)?,
        )
    })?;
    Ok(NotificationView::from(row))
}

/// A page of the outbox, newest first, optionally of one status; 403 unless the caller is an
/// admin.
pub fn outbox_page(
    connection: &mut DbConnection,
    caller: &Caller,
    status: Option<OutboxStatus>,
    page: &PageRequest,
) -> Result<Paginated<NotificationView>, AppError> {
    caller.require(Action::ManageDirectory)?;
    Ok(super::list(connection, status, page)?.map(NotificationView::from))
}

/// [`retry`] by `caller`: 403 unless they are an admin.
pub fn retry_as(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<NotificationView, AppError> {
    caller.require(Action::ManageDirectory)?;
    retry(connection, id, now)
}
