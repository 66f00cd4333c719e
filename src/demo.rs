//! `mediation-tracker demo`: a small, realistic data set to explore the API with — drawn from
//! the Heshan (江门鹤山) story in the product brief: a county union with a town union under it,
//! the town's judicial office, HR & social-security office and police station, and the court,
//! with one user of each role, and a handful of cases in different states taken from the
//! stories in the seed articles (the furniture-factory wages, a collective arrears case, a
//! gig-economy driver, a blank labour contract, a work injury, unpaid social insurance).

use chrono::NaiveDateTime;

use serde_json::json;

use crate::auth::tokens::random_token;
use crate::cases::intake::{self, CreateCase};
use crate::cases::lifecycle::{CaseAction, Destination};
use crate::cases::transitions::{self, ValidTransition};
use crate::db::{write_transaction, DbConnection};
use crate::domain::new_id;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::offices::{self, NewOffice, OfficeKind, DEFAULT_TIME_ZONE};
use crate::timeline::Actor;
use crate::users;
use crate::users::registration::{register, Registration};
use crate::users::Role;

/// One demo sign-in, to print.
pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub office: String,
}

struct DemoOffice {
    code: &'static str,
    name: &'static str,
    kind: OfficeKind,
    parent: Option<&'static str>,
}

/// What workers see of the demo's union offices in the public list: (address, phone, area).
/// Made-up numbers in the real towns' shape.
fn public_contact(code: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match code {
        "HS" => Some((
            "鹤山市沙坪街道新城路 1 号职工服务中心",
            "0750-8888123",
            "鹤山市",
        )),
        "SP" => Some((
            "鹤山市沙坪街道中山路 25 号",
            "0750-8888456",
            "鹤山市沙坪街道",
        )),
        _ => None,
    }
}

const OFFICES: &[DemoOffice] = &[
    DemoOffice {
        code: "HS",
        name: "鹤山市总工会",
        kind: OfficeKind::Union,
        parent: None,
    },
    DemoOffice {
        code: "SP",
        name: "鹤山市沙坪街道工会",
        kind: OfficeKind::Union,
        parent: Some("HS"),
    },
    DemoOffice {
        code: "SPSF",
        name: "沙坪司法所",
        kind: OfficeKind::Judicial,
        parent: None,
    },
    DemoOffice {
        code: "SPRS",
        name: "沙坪人社所",
        kind: OfficeKind::Hr,
        parent: None,
    },
    DemoOffice {
        code: "SPPS",
        name: "沙坪派出所",
        kind: OfficeKind::Police,
        parent: None,
    },
    DemoOffice {
        code: "HSFY",
        name: "鹤山市人民法院",
        kind: OfficeKind::Court,
        parent: None,
    },
];

const USERS: &[(&str, &str, Role, &str)] = &[
    (
        "mediator@demo.local",
        "李调解 Li Tiaojie",
        Role::UnionMediator,
        "SP",
    ),
    (
        "supervisor@demo.local",
        "陈主任 Chen Zhuren",
        Role::UnionSupervisor,
        "HS",
    ),
    (
        "police@demo.local",
        "王警官 Wang Jingguan",
        Role::PoliceOfficer,
        "SPPS",
    ),
    (
        "judicial@demo.local",
        "赵司法 Zhao Sifa",
        Role::JudicialOfficer,
        "SPSF",
    ),
    (
        "hr@demo.local",
        "周人社 Zhou Renshe",
        Role::HrOfficer,
        "SPRS",
    ),
    (
        "lawyer@demo.local",
        "孙律师 Sun Lvshi",
        Role::Lawyer,
        "SPSF",
    ),
    (
        "grid@demo.local",
        "陈网格 Chen Wangge",
        Role::GridWorker,
        "SP",
    ),
    (
        "demo-admin@demo.local",
        "演示管理员 Demo Admin",
        Role::Admin,
        "HS",
    ),
];

/// Loads the demo data; refuses (409) if it is already there, so running it twice is harmless.
pub fn load(
    connection: &mut DbConnection,
    now: NaiveDateTime,
    data_key: Option<&str>,
) -> Result<Vec<DemoLogin>, AppError> {
    if offices::find_by_code(connection, "SP").is_ok() {
        return Err(AppError::Conflict {
            code: "demo_already_loaded",
            detail: crate::msg!("detail.demo_already_loaded"),
        });
    }
    write_transaction(connection, |connection| {
        for office in OFFICES {
            let parent_id = match office.parent {
                Some(code) => Some(offices::find_by_code(connection, code)?.id),
                None => None,
            };
            offices::insert(
                connection,
                &NewOffice {
                    id: new_id(),
                    name: office.name.into(),
                    code: office.code.into(),
                    kind: office.kind,
                    email: Some(format!("{}@demo.local", office.code.to_lowercase())),
                    parent_id: parent_id.map(Into::into),
                    time_zone: DEFAULT_TIME_ZONE.into(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                    accepts_online: office.kind == OfficeKind::Union,
                    address: public_contact(office.code).map(|(address, _, _)| address.into()),
                    phone: public_contact(office.code).map(|(_, phone, _)| phone.into()),
                    area: public_contact(office.code).map(|(_, _, area)| area.into()),
                },
            )?;
        }
        let mut logins = Vec::new();
        for (email, name, role, office_code) in USERS {
            let office = offices::find_by_code(connection, office_code)?;
            let password = random_token("").chars().take(20).collect::<String>();
            register(
                connection,
                Registration {
                    email: (*email).into(),
                    name: (*name).into(),
                    role: *role,
                    office_id: Some(office.id.into()),
                    password: password.clone(),
                },
                now,
            )?;
            logins.push(DemoLogin {
                email: (*email).into(),
                password,
                role: *role,
                office: office.name,
            });
        }
        load_cases(connection, now, data_key)?;
        Ok(logins)
    })
}

/// A seed story as an intake, how many days ago it was received, and what happened since.
struct DemoCase {
    intake: serde_json::Value,
    received_days_ago: i64,
    actions: &'static [(CaseAction, Option<&'static str>, Option<Destination>)],
}

