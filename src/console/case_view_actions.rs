//! Which actions the case page offers, and their forms. Nothing here decides what is allowed:
//! the lifecycle's table (`cases::lifecycle::next_status`, `agreement_recordable`) says which
//! moves the case's status allows now, `agreements::use_cases::takes_payments` and
//! `follow_ups::rules::is_concluded` when money and follow-ups are taken, and `auth::policy` who
//! may; lawyers' grants are drawn by [`super::grants`] from what `grants::desk_of` loaded.
//! The use case behind each form checks all of it again when the form is sent.

use chrono::{DateTime, Utc};

use super::case_view::CaseFile;
use super::case_view_forms::{ActionForm, Choice, Draft, Failed};
use super::case_view_words::{
    case_action_words, destination_words, document_type_words, follow_up_method_words,
};
use super::words::{office_kind_words, referral_kind_words};
use crate::agreements::use_cases::takes_payments;
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::cases::lifecycle::{agreement_recordable, next_status, CaseAction, Destination};
use crate::documents::DocumentType;
use crate::follow_ups::rules::{is_concluded, SATISFACTION};
use crate::follow_ups::FollowUpMethod;
use crate::i18n::Lang;
use crate::msg;
use crate::pages::forms::Values;
use crate::referrals::rules::ReferralKind;

/// How many payment terms the agreement form offers (blank rows are left out).
pub const TERM_ROWS: usize = 3;

/// What the forms of one page are drawn for.
pub struct Drawing<'a> {
    pub file: &'a CaseFile,
    pub caller: &'a Caller,
    pub lang: Lang,
    pub failed: Option<&'a Failed>,
    pub now: DateTime<Utc>,
}

impl Drawing<'_> {
    fn url(&self, tail: &str) -> String {
        format!("/console/cases/{}/{tail}", self.file.case.id)
    }

    fn version(&self) -> (String, String) {
        ("version".to_owned(), self.file.case.version.to_string())
    }

    fn draft(&self, key: &str, defaults: Values) -> Draft {
        Draft::new(key, self.lang, self.failed, defaults)
    }

    fn today(&self) -> String {
        self.now
            .with_timezone(&self.file.zone)
            .format("%Y-%m-%d")
            .to_string()
    }
}

/// The forms of the actions the case allows now, in the order the work goes.
pub fn offered(d: &Drawing) -> Vec<ActionForm> {
    let status = d.file.case.status;
    let works = policy::allows(d.caller.role, Action::WorkCases);
    let open = !status.is_terminal();
    let moves = |action: CaseAction| works && next_status(status, action).is_some();
    let mut forms = Vec::new();
    for action in [CaseAction::Accept, CaseAction::Start] {
        if moves(action) {
            forms.push(transition(d, action));
        }
    }
    if works && open {
        forms.push(refer(d));
        forms.push(session(d));
    }
    if works && agreement_recordable(status) && d.file.agreement.is_none() {
        forms.push(agreement(d));
    }
    if works && takes_payments(status) {
        forms.push(payment(d));
    }
    if moves(CaseAction::Resolve) {
        forms.push(transition(d, CaseAction::Resolve));
    }
    if works && is_concluded(status) {
        forms.push(follow_up(d));
    }
    let assigned = d.file.case.assignee_id.is_some();
    if works && open && policy::may_assign(d.caller.role, assigned) && !d.file.assignees.is_empty()
    {
        forms.push(assign(d));
    }
    if policy::may_add_notes(d.caller.role) {
        forms.push(note(d));
    }
    if works {
        forms.push(upload(d));
    }
    forms.extend(super::grants::forms(d));
    for action in [
        CaseAction::Escalate,
        CaseAction::Withdraw,
        CaseAction::Reject,
    ] {
        if moves(action) {
            forms.push(transition(d, action));
        }
    }
    forms
}

