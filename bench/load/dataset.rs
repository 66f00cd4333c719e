//! Loads a realistic data set through the service's own intake and lifecycle code (hash-chained
//! events, encrypted ID numbers, per-office case numbers): 50 town unions under one county
//! union, a mediator each, and cases spread over categories, channels and statuses.

use chrono::Utc;
use mediation_tracker::cases::intake::{self, CreateCase};
use mediation_tracker::cases::lifecycle::CaseAction;
use mediation_tracker::cases::transitions::{self, ValidTransition};
use mediation_tracker::config::DatabaseUrl;
use mediation_tracker::db::{migrations, write_transaction, DbConnection};
use mediation_tracker::domain::new_id;
use mediation_tracker::domain::protect::PersonalData;
use mediation_tracker::offices::{self, NewOffice};
use mediation_tracker::timeline::Actor;
use mediation_tracker::users::registration::{register, Registration};
use mediation_tracker::users::Role;
use serde_json::json;

pub const DATA_KEY: &str = "YmVuY2gtZGF0YS1rZXktYmVuY2gtZGF0YS1rZXktMDE=";
pub const PASSWORD: &str = "bench-mediator-passphrase";
pub const OFFICES: usize = 50;

/// What the drivers need to know about the loaded data.
pub struct Fixture {
    pub mediator_email: String,
    pub office_id: String,
    /// Ids of the cases the bench mediator can see (their office's).
    pub case_ids: Vec<String>,
    pub employers: Vec<String>,
}

/// A small deterministic generator (no extra crate for randomness in a benchmark).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(
            seed.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        )
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const PLACES: &[&str] = &[
    "沙坪", "雅瑶", "古劳", "龙口", "桃源", "共和", "址山", "鹤城", "宅梧", "双合",
];
const TRADES: &[&str] = &[
    "家具", "电子", "五金", "制衣", "物流", "建材", "食品", "塑料", "印刷", "陶瓷",
];
const SURNAMES: &[&str] = &["张", "李", "王", "陈", "刘", "黄", "周", "吴", "郑", "孙"];
const CATEGORIES: &[&str] = &[
    "wage_arrears",
    "overtime_pay",
    "compensation",
    "work_injury",
    "social_insurance",
    "labour_contract",
];
const CHANNELS: &[&str] = &[
    "walk_in",
    "hotline_12351",
    "online",
    "grid_worker",
    "court_referral",
];

/// An employer name for index `n`: 1,000 distinct names, so a name matches ~0.1% of cases.
pub fn employer(n: usize) -> String {
    format!(
        "鹤山市{}{}{}厂{}号",
        PLACES[n % 10],
        TRADES[(n / 10) % 10],
        ["有限", "实业", "制造"][(n / 100) % 3],
        n / 300
    )
}

/// The intake body used for loading and for the intake scenario (a worker and the employer).
pub fn intake_body(rng: &mut Rng) -> serde_json::Value {
    let e = rng.below(1000);
    json!({
        "category": CATEGORIES[rng.below(CATEGORIES.len())],
        "channel": CHANNELS[rng.below(CHANNELS.len())],
        "summary": "企业拖欠工资，职工申请调解。",
        "claimed_amount_fen": (rng.below(5000) as i64 + 1) * 10_000,
        "employer": {"name": employer(e), "contact_phone": "13812345678"},
        "workers": [{"name": format!("{}先生", SURNAMES[rng.below(10)]), "id_number": "440524198001010013", "phone": "13900001111"}]
    })
}

/// Migrates a fresh database and loads `cases` cases; returns the fixture.
pub fn load(url: &DatabaseUrl, cases: usize) -> anyhow::Result<Fixture> {
    let mut connection = DbConnection::open(url)?;
    migrations::run_pending(&mut connection)?;
    let now = mediation_tracker::clock::Clock::system().now();
    let protector = PersonalData::from_base64_key(DATA_KEY)?;
    let office = |code: String, name: String, parent: Option<String>| NewOffice {
        id: new_id(),
        name,
        code,
        kind: "union".into(),
        email: None,
        parent_id: parent,
        time_zone: "Asia/Shanghai".into(),
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
        version: 1,
    };
    let county = offices::insert(
        &mut connection,
        &office("HS".into(), "鹤山市总工会".into(), None),
    )?;
    let mut towns = Vec::new();
    let mut actors = Vec::new();
    for i in 0..OFFICES {
        let town = offices::insert(
            &mut connection,
            &office(
                format!("T{i:02}"),
                format!("镇街工会{i}"),
                Some(county.id.clone()),
            ),
        )?;
        let user = register(
            &mut connection,
            Registration {
                email: format!("mediator{i}@bench.local"),
                name: format!("调解员{i}"),
                role: Role::UnionMediator,
                office_id: Some(town.id.clone()),
                password: PASSWORD.into(),
            },
            now.naive_utc(),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        actors.push(Actor {
            id: Some(user.id),
            kind: "user",
            role: Some("union_mediator".into()),
            office_id: Some(town.id.clone()),
        });
        towns.push(town);
    }
    let mut rng = Rng::new(42);
    let mut case_ids = Vec::new();
    let batch = 250;
    let mut loaded = 0;
    while loaded < cases {
        let size = batch.min(cases - loaded);
        let ids = write_transaction(
            &mut connection,
            |connection| -> anyhow::Result<Vec<String>> {
                let mut ids = Vec::new();
                for _ in 0..size {
                    let which = rng.below(OFFICES);
                    let input: CreateCase = serde_json::from_value(intake_body(&mut rng))?;
                    let valid =
                        intake::validate(input, Utc::now()).map_err(|e| anyhow::anyhow!("{e}"))?;
                    let mut case = intake::register(
                        connection,
                        &towns[which],
                        &valid,
                        &actors[which],
                        &protector,
                        now.naive_utc(),
                    )?;
                    let steps: &[CaseAction] = match rng.below(10) {
                        0..=3 => &[CaseAction::Accept, CaseAction::Start],
                        4..=5 => &[CaseAction::Accept],
                        _ => &[],
                    };
                    for action in steps {
                        let t = ValidTransition {
                            action: *action,
                            reason: None,
                            destination: None,
                        };
                        case = transitions::apply(
                            connection,
                            &case,
                            &t,
                            &actors[which],
                            now.naive_utc(),
                        )
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    }
                    if which == 0 {
                        ids.push(case.id.clone());
                    }
                }
                Ok(ids)
            },
        )?;
        case_ids.extend(ids);
        loaded += size;
        if loaded % 10_000 == 0 || loaded == cases {
            eprintln!("  loaded {loaded}/{cases} cases");
        }
    }
    // For pgbench: the bench mediator's case ids, numbered.
    diesel::RunQueryDsl::execute(
        diesel::sql_query("CREATE TABLE bench_ids (n INTEGER PRIMARY KEY, id TEXT NOT NULL)"),
        &mut connection,
    )?;
    write_transaction(&mut connection, |connection| -> anyhow::Result<()> {
        for (n, id) in case_ids.iter().enumerate() {
            diesel::RunQueryDsl::execute(
                diesel::sql_query(format!(
                    "INSERT INTO bench_ids (n, id) VALUES ({}, '{id}')",
                    n + 1
                )),
                connection,
            )?;
        }
        Ok(())
    })?;
    Ok(Fixture {
        mediator_email: "mediator0@bench.local".into(),
        office_id: towns[0].id.clone(),
        case_ids,
        employers: (0..1000).map(employer).collect(),
    })
}
