//! Risk screening (风险隐患排查, docs/prevention.md): grid workers report risks, the union
//! office handles them — start, resolve or close, or register a case — each step on the risk's
//! timeline; overdue risks are reminded once; who sees what; the figures.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{TestApp, TestResponse};
use crate::personas::{Persona, World};

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

fn path(risk: &Value) -> String {
    format!("/api/v1/risks/{}", id(risk))
}

fn body(category: &str, level: &str, employer: &str) -> Value {
    json!({"category": category, "level": level, "employer": {"name": employer},
           "workers_affected": 30, "summary": "厂区传言下月停产，工人两个月未发工资。"})
}

async fn report(app: &TestApp, persona: &Persona, body: &Value) -> Value {
    let response = app
        .post_json("/api/v1/risks", Some(&persona.token), body)
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

async fn act(app: &TestApp, persona: &Persona, risk: &Value, action: &str) -> TestResponse {
    app.post_json(
        &format!("{}/transitions", path(risk)),
        Some(&persona.token),
        &json!({"action": action, "note": "已约谈企业负责人"}),
    )
    .await
}

/// The ids of a risk list's items, in order.
async fn listed(app: &TestApp, persona: &Persona, query: &str) -> Vec<String> {
    let response = app
        .get(&format!("/api/v1/risks{query}"), Some(&persona.token))
        .await;
    assert_eq!(response.status, 200, "{query}: {}", response.text());
    response.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| id(r).to_owned())
        .collect()
}

async fn fresh(app: &TestApp, persona: &Persona) -> Persona {
    app.sign_in(&persona.email, &persona.password).await
}

