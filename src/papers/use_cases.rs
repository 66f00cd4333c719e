//! The paper use cases: which papers a case allows, and issuing one. Issuing is a write: the
//! paper is written from the case file the caller may see, given the next serial number of the
//! case, rendered, hashed, and recorded as a `paper_issued` timeline event — all in one
//! transaction, so a paper exists exactly when its record does (docs/papers.md).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::content::{self, local_day, Source};
use super::layout::{lay_out, Frame};
use super::rules::{self, CaseFacts};
use super::{html, pdf, PaperKind};
use crate::agreements::follow_ups::TermState;
use crate::auth::caller::Caller;
use crate::db::{read_snapshot, write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::dossier::{self, Dossier};
use crate::error::AppError;
use crate::pagination::Paginated;
use crate::schema::case_events;
use crate::timeline::{self, Actor};

/// The timeline event kind of an issued paper.
pub const PAPER_ISSUED: &str = "paper_issued";

/// A paper the case allows, with where to get it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailablePaper {
    pub kind: PaperKind,
    /// The paper's Chinese name, e.g. `受理通知书`.
    pub title: String,
    /// For a letter of assistance: the referral it is written for.
    pub referral_id: Option<String>,
    /// The partner office a letter of assistance is addressed to.
    pub addressee: Option<String>,
    /// The path of the paper (PDF; add `?format=html` for the page).
    pub href: String,
}

/// Which format to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperFormat {
    Pdf,
    Html,
}

/// An issued paper: its bytes and the record that was written.
pub struct IssuedPaper {
    pub kind: PaperKind,
    pub serial: String,
    pub sha256: String,
    pub format: PaperFormat,
    pub bytes: Vec<u8>,
}

/// The facts the rules read, from the case file.
pub fn facts_of(d: &Dossier, now: DateTime<Utc>) -> CaseFacts {
    let today = local_day(&now);
    CaseFacts {
        status: Some(d.case.status),
        accepted: d
            .timeline
            .iter()
            .any(|e| e.kind == "transition" && e.data["to"] == "accepted"),
        has_agreement: d.agreement.is_some(),
        mediation_period_over: today > d.statutory.mediation_deadline,
        term_missed: d
            .agreement
            .iter()
            .flat_map(|a| a.terms.iter())
            .any(|t| t.state == TermState::Missed),
        confirmation_deadline: d.statutory.judicial_confirmation_deadline,
        today: Some(today),
        referral_ids: d.referrals.iter().map(|r| r.id.clone()).collect(),
    }
}

/// The papers a case the caller sees (404 otherwise) allows now; a letter of assistance once
/// per referral the caller sees.
pub fn list(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<Paginated<AvailablePaper>, AppError> {
    let d = read_snapshot(connection, |c| {
        dossier::assemble_in(c, caller, case_id, now)
    })?;
    let base = format!("/api/v1/cases/{}/papers", d.case.id);
    let mut items = Vec::new();
    for kind in rules::available(&facts_of(&d, now)) {
        if kind == PaperKind::AssistanceLetter {
            for r in &d.referrals {
                items.push(AvailablePaper {
                    kind,
                    title: content::title(kind).into(),
                    referral_id: Some(r.id.clone()),
                    addressee: Some(r.office.name.clone()),
                    href: format!("{base}/{kind}?referral_id={}", r.id),
                });
            }
            continue;
        }
        items.push(AvailablePaper {
            kind,
            title: content::title(kind).into(),
            referral_id: None,
            addressee: None,
            href: format!("{base}/{kind}"),
        });
    }
    Ok(Paginated {
        items,
        next_cursor: None,
    })
}

/// Issues paper `kind` of a case the caller sees (404 otherwise). 409 `paper_not_available`
/// when the case's state does not allow it. A letter of assistance goes to the referral
/// `referral_id` names (404 when the caller sees no such referral of the case), or without it to
/// the case's newest referral.
pub fn issue(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    kind: PaperKind,
    referral_id: Option<&str>,
    format: PaperFormat,
    now: DateTime<Utc>,
) -> Result<IssuedPaper, AppError> {
    write_transaction(connection, |connection| {
        let d = dossier::assemble_in(connection, caller, case_id, now)?;
        if !rules::allows(&facts_of(&d, now), kind) {
            return Err(AppError::Conflict {
                code: "paper_not_available",
                detail: crate::msg!(
                    "detail.paper_not_available",
                    paper = content::title(kind),
                    status = crate::words::status_words(d.case.status)
                ),
            });
        }
        // A letter of assistance goes to the referral named, or else to the case's newest one
        // the caller sees (`allows` made sure there is one): a request the API document allows
        // is never refused for leaving the optional `referral_id` out.
        let referral = match (kind, referral_id) {
            (PaperKind::AssistanceLetter, Some(id)) => Some(
                d.referrals
                    .iter()
                    .find(|r| r.id == id)
                    .ok_or(AppError::NotFound)?,
            ),
            (PaperKind::AssistanceLetter, None) => d.referrals.iter().max_by_key(|r| r.created_at),
            _ => None,
        };
        let case_id = CaseId::from(d.case.id.clone());
        // Counted under the timeline's lock: two papers issued at once get two serials.
        timeline::lock_chain(connection, &case_id)?;
        let issued: i64 = case_events::table
            .filter(case_events::case_id.eq(&d.case.id))
            .filter(case_events::kind.eq(PAPER_ISSUED))
            .count()
            .get_result(connection)?;
        let serial = rules::serial(&d.case.case_number, issued + 1);
        let source = Source {
            dossier: &d,
            serial: &serial,
            today: local_day(&now),
            referral,
        };
        let bytes = render(kind, &source, format)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let data = json!({
            "paper": kind, "serial": serial, "sha256": sha256,
            "format": if format == PaperFormat::Pdf { "pdf" } else { "html" },
            "referral_id": referral.map(|r| r.id.clone()),
        });
        let restricted = referral.map(|r| r.office.id.as_str());
        timeline::append_restricted(
            connection,
            &case_id,
            &Actor::from(caller),
            PAPER_ISSUED,
            data,
            now.naive_utc(),
            restricted,
        )?;
        Ok(IssuedPaper {
            kind,
            serial,
            sha256,
            format,
            bytes,
        })
    })
}

fn render(kind: PaperKind, source: &Source<'_>, format: PaperFormat) -> Result<Vec<u8>, AppError> {
    let text = content::write(kind, source);
    let office = &source.dossier.case.office.name;
    match format {
        PaperFormat::Html => {
            Ok(html::render(text.title, office, source.serial, &text.blocks).into_bytes())
        }
        PaperFormat::Pdf => {
            let frame = Frame {
                office: office.clone(),
                serial: source.serial.to_owned(),
            };
            let pages = lay_out(&text.blocks, &frame, &pdf::FontMeasure::new()?);
            pdf::render(text.title, &pages)
        }
    }
}
