//! What each paper says: its title and blocks, written from the case file (the dossier the
//! caller may see, so personal numbers are masked exactly as there). The statutory sentences
//! cite the Labour Dispute Mediation and Arbitration Law (Arts. 14 and 16) and the People's
//! Mediation Law (Art. 33). Layout is elsewhere (`layout.rs`): this file only chooses words.

use chrono::NaiveDate;

use super::layout::Block;
use super::PaperKind;
use crate::dossier::Dossier;
use crate::i18n::Lang;
use crate::notify::yuan;
use crate::parties::PartyKind;
use crate::referrals::ReferralView;

/// A paper's text, ready to be laid out.
pub struct PaperText {
    pub title: &'static str,
    pub blocks: Vec<Block>,
}

/// What a paper is written from.
pub struct Source<'a> {
    pub dossier: &'a Dossier,
    pub serial: &'a str,
    pub today: NaiveDate,
    pub referral: Option<&'a ReferralView>,
}

/// The title of each kind of paper.
pub fn title(kind: PaperKind) -> &'static str {
    match kind {
        PaperKind::AcceptanceNotice => "受理通知书",
        PaperKind::NonAcceptanceNotice => "不予受理通知书",
        PaperKind::MediationAgreement => "调解协议书",
        PaperKind::TerminationCertificate => "调解终止书",
        PaperKind::JudicialConfirmationApplication => "司法确认申请书",
        PaperKind::PaymentOrderApplication => "支付令申请书",
        PaperKind::AssistanceLetter => "协助函",
    }
}

