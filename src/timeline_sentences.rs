//! The timeline in sentences: each event kind (docs/cases.md "The timeline") becomes one
//! sentence of the catalogue naming who did it — "李明受理了案件" — instead of `transition` and
//! a JSON object. The names come from one batch load for the whole page
//! (`timeline::names::actor_names`); an event of a kind this module does not know still reads
//! as a sentence, with its code.
//!
//! Below the front doors (it was `console::timeline_words`): the console's case page and the
//! printed case file (`dossier::case_file`) tell the timeline in the same sentences.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::case_words::{
    case_field_words, destination_words, follow_up_method_words, local_time, yuan,
};
use crate::cases::lifecycle::{CaseAction, Destination};
use crate::follow_ups::FollowUpMethod;
use crate::i18n::{Lang, List, Message};
use crate::msg;
use crate::referrals::rules::ReferralKind;
use crate::timeline::EventView;
use crate::words::referral_kind_words;

/// What the sentences of one page need besides the event.
pub struct Speaker<'a> {
    pub names: &'a HashMap<String, String>,
    pub zone: Tz,
    pub lang: Lang,
}

impl Speaker<'_> {
    /// The name of the person or system behind `event`.
    pub fn actor(&self, event: &EventView) -> String {
        if event.actor.kind == "worker" {
            return msg!("console.actor.worker").render(self.lang);
        }
        match event.actor.id.as_deref() {
            Some(id) => self.name(id),
            None => msg!("console.actor.system").render(self.lang),
        }
    }

    /// The name of user or client `id`, or words saying it is unknown.
    pub fn name(&self, id: &str) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| msg!("console.actor.unknown").render(self.lang))
    }

    /// `event` as one sentence.
    pub fn sentence(&self, event: &EventView) -> String {
        let actor = self.actor(event);
        let message = self.message(&event.kind, &event.data, actor);
        let reason = text(&event.data, "reason");
        match reason {
            Some(reason) if !event.kind.starts_with("referrals_") => msg!(
                "console.timeline.with_reason",
                sentence = message,
                reason = reason
            )
            .render(self.lang),
            _ => message.render(self.lang),
        }
    }

    fn message(&self, kind: &str, data: &Value, actor: String) -> Message {
        let task = || task_words(data);
        match kind {
            "intake" => msg!("console.timeline.intake", actor = actor),
            "transition" => self.transition(data, actor),
            "edit" => msg!(
                "console.timeline.edit",
                actor = actor,
                fields = self.edited(data)
            ),
            "assignment" => match text(data, "to") {
                Some(to) => msg!(
                    "console.timeline.assigned",
                    actor = actor,
                    assignee = self.name(&to)
                ),
                None => msg!("console.timeline.unassigned", actor = actor),
            },
            "party_added" => msg!(
                "console.timeline.party_added",
                actor = actor,
                name = field(data, "name")
            ),
            "note" => msg!(
                "console.timeline.note",
                actor = actor,
                body = field(data, "body")
            ),
            "paper_issued" => msg!(
                "console.timeline.paper_issued",
                actor = actor,
                paper = text(data, "paper")
                    .as_deref()
                    .and_then(crate::papers::PaperKind::parse)
                    .map(crate::papers::content::title)
                    .unwrap_or("—"),
                serial = field(data, "serial")
            ),
            "created_from_risk" => msg!(
                "console.timeline.created_from_risk",
                actor = actor,
                risk_id = field(data, "risk_id")
            ),
            "roster_updated" => msg!(
                "console.timeline.roster_updated",
                actor = actor,
                name = field(data, "name")
            ),
            "referral_created" => msg!(
                "console.timeline.referral_created",
                actor = actor,
                task = task(),
                office = field(data, "office_name")
            ),
            "referral_accepted" => msg!(
                "console.timeline.referral_accepted",
                actor = actor,
                task = task()
            ),
            "referral_declined" => msg!(
                "console.timeline.referral_declined",
                actor = actor,
                task = task()
            ),
            "referral_completed" => msg!(
                "console.timeline.referral_completed",
                actor = actor,
                task = task(),
                result = field(data, "result")
            ),
            "referral_cancelled" => msg!(
                "console.timeline.referral_cancelled",
                actor = actor,
                task = task()
            ),
            "referrals_closed" => msg!(
                "console.timeline.referrals_closed",
                count = number(data, "cancelled_referrals")
            ),
            "session_scheduled" => msg!(
                "console.timeline.session_scheduled",
                actor = actor,
                time = self.time(data, "scheduled_at"),
                location = field(data, "location")
            ),
            "session_updated" => msg!("console.timeline.session_updated", actor = actor),
            "agreement_signed" => msg!(
                "console.timeline.agreement_signed",
                actor = actor,
                terms = number(data, "terms"),
                amount = yuan(number(data, "total_amount_fen"))
            ),
            "payment_recorded" => msg!(
                "console.timeline.payment_recorded",
                actor = actor,
                amount = yuan(number(data, "amount_fen")),
                recovered = yuan(number(data, "recovered_amount_fen"))
            ),
            "document_uploaded" => msg!(
                "console.timeline.document_uploaded",
                actor = actor,
                file = field(data, "file_name")
            ),
            "document_downloaded" => msg!(
                "console.timeline.document_downloaded",
                actor = actor,
                file = field(data, "file_name")
            ),
            "grant_created" => msg!(
                "console.timeline.grant_created",
                actor = actor,
                lawyer = field(data, "lawyer"),
                until = self.time(data, "expires_at")
            ),
            "grant_revoked" => msg!("console.timeline.grant_revoked", actor = actor),
            "follow_up_recorded" => msg!(
                "console.timeline.follow_up_recorded",
                actor = actor,
                method = method_words(data),
                note = field(data, "note")
            ),
            "survey_answered" => msg!(
                "console.timeline.survey_answered",
                actor = actor,
                satisfaction = number(data, "satisfaction")
            ),
            "personal_data_revealed" => msg!(
                "console.timeline.personal_data_revealed",
                actor = actor,
                name = field(data, "name"),
                purpose = field(data, "purpose")
            ),
            other => msg!("console.timeline.other", actor = actor, kind = other),
        }
    }

    fn transition(&self, data: &Value, actor: String) -> Message {
        let action = text(data, "action").as_deref().and_then(CaseAction::parse);
        match action {
            Some(CaseAction::Escalate) => {
                let destination = text(data, "destination")
                    .as_deref()
                    .and_then(Destination::parse)
                    .map(destination_words)
                    .unwrap_or_else(|| msg!("console.case.destination.unknown"));
                msg!(
                    "console.timeline.escalated",
                    actor = actor,
                    destination = destination
                )
            }
            Some(CaseAction::Accept) => msg!("console.timeline.accepted", actor = actor),
            Some(CaseAction::Reject) => msg!("console.timeline.rejected", actor = actor),
            Some(CaseAction::Start) => msg!("console.timeline.started", actor = actor),
            Some(CaseAction::Resolve) => msg!("console.timeline.resolved", actor = actor),
            Some(CaseAction::Withdraw) => msg!("console.timeline.withdrawn", actor = actor),
            None => msg!("console.timeline.other", actor = actor, kind = "transition"),
        }
    }

    /// The fields an `edit` event changed, in words.
    fn edited(&self, data: &Value) -> List {
        let fields = data
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>());
        List::of(
            fields
                .unwrap_or_default()
                .iter()
                .map(|f| case_field_words(f).render(self.lang)),
        )
    }

    fn time(&self, data: &Value, key: &str) -> String {
        text(data, key)
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| local_time(&t.with_timezone(&Utc), self.zone))
            .unwrap_or_else(|| "—".to_owned())
    }
}

