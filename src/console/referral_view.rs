//! A referral's page for the partner office: the request, its answers, the referred case and
//! the timeline as that office may see it, and the answers it may give now. Drawing only: what
//! is loaded comes from the use cases, which answers are offered from `referrals::rules` and
//! `auth::policy`. The inbox is drawn in `referral_inbox`.

use askama::Template;
use serde_json::Value;

use super::admin_kit::{when, Choice, Problems};
use super::layout::{self, role_key, Area, Chrome, ConsoleUser};
use super::words::{
    category_words, outcome_words, referral_kind_words, referral_status_words, status_words,
};
use crate::auth::policy;
use crate::cases::lifecycle::CaseStatus;
use crate::cases::CaseView;
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::pagination::Paginated;
use crate::referrals::rules::{self, ReferralAction};
use crate::referrals::ReferralView;
use crate::timeline::EventView;
use crate::users::Role;

texts! {
    /// The words of a referral's page.
    ReferralTexts {
        request_section = "console.referral.request_section",
        kind = "console.referral.kind",
        to_office = "console.referral.to_office",
        requested_at = "console.referral.requested_at",
        due_at = "console.referral.due_at",
        status = "console.referral.status",
        request = "console.referral.request",
        overdue = "console.inbox.overdue",
        answers_section = "console.referral.answers_section",
        no_answers = "console.referral.no_answers",
        case_section = "console.referral.case_section",
        case_status = "console.referral.case_status",
        category = "console.referral.category",
        union_office = "console.referral.union_office",
        employer = "console.referral.employer",
        workers = "console.referral.workers",
        claimed = "console.referral.claimed",
        received_at = "console.referral.received_at",
        summary = "console.referral.summary",
        case_link = "console.referral.case_link",
        timeline_section = "console.referral.timeline_section",
        timeline_empty = "console.referral.timeline_empty",
        timeline_more = "console.referral.timeline_more",
        actions_section = "console.referral.actions_section",
        no_actions = "console.referral.no_actions",
        accept = "console.referral.accept",
        accept_explain = "console.referral.accept_explain",
        accept_confirm = "console.referral.accept_confirm",
        decline = "console.referral.decline",
        decline_explain = "console.referral.decline_explain",
        reason = "console.referral.reason",
        decline_confirm = "console.referral.decline_confirm",
        complete = "console.referral.complete",
        complete_explain = "console.referral.complete_explain",
        outcome = "console.referral.outcome",
        result = "console.referral.result",
        choose = "console.referral.choose",
        complete_confirm = "console.referral.complete_confirm",
        back = "console.referral.back",
    }
}

/// A fact of a definition list.
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// A line of the timeline: when, who, what.
pub struct EventLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: Option<String>,
}

/// Which answer a form on the page was posting, so a failed one opens with its errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    None,
    Accept,
    Decline,
    Complete,
}

/// The answer forms the page offers now, with what was typed and what went wrong.
pub struct Answers {
    pub accept: bool,
    pub decline: bool,
    pub complete: bool,
    pub open: Attempt,
    pub reason: String,
    pub reason_error: Option<String>,
    pub outcomes: Vec<Choice>,
    pub outcome_error: Option<String>,
    pub result: String,
    pub result_error: Option<String>,
    /// What went wrong beside the fields (already answered, a stale page).
    pub alert: Option<String>,
}

impl Answers {
    pub fn any(&self) -> bool {
        self.accept || self.decline || self.complete
    }

    pub fn is_open(&self, attempt: Attempt) -> bool {
        self.open == attempt
    }
}

/// The fields of the answer forms, for [`Problems::of`].
pub const ANSWER_FIELDS: &[&str] = &["reason", "outcome", "result"];

/// What the referral page is drawn from.
pub struct Loaded {
    pub referral: ReferralView,
    pub case: CaseView,
    pub events: Paginated<EventView>,
}

