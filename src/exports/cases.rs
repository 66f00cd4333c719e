//! The case export: `GET /cases` as a sheet, one row per case, read with the list's own use
//! case ([`crate::cases::use_cases::list_for`]: the same filters, the same visibility, the same
//! keyset order) a page at a time, so no export holds more than one page of cases.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::table::Cell;
use super::xlsx::{Sheet, MAX_ROWS};
use crate::auth::caller::Caller;
use crate::cases::deadlines::office_zone;
use crate::cases::use_cases::{list_for, CaseQuery};
use crate::cases::CaseView;
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::pagination::PageQuery;
use crate::schema::offices;
use crate::words::{category_words, channel_words, status_words};

/// Cases read per statement: larger than the API's page (fewer round trips), small enough that
/// a page of views is a few hundred kilobytes.
pub const PAGE: i64 = 500;

/// The columns, in order.
fn columns() -> [Message; 17] {
    [
        msg!("export.case.number"),
        msg!("export.case.status"),
        msg!("export.case.category"),
        msg!("export.case.channel"),
        msg!("export.case.received"),
        msg!("export.case.deadline"),
        msg!("export.case.overdue"),
        msg!("export.case.workers"),
        msg!("export.case.collective"),
        msg!("export.case.employer"),
        msg!("export.case.credit_code"),
        msg!("export.case.claimed"),
        msg!("export.case.agreed"),
        msg!("export.case.recovered"),
        msg!("export.case.office"),
        msg!("export.case.assignee"),
        msg!("export.case.summary"),
    ]
}

/// The header row in `lang`.
pub fn headers(lang: Lang) -> Vec<String> {
    columns().iter().map(|m| m.render(lang)).collect()
}

/// One page of rows, and the cursor of the next page (`None` after the last).
pub struct RowPage {
    pub rows: Vec<Vec<Cell>>,
    pub next: Option<String>,
}

/// The page after `cursor` (the first page without one) of the cases `caller` may see that
/// match `query`, as rows in `lang`.
pub fn page(
    connection: &mut DbConnection,
    caller: &Caller,
    query: CaseQuery,
    cursor: Option<String>,
    protector: &PersonalData,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<RowPage, AppError> {
    let mut request = PageQuery {
        limit: None,
        cursor,
    }
    .parse()?;
    request.limit = PAGE;
    let found = list_for(connection, caller, query, &request, protector, now)?;
    let zones = zones_of(connection, &found.items)?;
    let assignees: Vec<&str> = found
        .items
        .iter()
        .filter_map(|c| c.assignee_id.as_deref())
        .collect();
    let names = crate::timeline::names::actor_names(connection, &assignees)?;
    let rows = found
        .items
        .iter()
        .map(|case| {
            let zone = zones
                .get(&case.office.id)
                .copied()
                .unwrap_or(chrono_tz::Asia::Shanghai);
            row(case, zone, &names, lang)
        })
        .collect();
    Ok(RowPage {
        rows,
        next: found.next_cursor,
    })
}

/// The whole export as an XLSX sheet: every page of [`page`] written to the sheet as it is
/// read. More rows than a sheet holds is 400 `invalid_query` — found before the first byte is
/// sent, since the workbook is finished before it is served.
pub fn xlsx(
    connection: &mut DbConnection,
    caller: &Caller,
    query: &CaseQuery,
    protector: &PersonalData,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<std::fs::File, AppError> {
    let mut sheet = Sheet::new(&msg!("export.case.sheet").render(lang), &headers(lang))?;
    let mut cursor = None;
    loop {
        let found = page(
            connection,
            caller,
            query.clone(),
            cursor,
            protector,
            now,
            lang,
        )?;
        if sheet.rows() as usize + found.rows.len() > MAX_ROWS as usize {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                detail: msg!("detail.invalid_query.export_too_large", max = MAX_ROWS - 1),
            });
        }
        for row in &found.rows {
            sheet.push(row)?;
        }
        match found.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    sheet.finish()
}

/// The time zones of the offices of `cases`, in one query.
fn zones_of(
    connection: &mut DbConnection,
    cases: &[CaseView],
) -> Result<HashMap<String, Tz>, AppError> {
    let mut ids: Vec<&str> = cases.iter().map(|c| c.office.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(String, String)> = offices::table
        .filter(offices::id.eq_any(ids))
        .select((offices::id, offices::time_zone))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, zone)| (id, office_zone(&zone)))
        .collect())
}

fn yes_no(value: bool, lang: Lang) -> Cell {
    let word = if value {
        msg!("export.yes")
    } else {
        msg!("export.no")
    };
    Cell::Text(word.render(lang))
}

/// One case as a row, dates in its office's zone `zone`.
fn row(case: &CaseView, zone: Tz, names: &HashMap<String, String>, lang: Lang) -> Vec<Cell> {
    let received = case.received_at.with_timezone(&zone).date_naive();
    let assignee = case
        .assignee_id
        .as_ref()
        .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone()));
    vec![
        Cell::Text(case.case_number.clone()),
        Cell::Text(status_words(case.status).render(lang)),
        Cell::Text(category_words(case.category).render(lang)),
        Cell::Text(channel_words(case.channel).render(lang)),
        Cell::Text(received.format("%Y-%m-%d").to_string()),
        Cell::Text(case.mediation_deadline.format("%Y-%m-%d").to_string()),
        yes_no(case.overdue, lang),
        Cell::Int(case.workers_involved.into()),
        yes_no(case.collective, lang),
        Cell::Text(case.employer.name.clone()),
        case.employer.credit_code.clone().into(),
        Cell::Yuan(case.claimed_amount_fen),
        Cell::Yuan(case.agreed_amount_fen),
        Cell::Yuan(case.recovered_amount_fen),
        Cell::Text(case.office.name.clone()),
        assignee.into(),
        Cell::Text(case.summary.clone()),
    ]
}
