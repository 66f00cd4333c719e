//! One union, three offices: the seed story end to end, visibility that follows referrals,
//! sessions, agreements, payments and the reported figures.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona, World};

/// This month in China (`YYYY-MM`), where the test offices are.
fn this_month(app: &TestApp) -> String {
    app.state
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string()
}

/// Every month from `first` to `last` (`YYYY-MM`), as `by_month` lists them: `counts` gives a
/// month's `(received, closed)`, the others are zeros.
fn months(first: &str, last: &str, counts: &[(&str, i64, i64)]) -> Value {
    let mut day = chrono::NaiveDate::parse_from_str(&format!("{first}-01"), "%Y-%m-%d").unwrap();
    let mut all = Vec::new();
    loop {
        let month = day.format("%Y-%m").to_string();
        let (received, closed) = counts
            .iter()
            .find(|c| c.0 == month)
            .map_or((0, 0), |c| (c.1, c.2));
        all.push(json!({"month": month, "received": received, "closed": closed}));
        if month.as_str() >= last {
            break;
        }
        day = day.checked_add_months(chrono::Months::new(1)).unwrap();
    }
    Value::Array(all)
}

pub async fn refer(
    app: &TestApp,
    mediator: &Persona,
    case: &Value,
    office: &Value,
    kind: &str,
) -> Value {
    let path = format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap());
    let response = app
        .post_json(
            &path,
            Some(&mediator.token),
            &json!({"office_id": office["id"], "kind": kind, "request": format!("请协助：{kind}")}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

async fn answer(
    app: &TestApp,
    persona: &Persona,
    referral: &Value,
    action: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    let path = format!(
        "/api/v1/referrals/{}/{action}",
        referral["id"].as_str().unwrap()
    );
    app.post_json(&path, Some(&persona.token), &body).await
}

fn minutes(app: &TestApp, n: i64) {
    app.state.clock.advance(chrono::Duration::minutes(n));
}

/// Everyone signs in again after the clock moved past the access tokens' 15 minutes.
async fn sign_in_again(app: &TestApp, world: &mut World) {
    for persona in [
        &mut world.mediator,
        &mut world.police_officer,
        &mut world.judicial_officer,
        &mut world.hr_officer,
        &mut world.supervisor,
        &mut world.admin,
    ] {
        *persona = app.sign_in(&persona.email, &persona.password).await;
    }
}

api_test!(
    async fn the_furniture_factory_story_runs_end_to_end_across_four_offices(app) {
        let mut world = app.world().await;
        // Mr Zhang calls the 12351 hotline; the town union registers the dispute and takes it on.
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap().to_owned();
        assert_eq!(app.transition(&world.mediator, &case, json!({"action": "accept"})).await.status, 200);
        assert_eq!(app.transition(&world.mediator, &case, json!({"action": "start"})).await.status, 200);

        // Union and HR office meet the worker; the police are asked to find the owner; the
        // judicial office's duty lawyer is asked to advise.
        let hr = refer(&app, &world.mediator, &case, &world.hr, "negotiation").await;
        let police = refer(&app, &world.mediator, &case, &world.police, "locate_party").await;
        let judicial = refer(&app, &world.mediator, &case, &world.judicial, "duty_lawyer").await;
        assert_eq!(police["status"], "pending");
        assert_eq!(police["case_number"], case["case_number"]);
        let due = chrono::DateTime::parse_from_rfc3339(police["due_at"].as_str().unwrap()).unwrap();
        let created = chrono::DateTime::parse_from_rfc3339(police["created_at"].as_str().unwrap()).unwrap();
        assert_eq!((due - created).num_hours(), 48, "locate_party is due in 48 hours by default");

        let session = app
            .post_json(&format!("/api/v1/cases/{id}/sessions"), Some(&world.mediator.token),
                &json!({"scheduled_at": "2026-11-21T08:00:00Z", "location": "沙坪街道劳动关系一站式服务站",
                        "office_ids": [world.hr["id"], world.police["id"], world.judicial["id"]]}))
            .await;
        assert_eq!(session.status, 201, "{}", session.text());
        assert_eq!(session.json()["offices"].as_array().unwrap().len(), 3);

        // Each office sees the referral in its inbox, and acts on it.
        let inbox = app.get("/api/v1/referrals?status=pending", Some(&world.police_officer.token)).await.json();
        assert_eq!(inbox["items"].as_array().unwrap().len(), 1);
        assert_eq!(inbox["items"][0]["id"], police["id"]);
        minutes(&app, 30);
        sign_in_again(&app, &mut world).await;
        assert_eq!(answer(&app, &world.hr_officer, &hr, "accept", json!({})).await.status, 200);
        assert_eq!(answer(&app, &world.police_officer, &police, "accept", json!({})).await.status, 200);
        minutes(&app, 90);
        sign_in_again(&app, &mut world).await;
        let located = answer(&app, &world.police_officer, &police, "complete",
            json!({"outcome": "party_located", "result": "已找到企业主并带至服务站调解"})).await;
        assert_eq!(located.status, 200, "{}", located.text());
        assert_eq!(located.json()["outcome"], "party_located");
        let advised = answer(&app, &world.judicial_officer, &judicial, "complete",
            json!({"outcome": "lawyer_attended", "result": "值班律师到场进行依法维权指导"})).await;
        assert_eq!(advised.status, 200, "{}", advised.text());
        let agreed = answer(&app, &world.hr_officer, &hr, "complete",
            json!({"outcome": "employer_agreed_to_pay", "result": "企业主同意当场支付欠薪"})).await;
        assert_eq!(agreed.status, 200);

        // The agreement is signed and the wages are paid on the spot.
        let today = app.state.clock.now().date_naive();
        let agreement = app
            .post_json(&format!("/api/v1/cases/{id}/agreements"), Some(&world.mediator.token),
                &json!({"signed_at": app.state.clock.now(), "terms": [{"description": "支付拖欠工资", "amount_fen": 300000,
                        "payee": "张先生", "due_date": today.to_string()}]}))
            .await;
        assert_eq!(agreement.status, 201, "{}", agreement.text());
        assert_eq!(agreement.json()["follow_ups"]["fully_paid"], false);
        let read = app.get(&format!("/api/v1/cases/{id}"), Some(&world.mediator.token)).await.json();
        assert_eq!((read["status"].as_str(), read["agreed_amount_fen"].as_i64()), (Some("agreement_reached"), Some(300000)));
        let early = app.transition(&world.mediator, &read, json!({"action": "resolve"})).await;
        early.assert_problem(409, "agreement_unpaid");
        let paid = app
            .post_json(&format!("/api/v1/cases/{id}/payments"), Some(&world.mediator.token),
                &json!({"amount_fen": 300000, "paid_at": app.state.clock.now(), "note": "当场追回欠薪"}))
            .await;
        assert_eq!(paid.status, 201, "{}", paid.text());
        let after = app.get(&format!("/api/v1/cases/{id}/agreement"), Some(&world.mediator.token)).await.json();
        assert_eq!(after["follow_ups"]["fully_paid"], true);
        assert_eq!(after["terms"][0]["state"], "paid");
        let resolved = app.transition(&world.mediator, &read, json!({"action": "resolve"})).await;
        assert_eq!(resolved.status, 200, "{}", resolved.text());
        assert_eq!(resolved.json()["recovered_amount_fen"], 300000);

        // The county union's figures report it.
        let stats = app.get("/api/v1/stats", Some(&world.supervisor.token)).await.json();
        assert_eq!(stats["cases_resolved"], 1);
        assert_eq!(stats["recovered_amount_fen"], 300000);
        assert_eq!(stats["agreed_amount_fen"], 300000);
        assert_eq!(stats["success_rate"], 1.0);
        let offices = stats["partner_offices"].as_array().unwrap();
        assert_eq!(offices.len(), 3);
        let police_figures = offices.iter().find(|o| o["office_id"] == world.police["id"]).unwrap();
        assert_eq!(police_figures["referrals"], 1);
        assert_eq!(police_figures["median_hours_to_accept"], 0.5);
        assert_eq!(police_figures["median_hours_to_complete"], 2.0);
        assert_eq!(police_figures["overdue"], 0);

        // The whole story is on the timeline, and the chain holds.
        let timeline = app.get(&format!("/api/v1/cases/{id}/events?limit=200"), Some(&world.mediator.token)).await.json();
        let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        for kind in ["intake", "referral_created", "referral_accepted", "referral_completed", "session_scheduled",
                     "agreement_signed", "payment_recorded", "transition"] {
            assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
        }
        let check = app.state.db.run(move |c| Ok(mediation_tracker::timeline::verify(c, &id)?)).await.unwrap();
        assert!(check.valid);
    }
);

api_test!(
    async fn a_police_officer_gets_404_on_a_case_never_referred_to_the_police(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        refer(&app, &world.mediator, &case, &world.hr, "negotiation").await;
        for path in [format!("/api/v1/cases/{id}"), format!("/api/v1/cases/{id}/events"), format!("/api/v1/cases/{id}/referrals")] {
            app.get(&path, Some(&world.police_officer.token)).await.assert_problem(404, "not_found");
        }
        let seen = app.get("/api/v1/cases", Some(&world.police_officer.token)).await.json();
        assert!(seen["items"].as_array().unwrap().is_empty());
        // The HR office does see it, with parties masked.
        let hr_view = app.get(&format!("/api/v1/cases/{id}"), Some(&world.hr_officer.token)).await;
        assert_eq!(hr_view.status, 200);
        let parties = app.get(&format!("/api/v1/cases/{id}/parties"), Some(&world.hr_officer.token)).await.json();
        assert_eq!(parties["items"][0]["id_number"], "4405**********0013");
    }
);

api_test!(
    async fn partners_never_see_another_offices_referral_and_only_the_receiving_office_acts(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let judicial = refer(&app, &world.mediator, &case, &world.judicial, "legal_consultation").await;
        let hr = refer(&app, &world.mediator, &case, &world.hr, "labour_inspection").await;

        let acting = answer(&app, &world.hr_officer, &judicial, "accept", json!({})).await;
        acting.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/referrals/{}", judicial["id"].as_str().unwrap()), Some(&world.hr_officer.token))
            .await
            .assert_problem(404, "not_found");
        answer(&app, &world.mediator, &judicial, "accept", json!({})).await.assert_problem(403, "forbidden");

        let own = app.get(&format!("/api/v1/cases/{id}/referrals"), Some(&world.hr_officer.token)).await.json();
        let ids: Vec<&str> = own["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [hr["id"].as_str().unwrap()]);
        let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&world.hr_officer.token)).await.json();
        let text = events.to_string();
        assert!(!text.contains(judicial["id"].as_str().unwrap()), "the judicial referral leaks: {text}");
        assert!(!text.contains("legal_consultation"));
        let union_events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&world.mediator.token)).await.json();
        assert!(union_events.to_string().contains("legal_consultation"), "the union sees every referral");

        let note = app.post_json(&format!("/api/v1/cases/{id}/notes"), Some(&world.hr_officer.token), &json!({"body": "已约谈企业负责人"})).await;
        assert_eq!(note.status, 201, "{}", note.text());
        let judicial_events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&world.judicial_officer.token)).await.json();
        assert!(!judicial_events.to_string().contains("已约谈企业负责人"), "a partner's note stays with the union and that office");

        // Illegal moves are refused and change nothing.
        answer(&app, &world.hr_officer, &hr, "complete", json!({"outcome": "party_located", "result": "x"}))
            .await
            .assert_problem(422, "validation_failed");
        answer(&app, &world.hr_officer, &hr, "decline", json!({"reason": "不属于本所职责"})).await;
        answer(&app, &world.hr_officer, &hr, "accept", json!({})).await.assert_problem(409, "invalid_transition");
        answer(&app, &world.mediator, &hr, "cancel", json!({})).await.assert_problem(409, "invalid_transition");
        assert_eq!(answer(&app, &world.mediator, &judicial, "cancel", json!({"reason": "已自行解决"})).await.json()["status"], "cancelled");
    }
);

