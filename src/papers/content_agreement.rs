//! The three papers written from a signed agreement: the agreement itself (调解协议书), the joint
//! application for judicial confirmation (司法确认申请书, People's Mediation Law Art. 33) and the
//! payment-order application on an unperformed agreement (支付令申请书, Labour Dispute Mediation
//! and Arbitration Law Art. 16).

use super::content::{category, chinese_date, local_day, party_fields, seal, workers, Source};
use super::layout::Block;
use crate::agreements::follow_ups::TermState;
use crate::agreements::views::AgreementView;
use crate::dossier::Dossier;
use crate::notify::yuan;

fn terms_table(a: &AgreementView) -> Block {
    let mut rows: Vec<Vec<String>> = a
        .terms
        .iter()
        .map(|t| {
            vec![
                t.position.to_string(),
                t.description.clone(),
                yuan(t.amount_fen),
                t.payee.clone(),
                chinese_date(t.due_date),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        "合计".into(),
        yuan(a.total_amount_fen),
        String::new(),
        String::new(),
    ]);
    Block::Table {
        headings: vec![
            "序号".into(),
            "协议条款".into(),
            "金额（元）".into(),
            "收款人".into(),
            "履行期限".into(),
        ],
        widths: vec![0.6, 3.4, 1.4, 1.4, 1.6],
        rows,
    }
}

fn signed_on(a: &AgreementView) -> String {
    chinese_date(local_day(&a.signed_at))
}

fn dispute(d: &Dossier) -> Vec<Block> {
    vec![
        Block::Heading("争议事项".into()),
        Block::Field("案件编号".into(), d.case.case_number.clone()),
        Block::Field("争议类别".into(), category(d)),
        Block::Field(
            "请求金额".into(),
            format!("{} 元", yuan(d.case.claimed_amount_fen)),
        ),
        Block::Paragraph(d.case.summary.clone()),
    ]
}

fn signature_lines(d: &Dossier, mediator: bool) -> Block {
    let mut names: Vec<String> = d
        .parties
        .iter()
        .filter(|p| p.kind == crate::parties::PartyKind::Worker)
        .map(|p| format!("申请人 {}", p.name))
        .collect();
    names.push(format!("被申请人 {}", d.case.employer.name));
    if mediator {
        names.push("调解员".into());
    }
    Block::Signatures(names)
}

/// 调解协议书.
pub fn agreement(source: &Source<'_>) -> Vec<Block> {
    let d = source.dossier;
    let Some(a) = &d.agreement else {
        return vec![Block::Plain("（本案没有调解协议）".into())];
    };
    let mut blocks = vec![Block::Heading("当事人".into())];
    blocks.extend(party_fields(d));
    blocks.extend(dispute(d));
    blocks.push(Block::Heading("协议内容".into()));
    blocks.push(Block::Paragraph(format!(
        "经{}主持调解，双方当事人于{}自愿达成如下协议：",
        d.case.office.name,
        signed_on(a)
    )));
    blocks.push(terms_table(a));
    blocks.push(Block::Heading("说明".into()));
    blocks.extend([
        Block::Paragraph("一、本协议由双方当事人签名或者盖章，经调解员签名并加盖调解组织印章后生效，对双方当事人具有约束力，当事人应当履行（《中华人民共和国劳动争议调解仲裁法》第十四条）。".into()),
        Block::Paragraph(format!(
            "二、双方当事人可以自本协议生效之日起三十日内，共同向人民法院申请司法确认（《中华人民共和国人民调解法》第三十三条）；本案申请期限至{}。",
            chinese_date(a.follow_ups.judicial_confirmation_deadline)
        )),
        Block::Paragraph("三、因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成调解协议，用人单位在协议约定期限内不履行的，劳动者可以持本协议书依法向人民法院申请支付令（《中华人民共和国劳动争议调解仲裁法》第十六条）。".into()),
        Block::Paragraph("四、本协议一式三份，双方当事人各执一份，调解组织留存一份。".into()),
        signature_lines(d, true),
        Block::Gap(10.0),
        seal(source),
    ]);
    blocks
}

/// 司法确认申请书.
pub fn judicial_confirmation(source: &Source<'_>) -> Vec<Block> {
    let d = source.dossier;
    let Some(a) = &d.agreement else {
        return vec![Block::Plain("（本案没有调解协议）".into())];
    };
    let mut blocks = vec![Block::Heading("申请人".into())];
    blocks.extend(party_fields(d));
    blocks.extend([
        Block::Heading("请求事项".into()),
        Block::Paragraph(format!(
            "请求人民法院确认申请人于{}经{}主持调解达成的调解协议（案件编号：{}）有效。",
            signed_on(a),
            d.case.office.name,
            d.case.case_number
        )),
        Block::Heading("事实与理由".into()),
        Block::Paragraph(format!(
            "申请人之间因{}发生争议，经调解于{}达成调解协议，约定给付总额 {} 元，明细如下：",
            category(d),
            signed_on(a),
            yuan(a.total_amount_fen)
        )),
        terms_table(a),
        Block::Paragraph("申请人依照《中华人民共和国人民调解法》第三十三条的规定，自调解协议生效之日起三十日内共同提出本申请。申请人保证：调解协议出于自愿，内容真实合法，不存在恶意串通、损害国家利益、社会公共利益或者他人合法权益的情形，如有虚假，愿承担相应法律责任。".into()),
        Block::Plain("此致".into()),
        Block::Plain("＿＿＿＿＿＿＿＿人民法院".into()),
        Block::Field("附".into(), "调解协议书一份；申请人身份证明。".into()),
        signature_lines(d, false),
        Block::Field("申请日期".into(), chinese_date(source.today)),
    ]);
    blocks
}

/// 支付令申请书.
pub fn payment_order(source: &Source<'_>) -> Vec<Block> {
    let d = source.dossier;
    let Some(a) = &d.agreement else {
        return vec![Block::Plain("（本案没有调解协议）".into())];
    };
    let missed: Vec<_> = a
        .terms
        .iter()
        .filter(|t| t.state == TermState::Missed)
        .collect();
    let unpaid: i64 = missed.iter().map(|t| t.amount_fen - t.paid_fen).sum();
    let mut blocks = vec![Block::Heading("当事人".into())];
    blocks.extend(party_fields(d));
    blocks.extend([
        Block::Heading("请求事项".into()),
        Block::Paragraph(format!(
            "请求人民法院向被申请人{}发出支付令，督促其支付 {} 元。",
            d.case.employer.name,
            yuan(unpaid)
        )),
        Block::Heading("事实与理由".into()),
        Block::Paragraph(format!(
            "申请人与被申请人因{}发生争议，于{}经{}主持调解达成调解协议（案件编号：{}）。被申请人未在协议约定的期限内履行下列给付义务：",
            category(d),
            signed_on(a),
            d.case.office.name,
            d.case.case_number
        )),
        Block::Table {
            headings: vec![
                "协议条款".into(),
                "约定金额（元）".into(),
                "已付（元）".into(),
                "未付（元）".into(),
                "履行期限".into(),
            ],
            widths: vec![3.0, 1.4, 1.2, 1.2, 1.6],
            rows: missed
                .iter()
                .map(|t| {
                    vec![
                        t.description.clone(),
                        yuan(t.amount_fen),
                        yuan(t.paid_fen),
                        yuan(t.amount_fen - t.paid_fen),
                        chinese_date(t.due_date),
                    ]
                })
                .collect(),
        },
        Block::Paragraph("依照《中华人民共和国劳动争议调解仲裁法》第十六条，因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成调解协议，用人单位在协议约定期限内不履行的，劳动者可以持调解协议书依法向人民法院申请支付令。".into()),
        Block::Plain("此致".into()),
        Block::Plain("＿＿＿＿＿＿＿＿人民法院".into()),
        Block::Field("附".into(), "调解协议书一份；支付记录。".into()),
        Block::Signatures(vec![format!("申请人 {}", workers(d))]),
        Block::Field("申请日期".into(), chinese_date(source.today)),
    ]);
    blocks
}
