//! Collective disputes (issue 17 part C, docs/cases.md "Collective disputes"): the roster of a
//! case worker by worker, payments shared among the workers, the worker's own share on the
//! tracking view, `sort=priority`, and the figure of workers paid in full.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{Persona, World};

/// A wage-arrears case of `count` workers, each claiming 2,000 yuan + 100 yuan × their number.
fn collective_case(count: usize) -> Value {
    let workers: Vec<Value> = (0..count)
        .map(|i| json!({"name": format!("工人{i:02}"), "role": "claimant"}))
        .collect();
    json!({
        "category": "wage_arrears", "channel": "walk_in",
        "summary": "电子厂停产，拖欠十二名工人两个月工资。",
        "claimed_amount_fen": 0, "workers_involved": count,
        "employer": {"name": "鹤山市某电子厂"},
        "workers": workers
    })
}

/// The roster of `case`, every page of `limit`, as `persona` reads it.
async fn roster(app: &TestApp, persona: &Persona, case_id: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/cases/{case_id}/roster?limit={limit}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = app.get(&path, Some(&persona.token)).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.json();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

async fn put_entry(
    app: &TestApp,
    persona: &Persona,
    case_id: &str,
    party_id: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    let path = format!("/api/v1/cases/{case_id}/roster/{party_id}");
    app.json_request("PUT", &path, Some(&persona.token), &body)
        .await
}

/// A collective case in mediation (it takes payments) and its roster.
async fn case_in_mediation(app: &TestApp, world: &World, count: usize) -> (Value, Vec<Value>) {
    let case = app
        .register_case(&world.mediator, &collective_case(count))
        .await;
    for action in ["accept", "start"] {
        let moved = app
            .transition(&world.mediator, &case, json!({"action": action}))
            .await;
        assert_eq!(moved.status, 200, "{}", moved.text());
    }
    let id = case["id"].as_str().unwrap().to_owned();
    let workers = roster(app, &world.mediator, &id, 50).await;
    (case, workers)
}

api_test!(
    async fn a_collective_case_keeps_a_roster_of_twelve_workers_with_their_claimed_amounts(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &collective_case(12)).await;
        assert_eq!(case["collective"], true);
        let case_id = case["id"].as_str().unwrap();
        let workers = roster(&app, &world.mediator, case_id, 5).await;
        assert_eq!(workers.len(), 12, "three pages of five, five and two");
        assert!(workers.iter().all(|w| w["claimed_amount_fen"] == 0 && w["version"] == 0));

        for (i, worker) in workers.iter().enumerate() {
            let put = put_entry(&app, &world.mediator, case_id, worker["party_id"].as_str().unwrap(),
                json!({"claimed_amount_fen": 200_000 + 10_000 * i as i64, "agreed_amount_fen": 0,
                       "representative": i < 2})).await;
            assert_eq!(put.status, 200, "{}", put.text());
            assert_eq!(put.header("etag"), Some("\"1\""));
        }
        let workers = roster(&app, &world.mediator, case_id, 5).await;
        let names: Vec<&str> = workers.iter().map(|w| w["name"].as_str().unwrap()).collect();
        assert_eq!(names.first(), Some(&"工人00"));
        assert_eq!(names.last(), Some(&"工人11"), "in the order the workers were registered");
        let claimed: i64 = workers.iter().map(|w| w["claimed_amount_fen"].as_i64().unwrap()).sum();
        assert_eq!(claimed, 12 * 200_000 + 10_000 * 66);
        let representatives: Vec<&str> = workers.iter()
            .filter(|w| w["representative"] == true)
            .map(|w| w["name"].as_str().unwrap())
            .collect();
        assert_eq!(representatives, ["工人00", "工人01"]);

        // If-Match names the entry's version: a stale one changes nothing.
        let first = workers[0]["party_id"].as_str().unwrap();
        let stale = app.request("PUT", &format!("/api/v1/cases/{case_id}/roster/{first}"), Some(&world.mediator.token))
            .insert_header(("if-match", "\"7\""))
            .insert_header(("content-type", "application/json"));
        let stale = app.send(stale, Some(br#"{"claimed_amount_fen": 1, "agreed_amount_fen": 1, "representative": false}"#.to_vec())).await;
        stale.assert_problem(412, "version_conflict");
        let negative = put_entry(&app, &world.mediator, case_id, first,
            json!({"claimed_amount_fen": -1, "agreed_amount_fen": 0, "representative": false})).await;
        let problem = negative.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "claimed_amount_fen");
        assert_eq!(roster(&app, &world.mediator, case_id, 50).await[0]["claimed_amount_fen"], 200_000);

        // The employer is not on the roster; another office's mediator does not see the case.
        let parties = app.get(&format!("/api/v1/cases/{case_id}/parties?limit=200"), Some(&world.mediator.token)).await.json();
        let employer = parties["items"].as_array().unwrap().iter().find(|p| p["kind"] == "employer");
        if let Some(employer) = employer {
            let put = put_entry(&app, &world.mediator, case_id, employer["id"].as_str().unwrap(),
                json!({"claimed_amount_fen": 1, "agreed_amount_fen": 0, "representative": false})).await;
            put.assert_problem(404, "not_found");
        }
        let hidden = app.get(&format!("/api/v1/cases/{case_id}/roster"), Some(&world.other_mediator.token)).await;
        hidden.assert_problem(404, "not_found");
        let events = app.get(&format!("/api/v1/cases/{case_id}/events?limit=200"), Some(&world.mediator.token)).await.json();
        let updates = events["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "roster_updated").count();
        assert_eq!(updates, 12, "each change is on the timeline");
    }
);

api_test!(
    async fn allocations_that_do_not_add_up_are_422_with_field_detail_and_nothing_written(app) {
        let world = app.world().await;
        let (case, workers) = case_in_mediation(&app, &world, 10).await;
        let case_id = case["id"].as_str().unwrap();
        let (a, b) = (workers[0]["party_id"].as_str().unwrap(), workers[1]["party_id"].as_str().unwrap());
        let path = format!("/api/v1/cases/{case_id}/payments");
        let short = app.post_json(&path, Some(&world.mediator.token), &json!({
            "amount_fen": 300_000, "paid_at": "2026-01-01T00:00:00Z",
            "allocations": [{"party_id": a, "amount_fen": 100_000}, {"party_id": b, "amount_fen": 100_000}]})).await;
        let problem = short.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "allocations");
        let twice = app.post_json(&path, Some(&world.mediator.token), &json!({
            "amount_fen": 200_000, "paid_at": "2026-01-01T00:00:00Z",
            "allocations": [{"party_id": a, "amount_fen": 100_000}, {"party_id": a, "amount_fen": 100_000}]})).await;
        let problem = twice.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "allocations[1].party_id");
        let english = app.json_request_in("en", "POST", &path, Some(&world.mediator.token), &json!({
            "amount_fen": 300_000, "paid_at": "2026-01-01T00:00:00Z",
            "allocations": [{"party_id": a, "amount_fen": 0}]})).await;
        let problem = english.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "allocations[0].amount_fen");

        let payments = app.get(&path, Some(&world.mediator.token)).await.json();
        assert_eq!(payments["items"], json!([]), "no payment was written");
        let after = roster(&app, &world.mediator, case_id, 50).await;
        assert!(after.iter().all(|w| w["paid_amount_fen"] == 0 && w["version"] == 0));

        // Shares that add up are stored, and each worker's paid amount follows.
        let paid = app.post_json(&path, Some(&world.mediator.token), &json!({
            "amount_fen": 300_000, "paid_at": "2026-01-01T00:00:00Z",
            "allocations": [{"party_id": a, "amount_fen": 100_000}, {"party_id": b, "amount_fen": 200_000}]})).await;
        assert_eq!(paid.status, 201, "{}", paid.text());
        let after = roster(&app, &world.mediator, case_id, 50).await;
        assert_eq!((after[0]["paid_amount_fen"].as_i64(), after[1]["paid_amount_fen"].as_i64()), (Some(100_000), Some(200_000)));
        assert_eq!(after[2]["paid_amount_fen"], 0);
        let read = app.get(&format!("/api/v1/cases/{case_id}"), Some(&world.mediator.token)).await.json();
        assert_eq!(read["recovered_amount_fen"], 300_000);
    }
);

