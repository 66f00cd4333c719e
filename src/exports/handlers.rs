//! The exports over HTTP: `GET /cases` and `GET /stats` answered as a CSV or XLSX download
//! when the request asks for one (`?format=`, `Accept`), called by those two handlers and by the
//! console's export links. Everything a sheet holds comes from [`super::cases`] and
//! [`super::stats`]; here is only how the bytes leave.
//!
//! The case CSV streams: the first page is read before the answer starts, so a refused request
//! (401, 403, a bad filter) is still a problem document; then each page is read (its own
//! statement and pooled connection, like a client paging the JSON list) only when the client has
//! taken the bytes of the one before. If a page fails after the first byte has gone, the status
//! line is already sent: the error is logged with the request id and the chunked body is cut
//! off without its last chunk, which every HTTP client reports as an incomplete transfer — a
//! truncated export never looks complete. The XLSX is finished into a temporary file before the
//! first byte (a ZIP archive's directory comes last), then the file is streamed.

use std::fs::File;
use std::io::Read;

use actix_web::http::header::{HeaderMap, ACCEPT};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use futures_util::stream::{self, BoxStream, Stream, StreamExt};

use super::cases::RowPage;
use super::table::Table;
use super::{csv, disposition, negotiate, ExportParams, Format};
use crate::app::AppState;
use crate::auth::caller::Caller;
use crate::cases::use_cases::CaseQuery;
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::offices::DEFAULT_TIME_ZONE;
use crate::stats::StatsParams;

/// Bytes read from the finished workbook per chunk.
const FILE_CHUNK: usize = 256 * 1024;

/// The spreadsheet format the request asks for, or `None` for the JSON answer.
pub fn wanted(headers: &HeaderMap, params: &ExportParams) -> Option<Format> {
    let accept = headers.get(ACCEPT).and_then(|v| v.to_str().ok());
    match negotiate(params.format, accept) {
        Format::Json => None,
        format => Some(format),
    }
}

/// The download's file name: what it is and the day, in the service's default zone.
fn attachment(what: &str, ascii: &str, now: DateTime<Utc>, format: Format) -> String {
    let zone = crate::cases::deadlines::office_zone(DEFAULT_TIME_ZONE);
    let day = now.with_timezone(&zone).format("%Y-%m-%d");
    disposition(&format!("{what}-{day}"), &format!("{ascii}-{day}"), format)
}

fn download(format: Format, name: String) -> actix_web::HttpResponseBuilder {
    let mut answer = HttpResponse::Ok();
    answer
        .content_type(format.media_type())
        .insert_header(("content-disposition", name));
    answer
}

/// How a front door confirms its caller on the first connection: the bearer token's session
/// check (`PendingCaller::confirm`), or the console's cookie.
pub trait Confirm: FnOnce(&mut DbConnection) -> Result<Caller, AppError> + Send + 'static {}
impl<C: FnOnce(&mut DbConnection) -> Result<Caller, AppError> + Send + 'static> Confirm for C {}

/// The case list as a download.
pub async fn cases(
    state: &AppState,
    confirm: impl Confirm,
    query: CaseQuery,
    format: Format,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let name = attachment(&msg!("export.case.file").render(lang), "cases", now, format);
    let body: BoxStream<'static, Result<Bytes, AppError>> = match format {
        Format::Xlsx => cases_xlsx(state, confirm, query, now, lang).await?,
        _ => cases_csv(state, confirm, query, now, lang).await?,
    };
    Ok(download(format, name).streaming(body))
}

/// The workbook, finished before the first byte, then read from its file.
async fn cases_xlsx(
    state: &AppState,
    confirm: impl Confirm,
    query: CaseQuery,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<BoxStream<'static, Result<Bytes, AppError>>, AppError> {
    let protector = state.personal_data.clone();
    let file = state
        .db
        .run(move |connection| {
            let caller = confirm(connection)?;
            super::cases::xlsx(connection, &caller, &query, &protector, now, lang)
        })
        .await?;
    Ok(file_chunks(file).boxed())
}