#[derive(Template)]
#[template(path = "console/referral.html")]
struct ReferralPage {
    chrome: Chrome,
    title: String,
    t: ReferralTexts,
    notice: Option<String>,
    overdue: bool,
    request: String,
    facts: Vec<Fact>,
    answers_given: Vec<Fact>,
    case_facts: Vec<Fact>,
    summary: String,
    case_href: String,
    events: Vec<EventLine>,
    more_events: Option<String>,
    answers: Answers,
    action_base: String,
}

/// The referral's page: `notice` after an answer that worked; `attempt`, `values` and
/// `problems` after one that did not.
pub fn referral_page(
    lang: Lang,
    user: &ConsoleUser,
    loaded: Loaded,
    notice: Option<String>,
    attempt: Attempt,
    values: &Values,
    problems: &Problems,
) -> Result<String, AppError> {
    let t = ReferralTexts::new(lang);
    let Loaded {
        referral: r,
        case,
        events,
    } = loaded;
    let answers = answers(lang, user.caller.role, &r, attempt, values, problems);
    let more_events = events
        .next_cursor
        .as_deref()
        .map(|cursor| format!("/console/referrals/{}?after={cursor}", r.id));
    let view = ReferralPage {
        chrome: Chrome::new(lang, user, Area::Referrals),
        title: msg!(
            "console.referral.title",
            case_number = r.case_number.clone()
        )
        .render(lang),
        notice,
        overdue: r.overdue,
        facts: referral_facts(lang, &t, &r),
        answers_given: answers_given(lang, &r),
        case_facts: case_facts(lang, &t, &case),
        summary: case.summary.clone(),
        case_href: format!("/console/cases/{}", case.id),
        events: events.items.iter().map(|e| event_line(lang, e)).collect(),
        more_events,
        request: r.request,
        action_base: format!("/console/referrals/{}", r.id),
        answers,
        t,
    };
    view.render().map_err(layout::rendering)
}

fn referral_facts(lang: Lang, t: &ReferralTexts, r: &ReferralView) -> Vec<Fact> {
    let fact = |label: &String, value: String| Fact {
        label: label.clone(),
        value,
    };
    vec![
        fact(&t.kind, referral_kind_words(r.kind).to_owned()),
        fact(&t.to_office, r.office.name.clone()),
        fact(&t.requested_at, when(r.created_at)),
        fact(&t.due_at, when(r.due_at)),
        fact(&t.status, referral_status_words(r.status).render(lang)),
    ]
}

/// The answers given so far, each with its time.
fn answers_given(lang: Lang, r: &ReferralView) -> Vec<Fact> {
    let mut given = Vec::new();
    let mut add = |key: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            given.push(Fact {
                label: Message::new(key).render(lang),
                value,
            });
        }
    };
    add("console.referral.accepted_at", r.accepted_at.map(when));
    add("console.referral.declined_at", r.declined_at.map(when));
    add("console.referral.decline_reason", r.decline_reason.clone());
    add("console.referral.completed_at", r.completed_at.map(when));
    add(
        "console.referral.outcome_given",
        r.outcome.as_deref().map(|o| outcome_text(lang, o)),
    );
    add("console.referral.result_given", r.result.clone());
    add("console.referral.cancelled_at", r.cancelled_at.map(when));
    add("console.referral.cancel_reason", r.cancel_reason.clone());
    given
}

fn outcome_text(lang: Lang, code: &str) -> String {
    outcome_words(code).map_or_else(|| code.to_owned(), |m| m.render(lang))
}

fn case_facts(lang: Lang, t: &ReferralTexts, case: &CaseView) -> Vec<Fact> {
    let fact = |label: &String, value: String| Fact {
        label: label.clone(),
        value,
    };
    vec![
        fact(&t.case_status, status_words(case.status).render(lang)),
        fact(&t.category, category_words(case.category).render(lang)),
        fact(&t.union_office, case.office.name.clone()),
        fact(&t.employer, case.employer.name.clone()),
        fact(&t.workers, case.workers_involved.to_string()),
        fact(&t.claimed, crate::notify::yuan(case.claimed_amount_fen)),
        fact(&t.received_at, when(case.received_at)),
    ]
}