api_test!(
    async fn a_payment_allocated_to_a_party_of_another_case_is_422_and_nothing_is_written(app) {
        let world = app.world().await;
        let (case, workers) = case_in_mediation(&app, &world, 10).await;
        let (_, strangers) = case_in_mediation(&app, &world, 10).await;
        let case_id = case["id"].as_str().unwrap();
        let path = format!("/api/v1/cases/{case_id}/payments");
        let answer = app.post_json(&path, Some(&world.mediator.token), &json!({
            "amount_fen": 200_000, "paid_at": "2026-01-01T00:00:00Z",
            "allocations": [{"party_id": workers[0]["party_id"], "amount_fen": 100_000},
                            {"party_id": strangers[0]["party_id"], "amount_fen": 100_000}]})).await;
        let problem = answer.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"].as_array().unwrap().len(), 1);
        assert_eq!(problem["errors"][0]["field"], "allocations[1].party_id");
        let payments = app.get(&path, Some(&world.mediator.token)).await.json();
        assert_eq!(payments["items"], json!([]), "the payment was rolled back with its shares");
        let read = app.get(&format!("/api/v1/cases/{case_id}"), Some(&world.mediator.token)).await.json();
        assert_eq!(read["recovered_amount_fen"], 0);
        assert!(roster(&app, &world.mediator, case_id, 50).await.iter().all(|w| w["paid_amount_fen"] == 0));
    }
);