/// One lifecycle move: accept, start, resolve, escalate, withdraw or reject.
fn transition(d: &Drawing, action: CaseAction) -> ActionForm {
    let mut draft = d.draft(action.as_str(), Values::default());
    if action == CaseAction::Escalate {
        let choices = Destination::ALL
            .iter()
            .map(|dest| Choice::new(dest.as_str(), destination_words(*dest).render(d.lang)))
            .collect();
        draft.select(
            "destination",
            msg!("console.case.form.destination"),
            choices,
            Some(msg!("console.case.form.choose")),
        );
    }
    if action.needs_reason() {
        draft.textarea("reason", msg!("console.case.form.reason"), true);
    } else if action == CaseAction::Resolve {
        draft.textarea("reason", msg!("console.case.form.resolve_note"), false);
    }
    let hidden = vec![
        ("action".to_owned(), action.as_str().to_owned()),
        d.version(),
    ];
    let form = draft.finish(
        case_action_words(action),
        d.url("transitions"),
        case_action_words(action),
        hidden,
    );
    let unpaid = d
        .file
        .agreement
        .as_ref()
        .is_some_and(|a| !a.follow_ups.fully_paid);
    match action {
        CaseAction::Reject | CaseAction::Withdraw | CaseAction::Escalate => form.danger(),
        CaseAction::Resolve if unpaid => {
            form.intro(msg!("console.case.form.resolve_unpaid"), d.lang)
        }
        _ => form,
    }
}

/// Refer the case to a partner office for one task.
fn refer(d: &Drawing) -> ActionForm {
    let mut draft = d.draft("refer", Values::default());
    let offices = d
        .file
        .partner_offices
        .iter()
        .map(|o| {
            Choice::new(
                o.id.clone(),
                format!("{}（{}）", o.name, office_kind_words(o.kind).render(d.lang)),
            )
        })
        .collect();
    draft.select(
        "office_id",
        msg!("console.case.form.office"),
        offices,
        Some(msg!("console.case.form.choose")),
    );
    let kinds = ReferralKind::ALL
        .iter()
        .map(|k| {
            let office = office_kind_words(k.office_kind()).render(d.lang);
            Choice::new(
                k.as_str(),
                format!("{}（{office}）", referral_kind_words(*k)),
            )
        })
        .collect();
    draft.select(
        "kind",
        msg!("console.case.form.referral_kind"),
        kinds,
        Some(msg!("console.case.form.choose")),
    );
    draft.textarea("request", msg!("console.case.form.request"), true);
    draft.finish(
        msg!("console.case.action.refer"),
        d.url("referrals"),
        msg!("console.case.action.refer"),
        Vec::new(),
    )
}

/// Schedule a joint mediation session with partner offices.
fn session(d: &Drawing) -> ActionForm {
    let mut draft = d.draft("session", Values::default());
    draft.input(
        "scheduled_at",
        msg!("console.case.form.scheduled_at"),
        "datetime-local",
        true,
    );
    draft.input("location", msg!("console.case.form.location"), "text", true);
    let offices = d
        .file
        .partner_offices
        .iter()
        .map(|o| Choice::new(o.id.clone(), o.name.clone()))
        .collect();
    draft.checkboxes(
        "office_ids",
        msg!("console.case.form.session_offices"),
        offices,
    );
    draft.finish(
        msg!("console.case.action.session"),
        d.url("sessions"),
        msg!("console.case.action.session"),
        Vec::new(),
    )
}

/// Record the signed agreement: up to [`TERM_ROWS`] terms, at least one.
fn agreement(d: &Drawing) -> ActionForm {
    let mut draft = d.draft("agreement", Values::default().with("signed_on", &d.today()));
    draft.input(
        "signed_on",
        msg!("console.case.form.signed_on"),
        "date",
        true,
    );
    for row in 0..TERM_ROWS {
        let n = row + 1;
        let first = row == 0;
        draft.input(
            &format!("terms[{row}].description"),
            msg!("console.case.form.term_description", n = n),
            "text",
            false,
        );
        draft.yuan(
            &format!("terms[{row}].amount"),
            msg!("console.case.form.term_amount", n = n),
            first,
        );
        draft.input(
            &format!("terms[{row}].payee"),
            msg!("console.case.form.term_payee", n = n),
            "text",
            first,
        );
        draft.input(
            &format!("terms[{row}].due_date"),
            msg!("console.case.form.term_due_date", n = n),
            "date",
            first,
        );
    }
    draft
        .finish(
            msg!("console.case.action.agreement"),
            d.url("agreement"),
            msg!("console.case.action.agreement"),
            Vec::new(),
        )
        .intro(
            msg!("console.case.form.agreement_intro", rows = TERM_ROWS),
            d.lang,
        )
}

