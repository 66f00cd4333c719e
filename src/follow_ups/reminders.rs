//! The follow-up reminder: when a concluded case's follow-up falls due and none is recorded, its
//! mediator (the assignee, or else the office's address) is emailed through the outbox, once per
//! case (key `follow_up_due:<case id>`), however often the scheduler runs and however many
//! servers run it. The reminder scheduler (`notify::reminders::run`) calls [`remind_due`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::rules;
use crate::cases::deadlines::office_zone;
use crate::cases::lifecycle::CaseStatus;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::notify::links;
use crate::notify::templates::Template;
use crate::notify::{case_recipients, enqueue, Notification};
use crate::schema::{cases, offices};

/// Cases looked at per pass; the rest wait for the next pass.
const PER_PASS: i64 = 500;

/// Cases without any follow-up recorded.
fn without_follow_up() -> diesel::expression::SqlLiteral<Bool> {
    sql::<Bool>("NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.case_id = cases.id)")
}

/// Cases not yet reminded.
fn not_reminded() -> diesel::expression::SqlLiteral<Bool> {
    sql::<Bool>(
        "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = 'follow_up_due:' || cases.id)",
    )
}

type DueCase = (
    String,
    String,
    String,
    Option<String>,
    CaseStatus,
    Option<NaiveDateTime>,
    String,
);

/// Enqueues the reminder of every case whose follow-up is due at `now` (`days` after it
/// concluded) and that has none recorded and no reminder yet; returns how many were written.
pub fn remind_due(
    connection: &mut DbConnection,
    now: DateTime<Utc>,
    days: u32,
) -> Result<usize, AppError> {
    let naive = now.naive_utc();
    let due: Vec<DueCase> = cases::table
        .inner_join(offices::table)
        .filter(cases::status.eq_any(rules::concluded_statuses()))
        .filter(cases::concluded_at.le(rules::due_if_concluded_by(naive, days)))
        .filter(without_follow_up())
        .filter(not_reminded())
        .select((
            cases::id,
            cases::case_number,
            cases::office_id,
            cases::assignee_id,
            cases::status,
            cases::concluded_at,
            offices::time_zone,
        ))
        .limit(PER_PASS)
        .load(connection)?;
    let mut written = 0;
    for (id, number, office, assignee, status, concluded_at, zone) in due {
        let concluded_on = concluded_at
            .map(|at| {
                at.and_utc()
                    .with_timezone(&office_zone(&zone))
                    .date_naive()
                    .to_string()
            })
            .unwrap_or_default();
        let vars: BTreeMap<&'static str, String> = [
            ("case_number", number),
            ("console_url", links::case_page(&id)),
            ("status", status.as_str().to_owned()),
            ("status_label", rules::status_label(status).to_owned()),
            ("concluded_on", concluded_on),
            ("days", days.to_string()),
        ]
        .into_iter()
        .collect();
        let notification = Notification {
            template: Template::FollowUpDue,
            recipients: case_recipients(connection, assignee.as_deref(), &office)?,
            case_id: Some(&id),
            dedup_key: Some(format!("{}:{id}", Template::FollowUpDue)),
            vars,
        };
        written += usize::from(enqueue(connection, notification, naive)?);
    }
    Ok(written)
}
