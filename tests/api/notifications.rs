//! Notifications that are never lost: the outbox, a real SMTP exchange, outages, crashes,
//! several servers, dead letters, and reminders on a controllable clock.

use std::time::Duration;

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::personas::{furniture_factory_case, World};
use crate::smtp_sink::{free_port, SmtpSink};
use mediation_tracker::config::Config;
use mediation_tracker::notify::mailer::{parse_smtp_url, MailTransport, SentMail};
use mediation_tracker::notify::worker;

fn smtp(config: &mut Config, url: &str) {
    config.mail.transport = MailTransport::Smtp(parse_smtp_url(url).unwrap());
    config.mail.poll_interval = Duration::from_millis(50);
    config.mail.backoff = Duration::from_millis(100);
    config.mail.backoff_cap = Duration::from_millis(300);
}

async fn refer_to_police(app: &TestApp, world: &World) -> Value {
    let case = app
        .register_case(&world.mediator, &furniture_factory_case())
        .await;
    let path = format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap());
    let response = app
        .post_json(&path, Some(&world.mediator.token), &json!({"office_id": world.police["id"], "kind": "locate_party", "request": "请协助找到企业主"}))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    case
}

async fn notifications(app: &TestApp, world: &World, query: &str) -> Vec<Value> {
    let admin = app.sign_in(&world.admin.email, &world.admin.password).await;
    let page = app
        .get(&format!("/api/v1/notifications{query}"), Some(&admin.token))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    page.json()["items"].as_array().unwrap().clone()
}

async fn wait_until(
    app: &TestApp,
    world: &World,
    what: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..200 {
        let rows = notifications(app, world, "").await;
        if check(&rows) {
            return rows;
        }
        actix_web::rt::time::sleep(Duration::from_millis(75)).await;
    }
    panic!(
        "timed out waiting for {what}: {:?}",
        notifications(app, world, "").await
    );
}

