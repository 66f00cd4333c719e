//! The overdue-risk reminder: when a risk is still open or handling past its due time, its
//! handling mediator (the assignee, or else the office's address) is emailed through the outbox,
//! once per risk (key `risk_overdue:<risk id>`), however often the scheduler runs and however
//! many servers run it. The reminder scheduler (`notify::reminders::run`) calls [`remind_overdue`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::rules::{self, RiskCategory, RiskLevel, RiskStatus};
use crate::cases::deadlines::office_zone;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::notify::links::PUBLIC_URL;
use crate::notify::templates::Template;
use crate::notify::{case_recipients, enqueue, Notification};
use crate::schema::{offices, risks};

/// Risks looked at per pass; the rest wait for the next pass.
const PER_PASS: i64 = 500;

/// Risks not yet reminded.
fn not_reminded() -> diesel::expression::SqlLiteral<Bool> {
    sql::<Bool>(
        "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = 'risk_overdue:' || risks.id)",
    )
}

fn level_label(level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::Low => "一般",
        RiskLevel::Medium => "较大",
        RiskLevel::High => "重大",
        RiskLevel::Major => "特别重大",
    }
}

fn category_label(category: RiskCategory) -> &'static str {
    match category {
        RiskCategory::WageArrears => "欠薪",
        RiskCategory::SocialInsuranceArrears => "欠缴社保",
        RiskCategory::Restructuring => "改制重组",
        RiskCategory::RelocationOrClosure => "搬迁关停",
        RiskCategory::MassLayoff => "规模裁员",
        RiskCategory::GigPlatform => "新就业形态",
        RiskCategory::Other => "其他",
    }
}

fn status_label(status: RiskStatus) -> &'static str {
    match status {
        RiskStatus::Open => "待处置",
        RiskStatus::Handling => "处置中",
        RiskStatus::Resolved => "已化解",
        RiskStatus::Closed => "已关闭",
    }
}

type DueRisk = (
    String,
    String,
    Option<String>,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    String,
    i32,
    chrono::NaiveDateTime,
    String,
);

/// Enqueues the reminder of every risk overdue at `now` that has no reminder yet, and stamps
/// its `reminded_at`; returns how many were written.
pub fn remind_overdue(
    connection: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let naive = now.naive_utc();
    let due: Vec<DueRisk> = risks::table
        .inner_join(offices::table)
        .filter(risks::status.eq_any(rules::open_statuses()))
        .filter(risks::due_at.le(naive))
        .filter(not_reminded())
        .select((
            risks::id,
            risks::office_id,
            risks::assignee_id,
            risks::category,
            risks::level,
            risks::status,
            risks::employer_name,
            risks::workers_affected,
            risks::due_at,
            offices::time_zone,
        ))
        .order((risks::due_at.asc(), risks::id.asc()))
        .limit(PER_PASS)
        .load(connection)?;
    let mut written = 0;
    for (id, office, assignee, category, level, status, employer, workers, due_at, zone) in due {
        let due_on = due_at
            .and_utc()
            .with_timezone(&office_zone(&zone))
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let vars: BTreeMap<&'static str, String> = [
            ("risk_id", id.clone()),
            ("employer_name", employer),
            ("workers_affected", workers.to_string()),
            ("level", level.as_str().to_owned()),
            ("level_label", level_label(level).to_owned()),
            ("category", category.as_str().to_owned()),
            ("category_label", category_label(category).to_owned()),
            ("status", status.as_str().to_owned()),
            ("status_label", status_label(status).to_owned()),
            ("due_on", due_on),
            ("console_url", format!("{PUBLIC_URL}/console")),
        ]
        .into_iter()
        .collect();
        let notification = Notification {
            template: Template::RiskOverdue,
            recipients: case_recipients(connection, assignee.as_deref(), &office)?,
            case_id: None,
            dedup_key: Some(format!("{}:{id}", Template::RiskOverdue)),
            vars,
        };
        if enqueue(connection, notification, naive)? {
            written += 1;
        }
        // Stamped even when nothing was written (no one to tell, or the reminder was already in
        // the outbox): otherwise the risk would be picked again on every pass, and enough such
        // risks would fill every pass and starve the others.
        diesel::update(risks::table.filter(risks::id.eq(id)))
            .set(risks::reminded_at.eq(Some(naive)))
            .execute(connection)?;
    }
    Ok(written)
}