api_test!(
    async fn a_referral_must_suit_its_office_and_be_due_in_the_future(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let path = format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap());
        let wrong_kind = app.post_json(&path, Some(&world.mediator.token), &json!({"office_id": world.hr["id"], "kind": "locate_party", "request": "x"})).await;
        let problem = wrong_kind.assert_problem(422, "validation_failed");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("negotiation"));
        let to_union = app.post_json(&path, Some(&world.mediator.token), &json!({"office_id": world.other_union["id"], "kind": "negotiation", "request": "x"})).await;
        assert_eq!(to_union.assert_problem(422, "validation_failed")["errors"][0]["field"], "office_id");
        let past = app.post_json(&path, Some(&world.mediator.token),
            &json!({"office_id": world.police["id"], "kind": "keep_order", "request": "x", "due_at": "2020-01-01T00:00:00Z"})).await;
        assert_eq!(past.assert_problem(422, "validation_failed")["errors"][0]["field"], "due_at");
        let court = refer(&app, &world.mediator, &case, &world.court, "payment_order").await;
        // Courts do not use the system: the union records their answer.
        let filed = answer(&app, &world.mediator, &court, "complete", json!({"outcome": "payment_order_issued", "result": "法院已发出支付令"})).await;
        assert_eq!(filed.status, 200, "{}", filed.text());
    }
);

