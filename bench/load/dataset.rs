//! Loads a realistic data set through the service's own intake and lifecycle code (hash-chained
//! events, encrypted ID numbers, per-office case numbers): 50 town unions under one county
//! union, a mediator each, and cases spread over categories, channels and statuses; a county
//! supervisor over the 50; a police station with 2% of the cases referred to it (through the
//! referral use case) and an officer there. Beyond [`BASE_CASES`], the set grows by SQL copies of
//! those cases and their referrals (new ids and case numbers, same offices and contents), so a
//! million cases load in minutes instead of an hour.

use chrono::Utc;
use diesel::prelude::*;
use mediation_tracker::auth::caller::{Caller, Principal};
use mediation_tracker::cases::intake::{self, CreateCase};
use mediation_tracker::cases::lifecycle::CaseAction;
use mediation_tracker::cases::transitions::{self, ValidTransition};
use mediation_tracker::config::DatabaseUrl;
use mediation_tracker::db::{migrations, write_transaction, DbConnection};
use mediation_tracker::domain::ids::CaseId;
use mediation_tracker::domain::new_id;
use mediation_tracker::domain::protect::PersonalData;
use mediation_tracker::offices::{self, NewOffice, OfficeKind};
use mediation_tracker::referrals::{self, rules::ReferralKind, use_cases::CreateReferral};
use mediation_tracker::timeline::Actor;
use mediation_tracker::users::registration::{register, Registration};
use mediation_tracker::users::Role;

use super::bodies::{employer, intake_body, Rng};

pub const DATA_KEY: &str = "YmVuY2gtZGF0YS1rZXktYmVuY2gtZGF0YS1rZXktMDE=";
pub const PASSWORD: &str = "bench-mediator-passphrase";
pub const OFFICES: usize = 50;
/// How many cases go through the intake code; larger sets are copies of these.
pub const BASE_CASES: usize = 20_000;
/// The office whose mediator registers the intake scenario's cases: not the one read, listed
/// and searched, so that writing does not change what the read scenarios measure.
const INTAKE_OFFICE: usize = OFFICES - 1;
/// One case in this many is referred to the police station: 2%, so 20,000 referrals at
/// 1,000,000 cases, as a busy county's police would hold over the years.
const REFERRED_ONE_IN: usize = 50;

/// What the drivers need to know about the loaded data.
pub struct Fixture {
    /// The mediator of `T00`, who reads, lists and searches.
    pub mediator_email: String,
    pub office_id: String,
    /// The mediator of `T49`, who registers the intake scenario's cases.
    pub intake_mediator_email: String,
    pub intake_office_id: String,
    /// The intake office's code: it takes online applications (`accepts_online`), which the
    /// public_apply scenario sends it, so they too stay out of the office that is read.
    pub intake_office_code: String,
    /// The county supervisor of `HS`, whose scope is the county union and its 50 town unions.
    pub supervisor_email: String,
    /// The offices of the supervisor's scope (`HS` and `T00`–`T49`), for pgbench.
    pub supervisor_office_ids: Vec<String>,
    /// The police officer of the police station `P01`, which 2% of the cases are referred to.
    pub police_email: String,
    pub police_office_id: String,
    /// Ids of the cases the bench mediator can see (their office's).
    pub case_ids: Vec<String>,
    pub employers: Vec<String>,
    /// The database, for the public_apply scenario's look-up of the texted code.
    pub database_url: DatabaseUrl,
}