fn demo_cases() -> Vec<DemoCase> {
    use CaseAction::*;
    vec![
        DemoCase {
            intake: json!({"category": "wage_arrears", "channel": "hotline_12351",
                "summary": "家具厂因经营不善关停，拖欠张先生工资3000元，企业主暂时无法联系。",
                "claimed_amount_fen": 300000, "flags": ["migrant_worker"],
                "employer": {"name": "鹤山市沙坪某家具厂", "address": "鹤山市沙坪街道", "contact_phone": "13812345678"},
                "workers": [{"name": "张先生", "id_number": "440524198001010013", "phone": "13900001111"}]}),
            received_days_ago: 2,
            actions: &[(Accept, None, None), (Start, None, None)],
        },
        DemoCase {
            intake: json!({"category": "wage_arrears", "channel": "walk_in",
                "summary": "电子厂经营困难，拖欠12名职工工资共96万元，职工推选代表申请调解。",
                "claimed_amount_fen": 96_000_000, "workers_involved": 12, "flags": ["restructuring"],
                "employer": {"name": "沙坪某电子有限公司", "credit_code": "91350100M000100Y43"},
                "workers": [{"name": "刘代表", "phone": "13700001234", "role": "representative"}]}),
            received_days_ago: 5,
            actions: &[(Accept, None, None)],
        },
        DemoCase {
            intake: json!({"category": "compensation", "channel": "online",
                "summary": "代驾司机被平台停单，未结算佣金与补偿。",
                "claimed_amount_fen": 820000, "flags": ["gig_economy"],
                "employer": {"name": "某代驾平台鹤山合作商"},
                "workers": [{"name": "黄师傅", "phone": "13600002222"}]}),
            received_days_ago: 0,
            actions: &[],
        },
        DemoCase {
            intake: json!({"category": "labour_contract", "channel": "walk_in",
                "summary": "签了空白劳动合同，实际工资与协议不一致。",
                "claimed_amount_fen": 450000,
                "employer": {"name": "沙坪某制衣厂"},
                "workers": [{"name": "吴女士"}]}),
            received_days_ago: 20,
            actions: &[(Withdraw, Some("职工与企业自行协商一致，撤回申请"), None)],
        },
        DemoCase {
            intake: json!({"category": "work_injury", "channel": "court_referral",
                "summary": "职工工伤后企业拒绝支付医疗费用，法院诉调对接转入工会调解。",
                "claimed_amount_fen": 2_600_000,
                "employer": {"name": "鹤山某五金厂"},
                "workers": [{"name": "郑先生", "id_number": "440784198503150021"}]}),
            received_days_ago: 30,
            actions: &[
                (Accept, None, None),
                (Start, None, None),
                (
                    Escalate,
                    Some("15日内未达成调解协议"),
                    Some(Destination::Arbitration),
                ),
            ],
        },
        DemoCase {
            intake: json!({"category": "social_insurance", "channel": "grid_worker",
                "summary": "公司以试用期为由不缴纳五险一金；职工已向仲裁委申请仲裁。",
                "claimed_amount_fen": 0,
                "employer": {"name": "沙坪某物流公司"},
                "workers": [{"name": "钱先生"}]}),
            received_days_ago: 8,
            actions: &[(Reject, Some("已进入劳动仲裁程序，不再受理调解"), None)],
        },
    ]
}

/// Registers the demo cases in the town union, as its mediator would.
fn load_cases(
    connection: &mut DbConnection,
    now: NaiveDateTime,
    data_key: Option<&str>,
) -> Result<(), AppError> {
    let office = offices::find_by_code(connection, "SP")?;
    let mediator =
        users::find_by_email(connection, "mediator@demo.local")?.ok_or(AppError::NotFound)?;
    let actor = Actor {
        id: Some(mediator.id.clone().into()),
        kind: "user",
        role: Some(mediator.role.as_str().to_owned()),
        office_id: Some(office.id.clone()),
    };
    let protector = demo_protector(connection, data_key)?;
    for demo in demo_cases() {
        let mut body = demo.intake;
        let received = now - chrono::Duration::days(demo.received_days_ago);
        body["received_at"] = json!(received.and_utc());
        let input: CreateCase =
            serde_json::from_value(body).map_err(|e| AppError::Internal(e.into()))?;
        let intake = intake::validate(input, now.and_utc())?;
        let mut case = intake::register(connection, &office, &intake, &actor, &protector, now)?;
        for (action, reason, destination) in demo.actions {
            let transition = ValidTransition {
                action: *action,
                reason: reason.map(str::to_owned),
                destination: *destination,
            };
            case = transitions::apply(connection, &case, &transition, &actor, now)?;
        }
    }
    Ok(())
}

/// The personal-data key the server uses (configured or persisted), so demo numbers decrypt.
fn demo_protector(
    connection: &mut DbConnection,
    configured: Option<&str>,
) -> Result<PersonalData, AppError> {
    let key = crate::secrets::resolve(
        connection,
        crate::secrets::DATA_KEY,
        configured,
        "MEDIATION_DATA_KEY",
    )?;
    Ok(PersonalData::from_base64_key(&key)?)
}
