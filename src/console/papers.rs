//! The case's papers in the console (docs/papers.md): a page listing the papers the case's state
//! allows, each issued as a PDF through the same use case as the API (`papers::use_cases`), and
//! the case file as an A4 PDF (`dossier::print`). With the signed-in person's visibility.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::layout::{failure, page, rendering, Area, Chrome, ConsoleUser};
use super::session::lang;
use crate::app::AppState;
use crate::domain::ids::CaseId;
use crate::msg;
use crate::papers::handlers::{paper_response, PaperParams};
use crate::papers::use_cases::{self, PaperFormat};
use crate::papers::PaperKind;

/// One paper to issue.
pub struct PaperLink {
    pub label: String,
    pub href: String,
    pub html_suffix: &'static str,
}

#[derive(Template)]
#[template(path = "console/papers.html")]
struct PapersPage {
    chrome: Chrome,
    title: String,
    back: String,
    back_href: String,
    none: String,
    note: String,
    dossier: String,
    dossier_href: String,
    papers: Vec<PaperLink>,
}

/// `GET /console/cases/{id}/papers`: the papers the case allows now.
pub async fn list(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
) -> HttpResponse {
    let (caller, now, lang) = (user.caller.clone(), state.clock.now(), lang());
    let here = format!("/console/cases/{id}");
    let listed = state
        .db
        .run(move |c| use_cases::list(c, &caller, &id, now))
        .await;
    let papers = match listed {
        Ok(list) => list.items,
        Err(error) => return failure(lang, Some(&user), error),
    };
    let links = papers
        .iter()
        .map(|p| PaperLink {
            label: match &p.addressee {
                Some(to) => format!("{}（{to}）", p.title),
                None => p.title.clone(),
            },
            href: format!(
                "{here}/papers/{}",
                p.href.split("/papers/").nth(1).unwrap_or_default()
            ),
            html_suffix: if p.referral_id.is_some() {
                "&format=html"
            } else {
                "?format=html"
            },
        })
        .collect();
    let view = PapersPage {
        chrome: Chrome::new(lang, &user, Area::Cases),
        title: msg!("console.papers.title").render(lang),
        back: msg!("console.papers.back").render(lang),
        back_href: here.clone(),
        none: msg!("console.papers.none").render(lang),
        note: msg!("console.papers.note").render(lang),
        dossier: msg!("console.case.dossier_pdf").render(lang),
        dossier_href: format!("{here}/dossier.pdf"),
        papers: links,
    };
    page(StatusCode::OK, lang, view.render().map_err(rendering))
}

/// `GET /console/cases/{id}/papers/{kind}`: issues one paper, recorded on the timeline.
pub async fn issue(
    state: web::Data<AppState>,
    user: ConsoleUser,
    path: web::Path<(CaseId, String)>,
    query: crate::http::query::Query<PaperParams>,
) -> HttpResponse {
    let (id, kind) = path.into_inner();
    let Some(kind) = PaperKind::parse(&kind) else {
        return failure(lang(), Some(&user), crate::error::AppError::NotFound);
    };
    let params = query.into_inner();
    let format = crate::papers::handlers::negotiate(params.format, None);
    let (caller, now) = (user.caller.clone(), state.clock.now());
    let issued = state
        .db
        .run(move |c| {
            use_cases::issue(
                c,
                &caller,
                &id,
                kind,
                params.referral_id.as_deref(),
                format,
                now,
            )
        })
        .await;
    match issued {
        Ok(p) => paper_response(p.format, p.kind.as_str(), &p.serial, &p.sha256, p.bytes),
        Err(error) => failure(lang(), Some(&user), error),
    }
}

/// `GET /console/cases/{id}/dossier.pdf`: the case file as an A4 PDF.
pub async fn dossier_pdf(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
) -> HttpResponse {
    let (caller, now) = (user.caller.clone(), state.clock.now());
    let printed = state
        .db
        .run(move |c| crate::dossier::print(c, &caller, &id, now))
        .await;
    match printed {
        Ok((bytes, serial)) => {
            let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
            paper_response(PaperFormat::Pdf, "dossier", &serial, &sha256, bytes)
        }
        Err(error) => failure(lang(), Some(&user), error),
    }
}