/// Migrates a fresh database and loads `cases` cases; returns the fixture.
pub fn load(url: &DatabaseUrl, cases: usize) -> anyhow::Result<Fixture> {
    let mut connection = DbConnection::open(url)?;
    migrations::run_pending(&mut connection)?;
    let now = mediation_tracker::clock::Clock::system().now();
    let protector = PersonalData::from_base64_key(DATA_KEY)?;
    let office = |code: String, name: String, parent: Option<String>| NewOffice {
        // Workers apply online to the intake office only (the public_apply scenario).
        accepts_online: code == format!("T{INTAKE_OFFICE:02}"),
        address: None,
        phone: None,
        area: None,
        id: new_id(),
        name,
        code,
        kind: OfficeKind::Union,
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
                Some(county.id.to_string()),
            ),
        )?;
        let user = register(
            &mut connection,
            Registration {
                email: format!("mediator{i}@bench.local"),
                name: format!("调解员{i}"),
                role: Role::UnionMediator,
                office_id: Some(town.id.to_string()),
                password: PASSWORD.into(),
            },
            now.naive_utc(),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        actors.push(Actor {
            id: Some(user.id.into()),
            kind: "user",
            role: Some("union_mediator".into()),
            office_id: Some(town.id.clone()),
        });
        towns.push(town);
    }
    let user = |email: &str, name: &str, role, office: &str| Registration {
        email: email.into(),
        name: name.into(),
        role,
        office_id: Some(office.into()),
        password: PASSWORD.into(),
    };
    let anyhow = |e: mediation_tracker::error::AppError| anyhow::anyhow!("{e}");
    register(
        &mut connection,
        user(
            "supervisor@bench.local",
            "县总工会督导",
            Role::UnionSupervisor,
            &county.id,
        ),
        now.naive_utc(),
    )
    .map_err(anyhow)?;
    let police = offices::insert(
        &mut connection,
        &NewOffice {
            kind: OfficeKind::Police,
            ..office("P01".into(), "鹤山市公安局沙坪派出所".into(), None)
        },
    )?;
    register(
        &mut connection,
        user(
            "police@bench.local",
            "民警",
            Role::PoliceOfficer,
            &police.id,
        ),
        now.naive_utc(),
    )
    .map_err(anyhow)?;
    let mut rng = Rng::new(42);
    let mut to_refer: Vec<(CaseId, usize)> = Vec::new();
    let base = cases.min(BASE_CASES);
    let batch = 250;
    let mut loaded = 0;
    while loaded < base {
        let size = batch.min(base - loaded);
        write_transaction(&mut connection, |connection| -> anyhow::Result<()> {
            for n in loaded..loaded + size {
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
                    case =
                        transitions::apply(connection, &case, &t, &actors[which], now.naive_utc())
                            .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                if n % REFERRED_ONE_IN == 0 {
                    to_refer.push((case.id.clone(), which));
                }
            }
            Ok(())
        })?;
        loaded += size;
        if loaded % 10_000 == 0 || loaded == base {
            eprintln!("  registered {loaded}/{cases} cases through the intake code");
        }
    }
    refer_to_police(&mut connection, &to_refer, &actors, &police.id, now)?;
    eprintln!(
        "  referred {} cases to the police station through the referral code",
        to_refer.len()
    );
    replicate(&mut connection, base, cases)?;
    // The copies' search keys: written here rather than by the server's start-up backfill, so
    // the load is timed as loading and the server starts at once.
    let keyed = mediation_tracker::cases::search_index::index_missing(&mut connection)?;
    if keyed > 0 {
        eprintln!("  wrote the search keys of {keyed} copied cases");
    }
    // For pgbench: the bench mediator's case ids, numbered.
    let office_id = towns[0].id.clone();
    execute(
        &mut connection,
        &format!(
            "CREATE TABLE bench_ids AS SELECT ROW_NUMBER() OVER (ORDER BY id) AS n, id \
             FROM cases WHERE office_id = '{office_id}'"
        ),
    )?;
    execute(
        &mut connection,
        "CREATE UNIQUE INDEX bench_ids_n ON bench_ids (n)",
    )?;
    let case_ids = mediation_tracker::schema::cases::table
        .filter(mediation_tracker::schema::cases::office_id.eq(&office_id))
        .select(mediation_tracker::schema::cases::id)
        .load::<String>(&mut connection)?;
    Ok(Fixture {
        mediator_email: "mediator0@bench.local".into(),
        office_id: office_id.into(),
        intake_mediator_email: format!("mediator{INTAKE_OFFICE}@bench.local"),
        intake_office_id: towns[INTAKE_OFFICE].id.to_string(),
        intake_office_code: towns[INTAKE_OFFICE].code.clone(),
        supervisor_email: "supervisor@bench.local".into(),
        supervisor_office_ids: std::iter::once(&county)
            .chain(&towns)
            .map(|o| o.id.to_string())
            .collect(),
        police_email: "police@bench.local".into(),
        police_office_id: police.id.to_string(),
        case_ids,
        employers: (0..1000).map(employer).collect(),
        database_url: url.clone(),
    })
}