/// The mail the memory transport sent whose subject contains `subject`, once the outbox has
/// delivered it (the server's own worker may be the one sending it).
async fn sent_mail(app: &TestApp, subject: &str) -> SentMail {
    for _ in 0..200 {
        app.state
            .outbox_worker()
            .deliver_due()
            .await
            .expect("the outbox delivers");
        if let Some(mail) = app
            .state
            .mailer
            .sent()
            .into_iter()
            .find(|m| m.subject.contains(subject))
        {
            return mail;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail about {subject}: {:?}", app.state.mailer.sent());
}

async fn with_smtp(backend: Backend, url: String) -> Option<TestApp> {
    spawn_app_with(backend, move |config| smtp(config, &url)).await
}

macro_rules! smtp_test {
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

smtp_test!(
    async fn a_new_referral_is_emailed_to_the_police_station_and_its_officers_over_smtp(backend) {
        let sink = SmtpSink::start().await;
        let app = with_smtp(backend, sink.url()).await.unwrap();
        let world = app.world().await;
        let case = refer_to_police(&app, &world).await;
        let mail = sink.wait_for(1).await;
        let message = &mail[0];
        let mut to = message.to.clone();
        to.sort();
        let mut expected = vec![world.police_officer.email.clone(), "spps@offices.test".to_owned()];
        expected.sort();
        assert_eq!(to, expected);
        assert_eq!(message.from, "noreply@localhost");
        let number = case["case_number"].as_str().unwrap();
        assert!(message.subject.contains(number) && message.subject.contains("locate_party"), "{}", message.subject);
        assert!(message.subject.contains("协助查找当事人"), "{}", message.subject);
        assert!(message.body.contains("请协助找到企业主") && message.body.contains("沙坪派出所"), "{}", message.body);
        assert!(message.body.contains(&format!("referred case {number} to your office: locate_party")), "{}", message.body);
        let rows = wait_until(&app, &world, "sent status", |rows| rows.iter().any(|r| r["status"] == "sent")).await;
        assert_eq!(rows[0]["template"], "referral_created");
        assert_eq!(rows[0]["attempts"], 1);

        // The police answer: the mediator's office hears of it (the case has no assignee).
        let police_referral = app.get("/api/v1/referrals", Some(&world.police_officer.token)).await.json()["items"][0].clone();
        let path = format!("/api/v1/referrals/{}/complete", police_referral["id"].as_str().unwrap());
        app.post_json(&path, Some(&world.police_officer.token), &json!({"outcome": "party_located", "result": "已找到企业主"})).await;
        let mail = sink.wait_for(2).await;
        assert_eq!(mail[1].to, ["sp@offices.test"]);
        assert!(mail[1].body.contains("已找到企业主") && mail[1].body.contains("party_located"), "{}", mail[1].body);
        let base = &app.state.config.public.base_url;
        let referral_page = format!("{base}/console/referrals/{}", police_referral["id"].as_str().unwrap());
        assert!(mail[0].body.contains(&referral_page), "the officer's mail links the referral: {}", mail[0].body);
        let case_page = format!("{base}/console/cases/{}", case["id"].as_str().unwrap());
        let line = format!("查看案件：{case_page}");
        assert!(mail[1].body.lines().any(|l| l.trim_end() == line), "the union's mail links the case: {}", mail[1].body);

        // A change that fails writes no mail.
        let bad = app
            .post_json(&format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap()), Some(&world.mediator.token),
                &json!({"office_id": world.police["id"], "kind": "negotiation", "request": "x"}))
            .await;
        assert_eq!(bad.status, 422);
        assert_eq!(notifications(&app, &world, "").await.len(), 2);
    }
);

smtp_test!(
    async fn mail_waits_while_the_smtp_server_is_down_and_is_delivered_once_it_is_up(backend) {
        let port = free_port();
        let app = with_smtp(backend, format!("smtp://127.0.0.1:{port}")).await.unwrap();
        let world = app.world().await;
        refer_to_police(&app, &world).await;
        let rows = wait_until(&app, &world, "a failed attempt", |rows| rows.iter().any(|r| r["attempts"].as_i64() >= Some(1))).await;
        assert_eq!(rows[0]["status"], "pending");
        assert!(rows[0]["last_error"].as_str().unwrap().contains("smtp"), "{}", rows[0]["last_error"]);
        let sink = SmtpSink::start_on(port).await;
        let mail = sink.wait_for(1).await;
        assert!(mail[0].subject.contains("locate_party"));
        wait_until(&app, &world, "sent", |rows| rows[0]["status"] == "sent").await;
        actix_web::rt::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(sink.received().len(), 1, "delivered once, not again");
    }
);

smtp_test!(
    async fn mail_committed_by_a_server_that_died_before_sending_is_sent_by_the_next_one(backend) {
        let app = spawn_app_with(backend, |config| config.mail.worker_enabled = false).await.unwrap();
        let world = app.world().await;
        refer_to_police(&app, &world).await;
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(notifications(&app, &world, "?status=pending").await.len(), 1, "committed, not sent");
        let sink = SmtpSink::start().await;
        let url = sink.url();
        let _restarted = app.another_server(move |config| smtp(config, &url)).await;
        let mail = sink.wait_for(1).await;
        assert!(mail[0].subject.contains("locate_party"));
    }
);

smtp_test!(
    async fn two_servers_sharing_a_database_never_send_one_message_twice(backend) {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, |config| config.mail.worker_enabled = false).await.unwrap();
        let world = app.world().await;
        for _ in 0..8 {
            refer_to_police(&app, &world).await;
        }
        let (url_a, url_b) = (sink.url(), sink.url());
        let _first = app.another_server(move |config| smtp(config, &url_a)).await;
        let _second = app.another_server(move |config| smtp(config, &url_b)).await;
        sink.wait_for(8).await;
        actix_web::rt::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(sink.received().len(), 8, "each outbox row was sent exactly once");
    }
);

smtp_test!(
    async fn after_the_last_attempt_a_message_is_dead_until_an_admin_retries_it(backend) {
        let port = free_port();
        let url = format!("smtp://127.0.0.1:{port}");
        let app = spawn_app_with(backend, move |config| {
            smtp(config, &url);
            config.mail.max_attempts = 2;
        })
        .await
        .unwrap();
        let world = app.world().await;
        refer_to_police(&app, &world).await;
        let rows = wait_until(&app, &world, "dead", |rows| rows.iter().any(|r| r["status"] == "dead")).await;
        assert_eq!(rows[0]["attempts"], 2);
        assert_eq!(notifications(&app, &world, "?status=dead").await.len(), 1);
        let sink = SmtpSink::start_on(port).await;
        actix_web::rt::time::sleep(Duration::from_millis(400)).await;
        assert!(sink.received().is_empty(), "a dead message is not retried by itself");
        let admin = app.sign_in(&world.admin.email, &world.admin.password).await;
        let retried = app.post_json(&format!("/api/v1/notifications/{}/retry", rows[0]["id"].as_str().unwrap()), Some(&admin.token), &json!({})).await;
        assert_eq!(retried.json()["status"], "pending");
        sink.wait_for(1).await;
        wait_until(&app, &world, "sent", |rows| rows[0]["status"] == "sent").await;
        let path = format!("/api/v1/notifications/{}/retry", rows[0]["id"].as_str().unwrap());
        app.post_json(&path, Some(&admin.token), &json!({})).await.assert_problem(409, "already_sent");
        app.get("/api/v1/notifications", Some(&world.mediator.token)).await.assert_problem(403, "forbidden");
    }
);

/// A test app whose worker the test drives by hand, mailing `sink` with a 90-second lease.
async fn with_manual_worker(backend: Backend, sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(backend, move |config| {
        smtp(config, &url);
        config.mail.worker_enabled = false;
        config.mail.lease = Duration::from_secs(90);
        config.mail.from = "鹤山市沙坪街道工会 <mediation@sp.example.cn>".into();
    })
    .await
    .unwrap()
}

smtp_test!(
    async fn a_row_whose_sender_died_mid_send_goes_out_again_after_the_lease_with_the_same_message_id(backend) {
        let sink = SmtpSink::start().await;
        let app = with_manual_worker(backend, &sink).await;
        let (state, worker) = (&app.state, app.state.outbox_worker());
        let world = app.world().await;
        refer_to_police(&app, &world).await;

        // A server claims the row, hands it to the SMTP server, and dies before recording it.
        let claimed = worker.claim_due().await.unwrap();
        assert_eq!(claimed.len(), 1);
        worker.send_row(&claimed[0]).await.unwrap().unwrap();
        sink.wait_for(1).await;

        // Its lease (MEDIATION_OUTBOX_LEASE_SECONDS, 90 s here) keeps every other worker off the row…
        assert_eq!(worker.deliver_due().await.unwrap(), 0);
        state.clock.advance(chrono::Duration::seconds(85));
        assert_eq!(worker.deliver_due().await.unwrap(), 0, "not before the lease ends");
        assert_eq!(sink.received().len(), 1);
        // …and once it has run out, the row is sent again.
        state.clock.advance(chrono::Duration::seconds(10));
        assert_eq!(worker.deliver_due().await.unwrap(), 1, "sent again after the lease");
        let mail = sink.wait_for(2).await;
        let expected = format!("<{}@sp.example.cn>", claimed[0].id);
        assert_eq!(mail[0].header("message-id"), Some(expected.clone()), "{}", mail[0].raw);
        assert_eq!(mail[1].header("message-id"), Some(expected.clone()), "the copy is recognisable as one");
        for message in &mail {
            assert_eq!(message.header("mime-version").as_deref(), Some("1.0"), "{}", message.raw);
        }

        // Another row is another message, with its own id; a sent row is not claimed again.
        refer_to_police(&app, &world).await;
        assert_eq!(worker.deliver_due().await.unwrap(), 1);
        let mail = sink.wait_for(3).await;
        let other = mail[2].header("message-id").unwrap();
        assert_ne!(other, expected);
        assert!(other.ends_with("@sp.example.cn>"), "{other}");
        assert_eq!(mail[2].header("mime-version").as_deref(), Some("1.0"));
        state.clock.advance(chrono::Duration::minutes(10));
        assert_eq!(worker.deliver_due().await.unwrap(), 0);
        assert_eq!(sink.received().len(), 3);
    }
);

smtp_test!(
    async fn a_worker_whose_lease_was_taken_over_does_not_send_the_row(backend) {
        let sink = SmtpSink::start().await;
        let app = with_manual_worker(backend, &sink).await;
        let (state, worker) = (&app.state, app.state.outbox_worker());
        let world = app.world().await;
        refer_to_police(&app, &world).await;
        // Worker A claims the row and is then held up past its lease; worker B takes and sends it.
        let stalled = worker.claim_due().await.unwrap();
        state.clock.advance(chrono::Duration::seconds(95));
        assert_eq!(worker.deliver_due().await.unwrap(), 1);
        // A, resuming, no longer holds the lease: it must not send the row.
        let now = state.clock.now().naive_utc();
        let lease = chrono::Duration::seconds(90);
        let row = stalled[0].clone();
        let renewed = state.db.run(move |c| Ok(worker::renew(c, &row, now, lease)?)).await.unwrap();
        assert!(!renewed, "a lost lease is not renewed");
        assert_eq!(sink.received().len(), 1);
    }
);

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
    async fn deadline_reminders_come_three_days_before_and_once_the_window_closes_each_only_once(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        app.json_request("PATCH", &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()), Some(&world.mediator.token),
            &json!({"assignee_id": world.mediator.id})).await;
        assert_eq!(remind(&app).await, 0);
        app.state.clock.advance(chrono::Duration::days(13));
        assert_eq!(remind(&app).await, 1);
        assert_eq!(remind(&app).await, 0, "idempotent: one reminder per thing");
        app.state.clock.advance(chrono::Duration::days(3));
        assert_eq!(remind(&app).await, 1);
        let rows = notifications(&app, &world, "").await;
        let passed = rows.iter().find(|r| r["template"] == "mediation_deadline_passed").unwrap();
        assert_eq!(passed["recipients"], json!([world.mediator.email]));
        let soon = rows.iter().find(|r| r["template"] == "mediation_deadline_soon").unwrap();
        assert!(soon["subject"].as_str().unwrap().contains(case["case_number"].as_str().unwrap()));
        let bodies = app.state.db.run(|c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table.filter(outbox::template.eq("mediation_deadline_passed")).select(outbox::body).load::<String>(c)?)
        }).await.unwrap();
        assert!(bodies[0].contains("申请仲裁") && bodies[0].contains("may now apply for arbitration"), "{}", bodies[0]);
    }
);

