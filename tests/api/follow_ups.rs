//! Follow-ups (回访) after a case concludes: recorded by the case's union staff, read by whoever
//! sees the case, reminded once when due, and counted in the figures (docs/follow-ups.md,
//! docs/statistics.md).

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{TestApp, TestResponse};
use crate::personas::{furniture_factory_case, Persona};

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

fn path(case: &Value) -> String {
    format!("/api/v1/cases/{}/follow-ups", id(case))
}

/// Accepts, starts and resolves the case on the spot.
async fn resolve(app: &TestApp, persona: &Persona, case: &Value) {
    for action in ["accept", "start", "resolve"] {
        let moved = app
            .transition(persona, case, json!({"action": action}))
            .await;
        assert_eq!(moved.status, 200, "{action}: {}", moved.text());
    }
}

async fn reject(app: &TestApp, persona: &Persona, case: &Value) {
    let moved = app
        .transition(
            persona,
            case,
            json!({"action": "reject", "reason": "不属于劳动争议"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
}

async fn record(app: &TestApp, persona: &Persona, case: &Value, body: Value) -> TestResponse {
    app.post_json(&path(case), Some(&persona.token), &body)
        .await
}

fn reached(satisfaction: i32) -> Value {
    json!({"method": "phone", "reached": true, "satisfaction": satisfaction,
           "note": "张先生确认工资已全额到账，对调解满意。Mr Zhang confirms the wages arrived."})
}

fn online_case() -> Value {
    let mut case = furniture_factory_case();
    case["channel"] = json!("online");
    case
}

/// Runs the follow-up reminder as the scheduler does, with the configured days.
async fn remind(app: &TestApp) -> usize {
    let (now, days) = (app.state.clock.now(), app.state.config.follow_up_days);
    app.state
        .db
        .run(move |c| mediation_tracker::follow_ups::remind_due(c, now, days))
        .await
        .unwrap()
}

/// The outbox rows of the follow-up reminder: (recipients, subject, body).
async fn reminders(app: &TestApp) -> Vec<(String, String, String)> {
    app.state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table
                .filter(outbox::template.eq("follow_up_due"))
                .select((outbox::recipients, outbox::subject, outbox::body))
                .load::<(String, String, String)>(c)?)
        })
        .await
        .unwrap()
}

api_test!(
    async fn a_mediator_records_a_follow_up_on_a_resolved_case_and_reads_it_where_location_says(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        resolve(&app, &world.mediator, &case).await;
        let before = app.get(&format!("/api/v1/cases/{}", id(&case)), Some(&world.mediator.token)).await.json();

        let created = record(&app, &world.mediator, &case, reached(5)).await;
        assert_eq!(created.status, 201, "{}", created.text());
        let follow_up = created.json();
        assert_eq!(follow_up["case_id"], case["id"]);
        assert_eq!(follow_up["method"], "phone");
        assert_eq!(follow_up["reached"], true);
        assert_eq!(follow_up["satisfaction"], 5);
        assert_eq!(follow_up["recorded_by"], world.mediator.id.as_str());
        let location = created.header("location").unwrap().to_owned();
        assert_eq!(location, format!("{}/{}", path(&case), id(&follow_up)));
        let read = app.get(&location, Some(&world.mediator.token)).await;
        assert_eq!(read.status, 200, "{}", read.text());
        assert_eq!(read.json(), follow_up);

        let events = app.get(&format!("/api/v1/cases/{}/events", id(&case)), Some(&world.mediator.token)).await.json();
        let last = events["items"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["kind"], "follow_up_recorded");
        assert_eq!(last["data"]["follow_up_id"], follow_up["id"]);
        assert_eq!(last["data"]["satisfaction"], 5);
        let after = app.get(&format!("/api/v1/cases/{}", id(&case)), Some(&world.mediator.token)).await.json();
        assert_eq!(after["version"], before["version"], "a follow-up does not change the case");
        assert_eq!(after["status"], "resolved");

        // A supervisor above the office records one too, on a rejected case, without a rating.
        let turned_away = app.register_case(&world.mediator, &furniture_factory_case()).await;
        reject(&app, &world.mediator, &turned_away).await;
        let visit = record(&app, &world.supervisor, &turned_away,
            json!({"method": "visit", "reached": false, "note": "上门未遇，已留联系卡。Nobody at home."})).await;
        assert_eq!(visit.status, 201, "{}", visit.text());
        assert_eq!(visit.json()["satisfaction"], Value::Null);
        let unknown = app.get(&format!("{}/0192f3a1-0000-7000-8000-000000000000", path(&turned_away)), Some(&world.mediator.token)).await;
        unknown.assert_problem(404, "not_found");
        let elsewhere = app.get(&format!("{}/{}", path(&turned_away), id(&follow_up)), Some(&world.mediator.token)).await;
        elsewhere.assert_problem(404, "not_found");
    }
);

