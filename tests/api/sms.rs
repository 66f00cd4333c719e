//! Text messages to workers, as reliable as the email: a real HTTP exchange with a local gateway
//! that checks every signature (retries after a 500 and a timeout with the same message id, a dead
//! row after a 400), `.sms` files in Chinese by default, the texts of each step of a case to a
//! consenting worker and none to one who did not consent, and the scheduled texts once per date.

use std::time::Duration;

use chrono::Datelike;
use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::personas::{furniture_factory_case, World};
use crate::sms_gateway::{Answer, SmsGateway};
use mediation_tracker::config::Config;
use mediation_tracker::notify::sms_transport::{GatewaySettings, SmsTransport};

const SECRET: &str = "gateway-secret-gateway-secret-0123456789";

fn fast_outbox(config: &mut Config) {
    config.mail.poll_interval = Duration::from_millis(50);
    config.mail.backoff = Duration::from_millis(100);
    config.mail.backoff_cap = Duration::from_millis(300);
}

async fn with_gateway(backend: Backend, gateway: &SmsGateway, timeout: Duration) -> TestApp {
    let url = gateway.url();
    spawn_app_with(backend, move |config| {
        fast_outbox(config);
        config.sms.transport = SmsTransport::Gateway(GatewaySettings {
            url,
            secret: SECRET.into(),
            timeout,
        });
    })
    .await
    .expect("the backend is available")
}

macro_rules! sms_test {
    (async fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            use super::*;
            #[actix_web::test]
            async fn sqlite() {
                let $backend = Backend::Sqlite;
                $body
            }
            #[actix_web::test]
            async fn postgres() {
                if std::env::var("TEST_DATABASE_URL").is_err() {
                    eprintln!("TEST_DATABASE_URL is not set: the PostgreSQL run is skipped");
                    return;
                }
                let $backend = Backend::Postgres;
                $body
            }
        }
    };
}

/// Mr Zhang agrees to be texted; Ms Li, the second worker, gave a phone but no consent.
fn consenting_case() -> Value {
    let mut case = furniture_factory_case();
    case["workers_involved"] = json!(2);
    case["workers"] = json!([
        {"name": "张先生", "id_number": "440524198001010013", "phone": "139 0000 1111",
         "role": "claimant", "sms_consent": true},
        {"name": "李女士", "phone": "13700002222", "role": "claimant"}
    ]);
    case
}

fn case_path(case: &Value, rest: &str) -> String {
    format!("/api/v1/cases/{}{rest}", case["id"].as_str().unwrap())
}

/// Registers Mr Zhang's case and accepts it: his "accepted" text is written.
async fn accepted_case(app: &TestApp, world: &World) -> Value {
    let case = app.register_case(&world.mediator, &consenting_case()).await;
    let accepted = app
        .transition(&world.mediator, &case, json!({"action": "accept"}))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    case
}

/// The texts in the outbox, oldest first: (template, masked phone, parameters, dedup key).
async fn texts(app: &TestApp) -> Vec<(String, String, Value, Option<String>)> {
    let rows = app
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table
                .filter(outbox::channel.eq("sms"))
                .order((outbox::created_at.asc(), outbox::id.asc()))
                .select((
                    outbox::template,
                    outbox::recipients,
                    outbox::body,
                    outbox::dedup_key,
                ))
                .load::<(String, String, String, Option<String>)>(c)?)
        })
        .await
        .unwrap();
    rows.into_iter()
        .map(|(t, r, body, key)| (t, r, serde_json::from_str(&body).unwrap(), key))
        .collect()
}

fn templates(texts: &[(String, String, Value, Option<String>)]) -> Vec<&str> {
    texts.iter().map(|t| t.0.as_str()).collect()
}

/// The admin view's SMS rows, waiting (up to 15 s) until `check` holds.
async fn sms_rows_until(
    app: &TestApp,
    world: &World,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let admin = app.sign_in(&world.admin.email, &world.admin.password).await;
    for _ in 0..200 {
        let page = app
            .get("/api/v1/notifications", Some(&admin.token))
            .await
            .json();
        let rows: Vec<Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["channel"] == "sms")
            .cloned()
            .collect();
        if check(&rows) {
            return rows;
        }
        actix_web::rt::time::sleep(Duration::from_millis(75)).await;
    }
    panic!("the SMS rows never got there");
}