api_test!(
    async fn overdue_referrals_show_in_the_inbox_and_the_figures(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        refer(&app, &world.mediator, &case, &world.police, "keep_order").await;
        app.state.clock.advance(chrono::Duration::hours(5));
        let police = app.sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let overdue = app.get("/api/v1/referrals?overdue=true", Some(&police.token)).await.json();
        assert_eq!(overdue["items"][0]["overdue"], true);
        let supervisor = app.sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let stats = app.get("/api/v1/stats", Some(&supervisor.token)).await.json();
        assert_eq!(stats["partner_offices"][0]["overdue"], 1);
        assert_eq!(stats["partner_offices"][0]["median_hours_to_accept"], Value::Null);
    }
);

api_test!(
    async fn statistics_match_figures_computed_by_hand(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let mut collective = furniture_factory_case();
        collective["workers_involved"] = json!(12);
        collective["claimed_amount_fen"] = json!(96_000_000);
        collective["channel"] = json!("walk_in");
        let a = app.register_case(m, &furniture_factory_case()).await; // resolved on the spot with a payment
        let b = app.register_case(m, &collective).await; // escalated to arbitration
        let c = app.register_case(m, &furniture_factory_case()).await; // withdrawn after acceptance
        let d = app.register_case(m, &furniture_factory_case()).await; // rejected at intake
        let mut old = furniture_factory_case();
        old["received_at"] = json!("2026-01-05T02:00:00Z");
        old["category"] = json!("work_injury");
        let e = app.register_case(m, &old).await; // still in intake, overdue
        for case in [&a, &b, &c] {
            app.transition(m, case, json!({"action": "accept"})).await;
        }
        for case in [&a, &b] {
            app.transition(m, case, json!({"action": "start"})).await;
        }
        app.post_json(&format!("/api/v1/cases/{}/payments", a["id"].as_str().unwrap()), Some(&m.token),
            &json!({"amount_fen": 250000, "paid_at": app.state.clock.now()})).await;
        app.transition(m, &a, json!({"action": "resolve"})).await;
        app.transition(m, &b, json!({"action": "escalate", "reason": "企业拒绝", "destination": "arbitration"})).await;
        app.transition(m, &c, json!({"action": "withdraw", "reason": "职工撤回"})).await;
        app.transition(m, &d, json!({"action": "reject", "reason": "不属于劳动争议"})).await;
        let _ = e;

        let stats = app.get("/api/v1/stats", Some(&m.token)).await.json();
        let now = this_month(&app);
        let expect = json!({
            "cases_received": 5, "cases_accepted": 3, "cases_resolved": 1, "cases_escalated": 1,
            "cases_withdrawn": 1, "cases_rejected": 1, "success_rate": 0.3333, "workers_involved": 16,
            "claimed_amount_fen": 4 * 300000 + 96_000_000, "agreed_amount_fen": 0, "recovered_amount_fen": 250000,
            "collective_cases": 1, "overdue_cases": 1,
            "by_category": {"wage_arrears": 4, "work_injury": 1},
            "by_channel": {"hotline_12351": 4, "walk_in": 1},
            "by_destination": {"arbitration": 1},
            "partner_offices": [],
            "online_applications": 0, "follow_ups_due": 0, "follow_ups_done": 0,
            "satisfaction_responses": 0, "satisfaction_rate": null,
            "union_offices": [{"office_id": world.town_union["id"], "office_name": "沙坪街道工会",
                "online_applications": 0, "follow_ups_due": 0, "follow_ups_done": 0,
                "satisfaction_responses": 0, "satisfaction_rate": null}],
            "by_month": months("2026-01", &now, &[("2026-01", 1, 0), (&now, 4, 4)]),
            // No risks or consultations here (tests/api/risks.rs counts them); the five cases
            // share one employer, so it is a repeat employer; no roster is paid in full.
            "prevention": {"risks": {"found": 0, "handled": 0, "turned_into_cases": 0},
                "risks_by_category": {}, "risks_by_level": {}, "consultations": 0,
                "consultations_by_outcome": {}, "legal_aid_granted": 0,
                "repeat_employers": 1, "collective_workers_paid_in_full": 0},
        });
        assert_eq!(stats, expect);
        let listed = app.get("/api/v1/cases?overdue=true", Some(&m.token)).await.json();
        assert_eq!(listed["items"].as_array().unwrap().len() as i64, stats["overdue_cases"].as_i64().unwrap(), "consistent with the list");

        let this_year = app.get("/api/v1/stats?from=2026-02-01", Some(&m.token)).await.json();
        assert_eq!(this_year["cases_received"], 4, "the January case is outside the period");
        let january = app.get("/api/v1/stats?from=2026-01-01&to=2026-01-31", Some(&m.token)).await.json();
        assert_eq!(january["cases_received"], 1);
        app.get("/api/v1/stats?from=2026-02-01&to=2026-01-01", Some(&m.token)).await.assert_problem(400, "invalid_query");
        let other = app.get(&format!("/api/v1/stats?office_id={}", world.other_union["id"].as_str().unwrap()), Some(&m.token)).await;
        other.assert_problem(404, "not_found");
        let admin = app.get("/api/v1/stats", Some(&world.admin.token)).await.json();
        assert_eq!(admin["cases_received"], 5);
        app.get("/api/v1/stats", Some(&world.police_officer.token)).await.assert_problem(403, "forbidden");
    }
);