api_test!(
    async fn a_follow_up_on_a_case_not_yet_concluded_is_refused_and_nothing_is_recorded(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        for action in ["", "accept", "start"] {
            if !action.is_empty() {
                app.transition(&world.mediator, &case, json!({"action": action})).await;
            }
            let refused = record(&app, &world.mediator, &case, reached(4)).await;
            let problem = refused.assert_problem(409, "invalid_transition");
            assert!(problem["detail"].as_str().unwrap().contains("回访"), "{problem}");
        }
        // The body is checked before the case: a bad body on an open case is a 422.
        let bad = record(&app, &world.mediator, &case, json!({"method": "phone", "reached": true, "satisfaction": 6, "note": " "})).await;
        let problem = bad.assert_problem(422, "validation_failed");
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["note", "satisfaction"]);
        let list = app.get(&path(&case), Some(&world.mediator.token)).await.json();
        assert_eq!(list, json!({"items": [], "next_cursor": null}));
    }
);

api_test!(
    async fn a_rating_from_a_worker_who_was_not_reached_or_an_unknown_method_is_refused_in_english_too(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        resolve(&app, &world.mediator, &case).await;
        let body = json!({"method": "sms", "reached": false, "satisfaction": 5, "note": "短信未回复"});
        let refused = app.json_request_in("en", "POST", &path(&case), Some(&world.mediator.token), &body).await;
        let problem = refused.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"], json!([{"field": "satisfaction", "message": "is given only when the worker was reached"}]));
        let letter = record(&app, &world.mediator, &case, json!({"method": "letter", "reached": true, "note": "x"})).await;
        letter.assert_problem(422, "validation_failed");
    }
);

api_test!(
    async fn another_unions_case_is_not_found_and_partner_staff_lawyers_and_admins_may_not_record(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        // Referred to the police while open, then resolved: the police still see the case.
        let referral = app.post_json(&format!("/api/v1/cases/{}/referrals", id(&case)), Some(&world.mediator.token),
            &json!({"office_id": world.police["id"], "kind": "locate_party", "request": "找到企业主"})).await;
        assert_eq!(referral.status, 201, "{}", referral.text());
        resolve(&app, &world.mediator, &case).await;
        assert_eq!(record(&app, &world.mediator, &case, reached(4)).await.status, 201);

        record(&app, &world.other_mediator, &case, reached(4)).await.assert_problem(404, "not_found");
        app.get(&path(&case), Some(&world.other_mediator.token)).await.assert_problem(404, "not_found");
        for partner in [&world.police_officer, &world.judicial_officer, &world.lawyer, &world.admin] {
            record(&app, partner, &case, reached(4)).await.assert_problem(403, "forbidden");
        }
        // Reading follows the case's visibility: the police office it was referred to sees the
        // follow-ups; the judicial office, the lawyer without a grant and the admin do not.
        let police = app.get(&path(&case), Some(&world.police_officer.token)).await;
        assert_eq!(police.status, 200, "{}", police.text());
        assert_eq!(police.json()["items"].as_array().unwrap().len(), 1);
        for outsider in [&world.judicial_officer, &world.lawyer, &world.admin] {
            app.get(&path(&case), Some(&outsider.token)).await.assert_problem(404, "not_found");
        }
        app.get(&path(&case), None).await.assert_problem(401, "unauthenticated");
    }
);

