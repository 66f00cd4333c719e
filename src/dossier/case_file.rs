//! The dossier as a bound case file (案卷): a cover page (卷宗封面), a table of contents with page
//! numbers, and every section in Chinese words — the timeline as sentences naming who acted (the
//! console's own sentences, `timeline_sentences`), referrals and their answers, sessions, the
//! agreement and its payments, the documents with their hashes, and the chain-verification page
//! — typeset as an A4 PDF by the papers' engine (`papers::layout`, `papers::pdf`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Dossier;
use crate::case_words::{
    document_type_words, party_kind_words, session_status_words, term_state_words,
};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::notify::yuan;
use crate::papers::content::chinese_date;
use crate::papers::layout::{lay_out, Block, Frame, Mark, Measure};
use crate::papers::pdf;
use crate::timeline_sentences::Speaker;
use crate::words::{category_words, channel_words, referral_status_words, status_words};

const ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn time(at: &DateTime<Utc>) -> String {
    at.with_timezone(&ZONE).format("%Y-%m-%d %H:%M").to_string()
}

fn day(at: &DateTime<Utc>) -> String {
    chinese_date(at.with_timezone(&ZONE).date_naive())
}

fn or_dash(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "—".into())
}

/// The sections of the file, in order: (heading, blocks).
type Section = (&'static str, Vec<Block>);

/// The serial printed on every page of the file: the case number and the chain's head, so a
/// printed file names the exact history it shows.
pub fn serial(d: &Dossier) -> String {
    let head: String = d.chain.head_hash.chars().take(12).collect();
    format!("{} · {}", d.case.case_number, head)
}

/// The cover page.
fn cover(d: &Dossier) -> Vec<Block> {
    let c = &d.case;
    let zh = |m: crate::i18n::Message| m.render(Lang::Zh);
    let workers: Vec<&str> = d
        .parties
        .iter()
        .filter(|p| p.kind == crate::parties::PartyKind::Worker)
        .map(|p| p.name.as_str())
        .collect();
    let closed = d
        .timeline
        .iter()
        .rev()
        .find(|e| {
            e.kind == "transition"
                && matches!(
                    e.data["to"].as_str(),
                    Some("resolved" | "escalated" | "withdrawn" | "rejected")
                )
        })
        .map(|e| day(&e.occurred_at));
    vec![
        Block::Gap(60.0),
        Block::Title(c.office.name.clone()),
        Block::Title("劳动争议调解案卷".into()),
        Block::Subtitle("卷宗封面".into()),
        Block::Gap(40.0),
        Block::Field("案件编号".into(), c.case_number.clone()),
        Block::Field("申请人".into(), or_dash(Some(workers.join("、")))),
        Block::Field("被申请人".into(), c.employer.name.clone()),
        Block::Field("争议类别".into(), zh(category_words(c.category))),
        Block::Field("受理单位".into(), c.office.name.clone()),
        Block::Field("收案日期".into(), day(&c.received_at)),
        Block::Field("结案日期".into(), or_dash(closed)),
        Block::Field("办理结果".into(), zh(status_words(c.status))),
        Block::Field(
            "请求金额".into(),
            format!("{} 元", yuan(c.claimed_amount_fen)),
        ),
        Block::Field(
            "协议金额".into(),
            format!("{} 元", yuan(c.agreed_amount_fen)),
        ),
        Block::Field(
            "实际追回".into(),
            format!("{} 元", yuan(c.recovered_amount_fen)),
        ),
        Block::Field("归档打印时间".into(), time(&d.generated_at)),
    ]
}

fn table(headings: &[&str], widths: &[f32], rows: Vec<Vec<String>>) -> Block {
    let rows = if rows.is_empty() {
        vec![std::iter::once("（无）".to_string())
            .chain(std::iter::repeat_n(String::new(), headings.len() - 1))
            .collect()]
    } else {
        rows
    };
    Block::Table {
        headings: headings.iter().map(|h| h.to_string()).collect(),
        widths: widths.to_vec(),
        rows,
    }
}

fn sections(d: &Dossier, names: &HashMap<String, String>) -> Vec<Section> {
    let c = &d.case;
    let zh = |m: crate::i18n::Message| m.render(Lang::Zh);
    let speaker = Speaker {
        names,
        zone: ZONE,
        lang: Lang::Zh,
    };
    let basics = vec![
        Block::Field("来源渠道".into(), zh(channel_words(c.channel))),
        Block::Field(
            "涉及人数".into(),
            format!(
                "{}{}",
                c.workers_involved,
                if c.collective { "（群体性）" } else { "" }
            ),
        ),
        Block::Field(
            "统一社会信用代码".into(),
            or_dash(c.employer.credit_code.clone()),
        ),
        Block::Field("去向".into(), or_dash(c.escalated_to.clone())),
        Block::Field("案情摘要".into(), c.summary.clone()),
        Block::Field("收到申请".into(), time(&d.statutory.received_at)),
        Block::Field(
            "十五日调解期限（第十四条）".into(),
            chinese_date(d.statutory.mediation_deadline),
        ),
        Block::Field(
            "是否超期".into(),
            if d.statutory.overdue { "是" } else { "否" }.into(),
        ),
        Block::Field(
            "司法确认申请期限".into(),
            or_dash(d.statutory.judicial_confirmation_deadline.map(chinese_date)),
        ),
    ];
    let parties = table(
        &["类别", "姓名/名称", "身份证号", "电话"],
        &[1.0, 2.0, 2.2, 1.6],
        d.parties
            .iter()
            .map(|p| {
                vec![
                    zh(party_kind_words(p.kind)),
                    p.name.clone(),
                    or_dash(p.id_number.clone()),
                    or_dash(p.phone.clone()),
                ]
            })
            .collect(),
    );
    let history = table(
        &["序号", "时间", "经过"],
        &[0.6, 1.8, 4.8],
        d.timeline
            .iter()
            .map(|e| {
                vec![
                    e.sequence.to_string(),
                    time(&e.occurred_at),
                    speaker.sentence(e),
                ]
            })
            .collect(),
    );
    let referrals = table(
        &["转办单位", "事项与请求", "状态", "期限", "答复"],
        &[1.5, 2.4, 1.0, 1.8, 2.3],
        d.referrals
            .iter()
            .map(|r| {
                let answer = match (&r.outcome, &r.result, &r.decline_reason) {
                    (Some(o), Some(text), _) => format!(
                        "{}：{text}",
                        crate::words::outcome_words(o)
                            .map(zh)
                            .unwrap_or_else(|| o.clone())
                    ),
                    (_, _, Some(reason)) => format!("退回：{reason}"),
                    _ => "—".into(),
                };
                vec![
                    r.office.name.clone(),
                    format!(
                        "{}：{}",
                        crate::notify::messages::kind_label(r.kind),
                        r.request
                    ),
                    zh(referral_status_words(r.status)),
                    time(&r.due_at),
                    answer,
                ]
            })
            .collect(),
    );
    let sessions = table(
        &["时间", "地点", "参加单位", "状态", "纪要"],
        &[1.8, 1.5, 2.0, 1.0, 2.7],
        d.sessions
            .iter()
            .map(|s| {
                let offices: Vec<&str> = s.offices.iter().map(|o| o.name.as_str()).collect();
                vec![
                    time(&s.scheduled_at),
                    s.location.clone(),
                    offices.join("、"),
                    zh(session_status_words(s.status)),
                    or_dash(s.minutes.clone()),
                ]
            })
            .collect(),
    );
    let mut agreement = Vec::new();
    if let Some(a) = &d.agreement {
        agreement.push(Block::Field("签订日期".into(), day(&a.signed_at)));
        agreement.push(Block::Field(
            "协议总额".into(),
            format!(
                "{} 元，已付 {} 元",
                yuan(a.total_amount_fen),
                yuan(a.paid_fen)
            ),
        ));
    }
    agreement.push(table(
        &[
            "条款",
            "金额（元）",
            "收款人",
            "履行期限",
            "已付（元）",
            "状态",
        ],
        &[2.6, 1.2, 1.2, 1.4, 1.2, 0.9],
        d.agreement
            .iter()
            .flat_map(|a| a.terms.iter())
            .map(|t| {
                vec![
                    t.description.clone(),
                    yuan(t.amount_fen),
                    t.payee.clone(),
                    chinese_date(t.due_date),
                    yuan(t.paid_fen),
                    zh(term_state_words(t.state)),
                ]
            })
            .collect(),
    ));
    agreement.push(table(
        &["支付时间", "金额（元）", "说明"],
        &[1.8, 1.2, 3.8],
        d.payments
            .iter()
            .map(|p| {
                vec![
                    time(&p.paid_at),
                    yuan(p.amount_fen),
                    or_dash(p.note.clone()),
                ]
            })
            .collect(),
    ));
    let documents = table(
        &["类型", "文件名", "大小（字节）", "SHA-256"],
        &[1.0, 2.0, 1.1, 3.6],
        d.documents
            .iter()
            .map(|x| {
                vec![
                    zh(document_type_words(x.document_type)),
                    x.file_name.clone(),
                    x.size_bytes.to_string(),
                    x.sha256.clone(),
                ]
            })
            .collect(),
    );
    let chain = vec![
        Block::Paragraph("本案的每一条记录都带有前一条记录的哈希值，构成一条哈希链；任何事后修改都会使链从被修改处起失效。下列结果是打印本卷时重新计算的。".into()),
        Block::Field("校验结果".into(), if d.chain.valid { "有效：记录未被改动" } else { "无效：记录在生成后被改动" }.into()),
        Block::Field("记录条数".into(), d.chain.events.to_string()),
        Block::Field("链头哈希".into(), d.chain.head_hash.clone()),
        Block::Field("首个失效记录".into(), or_dash(d.chain.first_invalid_event_id.clone())),
        Block::Paragraph(format!(
            "核对方法：以有权限的账户调用 GET /api/v1/cases/{}/events/verify，返回的 head_hash 应与上方链头哈希一致。",
            c.id
        )),
    ];
    vec![
        ("一、案件基本情况", basics),
        ("二、当事人（证件号码按查阅权限显示）", vec![parties]),
        ("三、办理经过", vec![history]),
        ("四、转办与答复", vec![referrals]),
        ("五、联合调解", vec![sessions]),
        ("六、调解协议与履行", agreement),
        ("七、证据材料", vec![documents]),
        ("八、记录校验", chain),
    ]
}

fn blocks(d: &Dossier, sections: &[Section], pages_of: &[Option<usize>]) -> Vec<Block> {
    let mut all = cover(d);
    all.push(Block::PageBreak);
    all.push(Block::Title("目　录".into()));
    all.push(Block::Gap(10.0));
    all.push(table(
        &["章节", "页码"],
        &[5.0, 1.0],
        sections
            .iter()
            .zip(pages_of)
            .map(|((heading, _), page)| {
                vec![
                    heading.to_string(),
                    page.map(|p| p.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
    ));
    all.push(Block::PageBreak);
    for (heading, body) in sections {
        all.push(Block::Heading(heading.to_string()));
        all.extend(body.iter().cloned());
    }
    all
}

/// The page (1-based) where `heading` is printed as a heading.
fn page_of(pages: &[Vec<Mark>], heading: &str) -> Option<usize> {
    pages
        .iter()
        .position(|page| {
            page.iter().any(
                |m| matches!(m, Mark::Text { text, size, .. } if text == heading && *size > 12.0),
            )
        })
        .map(|index| index + 1)
}

/// The laid-out pages of the file: laid out once to learn where each section starts, then again
/// with those page numbers in the table of contents (same length, so nothing moves).
pub fn pages(
    d: &Dossier,
    names: &HashMap<String, String>,
    measure: &dyn Measure,
) -> Vec<Vec<Mark>> {
    let sections = sections(d, names);
    let frame = Frame {
        office: d.case.office.name.clone(),
        serial: serial(d),
    };
    let blank: Vec<Option<usize>> = vec![Some(0); sections.len()];
    let first = lay_out(&blocks(d, &sections, &blank), &frame, measure);
    let found: Vec<Option<usize>> = sections.iter().map(|(h, _)| page_of(&first, h)).collect();
    lay_out(&blocks(d, &sections, &found), &frame, measure)
}

/// The file as an A4 PDF.
pub fn render_pdf(d: &Dossier, names: &HashMap<String, String>) -> Result<Vec<u8>, AppError> {
    let measure = pdf::FontMeasure::new()?;
    let pages = pages(d, names, &measure);
    pdf::render(&format!("{} 案卷", d.case.case_number), &pages)
}
