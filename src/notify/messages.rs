//! The messages changes cause, enqueued inside the change's own transaction: a referral created
//! (to the receiving office and its staff), a referral answered (to the case's mediator), a
//! joint session scheduled (to the offices taking part). Each links the console page where the
//! reader acts (`console_url`, [`super::links`]): the referral for the partner office, the case
//! for the mediator and for the offices invited to a session.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::links;
use super::templates::Template;
use super::{case_recipients, enqueue, office_recipients, Notification};
use crate::cases::deadlines::office_zone;
use crate::cases::Case;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::offices;
use crate::referrals::rules::{ReferralKind, ReferralStatus};
use crate::referrals::Referral;

/// The Chinese name of a referral task, for messages.
pub fn kind_label(kind: ReferralKind) -> &'static str {
    use ReferralKind::*;
    match kind {
        LegalConsultation => "法律咨询",
        DutyLawyer => "值班律师",
        LegalAid => "法律援助",
        PeopleMediation => "人民调解",
        Negotiation => "面对面协商",
        LabourInspection => "劳动保障监察",
        SocialInsuranceCheck => "社保核查",
        LocateParty => "协助查找当事人",
        KeepOrder => "维护现场秩序",
        WageCrimeInvestigation => "拒不支付劳动报酬罪立案侦查",
        JudicialConfirmation => "司法确认",
        PaymentOrder => "支付令",
        Litigation => "诉讼",
        Arbitration => "劳动仲裁",
    }
}

fn local(
    connection: &mut DbConnection,
    office_id: &str,
    at: NaiveDateTime,
) -> Result<String, AppError> {
    let zone = office_zone(&offices::find(connection, &office_id.into())?.time_zone);
    Ok(at
        .and_utc()
        .with_timezone(&zone)
        .format("%Y-%m-%d %H:%M")
        .to_string())
}

/// Tells the receiving office (its address and its staff) of a new referral.
pub fn referral_created(
    connection: &mut DbConnection,
    referral: &Referral,
    case: &Case,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let office = offices::find(connection, &referral.office_id)?;
    let union = offices::find(connection, &case.office_id)?;
    let kind = referral.kind;
    let vars: BTreeMap<&'static str, String> = [
        ("case_number", case.case_number.clone()),
        ("office_name", office.name.clone()),
        ("union_office", union.name),
        ("kind", referral.kind.as_str().to_owned()),
        ("kind_label", kind_label(kind).to_owned()),
        ("request", referral.request.clone()),
        ("due_at", local(connection, &office.id, referral.due_at)?),
        ("console_url", links::referral_page(&referral.id)),
    ]
    .into_iter()
    .collect();
    let recipients = office_recipients(connection, &office.id)?;
    let notification = Notification {
        template: Template::ReferralCreated,
        recipients,
        case_id: Some(&case.id),
        dedup_key: None,
        vars,
    };
    enqueue(connection, notification, now)?;
    Ok(())
}

/// Tells the case's mediator (or its union office) that a partner answered.
pub fn referral_answered(
    connection: &mut DbConnection,
    referral: &Referral,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let status = referral.status;
    let (label, details, details_en) = match status {
        ReferralStatus::Accepted => (
            "接收".to_owned(),
            "对方已接收，正在办理。".to_owned(),
            "It is being handled.".to_owned(),
        ),
        ReferralStatus::Declined => {
            let reason = referral.decline_reason.clone().unwrap_or_default();
            (
                "退回".to_owned(),
                format!("退回理由：{reason}"),
                format!("Reason: {reason}"),
            )
        }
        ReferralStatus::Completed => {
            let outcome = referral.outcome.clone().unwrap_or_default();
            let result = referral.result.clone().unwrap_or_default();
            (
                "办结".to_owned(),
                format!("办理结果（{outcome}）：{result}"),
                format!("Outcome {outcome}: {result}"),
            )
        }
        ReferralStatus::Pending | ReferralStatus::Cancelled => return Ok(()),
    };
    let case = crate::cases::reload(connection, &referral.case_id)?;
    let office = offices::find(connection, &referral.office_id)?;
    let kind = referral.kind;
    let vars: BTreeMap<&'static str, String> = [
        ("case_number", case.case_number.clone()),
        ("office_name", office.name),
        ("kind", referral.kind.as_str().to_owned()),
        ("kind_label", kind_label(kind).to_owned()),
        ("status", status.as_str().to_owned()),
        ("status_label", label),
        ("details", details),
        ("details_en", details_en),
        ("console_url", links::case_page(&case.id)),
    ]
    .into_iter()
    .collect();
    let recipients = case_recipients(connection, case.assignee_id.as_deref(), &case.office_id)?;
    let notification = Notification {
        template: Template::ReferralAnswered,
        recipients,
        case_id: Some(&case.id),
        dedup_key: None,
        vars,
    };
    enqueue(connection, notification, now)?;
    Ok(())
}

/// Invites the offices taking part in a joint session, one message per office.
pub fn session_scheduled(
    connection: &mut DbConnection,
    case: &Case,
    office_ids: &[String],
    scheduled_at: NaiveDateTime,
    location: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let union = offices::find(connection, &case.office_id)?;
    for office_id in office_ids {
        let office = offices::find(connection, &office_id.into())?;
        let vars: BTreeMap<&'static str, String> = [
            ("case_number", case.case_number.clone()),
            ("office_name", office.name.clone()),
            ("union_office", union.name.clone()),
            (
                "scheduled_at",
                local(connection, &case.office_id, scheduled_at)?,
            ),
            ("location", location.to_owned()),
            ("console_url", links::case_page(&case.id)),
        ]
        .into_iter()
        .collect();
        let recipients = office_recipients(connection, office_id)?;
        let notification = Notification {
            template: Template::SessionScheduled,
            recipients,
            case_id: Some(&case.id),
            dedup_key: None,
            vars,
        };
        enqueue(connection, notification, now)?;
    }
    Ok(())
}
