//! The lists of the case page as rows of display strings: parties (masked numbers), referrals
//! with their answers, joint sessions, the agreement's terms, payments, follow-ups, documents
//! and the timeline in sentences — names, words and local times already in place, so the
//! template only lays them out.

use super::case_view::CaseFile;
use super::case_view_words::{
    date, document_type_words, follow_up_method_words, local_time, party_kind_words,
    session_outcome_words, session_status_words, term_state_words, yuan,
};
use super::timeline_words::Speaker;
use super::words::{referral_kind_words, referral_status_words};
use crate::agreements::follow_ups::TermState;
use crate::i18n::Lang;
use crate::msg;

/// A labelled value of the summary.
pub struct Fact {
    pub label: String,
    pub value: String,
}

pub struct PartyRow {
    pub kind: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
}

pub struct ReferralRow {
    /// The referral's own page (`/console/referrals/{id}`), where its office answers it.
    pub href: String,
    pub office: String,
    pub task: String,
    pub request: String,
    pub status: String,
    pub due: String,
    pub overdue: bool,
    /// The office's answer: its result, or why it declined or was cancelled.
    pub answer: String,
    pub by: String,
}

pub struct SessionRow {
    pub time: String,
    pub place: String,
    pub offices: String,
    pub status: String,
    pub minutes: String,
}

pub struct TermRow {
    pub description: String,
    pub amount: String,
    pub payee: String,
    pub due: String,
    pub paid: String,
    pub state: String,
    pub missed: bool,
}

pub struct PaymentRow {
    pub time: String,
    pub amount: String,
    pub note: String,
    pub by: String,
}

pub struct FollowUpRow {
    pub time: String,
    pub method: String,
    pub reached: String,
    pub satisfaction: String,
    pub note: String,
    pub by: String,
}

pub struct DocumentRow {
    pub kind: String,
    pub name: String,
    pub size: String,
    pub by: String,
    pub time: String,
    pub href: String,
}

pub struct EventRow {
    pub time: String,
    pub sentence: String,
}

/// What the agreement section shows besides its terms.
pub struct AgreementBlock {
    pub signed: String,
    pub total: String,
    pub paid: String,
    pub terms: Vec<TermRow>,
}

fn dash(value: Option<&str>) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .unwrap_or("—")
        .to_owned()
}

pub fn parties(file: &CaseFile, lang: Lang) -> Vec<PartyRow> {
    file.parties
        .items
        .iter()
        .map(|p| PartyRow {
            kind: party_kind_words(p.kind).render(lang),
            name: p.name.clone(),
            id_number: dash(p.id_number.as_deref()),
            phone: dash(p.phone.as_deref()),
        })
        .collect()
}

pub fn referrals(file: &CaseFile, speaker: &Speaker) -> Vec<ReferralRow> {
    file.referrals
        .items
        .iter()
        .map(|r| {
            let answer = match (&r.result, &r.decline_reason, &r.cancel_reason) {
                (Some(result), _, _) => result.clone(),
                (_, Some(reason), _) | (_, _, Some(reason)) => reason.clone(),
                _ => "—".to_owned(),
            };
            ReferralRow {
                href: format!("/console/referrals/{}", r.id),
                office: r.office.name.clone(),
                task: referral_kind_words(r.kind).to_owned(),
                request: r.request.clone(),
                status: referral_status_words(r.status).render(speaker.lang),
                due: local_time(&r.due_at, file.zone),
                overdue: r.overdue,
                answer,
                by: speaker.name(&r.created_by),
            }
        })
        .collect()
}

pub fn sessions(file: &CaseFile, lang: Lang) -> Vec<SessionRow> {
    file.sessions
        .items
        .iter()
        .map(|s| {
            let offices: Vec<&str> = s.offices.iter().map(|o| o.name.as_str()).collect();
            let status = match s.outcome {
                Some(outcome) => format!(
                    "{}（{}）",
                    session_status_words(s.status).render(lang),
                    session_outcome_words(outcome).render(lang)
                ),
                None => session_status_words(s.status).render(lang),
            };
            SessionRow {
                time: local_time(&s.scheduled_at, file.zone),
                place: s.location.clone(),
                offices: dash(Some(&offices.join("、"))),
                status,
                minutes: dash(s.minutes.as_deref()),
            }
        })
        .collect()
}

pub fn agreement(file: &CaseFile, lang: Lang) -> Option<AgreementBlock> {
    let agreement = file.agreement.as_ref()?;
    Some(AgreementBlock {
        signed: local_time(&agreement.signed_at, file.zone),
        total: yuan(agreement.total_amount_fen),
        paid: yuan(agreement.paid_fen),
        terms: agreement
            .terms
            .iter()
            .map(|t| TermRow {
                description: t.description.clone(),
                amount: yuan(t.amount_fen),
                payee: t.payee.clone(),
                due: date(&t.due_date),
                paid: yuan(t.paid_fen),
                state: term_state_words(t.state).render(lang),
                missed: t.state == TermState::Missed,
            })
            .collect(),
    })
}

pub fn payments(file: &CaseFile, speaker: &Speaker) -> Vec<PaymentRow> {
    file.payments
        .items
        .iter()
        .map(|p| PaymentRow {
            time: local_time(&p.paid_at, file.zone),
            amount: yuan(p.amount_fen),
            note: dash(p.note.as_deref()),
            by: speaker.name(&p.recorded_by),
        })
        .collect()
}

pub fn follow_ups(file: &CaseFile, speaker: &Speaker) -> Vec<FollowUpRow> {
    let lang = speaker.lang;
    file.follow_ups
        .items
        .iter()
        .map(|f| FollowUpRow {
            time: local_time(&f.created_at, file.zone),
            method: follow_up_method_words(f.method).render(lang),
            reached: if f.reached {
                msg!("console.case.yes").render(lang)
            } else {
                msg!("console.case.no").render(lang)
            },
            satisfaction: f
                .satisfaction
                .map(|n| msg!("console.case.form.rating", n = n).render(lang))
                .unwrap_or_else(|| "—".to_owned()),
            note: f.note.clone(),
            by: speaker.name(&f.recorded_by),
        })
        .collect()
}

pub fn documents(file: &CaseFile, speaker: &Speaker) -> Vec<DocumentRow> {
    file.documents
        .items
        .iter()
        .map(|d| DocumentRow {
            kind: document_type_words(d.document_type).render(speaker.lang),
            name: d.file_name.clone(),
            size: size_words(d.size_bytes),
            by: speaker.name(&d.uploaded_by),
            time: local_time(&d.created_at, file.zone),
            href: format!("/console/documents/{}", d.id),
        })
        .collect()
}

/// A size in bytes, KB or MB, one decimal.
fn size_words(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

pub fn timeline(file: &CaseFile, speaker: &Speaker) -> Vec<EventRow> {
    file.timeline
        .items
        .iter()
        .map(|e| EventRow {
            time: local_time(&e.occurred_at, file.zone),
            sentence: speaker.sentence(e),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_in_bytes_kilobytes_or_megabytes() {
        assert_eq!(super::size_words(900), "900 B");
        assert_eq!(super::size_words(2048), "2.0 KB");
        assert_eq!(super::size_words(3 * 1024 * 1024), "3.0 MB");
    }
}