api_test!(
    async fn a_missed_wage_payment_opens_the_payment_order_and_arbitration_routes(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        let id = case["id"].as_str().unwrap();
        let tomorrow = (app.state.clock.now() + chrono::Duration::days(1)).date_naive();
        let created = app.post_json(&format!("/api/v1/cases/{id}/agreements"), Some(&world.mediator.token),
            &json!({"signed_at": app.state.clock.now(), "terms": [
                {"description": "第一期", "amount_fen": 100000, "payee": "张先生", "due_date": tomorrow.to_string()},
                {"description": "第二期", "amount_fen": 200000, "payee": "张先生", "due_date": (tomorrow + chrono::Duration::days(10)).to_string()}]}))
            .await;
        let view = created.json();
        assert_eq!(view["total_amount_fen"], 300000);
        assert_eq!(view["follow_ups"]["arbitration_eligible"], false);
        let signed_local = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();
        assert_eq!(view["follow_ups"]["judicial_confirmation_deadline"], (signed_local + chrono::Duration::days(30)).to_string());
        let again = app.post_json(&format!("/api/v1/cases/{id}/agreements"), Some(&world.mediator.token),
            &json!({"signed_at": app.state.clock.now(), "terms": [{"description": "x", "amount_fen": 1, "payee": "x", "due_date": tomorrow.to_string()}]})).await;
        again.assert_problem(409, "agreement_exists");

        app.state.clock.advance(chrono::Duration::days(3));
        let mediator = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        let later = app.get(&format!("/api/v1/cases/{id}/agreement"), Some(&mediator.token)).await.json();
        assert_eq!(later["follow_ups"]["missed_terms"], 1);
        assert_eq!(later["follow_ups"]["payment_order_eligible"], true);
        assert_eq!(later["follow_ups"]["arbitration_eligible"], true);
        assert_eq!(later["terms"][0]["state"], "missed");
        let escalated = app.transition(&mediator, &later, json!({"action": "escalate", "reason": "未按期履行", "destination": "payment_order"})).await;
        assert_eq!(escalated.status, 404, "transitions take the case id, not the agreement id");
        let escalated = app.transition(&mediator, &case, json!({"action": "escalate", "reason": "未按期履行", "destination": "payment_order"})).await;
        assert_eq!(escalated.json()["status"], "escalated");
    }
);

