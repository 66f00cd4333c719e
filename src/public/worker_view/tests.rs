//! The worker's view on fixed dates. The case is received on 2026-11-20 (Shanghai), so day 15 —
//! the last day of mediation under Art. 14 — is 2026-12-05 and arbitration opens on 2026-12-06.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// 09:00 Shanghai time on `date`.
fn morning(date: &str) -> DateTime<Utc> {
    utc(&format!("{date}T09:00:00+08:00"))
}

fn case(status: CaseStatus) -> WorkerCaseFacts {
    WorkerCaseFacts {
        case_number: "JM-2026-0042".into(),
        status,
        category: Category::WageArrears,
        received_at: utc("2026-11-20T01:00:00Z"),
        office_time_zone: chrono_tz::Asia::Shanghai,
        intake_decision: None,
        joint_sessions: Vec::new(),
        agreement: None,
        escalated_to: None,
        closed_at: None,
        office: OfficeContact {
            name: "蓬江区总工会".into(),
            phone: Some("0750-3271234".into()),
            address: None,
        },
    }
}

fn accepted(status: CaseStatus) -> WorkerCaseFacts {
    WorkerCaseFacts {
        intake_decision: Some(IntakeDecision::Accepted {
            at: morning("2026-11-21"),
        }),
        ..case(status)
    }
}

/// Signed 2026-11-21: 1,000 yuan due 2026-12-01 and 2,000 yuan due 2026-12-10.
fn with_agreement(payments: Vec<PaymentMade>) -> WorkerCaseFacts {
    WorkerCaseFacts {
        agreement: Some(AgreementFacts {
            signed_at: morning("2026-11-21"),
            terms: vec![
                PaymentTerm {
                    amount_fen: 100_000,
                    due_date: day("2026-12-01"),
                    payable_to_this_worker: true,
                },
                PaymentTerm {
                    amount_fen: 200_000,
                    due_date: day("2026-12-10"),
                    payable_to_this_worker: true,
                },
            ],
            payments,
        }),
        ..accepted(CaseStatus::AgreementReached)
    }
}