/// The newest text of `template`'s parameters.
async fn last_text(app: &TestApp, template: &'static str) -> Value {
    let body = app
        .state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table
                .filter(outbox::template.eq(template))
                .order(outbox::created_at.desc())
                .select(outbox::body)
                .first::<String>(c)?)
        })
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// A worker applies online (the one way a case gets an access code); the 201's body.
async fn apply_online(app: &TestApp, world: &World) -> Value {
    let id = world.town_union["id"].as_str().unwrap();
    let opened = app
        .json_request(
            "PATCH",
            &format!("/api/v1/offices/{id}"),
            Some(&world.admin.token),
            &json!({"accepts_online": true}),
        )
        .await;
    assert_eq!(opened.status, 200, "{}", opened.text());
    let sent = app
        .post_json(
            "/api/v1/public/verifications",
            None,
            &json!({"phone": "13900011111"}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.text());
    let code = last_text(app, "sms_verification_code").await;
    let applied = app.post_json("/api/v1/public/applications", None, &json!({
        "office_code": world.town_union["code"], "phone": "13900011111", "verification_code": code["code"],
        "name": "王小明", "id_number": "440524198001010013", "category": "wage_arrears",
        "summary": "电子厂拖欠十二名工人工资。", "claimed_amount_fen": 250_000, "workers_involved": 1,
        "employer": {"name": "鹤山市某电子厂"}, "sms_consent": true})).await;
    assert_eq!(applied.status, 201, "{}", applied.text());
    applied.json()
}

api_test!(
    async fn the_workers_track_view_shows_only_their_own_share(app) {
        let world = app.world().await;
        let applied = apply_online(&app, &world).await;
        let number = applied["case_number"].as_str().unwrap();
        let track = json!({"case_number": number, "access_code": applied["access_code"]});
        let before = app.post_json("/api/v1/public/track", None, &track).await.json();
        assert_eq!(before["share"], Value::Null, "no roster entry yet");

        let cases = app.get(&format!("/api/v1/cases?q={number}"), Some(&world.mediator.token)).await.json();
        let case_id = cases["items"][0]["id"].as_str().unwrap().to_owned();
        for i in 1..12 {
            let added = app.post_json(&format!("/api/v1/cases/{case_id}/parties"), Some(&world.mediator.token),
                &json!({"kind": "worker", "name": format!("同事{i:02}")})).await;
            assert_eq!(added.status, 201, "{}", added.text());
        }
        let patched = app.json_request("PATCH", &format!("/api/v1/cases/{case_id}"), Some(&world.mediator.token),
            &json!({"workers_involved": 12})).await;
        assert_eq!(patched.json()["collective"], true, "{}", patched.text());
        let workers = roster(&app, &world.mediator, &case_id, 50).await;
        assert_eq!(workers.len(), 12);
        assert_eq!(workers[0]["name"], "王小明", "the applicant is the first worker");
        for (i, worker) in workers.iter().enumerate() {
            let put = put_entry(&app, &world.mediator, &case_id, worker["party_id"].as_str().unwrap(),
                json!({"claimed_amount_fen": 250_000 + 1_111 * i as i64, "agreed_amount_fen": 240_000 + 1_111 * i as i64,
                       "representative": i == 0})).await;
            assert_eq!(put.status, 200, "{}", put.text());
        }

        let view = app.post_json("/api/v1/public/track", None, &track).await;
        assert_eq!(view.status, 200, "{}", view.text());
        assert_eq!(view.json()["share"], json!({"claimed_amount_fen": 250_000, "agreed_amount_fen": 240_000,
            "paid_amount_fen": 0, "representative": true}));
        let text = view.text();
        assert!(!text.contains("同事"), "no other worker's name: {text}");
        assert!(!text.contains("251111"), "no other worker's amount: {text}");

        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("case_number", number), ("access_code", applied["access_code"].as_str().unwrap())])
            .finish();
        let page = app.send(app.request("POST", "/track", None)
            .insert_header(("content-type", "application/x-www-form-urlencoded")), Some(form.into_bytes())).await;
        let html = page.text();
        assert_eq!(page.status, 200, "{html}");
        assert!(html.contains("id=\"share\"") && html.contains("2500.00") && html.contains("2400.00"), "{html}");
        assert!(!html.contains("2511.11"), "{html}");
    }
);