api_test!(
    async fn a_grid_worker_reports_a_risk_the_mediator_starts_and_resolves_it_and_each_step_is_on_its_timeline(app) {
        let world = app.world().await;
        let risk = report(&app, &world.grid_worker, &body("wage_arrears", "high", "鹤山市沙坪某五金厂")).await;
        assert_eq!(risk["status"], "open");
        assert_eq!(risk["source"], "grid_worker", "the default source of a grid worker");
        assert_eq!(risk["office_id"], world.town_union["id"]);
        assert_eq!(risk["overdue"], false);
        assert!(risk.get("notes").is_none() && risk.get("version").is_none(), "the reporter's view is reduced: {risk}");
        let created = chrono::DateTime::parse_from_rfc3339(risk["created_at"].as_str().unwrap()).unwrap();
        let due = chrono::DateTime::parse_from_rfc3339(risk["due_at"].as_str().unwrap()).unwrap();
        assert_eq!(due - created, chrono::Duration::days(3), "a high risk is due in 3 days");

        let m = &world.mediator;
        let edited = app
            .json_request("PATCH", &path(&risk), Some(&m.token),
                &json!({"notes": "已联系企业，承诺月底前发放", "assignee_id": m.id, "level": "major"}))
            .await;
        assert_eq!(edited.status, 200, "{}", edited.text());
        assert_eq!(edited.json()["version"], 2);
        assert_eq!(edited.header("etag"), Some("\"2\""));
        assert_eq!(edited.json()["assignee_id"], m.id.as_str());
        let due = chrono::DateTime::parse_from_rfc3339(edited.json()["due_at"].as_str().unwrap()).unwrap();
        assert_eq!(due - created, chrono::Duration::days(1), "a major risk is due the next day");

        assert_eq!(act(&app, m, &risk, "resolve").await.assert_problem(409, "invalid_transition")["status"], 409);
        let started = act(&app, m, &risk, "start").await;
        assert_eq!(started.status, 200, "{}", started.text());
        assert_eq!(started.json()["status"], "handling");
        let resolved = act(&app, m, &risk, "resolve").await;
        assert_eq!(resolved.json()["status"], "resolved");
        assert!(resolved.json()["concluded_at"].is_string());
        act(&app, m, &risk, "close").await.assert_problem(409, "invalid_transition");
        app.json_request("PATCH", &path(&risk), Some(&m.token), &json!({"summary": "改"}))
            .await
            .assert_problem(409, "risk_concluded");

        let read = app.get(&path(&risk), Some(&m.token)).await.json();
        let kinds: Vec<&str> = read["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["reported", "edited", "started", "resolved"]);
        assert_eq!(read["events"][0]["actor_role"], "grid_worker");
        assert_eq!(read["events"][3]["data"]["note"], "已约谈企业负责人");
        assert_eq!(read["notes"], "已联系企业，承诺月底前发放");

        let seen_by_reporter = app.get(&path(&risk), Some(&world.grid_worker.token)).await.json();
        assert_eq!(seen_by_reporter["status"], "resolved");
        assert!(seen_by_reporter.get("notes").is_none() && seen_by_reporter.get("events").is_none()
            && seen_by_reporter.get("assignee_id").is_none(), "{seen_by_reporter}");
    }
);

api_test!(
    async fn lists_filter_by_category_level_status_overdue_and_employer(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let wages = report(&app, m, &body("wage_arrears", "high", "南昌市某某服装有限责任公司")).await;
        let mut coded = body("restructuring", "low", "洪城机械厂");
        coded["employer"]["credit_code"] = json!("91350100M000100Y43");
        let restructuring = report(&app, m, &coded).await;
        let layoff = report(&app, m, &body("mass_layoff", "major", "赣江电子")).await;
        assert_eq!(act(&app, m, &layoff, "close").await.status, 200);

        assert_eq!(listed(&app, m, "").await, [id(&layoff), id(&restructuring), id(&wages)], "newest first");
        assert_eq!(listed(&app, m, "?category=restructuring").await, [id(&restructuring)]);
        assert_eq!(listed(&app, m, "?level=high").await, [id(&wages)]);
        assert_eq!(listed(&app, m, "?status=closed").await, [id(&layoff)]);
        assert_eq!(listed(&app, m, "?status=open&level=low").await, [id(&restructuring)]);
        // The employer: part of the normalised name (full-width, spaces, the long company form) …
        assert_eq!(listed(&app, m, "?employer=%E6%9C%8D%E8%A3%85%20%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8").await, [id(&wages)]);
        // … or the exact credit code.
        assert_eq!(listed(&app, m, "?employer=91350100M000100Y43").await, [id(&restructuring)]);
        assert!(listed(&app, m, "?employer=%25").await.is_empty(), "a % is a character, not a wildcard");

        assert!(listed(&app, m, "?overdue=true").await.is_empty());
        app.state.clock.advance(chrono::Duration::days(4));
        let m = fresh(&app, m).await;
        assert_eq!(listed(&app, &m, "?overdue=true").await, [id(&wages)], "high: 3 days; the closed one is never overdue");
        assert_eq!(listed(&app, &m, "?overdue=false").await, [id(&layoff), id(&restructuring)]);
        let page = app.get("/api/v1/risks?limit=2", Some(&m.token)).await.json();
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        let cursor = page["next_cursor"].as_str().unwrap();
        let next = app.get(&format!("/api/v1/risks?limit=2&cursor={cursor}"), Some(&m.token)).await.json();
        assert_eq!(next["items"][0]["id"], wages["id"]);
        assert!(next["next_cursor"].is_null());
        app.get("/api/v1/risks?level=urgent", Some(&m.token)).await.assert_problem(400, "invalid_query");
    }
);

/// The outbox rows of the overdue-risk reminder: (recipients, subject, body).
async fn reminders(app: &TestApp) -> Vec<(String, String, String)> {
    app.state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table
                .filter(outbox::template.eq("risk_overdue"))
                .select((outbox::recipients, outbox::subject, outbox::body))
                .load::<(String, String, String)>(c)?)
        })
        .await
        .unwrap()
}

async fn remind(app: &TestApp) -> usize {
    let now = app.state.clock.now();
    app.state
        .db
        .run(move |c| mediation_tracker::risks::remind_overdue(c, now))
        .await
        .unwrap()
}

