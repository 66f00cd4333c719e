//! The worker's front door without an account: the offices that take online applications, a
//! texted code, the application through the staff's intake, the case followed with its access
//! code, throttles, and the survey answered once.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::World;

/// The town union lists itself for online applications, as its admin would.
async fn open_online(app: &TestApp, world: &World) {
    let id = world.town_union["id"].as_str().unwrap();
    let patched = app
        .json_request(
            "PATCH",
            &format!("/api/v1/offices/{id}"),
            Some(&world.admin.token),
            &json!({"accepts_online": true, "address": "鹤山市沙坪街道中山路 25 号", "phone": "0750-8888456", "area": "沙坪街道"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
}

/// The parameters of the newest text of `template` to anyone.
async fn last_text(app: &TestApp, template: &'static str) -> Value {
    let body = app
        .state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table
                .filter(outbox::template.eq(template))
                .filter(outbox::channel.eq("sms"))
                .order(outbox::created_at.desc())
                .select(outbox::body)
                .first::<String>(c)?)
        })
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

fn application(office_code: &str, code: &str) -> Value {
    json!({
        "office_code": office_code, "phone": "１３９ ０００１ １１１１", "verification_code": code,
        "name": "王小明", "id_number": "440524198001010013",
        "category": "wage_arrears", "summary": "家具厂拖欠三个月工资，老板不接电话。",
        "claimed_amount_fen": 1_800_000, "workers_involved": 1,
        "employer": {"name": "鹤山市某家具厂"}, "sms_consent": true
    })
}

/// Applies with a freshly texted code; the 201's body.
async fn apply(app: &TestApp, world: &World) -> Value {
    let code = world.town_union["code"].as_str().unwrap();
    let sent = app
        .post_json(
            "/api/v1/public/verifications",
            None,
            &json!({"phone": "13900011111"}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.text());
    let texted = last_text(app, "sms_verification_code").await;
    let applied = app
        .post_json(
            "/api/v1/public/applications",
            None,
            &application(code, texted["code"].as_str().unwrap()),
        )
        .await;
    assert_eq!(applied.status, 201, "{}", applied.text());
    applied.json()
}

api_test!(
    async fn a_worker_applies_with_a_texted_code_and_follows_the_case_with_the_access_code(app) {
        let world = app.world().await;
        let listed = app.get("/api/v1/public/offices", None).await;
        assert_eq!(listed.json()["items"], json!([]), "no office takes online applications yet");
        open_online(&app, &world).await;
        let listed = app.get("/api/v1/public/offices", None).await.json();
        assert_eq!(listed["items"][0]["code"], world.town_union["code"]);
        assert_eq!(listed["items"][0]["area"], "沙坪街道");

        let submitted = apply(&app, &world).await;
        let number = submitted["case_number"].as_str().unwrap();
        let access = submitted["access_code"].as_str().unwrap();
        assert_eq!(access.len(), 11, "{access}");
        assert!(submitted["track_url"].as_str().unwrap().ends_with(&format!("/track?case={number}")));
        let texted = last_text(&app, "sms_application_received").await;
        assert_eq!((texted["case_number"].as_str(), texted["access_code"].as_str()), (Some(number), Some(access)));

        // The office's mediators see it in intake, online, with the worker as its claimant.
        let cases = app.get(&format!("/api/v1/cases?q={number}"), Some(&world.mediator.token)).await.json();
        let case = &cases["items"][0];
        assert_eq!((case["status"].as_str(), case["channel"].as_str()), (Some("intake"), Some("online")));
        let parties = app.get(&format!("/api/v1/cases/{}/parties", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        assert_eq!(parties["items"][0]["name"], "王小明");
        assert_eq!(parties["items"][0]["sms_consent"], true, "the consent is on the worker party");

        // The worker follows it; the code may be typed loosely.
        let loose = access.to_lowercase().replace('-', " ");
        let view = app.post_json("/api/v1/public/track", None, &json!({"case_number": number, "access_code": loose})).await;
        assert_eq!(view.status, 200, "{}", view.text());
        assert_eq!(view.json()["case_number"], number);
        assert_eq!(view.json()["status"], "intake");
        let me = &view.json()["worker"];
        assert_eq!((me["name"].as_str(), me["phone_masked"].as_str()), (Some("王小明"), Some("139****1111")));
        assert!(!view.text().contains("13900011111") && !view.text().contains("440524198001010013"));

        // A wrong code and an unknown case get the same answer.
        let wrong = app.post_json("/api/v1/public/track", None, &json!({"case_number": number, "access_code": "00000-00000"})).await;
        let unknown = app.post_json("/api/v1/public/track", None, &json!({"case_number": "XX-2026-000001", "access_code": access})).await;
        let (mut wrong, mut unknown) = (wrong.assert_problem(404, "not_found"), unknown.assert_problem(404, "not_found"));
        wrong["request_id"] = Value::Null;
        unknown["request_id"] = Value::Null;
        assert_eq!(wrong, unknown);
    }
);

api_test!(
    async fn a_texted_code_works_once_and_every_bad_field_is_reported_at_once(app) {
        let world = app.world().await;
        open_online(&app, &world).await;
        let office = world.town_union["code"].as_str().unwrap();
        apply(&app, &world).await;
        let spent = last_text(&app, "sms_verification_code").await;
        let again = app.post_json("/api/v1/public/applications", None, &application(office, spent["code"].as_str().unwrap())).await;
        let problem = again.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "verification_code", "{problem}");

        let mut bad = application("NOPE", "123456");
        bad["phone"] = json!("0750-1234567");
        bad["sms_consent"] = json!(false);
        bad["summary"] = json!("  ");
        let refused = app.post_json("/api/v1/public/applications", None, &bad).await.assert_problem(422, "validation_failed");
        let mut fields: Vec<&str> = refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["office_code", "phone", "sms_consent", "summary"], "{refused}");
        assert!(refused["errors"].to_string().contains("手机号码"), "{refused}");
    }
);

api_test!(
    async fn lookups_of_one_case_number_are_throttled_right_or_wrong(app) {
        for attempt in 1..=11 {
            let answer = app
                .post_json("/api/v1/public/track", None, &json!({"case_number": "SP-2026-000001", "access_code": format!("{attempt:05}-00000")}))
                .await;
            if attempt <= 10 {
                answer.assert_problem(404, "not_found");
            } else {
                answer.assert_problem(429, "too_many_requests");
                assert!(answer.header("retry-after").is_some());
            }
        }
    }
);

api_test!(
    async fn a_worker_rates_the_service_once_and_the_mediator_reads_it_on_the_timeline(app) {
        let world = app.world().await;
        open_online(&app, &world).await;
        let submitted = apply(&app, &world).await;
        let number = submitted["case_number"].as_str().unwrap().to_owned();
        let case = app.get(&format!("/api/v1/cases?q={number}"), Some(&world.mediator.token)).await.json()["items"][0].clone();
        let case_id = case["id"].as_str().unwrap().to_owned();
        let now = app.state.clock.now();
        let id = case_id.clone();
        let token = app
            .state
            .db
            .run(move |c| mediation_tracker::public::surveys::issue(c, &id.as_str().into(), now))
            .await
            .unwrap()
            .expect("a new survey");
        let open = app.get(&format!("/api/v1/public/surveys/{token}"), None).await.json();
        assert_eq!(open, json!({"case_number": number, "answered": false}));
        let path = format!("/api/v1/public/surveys/{token}");
        let rated = app.post_json(&path, None, &json!({"satisfaction": 5, "comment": "调解员很耐心"})).await;
        assert_eq!(rated.status, 200, "{}", rated.text());
        app.post_json(&path, None, &json!({"satisfaction": 1})).await.assert_problem(409, "already_answered");
        app.post_json(&path, None, &json!({"satisfaction": 6})).await.assert_problem(422, "validation_failed");
        app.get("/api/v1/public/surveys/NOSUCHTOKEN", None).await.assert_problem(404, "not_found");
        let events = app.get(&format!("/api/v1/cases/{case_id}/events"), Some(&world.mediator.token)).await.json();
        let answered = events["items"].as_array().unwrap().iter().find(|e| e["kind"] == "survey_answered").expect("on the timeline");
        assert_eq!(answered["data"]["satisfaction"], 5);
        assert_eq!(answered["actor"]["kind"], "worker");
    }
);
