//! `GET /api/v1/cases/{id}/dossier`: JSON by default; `Accept: text/html` gives the printable page.
//! The HTTP adapter of [`super::assemble`]: content negotiation and headers are decided here.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::Dossier;
use crate::app::AppState;
use crate::auth::caller::Caller;
use crate::domain::ids::CaseId;
use crate::dossier;
use crate::http::error::{AppError, Problem};

fn wants_html(request: &HttpRequest) -> bool {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let html = accept.find("text/html");
    let json = accept.find("application/json");
    matches!((html, json), (Some(h), Some(j)) if h < j) || (html.is_some() && json.is_none())
}

/// `Accept: application/pdf` (before any JSON or HTML), or `?format=pdf`.
fn wants_pdf(request: &HttpRequest) -> bool {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let first = ["application/json", "text/html"]
        .iter()
        .filter_map(|t| accept.find(t))
        .min();
    let asked = request.query_string().split('&').any(|p| p == "format=pdf");
    asked
        || matches!((accept.find("application/pdf"), first), (Some(p), f) if f.is_none_or(|f| p < f))
}

/// The whole case file, visible exactly like the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/dossier", tag = "dossier",
    params(("id" = String, Path, description = "The case's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The case file: JSON; the printable page when `Accept` prefers `text/html`; the A4 case file (cover, contents, sections, chain check) when it prefers `application/pdf` or with `?format=pdf`",
            content((Dossier = "application/json"), (String = "text/html"), (String = "application/pdf"))),
        (status = 404, description = "No such case, or not visible to you", body = Problem),
    ))]
pub async fn get_dossier(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    id: web::Path<CaseId>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    if wants_pdf(&request) {
        let (bytes, serial) = state
            .db
            .run(move |connection| dossier::print(connection, &caller, &id, now))
            .await?;
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let pdf = crate::papers::use_cases::PaperFormat::Pdf;
        let stem = "dossier";
        return Ok(crate::papers::handlers::paper_response(
            pdf, stem, &serial, &sha256, bytes,
        ));
    }
    let case_file = state
        .db
        .run(move |connection| dossier::assemble(connection, &caller, &id, now))
        .await?;
    if wants_html(&request) {
        let page = dossier::page::render(&case_file)?;
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("content-security-policy", crate::http::hardening::PAGE_CSP))
            .insert_header(("cache-control", "private, no-store"))
            .body(page));
    }
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "private, no-store"))
        .json(case_file))
}