api_test!(
    async fn reminders_for_overdue_risks_send_mail_to_the_assignee_once(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let risk = report(&app, &world.grid_worker, &body("wage_arrears", "medium", "沙坪某鞋厂")).await;
        let assigned = app.json_request("PATCH", &path(&risk), Some(&m.token), &json!({"assignee_id": m.id})).await;
        assert_eq!(assigned.status, 200, "{}", assigned.text());
        let handled = report(&app, m, &body("wage_arrears", "medium", "沙坪某纸箱厂")).await;
        assert_eq!(act(&app, m, &handled, "close").await.status, 200);

        assert_eq!(remind(&app).await, 0);
        app.state.clock.advance(chrono::Duration::days(7) - chrono::Duration::minutes(1));
        assert_eq!(remind(&app).await, 0, "a medium risk is due after 7 days");
        app.state.clock.advance(chrono::Duration::minutes(2));
        assert_eq!(remind(&app).await, 1, "overdue: the open one, not the closed one");
        assert_eq!(remind(&app).await, 0, "once per risk");
        app.state.clock.advance(chrono::Duration::days(30));
        assert_eq!(remind(&app).await, 0, "still once");
        let rows = reminders(&app).await;
        assert_eq!(rows.len(), 1);
        let (recipients, subject, body) = &rows[0];
        assert_eq!(recipients, &m.email);
        assert!(subject.contains("沙坪某鞋厂") && subject.contains("风险隐患"), "{subject}");
        assert!(body.contains(id(&risk)) && body.contains("较大") && body.contains("30 workers"), "{body}");
    }
);

api_test!(
    async fn a_risk_turned_into_a_case_links_both_ways_and_cannot_be_turned_twice(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let mut reported = body("restructuring", "high", "沙坪某家具厂");
        reported["employer"]["credit_code"] = json!("91350100M000100Y43");
        let risk = report(&app, &world.grid_worker, &reported).await;
        let response = app
            .post_json(&format!("{}/cases", path(&risk)), Some(&m.token),
                &json!({"claimed_amount_fen": 4_500_000,
                        "workers": [{"name": "王师傅", "phone": "13900002222"}]}))
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        let made = response.json();
        let case = &made["case"];
        assert_eq!(response.header("location").unwrap(), format!("/api/v1/cases/{}", id(case)));
        assert_eq!(case["employer"]["name"], "沙坪某家具厂");
        assert_eq!(case["employer"]["credit_code"], "91350100M000100Y43");
        assert_eq!(case["category"], "compensation");
        assert_eq!(case["channel"], "grid_worker");
        assert_eq!(case["workers_involved"], 30);
        assert_eq!(made["risk"]["case_id"], case["id"]);
        assert_eq!(made["risk"]["status"], "handling", "an open risk starts when a case is made from it");

        let events = app.get(&format!("/api/v1/cases/{}/events", id(case)), Some(&m.token)).await.json();
        let from_risk: Vec<&Value> = events["items"].as_array().unwrap().iter()
            .filter(|e| e["kind"] == "created_from_risk").collect();
        assert_eq!(from_risk.len(), 1, "{events}");
        assert_eq!(from_risk[0]["data"]["risk_id"], risk["id"]);
        let read = app.get(&path(&risk), Some(&m.token)).await.json();
        assert_eq!(read["case_id"], case["id"]);
        assert_eq!(read["events"].as_array().unwrap().last().unwrap()["kind"], "case_registered");
        assert_eq!(app.get(&path(&risk), Some(&world.grid_worker.token)).await.json()["case_id"], case["id"]);
        app.post_json(&format!("{}/cases", path(&risk)), Some(&m.token), &json!({}))
            .await
            .assert_problem(409, "risk_has_case");
        app.get(&format!("/api/v1/cases/{}", id(case)), Some(&world.grid_worker.token))
            .await
            .assert_problem(404, "not_found");
    }
);