api_test!(
    async fn sort_priority_puts_a_collective_case_before_a_newer_ordinary_one_and_pages_without_repeats_or_gaps(app) {
        let world = app.world().await;
        let collective = app.register_case(&world.mediator, &collective_case(10)).await;
        let mut ordinary = Vec::new();
        for _ in 0..4 {
            app.state.clock.advance(chrono::Duration::seconds(1));
            ordinary.push(app.register_case(&world.mediator, &crate::personas::furniture_factory_case()).await);
        }
        let newest = app.get("/api/v1/cases", Some(&world.mediator.token)).await.json();
        assert_eq!(newest["items"][0]["id"], ordinary[3]["id"], "the default order is unchanged");

        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = "/api/v1/cases?sort=priority&limit=2".to_owned();
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let page = app.get(&path, Some(&world.mediator.token)).await;
            assert_eq!(page.status, 200, "{}", page.text());
            let page = page.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let mut expected = vec![collective["id"].as_str().unwrap().to_owned()];
        expected.extend(ordinary.iter().rev().map(|c| c["id"].as_str().unwrap().to_owned()));
        assert_eq!(seen, expected, "collective first, then newest first; no repeats, no gaps");

        let filtered = app.get("/api/v1/cases?sort=priority&collective=false", Some(&world.mediator.token)).await.json();
        assert_eq!(filtered["items"].as_array().unwrap().len(), 4, "the filters still apply");
        let newest_cursor = app.get("/api/v1/cases?limit=1", Some(&world.mediator.token)).await.json()["next_cursor"]
            .as_str().unwrap().to_owned();
        let mixed = app.get(&format!("/api/v1/cases?sort=priority&cursor={newest_cursor}"), Some(&world.mediator.token)).await;
        mixed.assert_problem(400, "invalid_cursor");
        let unknown = app.get("/api/v1/cases?sort=loudest", Some(&world.mediator.token)).await;
        unknown.assert_problem(400, "invalid_query");
    }
);