api_test!(
    async fn referral_reminders_come_twelve_hours_before_and_daily_when_overdue(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.post_json(&format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap()), Some(&world.mediator.token),
            &json!({"office_id": world.hr["id"], "kind": "negotiation", "request": "约见企业"})).await;
        assert_eq!(remind(&app).await, 0, "48 hours left");
        app.state.clock.advance(chrono::Duration::hours(37));
        assert_eq!(remind(&app).await, 1);
        app.state.clock.advance(chrono::Duration::hours(12));
        assert_eq!(remind(&app).await, 1, "now overdue");
        assert_eq!(remind(&app).await, 0);
        app.state.clock.advance(chrono::Duration::days(1));
        assert_eq!(remind(&app).await, 1, "and again the next day");
        let rows = notifications(&app, &world, "").await;
        let overdue: Vec<&Value> = rows.iter().filter(|r| r["template"] == "referral_overdue").collect();
        assert_eq!(overdue.len(), 2);
        assert!(overdue[0]["recipients"].as_array().unwrap().contains(&json!(world.hr_officer.email)));
    }
);

api_test!(
    async fn payment_reminders_come_the_day_before_and_when_missed_with_the_legal_options(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        let local_today = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();
        let due = local_today + chrono::Duration::days(5);
        app.post_json(&format!("/api/v1/cases/{}/agreements", case["id"].as_str().unwrap()), Some(&world.mediator.token),
            &json!({"signed_at": app.state.clock.now(), "terms": [{"description": "支付欠薪", "amount_fen": 300000, "payee": "张先生", "due_date": due.to_string()}]})).await;
        assert_eq!(remind(&app).await, 0);
        app.state.clock.advance(chrono::Duration::days(4));
        assert_eq!(remind(&app).await, 1, "due tomorrow");
        app.state.clock.advance(chrono::Duration::days(2));
        assert_eq!(remind(&app).await, 1, "missed");
        assert_eq!(remind(&app).await, 0);
        let body = app.state.db.run(|c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            Ok(outbox::table.filter(outbox::template.eq("payment_missed")).select(outbox::body).first::<String>(c)?)
        }).await.unwrap();
        assert!(body.contains("支付令") && body.contains("payment order") && body.contains("3000.00"), "{body}");
    }
);

