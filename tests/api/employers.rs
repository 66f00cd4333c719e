//! Employers as a first-class view (issue 17 B, docs/prevention.md "Employers"): one employer's
//! cases and risks as far as the caller may see them, the supervisors' wage-arrears watch-list,
//! and the warnings an intake answers with — never naming another office's case.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{urlencode, TestApp};
use crate::personas::{furniture_factory_case, Persona};

const CODE: &str = "91350100M000100Y43";

/// A case against `employer` (name, credit code) claiming `fen`, for a worker with `id_number`.
fn case_against(name: &str, code: Option<&str>, fen: i64, id_number: &str) -> Value {
    let mut case = furniture_factory_case();
    case["employer"]["name"] = json!(name);
    case["employer"]["credit_code"] = json!(code);
    case["claimed_amount_fen"] = json!(fen);
    case["workers"][0]["id_number"] = json!(id_number);
    case
}

async fn employer(app: &TestApp, persona: &Persona, id: &str) -> crate::helpers::TestResponse {
    app.get(
        &format!("/api/v1/employers/{}", urlencode(id)),
        Some(&persona.token),
    )
    .await
}

fn numbers(cases: &Value) -> Vec<String> {
    let mut numbers: Vec<String> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    numbers
}

api_test!(
    async fn the_employer_view_sums_amounts_over_two_offices_for_a_supervisor_but_one_for_a_mediator(app) {
        let world = app.world().await;
        let town = app.register_case(&world.mediator, &case_against("鹤山市沙坪某家具厂", Some(CODE), 300_000, "440524198001010013")).await;
        let county = app.register_case(&world.supervisor, &case_against("鹤山市沙坪某家具厂", Some(CODE), 500_000, "440524198001010021")).await;
        app.register_case(&world.other_mediator, &case_against("鹤山市沙坪某家具厂", Some(CODE), 700_000, "440524198001010048")).await;
        let id = format!("cc-{CODE}");

        let seen = employer(&app, &world.supervisor, &id).await;
        assert_eq!(seen.status, 200, "{}", seen.text());
        let seen = seen.json();
        assert_eq!(seen["claimed_amount_fen"], 800_000, "{seen}");
        assert_eq!((seen["open_cases"].as_i64(), seen["closed_cases"].as_i64()), (Some(2), Some(0)));
        let mut expected = vec![town["case_number"].as_str().unwrap().to_owned(), county["case_number"].as_str().unwrap().to_owned()];
        expected.sort();
        assert_eq!(numbers(&seen["cases"]), expected);

        let mine = employer(&app, &world.mediator, &id).await.json();
        assert_eq!(mine["claimed_amount_fen"], 300_000, "{mine}");
        assert_eq!(numbers(&mine["cases"]), [town["case_number"].as_str().unwrap()]);
        assert_eq!(mine["cases"][0]["office_name"], "沙坪街道工会");

        let theirs = employer(&app, &world.other_mediator, &id).await.json();
        assert_eq!(theirs["claimed_amount_fen"], 700_000, "{theirs}");

        employer(&app, &world.lawyer, &id).await.assert_problem(403, "forbidden");
        employer(&app, &world.grid_worker, &id).await.assert_problem(404, "not_found");
    }
);

