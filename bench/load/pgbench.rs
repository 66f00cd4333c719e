//! The physical limit: the SQL each scenario needs, executed by pgbench directly against the same
//! PostgreSQL data, with 16 clients on the same machine.

use std::process::Command;

use super::dataset::Fixture;
use super::drive::Scenario;

/// `SELECT <the columns of a listed case, its office's name and kind> FROM cases JOIN offices`,
/// as diesel writes the service's list (`GET /cases`), so pgbench reads what the service reads.
fn list_select() -> String {
    use diesel::prelude::*;
    use mediation_tracker::cases::CaseViewColumns;
    use mediation_tracker::schema::{cases, offices};
    let query = cases::table.inner_join(offices::table).select((
        CaseViewColumns::as_select(),
        offices::name,
        offices::kind,
    ));
    let sql = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
    match sql.split_once(" -- binds:") {
        Some((statement, _)) => statement.to_owned(),
        None => sql,
    }
}

fn script(scenario: Scenario, fixture: &Fixture) -> String {
    let count = fixture.case_ids.len().max(1);
    let office = &fixture.office_id;
    let intake_office = &fixture.intake_office_id;
    let term = fixture.employers[7].clone();
    let timeline = format!(
        "\\set r random(1, {count})\nSELECT * FROM case_events WHERE case_id = (SELECT id FROM bench_ids WHERE n = :r) ORDER BY sequence LIMIT 51;\n"
    );
    // The lists select what the service's lists select: the columns of a case's view and its
    // office's name and kind (`cases::CaseViewColumns`), written by diesel as the service's are.
    let lists = list_select();
    // A read keeps `cases.*` without the office: PostgreSQL plans the join of the service's read
    // badly when the id comes from pgbench's subquery (a hash join over every office, planned
    // each time: a third of the rate of this statement), which would flatter the read's ratio.
    let read = format!("\\set r random(1, {count})\nSELECT c.* FROM cases c WHERE c.id = (SELECT id FROM bench_ids WHERE n = :r);\n");
    let list = format!("{lists} WHERE cases.office_id = '{office}' AND cases.status = 'in_mediation' ORDER BY cases.created_at DESC, cases.id DESC LIMIT 51;\n");
    let scope: Vec<String> = fixture
        .supervisor_office_ids
        .iter()
        .map(|id| format!("'{id}'"))
        .collect();
    let list_supervisor = format!(
        "{lists} WHERE CAST(cases.office_id AS TEXT) IN ({}) AND cases.status = 'in_mediation' ORDER BY cases.created_at DESC, cases.id DESC LIMIT 51;\n",
        scope.join(", ")
    );
    let list_police = format!(
        "{lists} JOIN case_partner_offices p ON p.case_id = cases.id WHERE p.office_id = '{}' ORDER BY p.case_created_at DESC, p.case_id DESC LIMIT 51;\n",
        fixture.police_office_id
    );
    // The service looks the office's keys up first (at most 1,001 candidates), then lists them
    // with the substring as the recheck (`cases::search_index`): here as one statement.
    let search_keys = mediation_tracker::domain::search_keys::query_keys(
        &term.to_lowercase(),
        Some(office.as_str()),
    )
    .join(" ");
    let search = format!(
        "{lists} WHERE cases.office_id = '{office}' AND cases.id IN (SELECT case_id FROM case_search WHERE keys @> string_to_array('{search_keys}', ' ') LIMIT 1001) AND cases.search_text LIKE '%{}%' ORDER BY cases.created_at DESC, cases.id DESC LIMIT 51;\n",
        term.to_lowercase()
    );
    // An intake's answer carries its warnings (`employers::use_cases::warnings_for_case`): after
    // the commit, the same reads of a worker's other cases, the employer's and its open risks.
    let open = mediation_tracker::employers::OPEN_STATUSES
        .iter()
        .map(|status| format!("'{}'", status.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // An intake also writes the case's search keys (`cases::search_index::store`). Its order is
    // the service's (`cases::intake::register`): the number first, the case with its timeline's
    // head already set, then the event, keys and parties.
    let intake_keys = mediation_tracker::domain::search_keys::case_keys(
        &format!("b-x\n{}\n张先生", term.to_lowercase()),
        intake_office,
    )
    .join(" ");
    let intake = format!(
        "BEGIN;\n\
         SELECT md5(random()::text || clock_timestamp()::text) AS cid \\gset\n\
         INSERT INTO case_number_counters (office_id, year, last_value) VALUES ('{intake_office}', 2099, 1) ON CONFLICT (office_id, year) DO UPDATE SET last_value = case_number_counters.last_value + 1 RETURNING last_value;\n\
         INSERT INTO cases (id, case_number, office_id, status, category, channel, summary, claimed_amount_fen, agreed_amount_fen, recovered_amount_fen, workers_involved, collective, flags, received_at, mediation_deadline, deadline_passes_at, employer_name, employer_contact_phone_cipher, employer_contact_phone_masked, search_text, events_count, events_head, created_at, updated_at, version) VALUES (':cid', 'B-' || ':cid', '{intake_office}', 'intake', 'wage_arrears', 'walk_in', '企业拖欠工资，职工申请调解。', 300000, 0, 0, 1, false, '', now(), current_date + 15, now() + interval '15 days', '{term}', 'v1:cipher', '138****5678', ':cid', 1, md5(':cid'), now(), now(), 1);\n\
         INSERT INTO case_events (id, case_id, sequence, kind, actor_kind, occurred_at, data, previous_hash, hash) VALUES (':cid' || 'i', ':cid', 1, 'intake', 'user', now(), '{{}}', '0', md5(':cid'));\n\
         INSERT INTO case_search (case_id, keys) VALUES (':cid', string_to_array('{intake_keys}', ' '));\n\
         INSERT INTO case_employers (case_id, employer_key, employer_name_normalized) VALUES (':cid', 'nm-{term}', '{term}');\n\
         INSERT INTO case_parties (id, case_id, kind, name, id_number_cipher, id_number_masked, id_number_hash, phone_cipher, phone_masked, created_at) VALUES (':cid' || 'w', ':cid', 'worker', '张先生', 'v1:cipher', '4405**********0013', md5(':cid'), 'v1:cipher', '139****1111', now());\n\
         INSERT INTO case_parties (id, case_id, kind, name, created_at) VALUES (':cid' || 'e', ':cid', 'employer', '{term}', now());\n\
         END;\n\
         SELECT id_number_hash FROM case_parties WHERE case_id = ':cid' AND id_number_hash IS NOT NULL;\n\
         SELECT DISTINCT c.id, c.case_number FROM case_parties p JOIN cases c ON c.id = p.case_id WHERE c.office_id = '{intake_office}' AND p.id_number_hash IN (md5(':cid')) AND c.id <> ':cid' AND c.status IN ({open}) ORDER BY c.case_number, c.id LIMIT 20;\n\
         SELECT c.id, c.case_number FROM cases c JOIN case_employers e ON e.case_id = c.id WHERE c.office_id = '{intake_office}' AND e.employer_key = 'nm-{term}' AND c.id <> ':cid' AND c.status IN ({open}) ORDER BY c.case_number, c.id LIMIT 20;\n\
         SELECT id, level, status, category, office_id, case_id, created_at, employer_name FROM risks WHERE office_id = '{intake_office}' AND employer_credit_code IS NULL AND employer_name_normalized = '{term}' AND status IN ('open', 'handling') ORDER BY created_at DESC, id DESC;\n"
    );
    match scenario {
        Scenario::Healthz => "SELECT 1;\n".into(),
        Scenario::Intake => intake,
        Scenario::Read => read,
        Scenario::Timeline => timeline,
        Scenario::List => list,
        Scenario::ListSupervisor => list_supervisor,
        Scenario::ListPolice => list_police,
        Scenario::Search => search,
        // Mixed weighs the scripts above (`run`); public_apply has none (see `has_pgbench`).
        Scenario::Mixed | Scenario::PublicApply => String::new(),
    }
}

/// Runs the scenario's SQL with pgbench for `seconds`; returns transactions per second.
pub fn run(scenario: Scenario, fixture: &Fixture, url: &str, seconds: u64) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir()?;
    let mut args: Vec<String> = vec![
        "-n".into(),
        "-c".into(),
        "16".into(),
        "-j".into(),
        "2".into(),
        "-T".into(),
        seconds.to_string(),
    ];
    let scripts: Vec<(Scenario, u32)> = match scenario {
        Scenario::Mixed => vec![
            (Scenario::Read, 20),
            (Scenario::Timeline, 20),
            (Scenario::List, 20),
            (Scenario::Search, 20),
            (Scenario::Intake, 20),
        ],
        other => vec![(other, 1)],
    };
    for (part, weight) in scripts {
        let path = dir.path().join(format!("{}.sql", part.name()));
        std::fs::write(&path, script(part, fixture))?;
        args.push("-f".into());
        args.push(format!("{}@{weight}", path.display()));
    }
    args.push(url.to_owned());
    let output = Command::new("pgbench").args(&args).output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        anyhow::bail!(
            "pgbench failed: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("tps = ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output: {stdout}"))
}