/// The header and the first page read now (a refusal is still a problem document), the other
/// pages as the client takes them.
async fn cases_csv(
    state: &AppState,
    confirm: impl Confirm,
    query: CaseQuery,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<BoxStream<'static, Result<Bytes, AppError>>, AppError> {
    let protector = state.personal_data.clone();
    let (first_query, first_protector) = (query.clone(), protector.clone());
    let (caller, first) = state
        .db
        .run(move |connection| {
            let caller = confirm(connection)?;
            let first = super::cases::page(
                connection,
                &caller,
                first_query,
                None,
                &first_protector,
                now,
                lang,
            )?;
            Ok((caller, first))
        })
        .await?;
    let head = format!(
        "{}{}",
        csv::header(&super::cases::headers(lang)),
        lines(&first.rows)
    );
    // The caller was confirmed on the primary with the first page; the later pages may lag a
    // moment behind it (they are no single snapshot anyway), so they read from the standby.
    let pages = Pages {
        db: state.read_db.clone(),
        caller,
        query,
        protector,
        now,
        lang,
    };
    let rest = case_pages(pages, first.next);
    Ok(stream::once(async move { Ok(Bytes::from(head)) })
        .chain(rest)
        .boxed())
}

/// The rows as CSV lines.
fn lines(rows: &[Vec<super::table::Cell>]) -> String {
    rows.iter().map(csv::line).collect()
}

/// What each later page of a CSV export is read with.
#[derive(Clone)]
struct Pages {
    db: crate::db::Db,
    caller: Caller,
    query: CaseQuery,
    protector: PersonalData,
    now: DateTime<Utc>,
    lang: Lang,
}

/// The pages after the first, each read when the one before has been taken; an error ends the
/// stream with that error (the body is cut off, see the module's note).
fn case_pages(pages: Pages, next: Option<String>) -> impl Stream<Item = Result<Bytes, AppError>> {
    stream::unfold(next, move |cursor| {
        let Pages {
            db,
            caller,
            query,
            protector,
            now,
            lang,
        } = pages.clone();
        async move {
            let cursor = cursor?;
            let read = db
                .run(move |connection| {
                    super::cases::page(
                        connection,
                        &caller,
                        query,
                        Some(cursor),
                        &protector,
                        now,
                        lang,
                    )
                })
                .await;
            match read {
                Ok(RowPage { rows, next }) => Some((Ok(Bytes::from(lines(&rows))), next)),
                Err(error) => {
                    tracing::error!(%error, "the case export failed after its first byte; its body is cut off");
                    Some((Err(error), None))
                }
            }
        }
    })
}

/// The figures as a download (a small table, written whole).
pub async fn stats(
    state: &AppState,
    caller: Caller,
    params: StatsParams,
    format: Format,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    let (now, days) = (state.clock.now(), state.config.follow_up_days);
    let name = attachment(
        &msg!("export.stats.file").render(lang),
        "figures",
        now,
        format,
    );
    // Figures may lag a moment: the read standby when one is configured (docs/deployment.md).
    let table = state
        .read_db
        .run(move |connection| super::stats::table(connection, &caller, params, now, days, lang))
        .await?;
    if format == Format::Csv {
        let csv = format!("{}{}", csv::header(&table.headers), lines(&table.rows));
        return Ok(download(format, name).body(csv));
    }
    let sheet = msg!("export.stats.sheet").render(lang);
    let file = tokio::task::spawn_blocking(move || workbook(&sheet, &table))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the XLSX task failed: {e}")))??;
    Ok(download(format, name).streaming(file_chunks(file)))
}

/// A whole table as a finished workbook.
fn workbook(name: &str, table: &Table) -> Result<File, AppError> {
    let mut sheet = super::xlsx::Sheet::new(name, &table.headers)?;
    for row in &table.rows {
        sheet.push(row)?;
    }
    sheet.finish()
}

/// A finished file, read a chunk at a time off the runtime's threads.
fn file_chunks(file: File) -> impl Stream<Item = Result<Bytes, AppError>> {
    stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = tokio::task::spawn_blocking(move || {
            let mut chunk = vec![0; FILE_CHUNK];
            let size = file.read(&mut chunk)?;
            chunk.truncate(size);
            Ok::<_, std::io::Error>((chunk, file))
        })
        .await;
        match read {
            Ok(Ok((chunk, _))) if chunk.is_empty() => None,
            Ok(Ok((chunk, file))) => Some((Ok(Bytes::from(chunk)), Some(file))),
            Ok(Err(e)) => Some((Err(AppError::Internal(e.into())), None)),
            Err(e) => Some((Err(AppError::Internal(anyhow::anyhow!("{e}"))), None)),
        }
    })
}