fn chinese_date(date: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

sms_test!(
    async fn the_gateway_gets_a_signed_text_and_the_same_message_id_again_after_a_500(backend) {
        let gateway = SmsGateway::start(SECRET).await;
        gateway.then(Answer::Status(500, r#"{"error": "provider unavailable"}"#));
        let app = with_gateway(backend, &gateway, Duration::from_secs(5)).await;
        let world = app.world().await;
        let case = accepted_case(&app, &world).await;
        let received = gateway.wait_for(2).await;
        for request in &received {
            assert!(request.verified, "the signature checks out: {request:?}");
            assert!(request.signature.as_deref().is_some_and(|s| s.starts_with("sha256=")));
            assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v1/sms"));
            assert_eq!(request.content_type.as_deref(), Some("application/json"));
            let timestamp: i64 = request.timestamp.as_deref().unwrap().parse().unwrap();
            assert!((timestamp - app.state.clock.now().timestamp()).abs() < 60, "{timestamp}");
        }
        let (first, second) = (&received[0].body, &received[1].body);
        assert_eq!(first["message_id"], second["message_id"], "stable across the retry");
        assert_eq!(
            first,
            &json!({"message_id": first["message_id"], "phone": "13900001111", "template": "sms_case_accepted",
                    "params": {"case_number": case["case_number"], "office": "沙坪街道工会"}})
        );
        let rows = sms_rows_until(&app, &world, |rows| rows.iter().any(|r| r["status"] == "sent")).await;
        assert_eq!(rows.len(), 1, "Ms Li did not consent: {rows:?}");
        let row = &rows[0];
        assert_eq!(row["id"], first["message_id"], "the message id is the outbox row's id");
        assert_eq!((row["template"].as_str(), row["attempts"].as_i64()), (Some("sms_case_accepted"), Some(2)));
        assert_eq!(row["recipients"], json!(["139****1111"]), "admins see the phone masked");
        assert_eq!(row["last_error"], Value::Null);
        assert_eq!(gateway.received().len(), 2, "sent, so not sent again");
    }
);

sms_test!(
    async fn a_400_from_the_gateway_kills_the_text_at_once_and_an_admin_can_send_it_again(backend) {
        let gateway = SmsGateway::start(SECRET).await;
        gateway.then(Answer::Status(400, r#"{"error": "template not approved"}"#));
        let app = with_gateway(backend, &gateway, Duration::from_secs(5)).await;
        let world = app.world().await;
        accepted_case(&app, &world).await;
        let rows = sms_rows_until(&app, &world, |rows| rows.iter().any(|r| r["status"] == "dead")).await;
        let row = &rows[0];
        assert_eq!(row["attempts"], 1, "no retry after a 4xx");
        let error = row["last_error"].as_str().unwrap();
        assert!(error.contains("400") && error.contains("template not approved"), "{error}");
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(gateway.received().len(), 1, "a dead text is not retried by itself");

        let admin = app.sign_in(&world.admin.email, &world.admin.password).await;
        let path = format!("/api/v1/notifications/{}/retry", row["id"].as_str().unwrap());
        let retried = app.post_json(&path, Some(&admin.token), &json!({})).await;
        assert_eq!((retried.status, retried.json()["channel"].as_str()), (200, Some("sms")));
        let received = gateway.wait_for(2).await;
        assert_eq!(received[1].body["message_id"], row["id"]);
        assert!(received[1].verified);
        sms_rows_until(&app, &world, |rows| rows[0]["status"] == "sent").await;
        app.post_json(&path, Some(&admin.token), &json!({})).await.assert_problem(409, "already_sent");
    }
);

sms_test!(
    async fn a_gateway_that_does_not_answer_in_time_is_asked_again_with_the_same_message_id(backend) {
        let gateway = SmsGateway::start(SECRET).await;
        gateway.then(Answer::Silence(Duration::from_secs(3)));
        let app = with_gateway(backend, &gateway, Duration::from_millis(400)).await;
        let world = app.world().await;
        accepted_case(&app, &world).await;
        let rows = sms_rows_until(&app, &world, |rows| rows.iter().any(|r| r["status"] == "sent")).await;
        assert_eq!(rows[0]["attempts"], 2, "{rows:?}");
        let received = gateway.received();
        assert_eq!(received.len(), 2);
        assert_eq!(received[0].body["message_id"], received[1].body["message_id"]);
        assert!(received.iter().all(|r| r.verified));
    }
);

sms_test!(
    async fn without_a_gateway_each_text_is_an_sms_file_with_its_chinese_text(backend) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().into_owned();
        let app = spawn_app_with(backend, move |config| {
            fast_outbox(config);
            config.sms.transport = SmsTransport::Files(path);
        })
        .await
        .expect("the backend is available");
        let world = app.world().await;
        let case = accepted_case(&app, &world).await;
        let rows = sms_rows_until(&app, &world, |rows| rows.iter().any(|r| r["status"] == "sent")).await;
        let file = dir.path().join(format!("{}.sms", rows[0]["id"].as_str().unwrap()));
        let written = std::fs::read_to_string(&file).unwrap();
        let number = case["case_number"].as_str().unwrap();
        for line in [
            "To: 13900001111".to_owned(),
            "Template: sms_case_accepted".to_owned(),
            format!("  case_number: {number}"),
            "  office: 沙坪街道工会".to_owned(),
            format!("您的案件{number}已由沙坪街道工会受理，调解员将尽快与您联系，请保持电话畅通。"),
        ] {
            assert!(written.lines().any(|l| l == line), "{line:?} in:\n{written}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "one file, and no other");
    }
);

api_test!(
    async fn a_consenting_worker_is_texted_each_step_of_the_case_and_one_who_did_not_consent_never(app) {
        let world = app.world().await;
        let case = accepted_case(&app, &world).await;
        let number = case["case_number"].as_str().unwrap().to_owned();
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        let session = app
            .post_json(&case_path(&case, "/sessions"), Some(&world.mediator.token),
                &json!({"scheduled_at": "2026-12-10T06:30:00Z", "location": "沙坪街道一站式调解中心 2 楼",
                        "office_ids": [world.hr["id"]]}))
            .await;
        assert_eq!(session.status, 201, "{}", session.text());
        let today = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();
        let (first, second) = (today + chrono::Duration::days(10), today + chrono::Duration::days(20));
        let agreement = app
            .post_json(&case_path(&case, "/agreements"), Some(&world.mediator.token),
                &json!({"signed_at": app.state.clock.now(), "terms": [
                    {"description": "第二期", "amount_fen": 100_000, "payee": "张先生", "due_date": second.to_string()},
                    {"description": "第一期", "amount_fen": 200_050, "payee": "张先生", "due_date": first.to_string()}]}))
            .await;
        assert_eq!(agreement.status, 201, "{}", agreement.text());
        let paid = app
            .post_json(&case_path(&case, "/payments"), Some(&world.mediator.token),
                &json!({"amount_fen": 300_050, "paid_at": app.state.clock.now()}))
            .await;
        assert_eq!(paid.status, 201, "{}", paid.text());
        let resolved = app.transition(&world.mediator, &case, json!({"action": "resolve"})).await;
        assert_eq!(resolved.status, 200, "{}", resolved.text());

        let sent = texts(&app).await;
        assert_eq!(
            templates(&sent),
            ["sms_case_accepted", "sms_session_scheduled", "sms_agreement_signed", "sms_case_closed"],
            "starting mediation and a payment text nothing"
        );
        assert!(sent.iter().all(|t| t.1 == "139****1111"), "only Mr Zhang: {sent:?}");
        assert_eq!(
            sent[1].2,
            json!({"case_number": number, "time": "2026年12月10日 14:30", "place": "沙坪街道一站式调解中心 2 楼"}),
            "the time in the office's zone"
        );
        let schedule = format!("{} 2000.50元；{} 1000.00元", chinese_date(first), chinese_date(second));
        assert_eq!(sent[2].2, json!({"case_number": number, "schedule": schedule}));
        let link = sent[3].2["survey_url"].as_str().unwrap();
        let base = format!("{}/survey/", app.state.config.public.base_url);
        let token = link.strip_prefix(&base).unwrap_or_else(|| panic!("{link} under {base}"));
        let survey = app.get(&format!("/api/v1/public/surveys/{token}"), None).await;
        assert_eq!((survey.status, survey.json()["case_number"].as_str()), (200, Some(number.as_str())));

        // A case not taken on tells the consenting worker why.
        let refused = app.register_case(&world.mediator, &consenting_case()).await;
        let reason = "不属于劳动争议调解受理范围";
        app.transition(&world.mediator, &refused, json!({"action": "reject", "reason": reason})).await;
        let sent = texts(&app).await;
        let last = sent.last().unwrap();
        assert_eq!(last.0, "sms_case_not_accepted");
        assert_eq!(last.2, json!({"case_number": refused["case_number"], "reason": reason}));
        assert_eq!(sent.len(), 5, "a worker who did not consent gets nothing: {sent:?}");
    }
);

/// Runs the reminder scheduler once at the service clock's time; how many rows it wrote.
async fn remind(app: &TestApp) -> usize {
    let now = app.state.clock.now();
    let keys = app.state.personal_data.clone();
    app.state
        .db
        .run(move |c| mediation_tracker::notify::reminders::run_once(c, &keys, now))
        .await
        .unwrap()
}

api_test!(
    async fn the_day_12_text_goes_once_for_its_date_even_if_the_scheduler_runs_twice(app) {
        let world = app.world().await;
        let case = accepted_case(&app, &world).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        app.state.clock.advance(chrono::Duration::days(11));
        remind(&app).await;
        assert_eq!(templates(&texts(&app).await), ["sms_case_accepted"], "day 11: not yet");
        app.state.clock.advance(chrono::Duration::days(1));
        remind(&app).await;
        remind(&app).await;
        app.state.clock.advance(chrono::Duration::days(1));
        remind(&app).await;
        let sent = texts(&app).await;
        assert_eq!(templates(&sent), ["sms_case_accepted", "sms_arbitration_notice"], "once, on day 12");
        let deadline = chrono::NaiveDate::parse_from_str(case["mediation_deadline"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let notice = &sent[1];
        assert_eq!(notice.2, json!({"case_number": case["case_number"], "deadline": chinese_date(deadline)}));
        let key = notice.3.as_deref().unwrap();
        assert!(key.starts_with(&format!("sms_arbitration_notice:{}:{deadline}:", case["id"].as_str().unwrap())), "{key}");
        app.state.clock.advance(chrono::Duration::days(3));
        remind(&app).await;
        assert_eq!(texts(&app).await.len(), 2, "nothing once the window closed");
    }
);

api_test!(
    async fn payment_texts_go_once_per_due_date_with_what_is_still_owed(app) {
        let world = app.world().await;
        let case = accepted_case(&app, &world).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        let due = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive() + chrono::Duration::days(5);
        let term = |description: &str, fen: i64| {
            json!({"description": description, "amount_fen": fen, "payee": "张先生", "due_date": due.to_string()})
        };
        app.post_json(&case_path(&case, "/agreements"), Some(&world.mediator.token),
            &json!({"signed_at": app.state.clock.now(), "terms": [term("工资", 200_000), term("经济补偿", 100_000)]}))
            .await;
        app.post_json(&case_path(&case, "/payments"), Some(&world.mediator.token),
            &json!({"amount_fen": 50_000, "paid_at": app.state.clock.now()}))
            .await;
        remind(&app).await;
        app.state.clock.advance(chrono::Duration::days(4));
        remind(&app).await;
        remind(&app).await;
        app.state.clock.advance(chrono::Duration::days(2));
        remind(&app).await;
        remind(&app).await;
        let sent = texts(&app).await;
        assert_eq!(
            templates(&sent),
            ["sms_case_accepted", "sms_agreement_signed", "sms_payment_due_tomorrow", "sms_payment_missed"]
        );
        let owed = json!({"case_number": case["case_number"], "amount": "2500.00", "due_date": chinese_date(due)});
        assert_eq!((&sent[2].2, &sent[3].2), (&owed, &owed), "two terms of one date, one text each time");
    }
);

api_test!(
    async fn staff_record_consent_only_for_the_workers_side_with_a_mobile(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &consenting_case()).await;
        let parties = app.get(&case_path(&case, "/parties"), Some(&world.mediator.token)).await.json();
        let items = parties["items"].as_array().unwrap();
        assert_eq!(items[0]["sms_consent"], true);
        assert!(items[0]["sms_consent_at"].is_string());
        assert_eq!((&items[1]["sms_consent"], &items[1]["sms_consent_at"]), (&json!(false), &Value::Null));

        let (path, token) = (case_path(&case, "/parties"), Some(world.mediator.token.as_str()));
        for refused in [
            json!({"kind": "worker", "name": "王五", "phone": "0750-1234567", "sms_consent": true}),
            json!({"kind": "worker", "name": "王五", "sms_consent": true}),
            json!({"kind": "employer", "name": "某厂", "phone": "13800001111", "sms_consent": true}),
        ] {
            let answer = app.post_json(&path, token, &refused).await;
            assert_eq!(answer.assert_problem(422, "validation_failed")["errors"][0]["field"], "sms_consent", "{refused}");
        }
        let body = json!({"kind": "representative", "name": "刘代表", "phone": "13700001234", "sms_consent": true});
        let added = app.post_json(&path, token, &body).await;
        assert_eq!((added.status, &added.json()["sms_consent"]), (201, &json!(true)));

        let mut bad = consenting_case();
        bad["workers"][1]["sms_consent"] = json!(true);
        bad["workers"][1]["phone"] = json!(null);
        let refused = app.post_json("/api/v1/cases", Some(&world.mediator.token), &bad).await;
        assert_eq!(refused.assert_problem(422, "validation_failed")["errors"][0]["field"], "workers[1].sms_consent");
    }
);