/// Refers each of `cases` (with the index of its town union) to the police station as its
/// office's mediator would, through the referral use case: the referral, its restricted
/// timeline event and the notice to the station, one transaction each.
fn refer_to_police(
    connection: &mut DbConnection,
    cases: &[(CaseId, usize)],
    actors: &[Actor],
    police: &str,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    for (case_id, which) in cases {
        let actor = &actors[*which];
        let mediator = Caller {
            principal: Principal::User {
                id: actor.id.clone().unwrap_or_default().into(),
            },
            role: Role::UnionMediator,
            office_id: actor.office_id.clone(),
            office_kind: Some(OfficeKind::Union),
            session_id: "bench-loader".into(),
            now,
        };
        let input = CreateReferral {
            office_id: police.to_owned(),
            kind: ReferralKind::LocateParty,
            request: "用人单位负责人失联，请协助查找。".into(),
            due_at: None,
        };
        referrals::refer(
            connection,
            &mediator,
            case_id,
            input,
            &Default::default(),
            now,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

fn execute(connection: &mut DbConnection, sql: &str) -> anyhow::Result<usize> {
    Ok(diesel::RunQueryDsl::execute(
        diesel::sql_query(sql),
        connection,
    )?)
}

const CASE_COLUMNS: &str = "case_number, office_id, status, category, channel, summary, \
    assignee_id, claimed_amount_fen, agreed_amount_fen, recovered_amount_fen, workers_involved, \
    collective, flags, received_at, mediation_deadline, deadline_passes_at, escalated_to, \
    employer_name, employer_credit_code, employer_address, employer_contact_name, \
    employer_contact_phone_cipher, employer_contact_phone_masked, search_text, events_count, \
    events_head, created_at, updated_at, version, accepted_at, concluded_at";
const PARTY_COLUMNS: &str = "kind, name, id_number_cipher, id_number_masked, id_number_hash, \
    phone_cipher, phone_masked, created_at";
const EVENT_COLUMNS: &str = "sequence, kind, actor_id, actor_kind, actor_role, office_id, \
    occurred_at, data, previous_hash, hash, restricted_to_office_id";
const REFERRAL_COLUMNS: &str = "office_id, kind, request, status, due_at, created_by, \
    accepted_at, declined_at, decline_reason, completed_at, outcome, result, cancelled_at, \
    cancel_reason, created_at, updated_at, version";

/// The tables copied with each case (their rows whose `case_id` is copied): the table, the
/// columns that get the copy's suffix `.<copy>` (its own key and `case_id`), the other columns.
const COPIED: &[(&str, &[&str], &str)] = &[
    ("case_parties", &["id", "case_id"], PARTY_COLUMNS),
    ("case_events", &["id", "case_id"], EVENT_COLUMNS),
    ("referrals", &["id", "case_id"], REFERRAL_COLUMNS),
    // Without its employer key a copy would be keyed one by one by the server at startup
    // (`employers::backfill_keys`).
    (
        "case_employers",
        &["case_id"],
        "employer_key, employer_name_normalized",
    ),
    // A partner office's case list walks this table (issue 19, "Supervisors and partner
    // offices at scale").
    (
        "case_partner_offices",
        &["case_id"],
        "office_id, case_created_at",
    ),
];

/// Grows the data set from the `base` registered cases to `total` by copying them (with the
/// rows of [`COPIED`]: parties, events, referrals) under new ids and case numbers
/// (`<original>.<copy>`), one transaction per copy. Every office grows in proportion, as a
/// province's would over the years.
fn replicate(connection: &mut DbConnection, base: usize, total: usize) -> anyhow::Result<()> {
    if total <= base {
        return Ok(());
    }
    let tables = || std::iter::once("cases").chain(COPIED.iter().map(|(table, ..)| *table));
    for table in tables() {
        execute(
            connection,
            &format!("CREATE TABLE bench_base_{table} AS SELECT * FROM {table}"),
        )?;
    }
    let mut copied = base;
    let mut copy = 0;
    while copied < total {
        copy += 1;
        let size = base.min(total - copied);
        write_transaction(connection, |connection| -> anyhow::Result<()> {
            execute(
                connection,
                &format!(
                    "CREATE TABLE bench_copy AS SELECT id FROM bench_base_cases ORDER BY id LIMIT {size}"
                ),
            )?;
            execute(
                connection,
                &format!(
                    "INSERT INTO cases (id, {CASE_COLUMNS}) SELECT id || '.{copy}', \
                     {} FROM bench_base_cases WHERE id IN (SELECT id FROM bench_copy)",
                    CASE_COLUMNS.replacen("case_number", &format!("case_number || '.{copy}'"), 1)
                ),
            )?;
            for (table, suffixed, columns) in COPIED {
                let names = suffixed.join(", ");
                let values: Vec<String> = suffixed
                    .iter()
                    .map(|c| format!("{c} || '.{copy}'"))
                    .collect();
                execute(
                    connection,
                    &format!(
                        "INSERT INTO {table} ({names}, {columns}) \
                         SELECT {}, {columns} \
                         FROM bench_base_{table} WHERE case_id IN (SELECT id FROM bench_copy)",
                        values.join(", ")
                    ),
                )?;
            }
            execute(connection, "DROP TABLE bench_copy")?;
            Ok(())
        })?;
        copied += size;
        if copy % 10 == 0 || copied == total {
            eprintln!("  copied up to {copied}/{total} cases");
        }
    }
    for table in tables() {
        execute(connection, &format!("DROP TABLE bench_base_{table}"))?;
    }
    Ok(())
}
