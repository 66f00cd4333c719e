//! The case page as a view model: the summary facts, the statutory dates, every list of the
//! case in rows ([`super::case_view_sections`]), the forms of the actions the case allows now
//! ([`super::case_view_actions`]), and what the page says on top (a notice, an alert, the
//! numbers just revealed). `templates/console/case.html` lays it out.

use askama::Template;
use chrono::{DateTime, Utc};

use super::case_view::CaseFile;
use super::case_view_actions::{offered, reveals, Drawing};
use super::case_view_forms::{ActionForm, Failed};
use super::case_view_sections::{self as sections, AgreementBlock, DocumentRow, EventRow, Fact};
use super::case_view_sections::{FollowUpRow, PartyRow, PaymentRow, ReferralRow, SessionRow};
use super::case_view_words::{date, destination_words, local_time, yuan};
use super::layout::{Area, Chrome, ConsoleUser};
use super::timeline_words::Speaker;
use super::words::{category_words, channel_words, status_words};
use crate::cases::lifecycle::{CaseStatus, Destination};
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::pages::layout::texts;
use crate::parties::use_cases::RevealedParty;
use crate::users::Role;

texts! {
    /// The headings and labels of the case page.
    CaseTexts {
        facts = "console.case.facts",
        statutory = "console.case.statutory",
        summary = "console.case.summary",
        collective = "console.case.collective",
        overdue = "console.case.overdue",
        parties = "console.case.parties",
        party_kind = "console.case.party_kind",
        party_name = "console.case.party_name",
        id_number = "console.case.id_number",
        phone = "console.case.phone",
        masked = "console.case.masked",
        actions = "console.case.actions",
        no_actions = "console.case.no_actions",
        timeline = "console.case.timeline",
        time = "console.case.time",
        next_page = "console.case.next_page",
        referrals = "console.case.referrals",
        office = "console.case.office",
        task = "console.case.task",
        request = "console.case.request",
        status = "console.case.status",
        due = "console.case.due",
        answer = "console.case.answer",
        by = "console.case.by",
        sessions = "console.case.sessions",
        place = "console.case.place",
        offices = "console.case.offices",
        minutes = "console.case.minutes",
        agreement = "console.case.agreement",
        signed = "console.case.signed",
        total = "console.case.total",
        paid = "console.case.paid",
        term = "console.case.term",
        amount = "console.case.amount",
        payee = "console.case.payee",
        state = "console.case.state",
        payments = "console.case.payments",
        note = "console.case.note",
        follow_ups = "console.case.follow_ups",
        method = "console.case.method",
        reached = "console.case.reached",
        satisfaction = "console.case.satisfaction",
        documents = "console.case.documents",
        document_type = "console.case.document_type",
        file_name = "console.case.file_name",
        size = "console.case.size",
        download = "console.case.download",
        dossier = "console.case.dossier",
        dossier_pdf = "console.case.dossier_pdf",
        papers = "console.case.papers",
        none = "console.case.none",
        more = "console.case.more",
        revealed = "console.case.revealed",
        revealed_hint = "console.case.revealed_hint",
    }
}

/// What the page says on top of the case: after a form that worked, one that failed, or a
/// reveal.
#[derive(Default)]
pub struct Extra {
    pub notice: Option<Message>,
    pub alert: Option<Message>,
    pub failed: Option<Failed>,
    pub revealed: Option<RevealedParty>,
}

/// A party's full numbers, shown once, on the answer to the reveal form.
pub struct Revealed {
    pub name: String,
    pub id_number: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "console/case.html")]