api_test!(
    async fn a_joint_session_records_minutes_and_outcome(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let created = app.post_json(&format!("/api/v1/cases/{id}/sessions"), Some(&world.mediator.token),
            &json!({"scheduled_at": "2026-11-25T02:00:00Z", "location": "三方联合调解中心", "office_ids": [world.hr["id"], "no-such-office"]})).await;
        assert_eq!(created.assert_problem(422, "validation_failed")["errors"][0]["field"], "office_ids[1]");
        let session = app.post_json(&format!("/api/v1/cases/{id}/sessions"), Some(&world.mediator.token),
            &json!({"scheduled_at": "2026-11-25T02:00:00Z", "location": "三方联合调解中心", "office_ids": [world.hr["id"]]})).await.json();
        let path = format!("/api/v1/sessions/{}", session["id"].as_str().unwrap());
        let held = app.send(app.request("PATCH", &path, Some(&world.mediator.token))
            .insert_header(("content-type", "application/json")).insert_header(("if-match", "\"1\"")),
            Some(serde_json::to_vec(&json!({"status": "held", "minutes": "双方同意分期支付", "outcome": "agreement"})).unwrap())).await;
        assert_eq!(held.status, 200, "{}", held.text());
        assert_eq!((held.json()["status"].as_str(), held.json()["outcome"].as_str()), (Some("held"), Some("agreement")));
        let stale = app.send(app.request("PATCH", &path, Some(&world.mediator.token))
            .insert_header(("content-type", "application/json")).insert_header(("if-match", "\"1\"")),
            Some(b"{\"location\": \"x\"}".to_vec())).await;
        stale.assert_problem(412, "version_conflict");
        app.json_request("PATCH", &path, Some(&world.other_mediator.token), &json!({"location": "x"})).await.assert_problem(404, "not_found");
        let listed = app.get(&format!("/api/v1/cases/{id}/sessions"), Some(&world.mediator.token)).await.json();
        assert_eq!(listed["items"][0]["minutes"], "双方同意分期支付");
    }
);