api_test!(
    async fn another_offices_case_never_appears_in_the_employer_list_or_view(app) {
        let world = app.world().await;
        app.register_case(&world.other_mediator, &case_against("中山某电子厂", None, 100_000, "440524198001010013")).await;
        app.register_case(&world.mediator, &case_against("鹤山某五金厂", None, 100_000, "440524198001010021")).await;

        for persona in [&world.mediator, &world.supervisor] {
            let list = app.get("/api/v1/employers?q=%E7%94%B5%E5%AD%90", Some(&persona.token)).await.json();
            assert_eq!(list["items"], json!([]), "{list}");
            employer(&app, persona, "nm-中山某电子厂").await.assert_problem(404, "not_found");
            let all = app.get("/api/v1/employers", Some(&persona.token)).await.json();
            let ids: Vec<&str> = all["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
            assert_eq!(ids, ["nm-鹤山某五金厂"], "{all}");
        }
        let theirs = app.get("/api/v1/employers", Some(&world.other_mediator.token)).await.json();
        assert_eq!(theirs["items"][0]["id"], "nm-中山某电子厂", "{theirs}");
        assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    }
);

api_test!(
    async fn a_credit_code_match_beats_the_name(app) {
        let world = app.world().await;
        let m = &world.mediator;
        app.register_case(m, &case_against("鹤山甲厂", Some(CODE), 100_000, "440524198001010013")).await;
        app.register_case(m, &case_against("鹤山乙实业有限公司", Some(CODE), 200_000, "440524198001010021")).await;
        app.register_case(m, &case_against("鹤山甲厂", None, 400_000, "440524198001010048")).await;

        let coded = employer(&app, m, &format!("cc-{CODE}")).await.json();
        assert_eq!(coded["claimed_amount_fen"], 300_000, "{coded}");
        assert_eq!(coded["names"], json!(["鹤山乙实业有限公司", "鹤山甲厂"]));
        assert_eq!(coded["credit_code"], CODE);
        let named = employer(&app, m, "nm-鹤山甲厂").await.json();
        assert_eq!(named["claimed_amount_fen"], 400_000, "{named}");
        assert_eq!(named["credit_code"], Value::Null);

        let by_code = app.get(&format!("/api/v1/employers?q={CODE}"), Some(&m.token)).await.json();
        let ids: Vec<&str> = by_code["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [format!("cc-{CODE}")], "{by_code}");

        // A name picks the employer; its count is all its cases, under any spelling.
        let by_name = app.get("/api/v1/employers?q=%E4%B9%99%E5%AE%9E%E4%B8%9A", Some(&m.token)).await.json();
        assert_eq!(by_name["items"].as_array().unwrap().len(), 1, "{by_name}");
        assert_eq!(by_name["items"][0]["id"], format!("cc-{CODE}"));
        assert_eq!(by_name["items"][0]["cases"], 2, "{by_name}");
    }
);

api_test!(
    async fn another_offices_spelling_of_a_credit_code_never_picks_the_employer_in_a_search(app) {
        let world = app.world().await;
        let (mine, theirs) = (&world.mediator, &world.other_mediator);
        app.register_case(mine, &case_against("鹤山鸿海厂", Some(CODE), 100_000, "440524198001010013")).await;
        app.register_case(theirs, &case_against("鹤山富士康厂", Some(CODE), 100_000, "440524198001010021")).await;

        // 富士康 is only the other office's spelling: searching it finds nothing here.
        let by_their_name = app.get("/api/v1/employers?q=%E5%AF%8C%E5%A3%AB%E5%BA%B7", Some(&mine.token)).await.json();
        assert_eq!(by_their_name["items"], json!([]), "{by_their_name}");
        // My own spelling finds the employer, with my one case.
        let by_my_name = app.get("/api/v1/employers?q=%E9%B8%BF%E6%B5%B7", Some(&mine.token)).await.json();
        assert_eq!(by_my_name["items"][0]["id"], format!("cc-{CODE}"), "{by_my_name}");
        assert_eq!(by_my_name["items"][0]["cases"], 1, "{by_my_name}");
        assert!(!by_my_name.to_string().contains("富士康"), "{by_my_name}");
    }
);

api_test!(
    async fn full_width_and_company_form_variants_of_a_name_are_one_employer(app) {
        let world = app.world().await;
        let m = &world.mediator;
        for (i, name) in ["鹤山市宏达家具有限公司", "鹤山市 宏达家具有限责任公司", "（鹤山市）宏达家具有限公司　"].iter().enumerate() {
            let id_number = ["440524198001010013", "440524198001010021", "440524198001010048"][i];
            app.register_case(m, &case_against(name, None, 100_000, id_number)).await;
        }
        let list = app.get("/api/v1/employers?q=%EF%BC%88%E5%AE%8F%E8%BE%BE%EF%BC%89", Some(&m.token)).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list["items"][0]["id"], "nm-鹤山市宏达家具有限公司");
        assert_eq!(list["items"][0]["cases"], 3);
        let view = employer(&app, m, "nm-鹤山市宏达家具有限责任公司").await.json();
        assert_eq!(view["claimed_amount_fen"], 300_000, "{view}");
        assert_eq!(view["names"].as_array().unwrap().len(), 3);
    }
);

api_test!(
    async fn intake_warns_about_a_duplicate_id_number_in_my_office_but_not_about_one_in_another_office(app) {
        let world = app.world().await;
        let first = app.register_case(&world.mediator, &case_against("鹤山某家具厂", Some(CODE), 100_000, "440524198001010013")).await;
        assert_eq!(first["warnings"], json!([]), "{first}");

        // Another office: same worker, same employer — nothing of the first office is named.
        let elsewhere = app.register_case(&world.other_mediator, &case_against("鹤山某家具厂", Some(CODE), 100_000, "440524198001010013")).await;
        assert_eq!(elsewhere["warnings"], json!([]), "{elsewhere}");
        assert!(!elsewhere.to_string().contains(first["case_number"].as_str().unwrap()));

        // My office: the same ID number, typed in full-width with spaces, and the same employer.
        let again = app.register_case(&world.mediator, &case_against("鹤山某家具厂", Some(CODE), 100_000, "４４０５２４ １９８００１０１００１３")).await;
        let warnings = again["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 2, "{again}");
        assert_eq!(warnings[0]["kind"], "possible_duplicate");
        assert_eq!(warnings[0]["cases"], json!([{"case_number": first["case_number"], "id": first["id"]}]));
        assert_eq!(warnings[1]["kind"], "repeat_employer");
        assert_eq!(numbers(&warnings[1]["cases"]), [first["case_number"].as_str().unwrap()]);
        assert_eq!(warnings[1]["employer_id"], format!("cc-{CODE}"));
        assert!(!again.to_string().contains(elsewhere["case_number"].as_str().unwrap()), "{again}");

        // The supervisor above sees both town cases; a closed case warns no more.
        for action in [json!({"action": "reject", "reason": "重复登记"})] {
            let moved = app.transition(&world.mediator, &again, action).await;
            assert_eq!(moved.status, 200, "{}", moved.text());
        }
        let county = app.register_case(&world.supervisor, &case_against("另一家厂", None, 100_000, "440524198001010013")).await;
        assert_eq!(county["warnings"][0]["kind"], "possible_duplicate", "{county}");
        assert_eq!(numbers(&county["warnings"][0]["cases"]), [first["case_number"].as_str().unwrap()]);
        assert_eq!(county["warnings"].as_array().unwrap().len(), 1);
    }
);

api_test!(
    async fn a_warning_names_the_first_twenty_cases_by_case_number_when_a_worker_has_more(app) {
        let world = app.world().await;
        let mut earlier = Vec::new();
        for _ in 0..21 {
            let case = app.register_case(&world.mediator, &case_against("鹤山某家具厂", None, 100_000, "440524198001010013")).await;
            earlier.push(case["case_number"].as_str().unwrap().to_owned());
        }
        let last = app.register_case(&world.mediator, &case_against("鹤山某家具厂", None, 100_000, "440524198001010013")).await;
        earlier.sort();
        for warning in last["warnings"].as_array().unwrap() {
            // The order answered is the case-number order, not only the same set.
            let answered: Vec<&str> = warning["cases"].as_array().unwrap().iter().map(|c| c["case_number"].as_str().unwrap()).collect();
            assert_eq!(answered, earlier[..20], "{last}");
        }
        assert_eq!(last["warnings"].as_array().unwrap().len(), 2, "{last}");
    }
);

api_test!(
    async fn intake_names_an_open_risk_against_the_employer(app) {
        let world = app.world().await;
        let risk = app.post_json("/api/v1/risks", Some(&world.mediator.token),
            &json!({"category": "wage_arrears", "level": "high", "employer": {"name": "鹤山市宏达家具有限责任公司"},
                    "workers_affected": 30, "summary": "工人两个月未发工资。"})).await;
        assert_eq!(risk.status, 201, "{}", risk.text());
        let risk = risk.json();
        let case = app.register_case(&world.mediator, &case_against("鹤山市宏达家具有限公司", None, 100_000, "440524198001010013")).await;
        assert_eq!(case["warnings"][0]["kind"], "repeat_employer", "{case}");
        assert_eq!(case["warnings"][0]["risks"], json!([risk["id"]]));
        assert_eq!(case["warnings"][0]["cases"], json!([]));
        let elsewhere = app.register_case(&world.other_mediator, &case_against("鹤山市宏达家具有限公司", None, 100_000, "440524198001010013")).await;
        assert_eq!(elsewhere["warnings"], json!([]), "{elsewhere}");

        let view = employer(&app, &world.mediator, "nm-鹤山市宏达家具有限公司").await.json();
        assert_eq!(view["risks"][0]["id"], risk["id"], "{view}");
        assert_eq!(view["risks"][0]["level"], "high");
    }
);

/// Takes a case to mediation and records an agreement paying `fen` today.
async fn agree(app: &TestApp, persona: &Persona, case: &Value, fen: i64) {
    for action in ["accept", "start"] {
        let moved = app
            .transition(persona, case, json!({"action": action}))
            .await;
        assert_eq!(moved.status, 200, "{}", moved.text());
    }
    let today = app.state.clock.now().date_naive();
    let signed = app.post_json(&format!("/api/v1/cases/{}/agreements", case["id"].as_str().unwrap()), Some(&persona.token),
        &json!({"signed_at": app.state.clock.now(), "terms": [{"description": "支付欠薪", "amount_fen": fen, "payee": "张先生", "due_date": today.to_string()}]})).await;
    assert_eq!(signed.status, 201, "{}", signed.text());
}

api_test!(
    async fn the_watch_list_gives_each_employer_its_reasons_over_the_supervisors_offices(app) {
        let world = app.world().await;
        let m = &world.mediator;
        for id_number in ["440524198001010013", "440524198001010021", "440524198001010048"] {
            app.register_case(m, &case_against("甲厂", None, 100_000, id_number)).await;
        }
        for id_number in ["440524198001010013", "440524198001010021"] {
            app.register_case(m, &case_against("乙厂", None, 100_000, id_number)).await;
        }
        let owing = app.register_case(&world.supervisor, &case_against("丙厂", None, 300_000, "440524198001010013")).await;
        agree(&app, &world.supervisor, &owing, 300_000).await;
        let risk = app.post_json("/api/v1/risks", Some(&m.token),
            &json!({"category": "mass_layoff", "level": "major", "employer": {"name": "丁厂"}, "workers_affected": 80, "summary": "传言下月裁员。"})).await;
        assert_eq!(risk.status, 201, "{}", risk.text());
        for id_number in ["440524198001010013", "440524198001010021", "440524198001010048"] {
            app.register_case(&world.other_mediator, &case_against("戊厂", None, 100_000, id_number)).await;
        }

        // The agreement's payment falls due today: overdue from tomorrow.
        app.state.clock.advance(chrono::Duration::days(2));
        let supervisor = app.sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let list = app.get("/api/v1/employers/watchlist", Some(&supervisor.token)).await;
        assert_eq!(list.status, 200, "{}", list.text());
        let list = list.json();
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["nm-丁厂", "nm-丙厂", "nm-甲厂"], "{list}");
        let reasons = |i: usize| list["items"][i]["reasons"].clone();
        assert_eq!(reasons(0)[0]["kind"], "high_risk");
        assert_eq!(reasons(0)[0]["risks"], json!([risk.json()["id"]]));
        assert_eq!(reasons(1)[0]["kind"], "payment_overdue");
        assert_eq!(reasons(1)[0]["cases"][0]["case_number"], owing["case_number"]);
        assert_eq!((reasons(2)[0]["kind"].as_str(), reasons(2)[0]["count"].as_i64()), (Some("repeated_disputes"), Some(3)));

        let view = app.get(&format!("/api/v1/employers/{}", urlencode("nm-丙厂")), Some(&supervisor.token)).await.json();
        assert_eq!(view["agreements_with_missed_payments"], 1, "{view}");
        assert_eq!(view["agreed_amount_fen"], 300_000);
        assert_eq!(view["paid_amount_fen"], 0);

        let mediator = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        app.get("/api/v1/employers/watchlist", Some(&mediator.token)).await.assert_problem(403, "forbidden");
        let other = app.sign_in(&world.other_mediator.email, &world.other_mediator.password).await;
        app.get("/api/v1/employers/watchlist", Some(&other.token)).await.assert_problem(403, "forbidden");
    }
);

/// The console's intake form for Mr Zhang against the furniture factory (credit code `CODE`).
fn intake_form(received_at: &str) -> Vec<(&'static str, String)> {
    [
        ("category", "wage_arrears"),
        ("channel", "walk_in"),
        ("summary", "家具厂拖欠张先生工资。"),
        ("received_at", received_at),
        ("claimed_amount", "3,000"),
        ("workers_involved", ""),
        ("employer.name", "鹤山市沙坪某家具厂"),
        ("employer.credit_code", CODE),
        ("workers[0].name", "张先生"),
        ("workers[0].id_number", "440524198001010013"),
        ("workers[0].role", "claimant"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

api_test!(
    async fn the_console_intake_shows_the_mediator_what_it_found_and_another_office_nothing(app) {
        let world = app.world().await;
        let first = app.register_case(&world.mediator, &case_against("鹤山市沙坪某家具厂", Some(CODE), 100_000, "440524198001010013")).await;
        // An hour ago in Beijing time, as the form's datetime-local field takes it: `00:30` of
        // today's date was in the future for the first half hour after Beijing's midnight.
        let received = (app.state.clock.now() + chrono::Duration::hours(8) - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M");
        let fields = intake_form(&received.to_string());
        let form: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();

        let console = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        let posted = app.console_post(&console, "/console/cases/new", &form).await;
        assert_eq!(posted.status, 303, "{}", posted.text());
        let location = posted.header("location").unwrap().to_owned();
        assert!(location.ends_with("/warnings"), "{location}");
        let page = app.console_get(&console, &location).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.text();
        assert!(page.contains("有在办案件的劳动者身份证号码相同"), "{page}");
        assert!(page.contains("该用人单位已有在办案件或风险隐患"), "{page}");
        assert!(page.contains(first["case_number"].as_str().unwrap()), "{page}");
        let case_id = location.trim_start_matches("/console/cases/").trim_end_matches("/warnings");
        assert!(page.contains(&format!("href=\"/console/cases/{case_id}\"")), "{page}");

        let elsewhere = app.console_sign_in(&world.other_mediator.email, &world.other_mediator.password).await;
        let posted = app.console_post(&elsewhere, "/console/cases/new", &form).await;
        assert_eq!(posted.status, 303, "{}", posted.text());
        let location = posted.header("location").unwrap();
        assert!(!location.ends_with("/warnings"), "another office learns nothing: {location}");
        let theirs = app.console_get(&elsewhere, &format!("/console/cases/{case_id}/warnings")).await;
        assert_eq!(theirs.status, 404, "{}", theirs.text());
        assert!(!theirs.text().contains(first["case_number"].as_str().unwrap()));
    }
);

api_test!(
    async fn the_figures_count_employers_with_two_or_more_cases_in_scope_as_repeat_employers(app) {
        let world = app.world().await;
        let m = &world.mediator;
        app.register_case(m, &case_against("甲厂", Some(CODE), 100_000, "440524198001010013")).await;
        app.register_case(m, &case_against("甲厂改名", Some(CODE), 100_000, "440524198001010021")).await;
        app.register_case(m, &case_against("乙厂", None, 100_000, "440524198001010013")).await;
        app.register_case(&world.supervisor, &case_against("乙 厂", None, 100_000, "440524198001010048")).await;
        app.register_case(m, &case_against("丙厂", None, 100_000, "440524198001010048")).await;
        app.register_case(&world.other_mediator, &case_against("丙厂", None, 100_000, "440524198001010021")).await;

        let county = app.get("/api/v1/stats", Some(&world.supervisor.token)).await.json();
        assert_eq!(county["prevention"]["repeat_employers"], 2, "甲 by code, 乙 over two offices: {}", county["prevention"]);
        let town = app.get("/api/v1/stats", Some(&m.token)).await.json();
        assert_eq!(town["prevention"]["repeat_employers"], 1, "{}", town["prevention"]);
    }
);

api_test!(
    async fn a_workers_online_application_is_never_told_of_another_case(app) {
        let world = app.world().await;
        let first = app.register_case(&world.mediator, &case_against("鹤山市某家具厂", None, 100_000, "440524198001010013")).await;
        let id = world.town_union["id"].as_str().unwrap();
        let opened = app.json_request("PATCH", &format!("/api/v1/offices/{id}"), Some(&world.admin.token), &json!({"accepts_online": true})).await;
        assert_eq!(opened.status, 200, "{}", opened.text());
        let sent = app.post_json("/api/v1/public/verifications", None, &json!({"phone": "13900011111"})).await;
        assert_eq!(sent.status, 202, "{}", sent.text());
        let texted: String = app.state.db.run(|c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table.filter(outbox::template.eq("sms_verification_code")).select(outbox::body).first::<String>(c)?)
        }).await.unwrap();
        let code = serde_json::from_str::<Value>(&texted).unwrap()["code"].as_str().unwrap().to_owned();
        let applied = app.post_json("/api/v1/public/applications", None, &json!({
            "office_code": world.town_union["code"], "phone": "13900011111", "verification_code": code,
            "name": "张先生", "id_number": "440524198001010013", "category": "wage_arrears",
            "summary": "家具厂拖欠工资。", "claimed_amount_fen": 100_000, "workers_involved": 1,
            "employer": {"name": "鹤山市某家具厂"}, "sms_consent": true})).await;
        assert_eq!(applied.status, 201, "{}", applied.text());
        let answer = applied.text();
        assert!(!answer.contains("warnings"), "{answer}");
        assert!(!answer.contains(first["case_number"].as_str().unwrap()), "{answer}");
        assert!(!answer.contains(first["id"].as_str().unwrap()), "{answer}");
    }
);

api_test!(
    async fn cases_registered_before_employers_were_keyed_are_keyed_once_after_migrating(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &case_against("鹤山市 宏达家具有限责任公司", None, 100_000, "440524198001010013")).await;
        let keyed = app.state.db.run(|c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::case_employers;
            diesel::delete(case_employers::table).execute(c)?;
            let first = mediation_tracker::employers::backfill_keys(c)?;
            let again = mediation_tracker::employers::backfill_keys(c)?;
            Ok((first, again))
        }).await.unwrap();
        assert_eq!(keyed, (1, 0));
        let view = employer(&app, &world.mediator, "nm-鹤山市宏达家具有限公司").await;
        assert_eq!(view.status, 200, "{}", view.text());
        assert_eq!(view.json()["claimed_amount_fen"], 100_000);
    }
);