/// The answers `role` may give now: those the referral's lifecycle allows from its status
/// (`rules::next_status`) and the role may give for that office (`policy::may_act_on_referral`).
fn answers(
    lang: Lang,
    role: Role,
    r: &ReferralView,
    attempt: Attempt,
    values: &Values,
    problems: &Problems,
) -> Answers {
    let may = |action| {
        rules::next_status(r.status, action).is_some()
            && policy::may_act_on_referral(role, action, r.office.kind)
    };
    let chosen = values.get("outcome");
    let mut outcomes = vec![Choice::new(
        "",
        msg!("console.referral.choose").render(lang),
        chosen,
    )];
    outcomes.extend(
        rules::outcomes_for(r.office.kind)
            .iter()
            .map(|code| Choice::new(code, outcome_text(lang, code), chosen)),
    );
    Answers {
        accept: may(ReferralAction::Accept),
        decline: may(ReferralAction::Decline),
        complete: may(ReferralAction::Complete),
        open: attempt,
        reason: values.get("reason").to_owned(),
        reason_error: problems.field("reason"),
        outcomes,
        outcome_error: problems.field("outcome"),
        result: values.get("result").to_owned(),
        result_error: problems.field("result"),
        alert: problems.notice.clone(),
    }
}

/// A timeline event in words: when, who (a role, or the system), what kind of step, and for
/// notes and answers what was said.
fn event_line(lang: Lang, event: &EventView) -> EventLine {
    let who = match event.actor.role.as_deref().and_then(Role::parse) {
        Some(role) => Message::new(role_key(role)).render(lang),
        None => msg!("console.referral.event.system").render(lang),
    };
    let text = |name: &str| {
        event
            .data
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let detail = match event.kind.as_str() {
        "note" => text("body"),
        "transition" => text("to")
            .as_deref()
            .and_then(CaseStatus::parse)
            .map(|to| status_words(to).render(lang)),
        "referral_declined" | "referral_cancelled" => text("reason"),
        "referral_completed" => {
            let outcome = text("outcome").map(|o| outcome_text(lang, &o));
            let parts: Vec<String> = outcome.into_iter().chain(text("result")).collect();
            (!parts.is_empty()).then(|| parts.join("："))
        }
        "referral_created" => text("request"),
        _ => None,
    };
    EventLine {
        at: when(event.occurred_at),
        who,
        what: event_words(&event.kind).render(lang),
        detail,
    }
}

/// A timeline event's kind in words.
fn event_words(kind: &str) -> Message {
    match kind {
        "intake" => msg!("console.referral.event.intake"),
        "transition" => msg!("console.referral.event.transition"),
        "edit" => msg!("console.referral.event.edit"),
        "assignment" => msg!("console.referral.event.assignment"),
        "party_added" => msg!("console.referral.event.party_added"),
        "note" => msg!("console.referral.event.note"),
        "referral_created" => msg!("console.referral.event.referral_created"),
        "referral_accepted" => msg!("console.referral.event.referral_accepted"),
        "referral_declined" => msg!("console.referral.event.referral_declined"),
        "referral_completed" => msg!("console.referral.event.referral_completed"),
        "referral_cancelled" => msg!("console.referral.event.referral_cancelled"),
        "session_scheduled" | "session_updated" => msg!("console.referral.event.session"),
        "agreement_signed" => msg!("console.referral.event.agreement_signed"),
        "payment_recorded" => msg!("console.referral.event.payment_recorded"),
        "document_uploaded" => msg!("console.referral.event.document_uploaded"),
        _ => msg!("console.referral.event.other"),
    }
}