api_test!(
    async fn cases_received_and_closed_per_month_count_in_the_office_s_time_zone(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let mut late_in_january = furniture_factory_case();
        // 04:00 on 1 February in Shanghai.
        late_in_january["received_at"] = json!("2026-01-31T20:00:00Z");
        let case = app.register_case(m, &late_in_january).await;
        app.transition(m, &case, json!({"action": "reject", "reason": "不属于劳动争议"})).await;
        let now = this_month(&app);

        let all = app.get("/api/v1/stats", Some(&m.token)).await.json();
        assert_eq!(all["by_month"], months("2026-02", &now, &[("2026-02", 1, 0), (&now, 0, 1)]), "received in February, closed now");
        let february = app.get("/api/v1/stats?from=2026-02-01&to=2026-02-28", Some(&m.token)).await.json();
        assert_eq!(february["by_month"], json!([{"month": "2026-02", "received": 1, "closed": 0}]), "closed outside the period");
        let january = app.get("/api/v1/stats?from=2026-01-01&to=2026-01-31", Some(&m.token)).await.json();
        assert_eq!(january["by_month"], json!([]));
        let other = app.get("/api/v1/stats", Some(&world.other_mediator.token)).await.json();
        assert_eq!(other["by_month"], json!([]), "another union's cases are not counted");
    }
);