/// Record money actually paid.
fn payment(d: &Drawing) -> ActionForm {
    let mut draft = d.draft("payment", Values::default().with("paid_on", &d.today()));
    draft.yuan("amount", msg!("console.case.form.payment_amount"), true);
    draft.input("paid_on", msg!("console.case.form.paid_on"), "date", true);
    draft.textarea("note", msg!("console.case.form.payment_note"), false);
    draft.finish(
        msg!("console.case.action.payment"),
        d.url("payments"),
        msg!("console.case.action.payment"),
        Vec::new(),
    )
}

/// Record a follow-up call or visit to the worker.
fn follow_up(d: &Drawing) -> ActionForm {
    let mut draft = d.draft("follow_up", Values::default());
    let methods = FollowUpMethod::ALL
        .iter()
        .map(|m| Choice::new(m.as_str(), follow_up_method_words(*m).render(d.lang)))
        .collect();
    draft.select("method", msg!("console.case.form.method"), methods, None);
    draft.checkbox("reached", msg!("console.case.form.reached"));
    let ratings = SATISFACTION
        .map(|n| {
            Choice::new(
                n.to_string(),
                msg!("console.case.form.rating", n = n).render(d.lang),
            )
        })
        .collect();
    draft
        .select(
            "satisfaction",
            msg!("console.case.form.satisfaction"),
            ratings,
            Some(msg!("console.case.form.no_rating")),
        )
        .required = false;
    draft.textarea("note", msg!("console.case.form.follow_up_note"), true);
    draft.finish(
        msg!("console.case.action.follow_up"),
        d.url("follow-ups"),
        msg!("console.case.action.follow_up"),
        Vec::new(),
    )
}

/// Give the case to a mediator (a supervisor also reassigns or unassigns).
fn assign(d: &Drawing) -> ActionForm {
    let current = d.file.case.assignee_id.clone();
    let me = d.caller.actor_id().to_owned();
    let default = current.clone().unwrap_or(me);
    let mut draft = d.draft("assign", Values::default().with("assignee_id", &default));
    let people = d
        .file
        .assignees
        .iter()
        .map(|a| Choice::new(a.id.clone(), a.name.clone()))
        .collect();
    let blank = current
        .is_some()
        .then(|| msg!("console.case.form.unassign"));
    draft.select(
        "assignee_id",
        msg!("console.case.form.assignee"),
        people,
        blank,
    );
    let title = if current.is_some() {
        msg!("console.case.action.reassign")
    } else {
        msg!("console.case.action.assign")
    };
    draft.finish(title.clone(), d.url("assignee"), title, vec![d.version()])
}

/// Add a note to the timeline.
fn note(d: &Drawing) -> ActionForm {
    let mut draft = d.draft("note", Values::default());
    draft.textarea("body", msg!("console.case.form.note"), true);
    draft.finish(
        msg!("console.case.action.note"),
        d.url("notes"),
        msg!("console.case.action.note"),
        Vec::new(),
    )
}

/// Upload a document (a multipart form).
fn upload(d: &Drawing) -> ActionForm {
    let mut draft = d.draft("upload", Values::default());
    let types = DocumentType::ALL
        .iter()
        .map(|t| Choice::new(t.as_str(), document_type_words(*t).render(d.lang)))
        .collect();
    draft.select(
        "document_type",
        msg!("console.case.form.document_type"),
        types,
        Some(msg!("console.case.form.choose")),
    );
    draft.file("file", msg!("console.case.form.file"));
    draft
        .finish(
            msg!("console.case.action.upload"),
            d.url("documents"),
            msg!("console.case.action.upload"),
            Vec::new(),
        )
        .multipart()
}

/// The reveal form of each party with numbers to reveal, for the roles whose work needs them.
pub fn reveals(d: &Drawing) -> Vec<ActionForm> {
    if !policy::may_reveal_personal_data(d.caller.role) {
        return Vec::new();
    }
    d.file
        .parties
        .items
        .iter()
        .filter(|p| p.id_number.is_some() || p.phone.is_some())
        .map(|party| {
            let mut draft = d.draft(&format!("reveal-{}", party.id), Values::default());
            draft.input("purpose", msg!("console.case.form.purpose"), "text", true);
            let title = msg!("console.case.action.reveal", name = party.name.clone());
            let url = d.url(&format!("parties/{}/reveal", party.id));
            draft.finish(
                title,
                url,
                msg!("console.case.action.reveal_submit"),
                Vec::new(),
            )
        })
        .collect()
}