api_test!(
    async fn a_grid_worker_sees_only_the_risks_they_reported_and_nothing_else(app) {
        let world = app.world().await;
        let g = &world.grid_worker;
        let own = report(&app, g, &body("gig_platform", "low", "某外卖平台站点")).await;
        let by_mediator = report(&app, &world.mediator, &body("wage_arrears", "low", "某餐馆")).await;
        let admin = app.admin().await;
        let other = app.create_persona(&admin, "grid_worker", &world.town_union).await;
        let others = report(&app, &other, &body("wage_arrears", "low", "某工地")).await;

        assert_eq!(listed(&app, g, "").await, [id(&own)]);
        app.get(&path(&by_mediator), Some(&g.token)).await.assert_problem(404, "not_found");
        app.get(&path(&others), Some(&g.token)).await.assert_problem(404, "not_found");
        app.json_request("PATCH", &path(&own), Some(&g.token), &json!({"summary": "x"}))
            .await
            .assert_problem(404, "not_found");
        act(&app, g, &own, "close").await.assert_problem(404, "not_found");
        for forbidden in ["/api/v1/cases", "/api/v1/referrals", "/api/v1/stats", "/api/v1/users",
                          "/api/v1/offices", "/api/v1/consultations"] {
            app.get(forbidden, Some(&g.token)).await.assert_problem(404, "not_found");
        }
        let mine = app.get("/api/v1/me", Some(&g.token)).await.json();
        assert_eq!(mine["role"], "grid_worker");

        // A grid worker belongs to a union office.
        let body = json!({"email": "grid.police@people.test", "name": "x", "role": "grid_worker",
                          "office_id": world.police["id"], "password": "a-long-enough-test-password"});
        let refused = app.post_json("/api/v1/users", Some(&admin.token), &body).await;
        assert_eq!(refused.status, 422, "{}", refused.text());
    }
);

api_test!(
    async fn another_offices_risk_is_404_and_a_supervisor_sees_the_risks_of_the_offices_below(app) {
        let world = app.world().await;
        let town = report(&app, &world.mediator, &body("wage_arrears", "low", "沙坪某厂")).await;
        let other = report(&app, &world.other_mediator, &body("wage_arrears", "low", "中山某厂")).await;
        app.get(&path(&other), Some(&world.mediator.token)).await.assert_problem(404, "not_found");
        act(&app, &world.mediator, &other, "start").await.assert_problem(404, "not_found");
        assert_eq!(listed(&app, &world.supervisor, "").await, [id(&town)], "the county sees the town");
        assert_eq!(app.get(&path(&town), Some(&world.supervisor.token)).await.status, 200);
        for outsider in [&world.police_officer, &world.lawyer, &world.admin] {
            app.get(&path(&town), Some(&outsider.token)).await.assert_problem(404, "not_found");
            assert!(listed(&app, outsider, "").await.is_empty());
        }
        let refused = app.post_json("/api/v1/risks", Some(&world.lawyer.token), &body("other", "low", "x")).await;
        refused.assert_problem(403, "forbidden");
    }
);