api_test!(
    async fn the_follow_ups_of_a_case_come_oldest_first_a_page_at_a_time(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        resolve(&app, &world.mediator, &case).await;
        let mut recorded = Vec::new();
        for (method, reached) in [("phone", false), ("sms", false), ("visit", true)] {
            let body = json!({"method": method, "reached": reached, "note": format!("第{}次回访", recorded.len() + 1)});
            let created = record(&app, &world.mediator, &case, body).await;
            assert_eq!(created.status, 201, "{}", created.text());
            recorded.push(created.json()["id"].as_str().unwrap().to_owned());
        }
        let first = app.get(&format!("{}?limit=2", path(&case)), Some(&world.mediator.token)).await.json();
        let ids: Vec<&str> = first["items"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(ids, recorded[..2]);
        let cursor = first["next_cursor"].as_str().expect("a second page");
        let second = app.get(&format!("{}?limit=2&cursor={cursor}", path(&case)), Some(&world.mediator.token)).await.json();
        let ids: Vec<&str> = second["items"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(ids, recorded[2..]);
        assert_eq!(second["next_cursor"], Value::Null);
        let methods: Vec<&str> = first["items"].as_array().unwrap().iter().map(|f| f["method"].as_str().unwrap()).collect();
        assert_eq!(methods, ["phone", "sms"]);
        app.get(&format!("{}?cursor=not-a-cursor", path(&case)), Some(&world.mediator.token)).await
            .assert_problem(400, "invalid_cursor");
    }
);

api_test!(
    async fn the_mediator_is_reminded_once_when_a_follow_up_falls_due_and_never_when_one_is_recorded(app) {
        let world = app.world().await;
        let assigned = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let assign = app.json_request("PATCH", &format!("/api/v1/cases/{}", id(&assigned)), Some(&world.mediator.token),
            &json!({"assignee_id": world.mediator.id})).await;
        assert_eq!(assign.status, 200, "{}", assign.text());
        resolve(&app, &world.mediator, &assigned).await;
        let followed = app.register_case(&world.mediator, &furniture_factory_case()).await;
        reject(&app, &world.mediator, &followed).await;
        assert_eq!(record(&app, &world.mediator, &followed, json!({"method": "phone", "reached": true, "note": "已告知可申请仲裁"})).await.status, 201);
        let open = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let _ = open;

        assert_eq!(app.state.config.follow_up_days, 7, "the default");
        assert_eq!(remind(&app).await, 0);
        app.state.clock.advance(chrono::Duration::days(7) - chrono::Duration::minutes(1));
        assert_eq!(remind(&app).await, 0, "not due yet");
        app.state.clock.advance(chrono::Duration::minutes(2));
        assert_eq!(remind(&app).await, 1, "due: the resolved case without a follow-up");
        assert_eq!(remind(&app).await, 0, "once per case");
        app.state.clock.advance(chrono::Duration::days(30));
        assert_eq!(remind(&app).await, 0, "still once, however long it stays due");

        let rows = reminders(&app).await;
        assert_eq!(rows.len(), 1);
        let (recipients, subject, body) = &rows[0];
        assert_eq!(recipients, &world.mediator.email);
        let number = assigned["case_number"].as_str().unwrap();
        assert!(subject.contains(number) && subject.contains("回访"), "{subject}");
        assert!(body.contains("调解成功") && body.contains("7 days ago") && body.contains(id(&assigned)), "{body}");
    }
);

api_test!(
    async fn statistics_count_online_applications_follow_ups_and_satisfaction_per_office_and_in_total(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let a = app.register_case(m, &online_case()).await; // online, resolved, two follow-ups rated 5 and 3
        let b = app.register_case(m, &furniture_factory_case()).await; // rejected, followed up without a rating
        let c = app.register_case(m, &online_case()).await; // online, still in intake
        let d = app.register_case(m, &furniture_factory_case()).await; // withdrawn, survey answered 4, follow-up due
        let e = app.register_case(&world.other_mediator, &online_case()).await; // another union: resolved, survey 1
        resolve(&app, m, &a).await;
        reject(&app, m, &b).await;
        let _ = c;
        app.transition(m, &d, json!({"action": "withdraw", "reason": "职工撤回申请"})).await;
        resolve(&app, &world.other_mediator, &e).await;
        let received_on = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();

        let before = app.get("/api/v1/stats", Some(&m.token)).await.json();
        assert_eq!((before["online_applications"].as_i64(), before["follow_ups_due"].as_i64()), (Some(2), Some(0)));
        app.state.clock.advance(chrono::Duration::days(8));
        // Eight days on, the access tokens have expired: everyone signs in again.
        let m = &app.sign_in(&m.email, &m.password).await;
        let supervisor = app.sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let admin = app.sign_in(&world.admin.email, &world.admin.password).await;
        let due = app.get("/api/v1/stats", Some(&m.token)).await.json();
        assert_eq!(due["follow_ups_due"], 3, "a, b and d concluded 8 days ago");
        assert_eq!(due["satisfaction_rate"], Value::Null);

        for body in [reached(5), json!({"method": "sms", "reached": false, "note": "未回复"}), reached(3)] {
            let case = if body["method"] == "sms" { &b } else { &a };
            assert_eq!(record(&app, m, case, body).await.status, 201);
        }
        let now = app.state.clock.now().naive_utc();
        let surveys = [(id(&d).to_owned(), 4), (id(&e).to_owned(), 1)];
        app.state.db.run(move |c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::surveys;
            for (case_id, satisfaction) in surveys {
                diesel::insert_into(surveys::table).values((
                    surveys::id.eq(uuid::Uuid::new_v4().to_string()),
                    surveys::case_id.eq(case_id),
                    surveys::token_digest.eq(uuid::Uuid::new_v4().to_string()),
                    surveys::satisfaction.eq(Some(satisfaction)),
                    surveys::created_at.eq(now),
                    surveys::answered_at.eq(Some(now)),
                )).execute(c)?;
            }
            Ok(())
        }).await.unwrap();

        let town = json!({"office_id": world.town_union["id"], "office_name": "沙坪街道工会",
            "online_applications": 2, "follow_ups_due": 1, "follow_ups_done": 3,
            "satisfaction_responses": 3, "satisfaction_rate": 0.6667});
        let mine = app.get("/api/v1/stats", Some(&m.token)).await.json();
        for figure in ["online_applications", "follow_ups_due", "follow_ups_done", "satisfaction_responses", "satisfaction_rate"] {
            assert_eq!(mine[figure], town[figure], "{figure}: {mine}");
        }
        assert_eq!(mine["union_offices"], json!([town]));

        let county = json!({"office_id": world.county_union["id"], "office_name": "鹤山市总工会",
            "online_applications": 0, "follow_ups_due": 0, "follow_ups_done": 0,
            "satisfaction_responses": 0, "satisfaction_rate": null});
        let supervisor = app.get("/api/v1/stats", Some(&supervisor.token)).await.json();
        assert_eq!(supervisor["satisfaction_rate"], 0.6667);
        let mut both = vec![town.clone(), county.clone()];
        both.sort_by(|x, y| x["office_name"].as_str().cmp(&y["office_name"].as_str()));
        assert_eq!(supervisor["union_offices"], json!(both));

        let admin = app.get("/api/v1/stats", Some(&admin.token)).await.json();
        assert_eq!(
            (admin["online_applications"].as_i64(), admin["follow_ups_due"].as_i64(), admin["follow_ups_done"].as_i64(),
             admin["satisfaction_responses"].as_i64(), admin["satisfaction_rate"].as_f64()),
            (Some(3), Some(2), Some(3), Some(4), Some(0.5)),
            "e is due too, and its survey of 1 counts: {admin}"
        );
        let names: Vec<&str> = admin["union_offices"].as_array().unwrap().iter().map(|o| o["office_name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 3, "every union office, none of the partner offices: {names:?}");

        // The period: cases by the day they were received, follow-ups and surveys by when given.
        let day = received_on.to_string();
        let then = app.get(&format!("/api/v1/stats?from={day}&to={day}"), Some(&m.token)).await.json();
        assert_eq!(
            (then["online_applications"].as_i64(), then["follow_ups_due"].as_i64(), then["follow_ups_done"].as_i64(),
             then["satisfaction_responses"].as_i64()),
            (Some(2), Some(1), Some(0), Some(0)),
            "{then}"
        );
        assert_eq!(then["satisfaction_rate"], Value::Null);
        let today = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive().to_string();
        let lately = app.get(&format!("/api/v1/stats?from={today}"), Some(&m.token)).await.json();
        assert_eq!(
            (lately["online_applications"].as_i64(), lately["follow_ups_due"].as_i64(), lately["follow_ups_done"].as_i64(),
             lately["satisfaction_responses"].as_i64(), lately["satisfaction_rate"].as_f64()),
            (Some(0), Some(0), Some(3), Some(3), Some(0.6667)),
            "{lately}"
        );
    }
);
