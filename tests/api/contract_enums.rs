//! The document's enums against the values the service accepts: every `enum` in the OpenAPI
//! document, named or inline, must list exactly what the API reads, so a generated client never
//! offers a value the server refuses (docs/contract.md).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::contract_answers::document;

#[test]
fn every_enum_in_the_document_lists_exactly_the_values_the_api_accepts() {
    use mediation_tracker::{
        cases, documents, notify, offices, parties, referrals, sessions, users,
    };
    fn values<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
        all.iter().map(ToString::to_string).collect()
    }
    let text_enums: BTreeMap<&str, Vec<String>> = BTreeMap::from([
        ("Role", values(users::Role::ALL)),
        ("OfficeKind", values(offices::OfficeKind::ALL)),
        ("Category", values(cases::Category::ALL)),
        ("Channel", values(cases::Channel::ALL)),
        ("Flag", values(cases::Flag::ALL)),
        ("CaseStatus", values(cases::lifecycle::CaseStatus::ALL)),
        ("CaseSort", values(cases::priority::CaseSort::ALL)),
        ("CaseAction", values(cases::lifecycle::CaseAction::ALL)),
        ("Destination", values(cases::lifecycle::Destination::ALL)),
        ("ReferralKind", values(referrals::rules::ReferralKind::ALL)),
        (
            "ReferralStatus",
            values(referrals::rules::ReferralStatus::ALL),
        ),
        ("OutboxStatus", values(notify::OutboxStatus::ALL)),
        ("OutboxChannel", values(notify::OutboxChannel::ALL)),
        ("PartyKind", values(parties::PartyKind::ALL)),
        ("SessionStatus", values(sessions::SessionStatus::ALL)),
        ("SessionOutcome", values(sessions::SessionOutcome::ALL)),
        ("DocumentType", values(documents::DocumentType::ALL)),
        (
            "FollowUpMethod",
            values(mediation_tracker::follow_ups::FollowUpMethod::ALL),
        ),
        (
            "RiskCategory",
            values(mediation_tracker::risks::rules::RiskCategory::ALL),
        ),
        (
            "RiskLevel",
            values(mediation_tracker::risks::rules::RiskLevel::ALL),
        ),
        (
            "RiskStatus",
            values(mediation_tracker::risks::rules::RiskStatus::ALL),
        ),
        (
            "RiskSource",
            values(mediation_tracker::risks::rules::RiskSource::ALL),
        ),
        (
            "RiskAction",
            values(mediation_tracker::risks::rules::RiskAction::ALL),
        ),
        (
            "AnsweredBy",
            values(mediation_tracker::consultations::AnsweredBy::ALL),
        ),
        (
            "ConsultationOutcome",
            values(mediation_tracker::consultations::ConsultationOutcome::ALL),
        ),
        (
            "PaperKind",
            values(mediation_tracker::papers::PaperKind::ALL),
        ),
    ]);
    // Two text enums are not in the document: `ReferralAction` (the actions are paths,
    // `/referrals/{id}/accept`) and `Template` (a notification keeps its template as text).
    // Plain serde enums: what they serialize as, and what they accept.
    let term_states = [
        mediation_tracker::agreements::follow_ups::TermState::Paid,
        mediation_tracker::agreements::follow_ups::TermState::Due,
        mediation_tracker::agreements::follow_ups::TermState::Missed,
    ];
    let mut expected = text_enums.clone();
    expected.insert(
        "TermState",
        term_states
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect(),
    );
    // The worker's view (answers only, never read): each variant as it is written.
    {
        use mediation_tracker::public::worker_view::{
            LegalBasis as B, MilestoneKind as M, RightKind as R,
        };
        fn written<T: serde::Serialize>(all: &[T]) -> Vec<String> {
            all.iter()
                .map(|v| {
                    serde_json::to_value(v)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        }
        expected.insert(
            "MilestoneKind",
            written(&[
                M::Received,
                M::Accepted,
                M::NotAccepted,
                M::JointSession,
                M::AgreementSigned,
                M::PaymentTerm,
                M::PaymentReceived,
                M::Closed,
            ]),
        );
        expected.insert(
            "RightKind",
            written(&[
                R::ArbitrationAfterMediationPeriod,
                R::ArbitrationDirectly,
                R::ArbitrationLimitation,
                R::PaymentDue,
                R::ArbitrationOnBreach,
                R::PaymentOrder,
                R::JudicialConfirmation,
            ]),
        );
        expected.insert(
            "LegalBasis",
            written(&[
                B::Ldmal5,
                B::Ldmal14,
                B::Ldmal15,
                B::Ldmal16,
                B::Ldmal27,
                B::JudicialConfirmation,
                B::MediationAgreement,
            ]),
        );
    }
    let worker_roles = vec!["claimant".to_owned(), "representative".to_owned()];
    for role in &worker_roles {
        serde_json::from_value::<cases::intake::WorkerRole>(json!(role)).expect("accepted");
    }
    expected.insert("WorkerRole", worker_roles);
    // The employers' answers (issue 17 B): intake warnings and watch-list reasons.
    {
        use mediation_tracker::employers::rules::{WarningKind as W, WatchReasonKind as K};
        let written = |all: Vec<serde_json::Value>| -> Vec<String> {
            all.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
        };
        expected.insert(
            "WarningKind",
            written(vec![json!(W::PossibleDuplicate), json!(W::RepeatEmployer)]),
        );
        expected.insert(
            "WatchReasonKind",
            written(vec![
                json!(K::RepeatedDisputes),
                json!(K::PaymentOverdue),
                json!(K::HighRisk),
            ]),
        );
    }

    let schemas = document()["components"]["schemas"].as_object().unwrap();
    let mut seen = BTreeSet::new();
    for (name, schema) in schemas {
        let Some(listed) = schema.get("enum") else {
            continue;
        };
        let listed: Vec<String> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let want = expected
            .get(name.as_str())
            .unwrap_or_else(|| panic!("enum {name} {listed:?}: add it to this test"));
        assert_eq!(&listed, want, "{name}");
        seen.insert(name.as_str());
    }
    let missing: Vec<_> = expected
        .keys()
        .filter(|name| !seen.contains(*name))
        .collect();
    assert!(missing.is_empty(), "not in the document: {missing:?}");
    // No enum anywhere (a parameter, an inline property) lists other values.
    let mut allowed: BTreeSet<Vec<String>> = expected.into_values().collect();
    // The token endpoint's one grant type (RFC 6749 §4.4), a string the server compares.
    allowed.insert(vec![
        mediation_tracker::auth::use_cases::CLIENT_CREDENTIALS.to_owned()
    ]);
    // The papers' `format` parameter (docs/papers.md).
    allowed.insert(vec!["pdf".to_owned(), "html".to_owned()]);
    // The lists' and figures' `format` parameter (docs/exports.md), as the server reads it.
    {
        use mediation_tracker::exports::Format;
        let formats = ["json", "csv", "xlsx"];
        for format in formats {
            serde_json::from_value::<Format>(json!(format)).expect("accepted");
        }
        assert!(serde_json::from_value::<Format>(json!("pdf")).is_err());
        allowed.insert(formats.iter().map(|f| (*f).to_owned()).collect());
    }
    let mut inline = Vec::new();
    collect_enums(document(), &mut inline);
    for listed in inline {
        assert!(
            allowed.contains(&listed),
            "an inline enum {listed:?} is not one the API knows"
        );
    }
}

fn collect_enums(value: &Value, found: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(values)) = map.get("enum") {
                found.push(
                    values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                );
            }
            map.values().for_each(|v| collect_enums(v, found));
        }
        Value::Array(values) => values.iter().for_each(|v| collect_enums(v, found)),
        _ => {}
    }
}