api_test!(
    async fn bad_input_is_422_with_every_field_named_and_a_stale_if_match_is_412(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let bad = json!({"category": "wage_arrears", "level": "high", "workers_affected": 0,
                         "employer": {"name": " ", "credit_code": "123"}, "summary": ""});
        let problem = app.post_json("/api/v1/risks", Some(&m.token), &bad).await.assert_problem(422, "validation_failed");
        let mut fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["employer.credit_code", "employer.name", "summary", "workers_affected"], "{problem}");
        let unknown = app.post_json("/api/v1/risks", Some(&m.token), &body("wage_arrears", "urgent", "x")).await;
        assert_eq!(unknown.status, 422, "{}", unknown.text());
        assert!(unknown.text().contains("level"), "{}", unknown.text());

        let risk = report(&app, m, &body("wage_arrears", "low", "某厂")).await;
        let request = app
            .request("PATCH", &path(&risk), Some(&m.token))
            .insert_header(("content-type", "application/json"))
            .insert_header(("if-match", "\"1\""));
        let first = app.send(request, Some(br#"{"summary": "first"}"#.to_vec())).await;
        assert_eq!(first.status, 200, "{}", first.text());
        let request = app
            .request("PATCH", &path(&risk), Some(&m.token))
            .insert_header(("content-type", "application/json"))
            .insert_header(("if-match", "\"1\""));
        app.send(request, Some(br#"{"summary": "second"}"#.to_vec()))
            .await
            .assert_problem(412, "version_conflict");
        let bad_assignee = app.json_request("PATCH", &path(&risk), Some(&m.token),
            &json!({"assignee_id": world.other_mediator.id})).await;
        let problem = bad_assignee.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "assignee_id");
    }
);

/// The prevention figures of `/stats` as `persona` reads them.
async fn prevention(app: &TestApp, persona: &Persona) -> Value {
    let response = app.get("/api/v1/stats", Some(&persona.token)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["prevention"].clone()
}

async fn consult(app: &TestApp, world: &World, outcome: &str) {
    let body = json!({"channel": "hotline_12351", "topic": "wage_arrears", "answered_by": "union_lawyer",
                      "minutes": "解答拖欠工资的维权途径", "outcome": outcome});
    let response = app
        .post_json("/api/v1/consultations", Some(&world.mediator.token), &body)
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
}

api_test!(
    async fn stats_figures_count_risks_found_handled_and_turned_into_cases_and_consultations(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let a = report(&app, &world.grid_worker, &body("wage_arrears", "high", "甲厂")).await;
        let b = report(&app, m, &body("wage_arrears", "low", "乙厂")).await;
        let c = report(&app, m, &body("restructuring", "low", "丙厂")).await;
        report(&app, &world.other_mediator, &body("wage_arrears", "low", "别处的厂")).await;
        assert_eq!(act(&app, m, &b, "close").await.status, 200);
        let made = app.post_json(&format!("{}/cases", path(&a)), Some(&m.token), &json!({})).await;
        assert_eq!(made.status, 201, "{}", made.text());
        assert_eq!(act(&app, m, &a, "resolve").await.status, 200);
        let _ = c;
        for outcome in ["advised", "advised", "legal_aid_granted", "became_case"] {
            consult(&app, &world, outcome).await;
        }

        let figures = prevention(&app, m).await;
        assert_eq!(figures["risks"], json!({"found": 3, "handled": 2, "turned_into_cases": 1}), "{figures}");
        assert_eq!(figures["risks_by_category"]["wage_arrears"], json!({"found": 2, "handled": 2, "turned_into_cases": 1}));
        assert_eq!(figures["risks_by_category"]["restructuring"], json!({"found": 1, "handled": 0, "turned_into_cases": 0}));
        assert_eq!(figures["risks_by_level"]["high"]["turned_into_cases"], 1);
        assert_eq!(figures["risks_by_level"]["low"]["found"], 2);
        assert_eq!(figures["consultations"], 4);
        assert_eq!(figures["consultations_by_outcome"]["advised"], 2);
        assert_eq!(figures["legal_aid_granted"], 1);
        let supervisor = prevention(&app, &world.supervisor).await;
        assert_eq!(supervisor["risks"]["found"], 3, "the county counts the town, not the other union");
        let other = prevention(&app, &world.other_mediator).await;
        assert_eq!(other["risks"]["found"], 1);
        assert_eq!(other["consultations"], 0);
        let tomorrow = (app.state.clock.now() + chrono::Duration::days(2)).date_naive();
        let later = app.get(&format!("/api/v1/stats?from={tomorrow}"), Some(&m.token)).await.json();
        assert_eq!(later["prevention"]["risks"]["found"], 0, "the period bounds the risks");
        assert_eq!(later["prevention"]["consultations"], 0);
    }
);
