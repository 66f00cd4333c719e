//! `GET /api/v1/cases/{id}/papers` and `GET /api/v1/cases/{id}/papers/{kind}`: the HTTP adapter
//! of [`super::use_cases`]. The format is chosen here: `?format=` wins, then `Accept`
//! (`text/html` before `application/pdf`), and PDF when neither says.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::use_cases::{self, AvailablePaper, PaperFormat};
use super::PaperKind;
use crate::app::AppState;
use crate::auth::caller::Caller;
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::pagination::Paginated;

/// `pdf` or `html`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FormatParam {
    Pdf,
    Html,
}

/// The query of `GET /cases/{id}/papers/{kind}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaperParams {
    /// `pdf` or `html`; wins over `Accept`.
    #[param(inline)]
    pub format: Option<FormatParam>,
    /// For `assistance_letter`: the referral the letter is written for; without it, the case's
    /// newest referral.
    pub referral_id: Option<String>,
}

/// The format a request asks for.
pub fn negotiate(format: Option<FormatParam>, accept: Option<&str>) -> PaperFormat {
    match format {
        Some(FormatParam::Pdf) => PaperFormat::Pdf,
        Some(FormatParam::Html) => PaperFormat::Html,
        None => {
            let accept = accept.unwrap_or("");
            match (accept.find("text/html"), accept.find("application/pdf")) {
                (Some(h), Some(p)) if h < p => PaperFormat::Html,
                (Some(_), None) => PaperFormat::Html,
                _ => PaperFormat::Pdf,
            }
        }
    }
}

/// The answer for an issued paper or case file: its bytes with their type, serial and hash.
pub fn paper_response(
    format: PaperFormat,
    file_stem: &str,
    serial: &str,
    sha256: &str,
    bytes: Vec<u8>,
) -> HttpResponse {
    let (content_type, extension) = match format {
        PaperFormat::Pdf => ("application/pdf", "pdf"),
        PaperFormat::Html => ("text/html; charset=utf-8", "html"),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file_stem}-{serial}.{extension}\""),
        ))
        .insert_header(("x-paper-serial", serial.to_owned()))
        .insert_header(("x-paper-sha256", sha256.to_owned()))
        .insert_header(("content-security-policy", crate::http::hardening::PAGE_CSP))
        .insert_header(("cache-control", "private, no-store"))
        .body(bytes)
}

/// The papers the case's state allows now.
#[utoipa::path(get, path = "/api/v1/cases/{id}/papers", tag = "papers",
    params(("id" = String, Path, description = "The case's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The papers available, in the order an office issues them", body = Paginated<AvailablePaper>),
        (status = 404, description = "No such case, or not visible to you", body = Problem),
    ))]
pub async fn list_papers(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CaseId>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let papers = state
        .db
        .run(move |connection| use_cases::list(connection, &caller, &id, now))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "private, no-store"))
        .json(papers))
}

/// Issues one paper: an A4 PDF (or its HTML twin), recorded on the timeline with its serial
/// number and SHA-256 (`x-paper-serial`, `x-paper-sha256`).
#[utoipa::path(get, path = "/api/v1/cases/{id}/papers/{kind}", tag = "papers",
    params(("id" = String, Path, description = "The case's id"),
           ("kind" = PaperKind, Path, description = "Which paper"), PaperParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The paper", content((String = "application/pdf"), (String = "text/html"))),
        (status = 404, description = "No such case, paper kind or referral, or not visible to you", body = Problem),
        (status = 409, description = "`paper_not_available`: the case's state does not allow this paper", body = Problem),
    ))]
pub async fn get_paper(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<(CaseId, String)>,
    query: crate::http::query::Query<PaperParams>,
) -> Result<HttpResponse, AppError> {
    let (id, kind) = path.into_inner();
    let kind = PaperKind::parse(&kind).ok_or(AppError::NotFound)?;
    let params = query.into_inner();
    let accept = request.headers().get(header::ACCEPT);
    let format = negotiate(params.format, accept.and_then(|v| v.to_str().ok()));
    let now = state.clock.now();
    let paper = state
        .db
        .run(move |connection| {
            let referral = params.referral_id.as_deref();
            use_cases::issue(connection, &caller, &id, kind, referral, format, now)
        })
        .await?;
    let stem = paper.kind.as_str();
    Ok(paper_response(
        paper.format,
        stem,
        &paper.serial,
        &paper.sha256,
        paper.bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_parameter_wins_over_accept_and_pdf_is_the_default() {
        assert_eq!(negotiate(None, None), PaperFormat::Pdf);
        assert_eq!(negotiate(None, Some("text/html")), PaperFormat::Html);
        assert_eq!(
            negotiate(None, Some("application/pdf, text/html")),
            PaperFormat::Pdf
        );
        assert_eq!(
            negotiate(Some(FormatParam::Pdf), Some("text/html")),
            PaperFormat::Pdf
        );
    }
}