/// A text value of the event's data; `None` when absent, `null` or blank.
fn text(data: &Value, key: &str) -> Option<String> {
    data.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A text value of the event's data, or a dash.
fn field(data: &Value, key: &str) -> String {
    text(data, key).unwrap_or_else(|| "—".to_owned())
}

fn number(data: &Value, key: &str) -> i64 {
    data.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The task of a referral event, in words.
fn task_words(data: &Value) -> String {
    let kind = text(data, "kind");
    match kind.as_deref().and_then(ReferralKind::parse) {
        Some(kind) => referral_kind_words(kind).to_owned(),
        None => kind.unwrap_or_else(|| "—".to_owned()),
    }
}

fn method_words(data: &Value) -> Message {
    match text(data, "method")
        .as_deref()
        .and_then(FollowUpMethod::parse)
    {
        Some(method) => follow_up_method_words(method),
        None => msg!("console.case.follow_up_method.phone"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::ActorView;
    use serde_json::json;

    fn event(kind: &str, actor: Option<&str>, data: Value) -> EventView {
        EventView {
            id: "e".into(),
            sequence: 1,
            kind: kind.into(),
            actor: ActorView {
                id: actor.map(str::to_owned),
                kind: "user".into(),
                role: None,
                office_id: None,
            },
            occurred_at: Utc::now(),
            data,
            previous_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn events_read_as_chinese_sentences_naming_the_actor() {
        let names = HashMap::from([
            ("u1".to_owned(), "李明".to_owned()),
            ("u2".to_owned(), "王芳".to_owned()),
        ]);
        let speaker = Speaker {
            names: &names,
            zone: chrono_tz::Asia::Shanghai,
            lang: Lang::Zh,
        };
        let accept = event(
            "transition",
            Some("u1"),
            json!({"action": "accept", "from": "intake", "to": "accepted"}),
        );
        assert_eq!(speaker.sentence(&accept), "李明受理了案件");
        let withdraw = event(
            "transition",
            Some("u1"),
            json!({"action": "withdraw", "reason": "已私下和解"}),
        );
        assert_eq!(
            speaker.sentence(&withdraw),
            "李明撤回了案件，理由：已私下和解"
        );
        let from_risk = event("created_from_risk", Some("u1"), json!({"risk_id": "r-7"}));
        assert_eq!(
            speaker.sentence(&from_risk),
            "李明将风险隐患（r-7）转为本案件"
        );
        let roster = event("roster_updated", Some("u2"), json!({"name": "黄女士"}));
        assert_eq!(
            speaker.sentence(&roster),
            "王芳更新了劳动者名册中黄女士的金额或代表身份"
        );
        let assigned = event("assignment", Some("u1"), json!({"from": null, "to": "u2"}));
        assert_eq!(speaker.sentence(&assigned), "李明将案件交由王芳承办");
        let paid = event(
            "payment_recorded",
            Some("u2"),
            json!({"amount_fen": 300000, "recovered_amount_fen": 300000}),
        );
        assert_eq!(
            speaker.sentence(&paid),
            "王芳记录了一笔付款 3,000.00 元，累计已追回 3,000.00 元"
        );
        let unknown = event("something_new", None, json!({}));
        assert!(speaker.sentence(&unknown).contains("something_new"));
    }
}