api_test!(
    async fn the_figure_counts_workers_paid_in_full(app) {
        let world = app.world().await;
        let (case, workers) = case_in_mediation(&app, &world, 10).await;
        let case_id = case["id"].as_str().unwrap();
        for worker in &workers[..3] {
            let put = put_entry(&app, &world.mediator, case_id, worker["party_id"].as_str().unwrap(),
                json!({"claimed_amount_fen": 120_000, "agreed_amount_fen": 100_000, "representative": false})).await;
            assert_eq!(put.status, 200, "{}", put.text());
        }
        let ids: Vec<&str> = workers.iter().map(|w| w["party_id"].as_str().unwrap()).collect();
        let paid = app.post_json(&format!("/api/v1/cases/{case_id}/payments"), Some(&world.mediator.token), &json!({
            "amount_fen": 300_000, "paid_at": "2026-01-01T00:00:00Z",
            "allocations": [{"party_id": ids[0], "amount_fen": 100_000}, {"party_id": ids[1], "amount_fen": 150_000},
                            {"party_id": ids[2], "amount_fen": 40_000}, {"party_id": ids[3], "amount_fen": 10_000}]})).await;
        assert_eq!(paid.status, 201, "{}", paid.text());
        let after = roster(&app, &world.mediator, case_id, 50).await;
        let in_full: Vec<bool> = after[..4].iter().map(|w| w["paid_in_full"].as_bool().unwrap()).collect();
        assert_eq!(in_full, [true, true, false, false], "the fourth had nothing agreed");

        let stats = app.get("/api/v1/stats", Some(&world.mediator.token)).await;
        assert_eq!(stats.status, 200, "{}", stats.text());
        assert_eq!(stats.json()["prevention"]["collective_workers_paid_in_full"], 2);
        let elsewhere = app.get("/api/v1/stats", Some(&world.other_mediator.token)).await.json();
        assert_eq!(elsewhere["prevention"]["collective_workers_paid_in_full"], 0, "another office's figures");
    }
);

api_test!(
    async fn the_console_case_page_shows_the_roster_of_a_collective_case_only(app) {
        let world = app.world().await;
        let (case, workers) = case_in_mediation(&app, &world, 10).await;
        let case_id = case["id"].as_str().unwrap();
        let put = put_entry(&app, &world.mediator, case_id, workers[3]["party_id"].as_str().unwrap(),
            json!({"claimed_amount_fen": 345_678, "agreed_amount_fen": 300_000, "representative": true})).await;
        assert_eq!(put.status, 200, "{}", put.text());
        let console = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        let page = app.console_get(&console, &format!("/console/cases/{case_id}")).await;
        let html = page.text();
        assert_eq!(page.status, 200, "{html}");
        let roster = &html[html.find("id=\"roster\"").expect("a roster section")..];
        let roster = &roster[..roster.find("</section>").unwrap()];
        assert_eq!(roster.matches("<tr").count(), 11, "a header and ten workers: {roster}");
        assert!(roster.contains("工人03") && roster.contains("3456.78") && roster.contains("3000.00"), "{roster}");

        let ordinary = app.register_case(&world.mediator, &crate::personas::furniture_factory_case()).await;
        let page = app.console_get(&console, &format!("/console/cases/{}", ordinary["id"].as_str().unwrap())).await;
        assert!(!page.text().contains("id=\"roster\""), "no roster for a case of one worker");
    }
);