pub struct CasePage {
    pub chrome: Chrome,
    pub title: String,
    pub t: CaseTexts,
    pub status: String,
    pub collective: bool,
    pub overdue: bool,
    pub notice: Option<String>,
    pub alert: Option<String>,
    pub revealed: Option<Revealed>,
    pub summary: String,
    pub facts: Vec<Fact>,
    pub statutory: Vec<Fact>,
    pub parties: Vec<PartyRow>,
    pub parties_next: Option<String>,
    /// A collective case's roster (`console::case_roster`).
    pub roster: Option<super::case_roster::RosterSection>,
    pub reveal_forms: Vec<ActionForm>,
    pub actions: Vec<ActionForm>,
    pub events: Vec<EventRow>,
    pub events_next: Option<String>,
    pub referrals: Vec<ReferralRow>,
    pub sessions: Vec<SessionRow>,
    pub agreement: Option<AgreementBlock>,
    pub payments: Vec<PaymentRow>,
    pub follow_ups: Vec<FollowUpRow>,
    pub documents: Vec<DocumentRow>,
    /// Some list was longer than one page and only its first page is shown.
    pub truncated: bool,
    pub dossier_href: String,
    /// The papers the case allows (`console::papers`).
    pub papers_href: String,
}

/// The case page of `file` for `user`.
pub fn build(
    file: &CaseFile,
    user: &ConsoleUser,
    lang: Lang,
    extra: &Extra,
    now: DateTime<Utc>,
) -> CasePage {
    let speaker = Speaker {
        names: &file.names,
        zone: file.zone,
        lang,
    };
    let drawing = Drawing {
        file,
        caller: &user.caller,
        lang,
        failed: extra.failed.as_ref(),
        now,
    };
    let case = &file.case;
    let here = format!("/console/cases/{}", case.id);
    let truncated = [
        &file.referrals.next_cursor,
        &file.sessions.next_cursor,
        &file.payments.next_cursor,
    ]
    .into_iter()
    .chain([&file.follow_ups.next_cursor, &file.documents.next_cursor])
    .any(Option::is_some);
    CasePage {
        chrome: Chrome::new(lang, user, area_of(user.caller.role)),
        title: case.case_number.clone(),
        t: CaseTexts::new(lang),
        status: status_words(case.status).render(lang),
        collective: case.collective,
        overdue: file.statutory.overdue,
        notice: extra.notice.as_ref().map(|m| m.render(lang)),
        alert: extra.alert.as_ref().map(|m| m.render(lang)),
        revealed: extra.revealed.as_ref().map(revealed),
        summary: case.summary.clone(),
        facts: facts(file, &speaker),
        statutory: statutory(file, lang, now),
        parties: sections::parties(file, lang),
        parties_next: file
            .parties
            .next_cursor
            .as_ref()
            .map(|c| format!("{here}?parties={c}#parties")),
        roster: super::case_roster::section(file, lang),
        reveal_forms: reveals(&drawing),
        actions: offered(&drawing),
        events: sections::timeline(file, &speaker),
        events_next: file
            .timeline
            .next_cursor
            .as_ref()
            .map(|c| format!("{here}?events={c}#timeline")),
        referrals: sections::referrals(file, &speaker),
        sessions: sections::sessions(file, lang),
        agreement: sections::agreement(file, lang),
        payments: sections::payments(file, &speaker),
        follow_ups: sections::follow_ups(file, &speaker),
        documents: sections::documents(file, &speaker),
        truncated,
        dossier_href: format!("{here}/dossier"),
        papers_href: format!("{here}/papers"),
    }
}

/// Where a case page sits in its reader's navigation: union staff reach it from the case list,
/// partner staff from their referrals, lawyers from the files granted to them.
fn area_of(role: Role) -> Area {
    match role {
        Role::UnionMediator | Role::UnionSupervisor => Area::Cases,
        Role::PoliceOfficer | Role::JudicialOfficer | Role::HrOfficer => Area::Referrals,
        Role::Lawyer => Area::Files,
        Role::Admin | Role::GridWorker => Area::Other,
    }
}

fn revealed(party: &RevealedParty) -> Revealed {
    Revealed {
        name: party.name.clone(),
        id_number: party.id_number.clone().unwrap_or_else(|| "—".to_owned()),
        phone: party.phone.clone().unwrap_or_else(|| "—".to_owned()),
    }
}