/// A date as Chinese papers write it.
pub fn chinese_date(day: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

pub(super) fn local_day(at: &chrono::DateTime<chrono::Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

/// The text of `kind` for `source`.
pub fn write(kind: PaperKind, source: &Source<'_>) -> PaperText {
    let blocks = match kind {
        PaperKind::AcceptanceNotice => acceptance(source),
        PaperKind::NonAcceptanceNotice => non_acceptance(source),
        PaperKind::MediationAgreement => super::content_agreement::agreement(source),
        PaperKind::TerminationCertificate => termination(source),
        PaperKind::JudicialConfirmationApplication => {
            super::content_agreement::judicial_confirmation(source)
        }
        PaperKind::PaymentOrderApplication => super::content_agreement::payment_order(source),
        PaperKind::AssistanceLetter => assistance(source),
    };
    let mut all = vec![
        Block::Title(title(kind).into()),
        Block::Subtitle(format!("编号：{}", source.serial)),
        Block::Gap(10.0),
    ];
    all.extend(blocks);
    PaperText {
        title: title(kind),
        blocks: all,
    }
}

/// The workers' names, joined as Chinese lists are.
pub(super) fn workers(d: &Dossier) -> String {
    let names: Vec<&str> = d
        .parties
        .iter()
        .filter(|p| p.kind == PartyKind::Worker)
        .map(|p| p.name.as_str())
        .collect();
    if names.is_empty() {
        "申请人".into()
    } else {
        names.join("、")
    }
}

pub(super) fn category(d: &Dossier) -> String {
    crate::words::category_words(d.case.category).render(Lang::Zh)
}

pub(super) fn seal(source: &Source<'_>) -> Block {
    Block::Seal {
        office: source.dossier.case.office.name.clone(),
        date: chinese_date(source.today),
    }
}

/// The parties with their (masked) numbers, one field each.
pub(super) fn party_fields(d: &Dossier) -> Vec<Block> {
    let mut blocks = Vec::new();
    for party in d.parties.iter().filter(|p| p.kind == PartyKind::Worker) {
        let mut value = party.name.clone();
        if let Some(id) = &party.id_number {
            value.push_str(&format!("，身份证号：{id}"));
        }
        if let Some(phone) = &party.phone {
            value.push_str(&format!("，电话：{phone}"));
        }
        blocks.push(Block::Field("申请人（劳动者）".into(), value));
    }
    let e = &d.case.employer;
    let mut value = e.name.clone();
    if let Some(code) = &e.credit_code {
        value.push_str(&format!("，统一社会信用代码：{code}"));
    }
    if let Some(address) = &e.address {
        value.push_str(&format!("，地址：{address}"));
    }
    blocks.push(Block::Field("被申请人（用人单位）".into(), value));
    blocks
}

fn acceptance(source: &Source<'_>) -> Vec<Block> {
    let d = source.dossier;
    let c = &d.case;
    vec![
        Block::Plain(format!("{}：", workers(d))),
        Block::Paragraph(format!(
            "你（们）于{}向本单位提出的与{}之间的{}争议调解申请，经审查，符合受理条件，本单位决定予以受理。案件编号：{}。",
            chinese_date(local_day(&d.statutory.received_at)),
            c.employer.name,
            category(d),
            c.case_number,
        )),
        Block::Paragraph(format!(
            "依照《中华人民共和国劳动争议调解仲裁法》第十四条，自本单位收到调解申请之日起十五日内未达成调解协议的，当事人可以依法申请仲裁。本案调解期限至{}。",
            chinese_date(d.statutory.mediation_deadline),
        )),
        Block::Paragraph(
            "请按通知的时间参加调解，并携带身份证明、劳动合同、工资条等与争议有关的证据材料。".into(),
        ),
        Block::Field("请求金额".into(), format!("{} 元", yuan(c.claimed_amount_fen))),
        Block::Gap(16.0),
        seal(source),
    ]
}

/// The reason the case was not accepted, from the rejecting transition on the timeline.
fn rejection_reason(d: &Dossier) -> String {
    d.timeline
        .iter()
        .rev()
        .find(|e| e.kind == "transition" && e.data["action"] == "reject")
        .and_then(|e| e.data["reason"].as_str().map(str::to_owned))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "不符合受理条件".into())
}

fn non_acceptance(source: &Source<'_>) -> Vec<Block> {
    let d = source.dossier;
    vec![
        Block::Plain(format!("{}：", workers(d))),
        Block::Paragraph(format!(
            "你（们）于{}向本单位提出的与{}之间的{}争议调解申请（案件编号：{}），经审查，本单位决定不予受理。",
            chinese_date(local_day(&d.statutory.received_at)),
            d.case.employer.name,
            category(d),
            d.case.case_number,
        )),
        Block::Field("不予受理的理由".into(), rejection_reason(d)),
        Block::Paragraph(
            "对本决定有异议的，可以依照《中华人民共和国劳动争议调解仲裁法》的规定，向劳动人事争议仲裁委员会申请仲裁。".into(),
        ),
        Block::Gap(16.0),
        seal(source),
    ]
}

fn termination(source: &Source<'_>) -> Vec<Block> {
    let d = source.dossier;
    let c = &d.case;
    let why = if c.status == crate::cases::lifecycle::CaseStatus::Escalated {
        "经调解，双方当事人未能达成调解协议"
    } else {
        "自本单位收到调解申请之日起十五日内，双方当事人未能达成调解协议"
    };
    vec![
        Block::Plain(format!("{}：", workers(d))),
        Block::Paragraph(format!(
            "你（们）与{}之间的{}争议（案件编号：{}），本单位于{}受理调解。{}，本单位终止调解。",
            c.employer.name,
            category(d),
            c.case_number,
            chinese_date(local_day(&d.statutory.received_at)),
            why,
        )),
        Block::Paragraph(
            "依照《中华人民共和国劳动争议调解仲裁法》第十四条，当事人可以持本证明依法向劳动人事争议仲裁委员会申请仲裁。仲裁时效依照该法第二十七条计算。".into(),
        ),
        Block::Field("收到申请日期".into(), chinese_date(local_day(&d.statutory.received_at))),
        Block::Field("十五日调解期限".into(), chinese_date(d.statutory.mediation_deadline)),
        Block::Field("终止调解日期".into(), chinese_date(source.today)),
        Block::Field("请求金额".into(), format!("{} 元", yuan(c.claimed_amount_fen))),
        Block::Gap(16.0),
        seal(source),
    ]
}

fn assistance(source: &Source<'_>) -> Vec<Block> {
    let d = source.dossier;
    let Some(r) = source.referral else {
        return vec![Block::Plain("（未指定转办）".into())];
    };
    vec![
        Block::Plain(format!("{}：", r.office.name)),
        Block::Paragraph(format!(
            "本单位正在调解{}与{}之间的{}争议（案件编号：{}）。因调解工作需要，特请贵单位予以协助办理“{}”事项。",
            workers(d),
            d.case.employer.name,
            category(d),
            d.case.case_number,
            crate::notify::messages::kind_label(r.kind),
        )),
        Block::Field("协助事项".into(), r.request.clone()),
        Block::Field(
            "请于以下日期前反馈".into(),
            chinese_date(local_day(&r.due_at)),
        ),
        Block::Paragraph("请将办理结果通过系统反馈本单位。感谢支持与配合！".into()),
        Block::Gap(16.0),
        seal(source),
    ]
}