fn right(view: &WorkerView, kind: RightKind) -> &WorkerRight {
    view.rights
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {:#?}", view.rights))
}

fn kinds(view: &WorkerView) -> Vec<RightKind> {
    view.rights.iter().map(|r| r.kind).collect()
}

fn milestone_kinds(view: &WorkerView) -> Vec<MilestoneKind> {
    view.milestones.iter().map(|m| m.kind).collect()
}

#[test]
fn a_case_in_intake_on_day_3_shows_the_day_15_date_and_the_art_14_right_from_day_16() {
    let view = worker_view(&case(CaseStatus::Intake), morning("2026-11-23"), Lang::Zh);
    assert_eq!(view.status_words, "已收到你的调解申请，等待受理");
    let art_14 = right(&view, RightKind::ArbitrationAfterMediationPeriod);
    assert_eq!(art_14.basis, LegalBasis::Ldmal14);
    assert_eq!(art_14.basis_words, "《劳动争议调解仲裁法》第十四条");
    assert_eq!(art_14.applies_from, Some(day("2026-12-06")));
    assert!(!art_14.open_now);
    assert!(
        art_14.words.contains("到 2026年12月5日 届满") && art_14.words.contains("2026年12月6日"),
        "{}",
        art_14.words
    );
    let limitation = right(&view, RightKind::ArbitrationLimitation);
    assert_eq!(limitation.basis, LegalBasis::Ldmal27);
    assert!(limitation.words.contains("知道或者应当知道"));
    assert!(
        limitation.words.contains("劳动关系终止之日起一年内"),
        "a wage claim gets DOMAIN.md's rule for pay owed during employment"
    );
    assert_eq!(milestone_kinds(&view), [MilestoneKind::Received]);
    assert_eq!(view.milestones[0].date, day("2026-11-20"));
}

#[test]
fn a_case_past_15_days_without_agreement_shows_the_right_as_open_now() {
    let facts = accepted(CaseStatus::InMediation);
    let last_day = worker_view(&facts, utc("2026-12-05T23:59:00+08:00"), Lang::Zh);
    assert!(!right(&last_day, RightKind::ArbitrationAfterMediationPeriod).open_now);
    let view = worker_view(&facts, morning("2026-12-20"), Lang::Zh);
    assert_eq!(view.status_words, "已受理，调解中");
    let art_14 = right(&view, RightKind::ArbitrationAfterMediationPeriod);
    assert!(art_14.open_now);
    assert!(
        art_14.words.contains("已于 2026年12月5日 届满"),
        "{}",
        art_14.words
    );
    assert!(kinds(&view).contains(&RightKind::ArbitrationLimitation));
}

#[test]
fn a_signed_agreement_shows_each_payment_date_and_the_30_day_confirmation_window() {
    let view = worker_view(&with_agreement(Vec::new()), morning("2026-11-25"), Lang::Zh);
    assert_eq!(view.status_words, "已达成调解协议，等待履行");
    assert_eq!(
        kinds(&view),
        [
            RightKind::PaymentDue,
            RightKind::PaymentDue,
            RightKind::JudicialConfirmation
        ],
        "no Art. 14 once agreed, no arbitration while nothing is missed"
    );
    let due: Vec<_> = view
        .rights
        .iter()
        .filter(|r| r.kind == RightKind::PaymentDue)
        .map(|r| (r.applies_until, r.open_now))
        .collect();
    assert_eq!(
        due,
        [
            (Some(day("2026-12-01")), true),
            (Some(day("2026-12-10")), true)
        ]
    );
    let confirmation = right(&view, RightKind::JudicialConfirmation);
    assert_eq!(
        (confirmation.applies_from, confirmation.applies_until),
        (Some(day("2026-11-21")), Some(day("2026-12-21")))
    );
    assert!(confirmation.open_now && confirmation.words.contains("2026年12月21日"));
    assert_eq!(
        milestone_kinds(&view),
        [
            MilestoneKind::Received,
            MilestoneKind::Accepted,
            MilestoneKind::AgreementSigned,
            MilestoneKind::PaymentTerm,
            MilestoneKind::PaymentTerm
        ]
    );
    assert!(view.milestones[2]
        .words
        .contains("分 2 期向你支付，共 3,000.00 元"));
    assert!(view.milestones[3].upcoming);
}

#[test]
fn payments_show_what_is_paid_against_each_term() {
    let facts = with_agreement(vec![PaymentMade {
        amount_fen: 150_000,
        paid_at: morning("2026-11-28"),
    }]);
    let view = worker_view(&facts, morning("2026-11-29"), Lang::Zh);
    let standings: Vec<_> = view.milestones.iter().filter_map(|m| m.payment).collect();
    assert_eq!(
        standings,
        [
            PaymentStanding {
                amount_fen: 100_000,
                paid_fen: 100_000,
                state: TermState::Paid
            },
            PaymentStanding {
                amount_fen: 200_000,
                paid_fen: 50_000,
                state: TermState::Due
            }
        ]
    );
    let received = view
        .milestones
        .iter()
        .find(|m| m.kind == MilestoneKind::PaymentReceived)
        .unwrap();
    assert_eq!(received.date, day("2026-11-28"));
    assert!(received.words.contains("1,500.00 元"));
    let still_due: Vec<_> = view
        .rights
        .iter()
        .filter(|r| r.kind == RightKind::PaymentDue)
        .map(|r| r.words.as_str())
        .collect();
    assert_eq!(
        still_due,
        ["第 2 期：用人单位应于 2026年12月10日 前向你支付 1,500.00 元。"]
    );
}

#[test]
fn a_missed_payment_shows_art_15_and_art_16() {
    let view = worker_view(&with_agreement(Vec::new()), morning("2026-12-02"), Lang::Zh);
    let art_15 = right(&view, RightKind::ArbitrationOnBreach);
    assert_eq!(art_15.basis, LegalBasis::Ldmal15);
    assert_eq!(art_15.applies_from, Some(day("2026-12-02")));
    assert!(art_15.open_now && art_15.words.contains("2026年12月1日"));
    let art_16 = right(&view, RightKind::PaymentOrder);
    assert_eq!(art_16.basis, LegalBasis::Ldmal16);
    assert!(art_16.open_now && art_16.words.contains("支付令"));
    assert!(kinds(&view).contains(&RightKind::ArbitrationLimitation));
    assert!(view
        .milestones
        .iter()
        .any(|m| m.words.contains("已逾期，尚欠 1,000.00 元")));

    let social_insurance = WorkerCaseFacts {
        category: Category::SocialInsurance,
        ..with_agreement(Vec::new())
    };
    let view = worker_view(&social_insurance, morning("2026-12-02"), Lang::Zh);
    assert!(kinds(&view).contains(&RightKind::ArbitrationOnBreach));
    assert!(
        !kinds(&view).contains(&RightKind::PaymentOrder),
        "Art. 16 lists wages, injury costs, compensation and damages only"
    );
}

#[test]
fn a_not_accepted_case_shows_the_reason_and_the_right_to_arbitration_directly() {
    let facts = WorkerCaseFacts {
        intake_decision: Some(IntakeDecision::NotAccepted {
            at: morning("2026-11-21"),
            reason: "不属于劳动争议".into(),
        }),
        closed_at: Some(morning("2026-11-21")),
        ..case(CaseStatus::Rejected)
    };
    let view = worker_view(&facts, morning("2026-11-22"), Lang::Zh);
    assert_eq!(view.status_words, "未受理");
    assert_eq!(
        milestone_kinds(&view),
        [MilestoneKind::Received, MilestoneKind::NotAccepted],
        "the decision is the closing; it is not told twice"
    );
    assert!(view.milestones[1].words.contains("原因：不属于劳动争议"));
    let direct = right(&view, RightKind::ArbitrationDirectly);
    assert_eq!(direct.basis, LegalBasis::Ldmal5);
    assert_eq!(direct.applies_from, Some(day("2026-11-21")));
    assert!(direct.open_now);
    assert_eq!(
        kinds(&view),
        [
            RightKind::ArbitrationDirectly,
            RightKind::ArbitrationLimitation
        ]
    );
}

#[test]
fn a_closed_case_shows_closing() {
    let paid = WorkerCaseFacts {
        status: CaseStatus::Resolved,
        closed_at: Some(morning("2026-12-11")),
        ..with_agreement(vec![PaymentMade {
            amount_fen: 300_000,
            paid_at: morning("2026-12-10"),
        }])
    };
    let view = worker_view(&paid, morning("2026-12-12"), Lang::Zh);
    assert_eq!(view.status_words, "已结案：纠纷已解决");
    let closing = view.milestones.last().unwrap();
    assert_eq!(
        (closing.kind, closing.date),
        (MilestoneKind::Closed, day("2026-12-11"))
    );
    assert!(view.rights.is_empty(), "{:#?}", view.rights);

    let escalated = WorkerCaseFacts {
        escalated_to: Some(Destination::Arbitration),
        closed_at: Some(morning("2026-12-07")),
        ..accepted(CaseStatus::Escalated)
    };
    let view = worker_view(&escalated, morning("2026-12-08"), Lang::Zh);
    assert_eq!(view.status_words, "已结案：已转劳动人事争议仲裁");
    assert_eq!(view.milestones.last().unwrap().kind, MilestoneKind::Closed);
    assert_eq!(
        kinds(&view),
        [
            RightKind::ArbitrationDirectly,
            RightKind::ArbitrationLimitation
        ]
    );
}

#[test]
fn a_joint_session_shows_its_local_time_and_place() {
    let facts = WorkerCaseFacts {
        joint_sessions: vec![JointSession {
            starts_at: utc("2026-11-26T01:30:00Z"),
            place: "一门式服务站二楼调解室".into(),
        }],
        ..accepted(CaseStatus::InMediation)
    };
    let view = worker_view(&facts, morning("2026-11-24"), Lang::Zh);
    let session = &view.milestones[2];
    assert_eq!(session.kind, MilestoneKind::JointSession);
    assert!(session.upcoming);
    assert_eq!(
        session.words,
        "联合调解会议：2026年11月26日 09:30，地点：一门式服务站二楼调解室"
    );
}

#[test]
fn text_is_in_chinese_by_default_and_in_english_on_request() {
    let facts = accepted(CaseStatus::InMediation);
    let chinese = worker_view(&facts, morning("2026-11-23"), Lang::default());
    assert_eq!(chinese.status_words, "已受理，调解中");
    let english = worker_view(&facts, morning("2026-11-23"), Lang::English);
    assert_eq!(english.status_words, "Accepted; mediation under way");
    let art_14 = right(&english, RightKind::ArbitrationAfterMediationPeriod);
    assert_eq!(
        art_14.words,
        "Mediation may take 15 days, until 2026-12-05. If no agreement has been reached by \
         then, you may apply for labour arbitration from 2026-12-06."
    );
    assert_eq!(
        art_14.basis_words,
        "Labour Dispute Mediation and Arbitration Law, Art. 14"
    );
    let facts_of = |view: &WorkerView| {
        let rights: Vec<_> = view
            .rights
            .iter()
            .map(|r| (r.kind, r.applies_from, r.applies_until, r.open_now))
            .collect();
        let milestones: Vec<_> = view.milestones.iter().map(|m| (m.kind, m.date)).collect();
        (rights, milestones)
    };
    assert_eq!(
        facts_of(&english),
        facts_of(&chinese),
        "the language changes the words, not the facts"
    );
}

#[test]
fn terms_payable_to_other_workers_are_counted_but_never_shown() {
    let mut facts = with_agreement(vec![PaymentMade {
        amount_fen: 100_000,
        paid_at: morning("2026-11-28"),
    }]);
    if let Some(agreement) = facts.agreement.as_mut() {
        agreement.terms[0].payable_to_this_worker = false;
    }
    let view = worker_view(&facts, morning("2026-11-29"), Lang::Zh);
    assert!(
        !milestone_kinds(&view).contains(&MilestoneKind::PaymentReceived),
        "a payment may be another worker's money"
    );
    let own: Vec<_> = view.milestones.iter().filter_map(|m| m.payment).collect();
    assert_eq!(
        own,
        [PaymentStanding {
            amount_fen: 200_000,
            paid_fen: 0,
            state: TermState::Due
        }],
        "the first payment covers the other worker's earlier term"
    );
    assert!(view
        .milestones
        .iter()
        .any(|m| m.words.contains("第 1 期 2,000.00 元")));
}

#[test]
fn the_view_serializes_with_codes_and_iso_dates() {
    let view = worker_view(&with_agreement(Vec::new()), morning("2026-12-02"), Lang::Zh);
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["status"], "agreement_reached");
    assert_eq!(json["milestones"][0]["kind"], "received");
    assert_eq!(json["milestones"][0]["date"], "2026-11-20");
    assert_eq!(json["milestones"][0]["at"], "2026-11-20T01:00:00Z");
    let breach = json["rights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "arbitration_on_breach")
        .unwrap();
    assert_eq!(breach["basis"], "ldmal15");
    assert_eq!(breach["applies_from"], "2026-12-02");
    assert_eq!(json["office"]["phone"], "0750-3271234");
}

#[test]
fn sums_are_read_in_yuan_with_thousands_grouped() {
    assert_eq!(yuan_words(0), "0.00");
    assert_eq!(yuan_words(5), "0.05");
    assert_eq!(yuan_words(300_000), "3,000.00");
    assert_eq!(yuan_words(96_000_000), "960,000.00");
    assert_eq!(yuan_words(-12_345), "-123.45");
}