fn fact(label: Message, value: String, lang: Lang) -> Fact {
    Fact {
        label: label.render(lang),
        value,
    }
}

/// The summary facts of the case.
fn facts(file: &CaseFile, speaker: &Speaker) -> Vec<Fact> {
    let (case, lang) = (&file.case, speaker.lang);
    let assignee = match &case.assignee_id {
        Some(id) => speaker.name(id),
        None => msg!("console.case.unassigned").render(lang),
    };
    let mut facts = vec![
        fact(
            msg!("console.case.case_number"),
            case.case_number.clone(),
            lang,
        ),
        fact(
            msg!("console.case.status"),
            status_words(case.status).render(lang),
            lang,
        ),
        fact(
            msg!("console.case.category"),
            category_words(case.category).render(lang),
            lang,
        ),
        fact(
            msg!("console.case.channel"),
            channel_words(case.channel).render(lang),
            lang,
        ),
        fact(msg!("console.case.office"), case.office.name.clone(), lang),
        fact(msg!("console.case.assignee"), assignee, lang),
        fact(
            msg!("console.case.employer"),
            case.employer.name.clone(),
            lang,
        ),
        fact(
            msg!("console.case.workers"),
            msg!("console.case.workers_count", count = case.workers_involved).render(lang),
            lang,
        ),
        fact(
            msg!("console.case.claimed"),
            msg!("console.case.yuan", amount = yuan(case.claimed_amount_fen)).render(lang),
            lang,
        ),
        fact(
            msg!("console.case.agreed"),
            msg!("console.case.yuan", amount = yuan(case.agreed_amount_fen)).render(lang),
            lang,
        ),
        fact(
            msg!("console.case.recovered"),
            msg!(
                "console.case.yuan",
                amount = yuan(case.recovered_amount_fen)
            )
            .render(lang),
            lang,
        ),
    ];
    if let Some(destination) = case.escalated_to.as_deref() {
        let words = Destination::parse(destination)
            .map(destination_words)
            .unwrap_or_else(|| msg!("console.case.destination.unknown"));
        facts.push(fact(
            msg!("console.case.escalated_to"),
            words.render(lang),
            lang,
        ));
    }
    facts
}

/// The statutory dates: receipt, the 15-day mediation deadline (overdue, or the days left
/// while the clock runs), and after an agreement the window for judicial confirmation.
fn statutory(file: &CaseFile, lang: Lang, now: DateTime<Utc>) -> Vec<Fact> {
    let dates = &file.statutory;
    let today = now.with_timezone(&file.zone).date_naive();
    let running = CaseStatus::OPEN_BEFORE_AGREEMENT.contains(&file.case.status);
    let deadline = if dates.overdue {
        msg!(
            "console.case.deadline_overdue",
            date = date(&dates.mediation_deadline)
        )
    } else if running {
        let left = (dates.mediation_deadline - today).num_days();
        msg!(
            "console.case.deadline_left",
            date = date(&dates.mediation_deadline),
            days = left
        )
    } else {
        msg!(
            "console.case.deadline_met",
            date = date(&dates.mediation_deadline)
        )
    };
    let mut facts = vec![
        fact(
            msg!("console.case.received"),
            local_time(&dates.received_at, file.zone),
            lang,
        ),
        fact(
            msg!("console.case.mediation_deadline"),
            deadline.render(lang),
            lang,
        ),
    ];
    if let (Some(until), Some(agreement)) = (dates.judicial_confirmation_deadline, &file.agreement)
    {
        let window = if agreement.follow_ups.judicial_confirmation_open {
            msg!("console.case.confirmation_open", date = date(&until))
        } else {
            msg!("console.case.confirmation_closed", date = date(&until))
        };
        facts.push(fact(
            msg!("console.case.judicial_confirmation"),
            window.render(lang),
            lang,
        ));
    }
    facts
}