smtp_test!(
    async fn a_referral_email_links_the_referral_s_console_page_under_the_configured_public_url(backend) {
        let app = spawn_app_with(backend, |config| {
            config.public.base_url = "https://tiaojie.example.cn".into();
        })
        .await
        .unwrap();
        let world = app.world().await;
        let case = refer_to_police(&app, &world).await;
        let inbox = app.get("/api/v1/referrals", Some(&world.police_officer.token)).await.json();
        let referral = inbox["items"][0]["id"].as_str().unwrap().to_owned();

        let mail = sent_mail(&app, "New referral").await;
        let link = format!("https://tiaojie.example.cn/console/referrals/{referral}");
        let line = format!("请在工作台接收、退回或反馈办理结果：{link}");
        assert!(mail.body.lines().any(|l| l.trim_end() == line), "{}", mail.body);
        assert!(mail.body.ends_with(&format!("Accept, decline or complete it in the console: {link}")), "{}", mail.body);
        assert!(!mail.body.contains("/api/v1") && !mail.body.contains("{{"), "{}", mail.body);

        // The link opens the referral in the officer's console.
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let opened = app.console_get(&officer, &format!("/console/referrals/{referral}")).await;
        assert_eq!(opened.status, 200, "{}", opened.text());
        assert!(opened.text().contains(case["case_number"].as_str().unwrap()));

        // The officer accepts: the union's mail links the case page.
        let accepted = app.post_json(&format!("/api/v1/referrals/{referral}/accept"), Some(&world.police_officer.token), &json!({})).await;
        assert_eq!(accepted.status, 200, "{}", accepted.text());
        let answer = sent_mail(&app, "反馈").await;
        let case_page = format!("https://tiaojie.example.cn/console/cases/{}", case["id"].as_str().unwrap());
        assert!(answer.body.ends_with(&format!("Open the case: {case_page}")), "{}", answer.body);
    }
);
