//! The printable dossier page: a server-side template (`templates/dossier.html`) filled from a
//! view model of display strings, with Chinese labels and no external assets, so a browser
//! prints it to PDF as it is.

use askama::Template;

use super::Dossier;
use crate::error::AppError;
use crate::notify::yuan;

/// One labelled value.
pub struct Field {
    pub label: &'static str,
    pub value: String,
}

/// A table: its headings and rows of cells.
pub struct Table {
    pub headings: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// A titled table of the case file.
pub struct Section {
    pub title: &'static str,
    pub table: Table,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct Page {
    sections: Vec<Section>,
    case_number: String,
    generated_at: String,
    summary: String,
    facts: Vec<Field>,
    statutory: Vec<Field>,
    timeline: Table,
    chain_valid: bool,
    chain_events: i64,
    head_hash: String,
    first_invalid: String,
}

fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn or_dash(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "—".into())
}

/// Renders the page.
pub fn render(d: &Dossier) -> Result<String, AppError> {
    let c = &d.case;
    let page = Page {
        case_number: c.case_number.clone(),
        generated_at: time(&d.generated_at),
        summary: c.summary.clone(),
        facts: vec![
            Field {
                label: "状态 Status",
                value: c.status.to_string(),
            },
            Field {
                label: "争议类别 Category",
                value: c.category.to_string(),
            },
            Field {
                label: "来源渠道 Channel",
                value: c.channel.to_string(),
            },
            Field {
                label: "受理单位 Office",
                value: c.office.name.clone(),
            },
            Field {
                label: "用人单位 Employer",
                value: c.employer.name.clone(),
            },
            Field {
                label: "统一社会信用代码 Credit code",
                value: or_dash(c.employer.credit_code.clone()),
            },
            Field {
                label: "涉及人数 Workers",
                value: format!(
                    "{}{}",
                    c.workers_involved,
                    if c.collective {
                        "（群体性 collective）"
                    } else {
                        ""
                    }
                ),
            },
            Field {
                label: "请求金额 Claimed (元)",
                value: yuan(c.claimed_amount_fen),
            },
            Field {
                label: "协议金额 Agreed (元)",
                value: yuan(c.agreed_amount_fen),
            },
            Field {
                label: "实际追回 Recovered (元)",
                value: yuan(c.recovered_amount_fen),
            },
            Field {
                label: "去向 Escalated to",
                value: or_dash(c.escalated_to.clone()),
            },
        ],
        statutory: vec![
            Field {
                label: "收到申请 Received",
                value: time(&d.statutory.received_at),
            },
            Field {
                label: "15日调解期限 Mediation deadline (Art. 14)",
                value: d.statutory.mediation_deadline.to_string(),
            },
            Field {
                label: "是否超期 Overdue",
                value: if d.statutory.overdue {
                    "是 yes".into()
                } else {
                    "否 no".into()
                },
            },
            Field {
                label: "司法确认申请期限 Judicial confirmation by",
                value: or_dash(
                    d.statutory
                        .judicial_confirmation_deadline
                        .map(|x| x.to_string()),
                ),
            },
        ],
        sections: vec![
            Section {
                title: "当事人 Parties（证件号码已脱敏 masked）",
                table: Table {
                    headings: vec![
                        "类别 Kind",
                        "姓名/名称 Name",
                        "身份证号 ID number",
                        "电话 Phone",
                    ],
                    rows: d
                        .parties
                        .iter()
                        .map(|p| {
                            vec![
                                p.kind.to_string(),
                                p.name.clone(),
                                or_dash(p.id_number.clone()),
                                or_dash(p.phone.clone()),
                            ]
                        })
                        .collect(),
                },
            },
            Section {
                title: "转办 Referrals",
                table: Table {
                    headings: vec![
                        "转办单位 Office",
                        "事项 Task",
                        "请求 Request",
                        "状态 Status",
                        "期限 Due",
                        "结果 Result",
                    ],
                    rows: d
                        .referrals
                        .iter()
                        .map(|r| {
                            let result = match (&r.outcome, &r.result, &r.decline_reason) {
                                (Some(o), Some(text), _) => format!("{o}：{text}"),
                                (_, _, Some(reason)) => format!("退回 declined：{reason}"),
                                _ => "—".into(),
                            };
                            vec![
                                r.office.name.clone(),
                                format!(
                                    "{} {}",
                                    crate::notify::messages::kind_label(r.kind),
                                    r.kind
                                ),
                                r.request.clone(),
                                r.status.to_string(),
                                time(&r.due_at),
                                result,
                            ]
                        })
                        .collect(),
                },
            },
            Section {
                title: "联合调解 Joint sessions",
                table: Table {
                    headings: vec![
                        "时间 When",
                        "地点 Where",
                        "参加单位 Offices",
                        "状态 Status",
                        "纪要 Minutes",
                    ],
                    rows: d
                        .sessions
                        .iter()
                        .map(|s| {
                            let offices: Vec<&str> =
                                s.offices.iter().map(|o| o.name.as_str()).collect();
                            vec![
                                time(&s.scheduled_at),
                                s.location.clone(),
                                offices.join("、"),
                                s.status.to_string(),
                                or_dash(s.minutes.clone()),
                            ]
                        })
                        .collect(),
                },
            },
            Section {
                title: "调解协议 Agreement terms",
                table: Table {
                    headings: vec![
                        "条款 Term",
                        "金额 Amount (元)",
                        "收款人 Payee",
                        "履行期限 Due",
                        "已付 Paid (元)",
                        "状态 State",
                    ],
                    rows: d
                        .agreement
                        .iter()
                        .flat_map(|a| a.terms.iter())
                        .map(|t| {
                            vec![
                                t.description.clone(),
                                yuan(t.amount_fen),
                                t.payee.clone(),
                                t.due_date.to_string(),
                                yuan(t.paid_fen),
                                format!("{:?}", t.state),
                            ]
                        })
                        .collect(),
                },
            },
            Section {
                title: "支付记录 Payments",
                table: Table {
                    headings: vec!["支付时间 Paid at", "金额 Amount (元)", "说明 Note"],
                    rows: d
                        .payments
                        .iter()
                        .map(|p| {
                            vec![
                                time(&p.paid_at),
                                yuan(p.amount_fen),
                                or_dash(p.note.clone()),
                            ]
                        })
                        .collect(),
                },
            },
            Section {
                title: "证据材料 Documents",
                table: Table {
                    headings: vec![
                        "类型 Type",
                        "文件名 File",
                        "格式 Format",
                        "大小 Bytes",
                        "SHA-256",
                    ],
                    rows: d
                        .documents
                        .iter()
                        .map(|x| {
                            vec![
                                x.document_type.to_string(),
                                x.file_name.clone(),
                                x.content_type.clone(),
                                x.size_bytes.to_string(),
                                x.sha256.clone(),
                            ]
                        })
                        .collect(),
                },
            },
        ],
        timeline: Table {
            headings: vec![
                "序号 #",
                "时间 Time",
                "事件 Event",
                "操作人 Actor",
                "内容 Details",
                "哈希 Hash",
            ],
            rows: d
                .timeline
                .iter()
                .map(|e| {
                    vec![
                        e.sequence.to_string(),
                        time(&e.occurred_at),
                        e.kind.clone(),
                        or_dash(e.actor.role.clone()),
                        e.data.to_string(),
                        e.hash.chars().take(12).collect(),
                    ]
                })
                .collect(),
        },
        chain_valid: d.chain.valid,
        chain_events: d.chain.events,
        head_hash: d.chain.head_hash.clone(),
        first_invalid: or_dash(d.chain.first_invalid_event_id.clone()),
    };
    page.render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering the dossier failed: {e}")))
}
