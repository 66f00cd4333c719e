//! The console's case page and its actions over plain HTTP: what the page shows, which actions
//! it offers, and that every form goes through the API's use cases — checked afterwards on the
//! API itself.

use serde_json::{json, Value};

use crate::api_test;
use crate::console_support::Console;
use crate::helpers::{TestApp, TestResponse};
use crate::personas::{furniture_factory_case, Persona};

/// The case's id.
fn id(case: &Value) -> &str {
    case["id"].as_str().unwrap()
}

/// The console page of `case`.
fn page_of(case: &Value) -> String {
    format!("/console/cases/{}", id(case))
}

/// The version a page's forms carry (its first hidden `version`).
fn drawn_version(page: &str) -> String {
    let marker = r#"name="version" value=""#;
    let start = page.find(marker).expect("a form with the version") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// The case as the API shows it to `who`.
async fn api_case(app: &TestApp, who: &Persona, case: &Value) -> Value {
    let answer = app
        .get(&format!("/api/v1/cases/{}", id(case)), Some(&who.token))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

/// The timeline as the API shows it to `who`.
async fn api_events(app: &TestApp, who: &Persona, case: &Value) -> Vec<Value> {
    let answer = app
        .get(
            &format!("/api/v1/cases/{}/events?limit=200", id(case)),
            Some(&who.token),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["items"].as_array().unwrap().clone()
}

/// Posts the lifecycle form of `action` at `version`, confirmed.
async fn move_case(
    app: &TestApp,
    console: &Console,
    case: &Value,
    action: &str,
    version: &str,
) -> TestResponse {
    let path = format!("{}/transitions", page_of(case));
    let fields = [("action", action), ("version", version), ("confirm", "yes")];
    app.console_post(console, &path, &fields).await
}

/// Registers the furniture-factory case as the mediator and signs the mediator in.
async fn mediator_with_case(app: &TestApp, mediator: &Persona) -> (Value, Console) {
    let case = app.register_case(mediator, &furniture_factory_case()).await;
    let console = app
        .console_sign_in(&mediator.email, &mediator.password)
        .await;
    (case, console)
}

/// Moves `case` into mediation through the API.
async fn into_mediation(app: &TestApp, mediator: &Persona, case: &Value) {
    for action in ["accept", "start"] {
        let answer = app
            .transition(mediator, case, json!({"action": action}))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text());
    }
}

fn assert_back_on_the_page(answer: &TestResponse, case: &Value, notice: &str) {
    assert_eq!(answer.status, 303, "{}", answer.text());
    let expected = format!("{}?notice={notice}#actions", page_of(case));
    assert_eq!(answer.header("location"), Some(expected.as_str()));
}

/// Today in the office's calendar (the test offices keep Asia/Shanghai).
fn today(app: &TestApp) -> chrono::NaiveDate {
    app.state
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

api_test!(
    async fn a_mediator_accepts_and_starts_a_case_from_its_page_and_the_api_shows_it(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let page = app.console_get(&console, &page_of(&case)).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let text = page.text();
        for expected in ["SP-", "待受理", "拖欠工资", "12351 热线", "沙坪街道工会", "未指派", "3,000.00 元", "张先生", "4405**********0013"] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        assert!(!text.contains("440524198001010013"), "numbers are masked");
        let accepted = move_case(&app, &console, &case, "accept", &drawn_version(&text)).await;
        assert_back_on_the_page(&accepted, &case, "accept");
        let page = app.console_get(&console, &format!("{}?notice=accept", page_of(&case))).await.text();
        assert!(page.contains("已受理案件。") && page.contains("已受理"), "{page}");
        let started = move_case(&app, &console, &case, "start", &drawn_version(&page)).await;
        assert_back_on_the_page(&started, &case, "start");
        assert_eq!(api_case(&app, &world.mediator, &case).await["status"], "in_mediation");
        let events = api_events(&app, &world.mediator, &case).await;
        let moves: Vec<&Value> = events.iter().filter(|e| e["kind"] == "transition").collect();
        assert_eq!(moves.len(), 2);
        assert_eq!(moves[0]["data"]["action"], "accept");
        assert_eq!(moves[1]["data"]["action"], "start");
        assert!(moves.iter().all(|e| e["actor"]["id"] == world.mediator.id.as_str()));
    }
);

api_test!(
    async fn a_stale_version_is_a_412_page_saying_the_case_changed_and_changes_nothing(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let drawn = drawn_version(&app.console_get(&console, &page_of(&case)).await.text());
        let meanwhile = app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        assert_eq!(meanwhile.status, 200);
        let before = api_events(&app, &world.mediator, &case).await.len();
        let stale = move_case(&app, &console, &case, "start", &drawn).await;
        assert_eq!(stale.status, 412, "{}", stale.text());
        let text = stale.text();
        assert!(text.contains("案件在你打开页面之后已被修改"), "{text}");
        assert!(text.contains(r#"<details class="action" id="action-start" open>"#), "the form again: {text}");
        assert_eq!(drawn_version(&text), "2", "the form now carries the version shown");
        assert_eq!(api_case(&app, &world.mediator, &case).await["status"], "accepted");
        assert_eq!(api_events(&app, &world.mediator, &case).await.len(), before);
    }
);

api_test!(
    async fn a_referral_to_the_police_made_on_the_page_is_listed_by_the_api(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        into_mediation(&app, &world.mediator, &case).await;
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("沙坪派出所（派出所）") && page.contains("协助查找当事人（派出所）"), "{page}");
        let police = world.police["id"].as_str().unwrap();
        let path = format!("{}/referrals", page_of(&case));
        let unconfirmed = [("office_id", police), ("kind", "locate_party"), ("request", "请协助联系企业主")];
        let refused = app.console_post(&console, &path, &unconfirmed).await;
        assert_eq!(refused.status, 422, "nothing is done unconfirmed");
        assert!(refused.text().contains("请先核对并勾选"), "{}", refused.text());
        let mut confirmed = unconfirmed.to_vec();
        confirmed.push(("confirm", "yes"));
        let referred = app.console_post(&console, &path, &confirmed).await;
        assert_back_on_the_page(&referred, &case, "refer");
        let listed = app.get(&format!("/api/v1/cases/{}/referrals", id(&case)), Some(&world.mediator.token)).await.json();
        let items = listed["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{listed}");
        assert_eq!(items[0]["office"]["id"], police);
        assert_eq!(items[0]["kind"], "locate_party");
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("将“协助查找当事人”转办给沙坪派出所") && page.contains("待接收"), "{page}");
    }
);

api_test!(
    async fn an_agreement_a_payment_and_resolving_from_the_page_close_the_case(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        into_mediation(&app, &world.mediator, &case).await;
        let (signed, due) = (today(&app).to_string(), (today(&app) + chrono::Days::new(7)).to_string());
        let path = format!("{}/agreement", page_of(&case));
        let terms = [("signed_on", signed.as_str()), ("terms[0].amount", "3000"), ("terms[0].payee", "张先生"),
            ("terms[0].due_date", due.as_str()), ("confirm", "yes")];
        assert_back_on_the_page(&app.console_post(&console, &path, &terms).await, &case, "agreement");
        let agreed = api_case(&app, &world.mediator, &case).await;
        assert_eq!((agreed["status"].as_str(), agreed["agreed_amount_fen"].as_i64()), (Some("agreement_reached"), Some(300_000)));
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("司法确认") && page.contains("第 1 期款项") && page.contains("未到期"), "{page}");
        let unpaid = move_case(&app, &console, &case, "resolve", &drawn_version(&page)).await;
        assert_eq!(unpaid.status, 409, "resolving before the money is paid: {}", unpaid.text());
        let payment = [("amount", "3,000"), ("paid_on", signed.as_str()), ("confirm", "yes")];
        let paid = app.console_post(&console, &format!("{}/payments", page_of(&case)), &payment).await;
        assert_back_on_the_page(&paid, &case, "payment");
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("记录了一笔付款 3,000.00 元") && page.contains("已付清"), "{page}");
        let resolved = move_case(&app, &console, &case, "resolve", &drawn_version(&page)).await;
        assert_back_on_the_page(&resolved, &case, "resolve");
        let closed = api_case(&app, &world.mediator, &case).await;
        assert_eq!((closed["status"].as_str(), closed["recovered_amount_fen"].as_i64()), (Some("resolved"), Some(300_000)));
    }
);

api_test!(
    async fn a_wrong_amount_comes_back_on_its_field_with_the_values_kept(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        into_mediation(&app, &world.mediator, &case).await;
        let path = format!("{}/payments", page_of(&case));
        let typed = [("amount", "30.005"), ("paid_on", "2026-13-01"), ("note", "第一笔"), ("confirm", "yes")];
        let refused = app.console_post(&console, &path, &typed).await;
        assert_eq!(refused.status, 422);
        let text = refused.text();
        assert!(text.contains(r#"id="f-payment-amount-error""#) && text.contains(r#"id="f-payment-paid-on-error""#), "{text}");
        assert!(text.contains(r#"value="30.005""#) && text.contains("第一笔"), "the values are kept: {text}");
        assert_eq!(api_case(&app, &world.mediator, &case).await["recovered_amount_fen"], 0);
    }
);

api_test!(
    async fn a_mediator_of_another_office_gets_a_404_page_for_the_case_and_can_change_nothing(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let stranger = app.console_sign_in(&world.other_mediator.email, &world.other_mediator.password).await;
        let page = app.console_get(&stranger, &page_of(&case)).await;
        assert_eq!(page.status, 404);
        assert!(!page.text().contains("张先生"), "{}", page.text());
        let accept = move_case(&app, &stranger, &case, "accept", "1").await;
        assert_eq!(accept.status, 404);
        let dossier = app.console_get(&stranger, &format!("{}/dossier", page_of(&case))).await;
        assert_eq!(dossier.status, 404);
        assert_eq!(api_case(&app, &world.mediator, &case).await["status"], "intake");
    }
);

api_test!(
    async fn the_timeline_reads_as_chinese_sentences_naming_who_did_what(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let version = drawn_version(&app.console_get(&console, &page_of(&case)).await.text());
        move_case(&app, &console, &case, "accept", &version).await;
        let note = [("body", "已电话联系张先生"), ("confirm", "yes")];
        assert_back_on_the_page(&app.console_post(&console, &format!("{}/notes", page_of(&case)), &note).await, &case, "note");
        let supervisor = app.console_sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let page = app.console_get(&supervisor, &page_of(&case)).await.text();
        for sentence in ["Test union_mediator登记了案件", "Test union_mediator受理了案件", "Test union_mediator写下备注：已电话联系张先生"] {
            assert!(page.contains(sentence), "{sentence} in {page}");
        }
        let timeline = &page[page.find(r#"<ol class="timeline">"#).unwrap()..];
        let timeline = &timeline[..timeline.find("</ol>").unwrap()];
        assert!(!timeline.contains("transition") && !timeline.contains("{"), "no codes: {timeline}");
    }
);

api_test!(
    async fn revealing_a_partys_numbers_shows_them_once_and_records_the_purpose(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let parties = app.get(&format!("/api/v1/cases/{}/parties", id(&case)), Some(&world.mediator.token)).await.json();
        let worker = parties["items"].as_array().unwrap().iter().find(|p| p["kind"] == "worker").unwrap().clone();
        let path = format!("{}/parties/{}/reveal", page_of(&case), worker["id"].as_str().unwrap());
        let revealed = app.console_post(&console, &path, &[("purpose", "核对身份后申请法律援助"), ("confirm", "yes")]).await;
        assert_eq!(revealed.status, 200, "{}", revealed.text());
        assert_eq!(revealed.header("cache-control"), Some("no-store"));
        let text = revealed.text();
        assert!(text.contains("440524198001010013") && text.contains("13900001111"), "{text}");
        let again = app.console_get(&console, &page_of(&case)).await.text();
        assert!(!again.contains("440524198001010013"), "shown once");
        assert!(again.contains("查看了张先生的完整证件号码和电话，用途：核对身份后申请法律援助"), "{again}");
        let events = api_events(&app, &world.mediator, &case).await;
        let reveal = events.iter().find(|e| e["kind"] == "personal_data_revealed").expect("the reveal is recorded");
        assert_eq!(reveal["data"]["purpose"], "核对身份后申请法律援助");
        assert_eq!(reveal["actor"]["id"], world.mediator.id.as_str());
    }
);

/// Whether the page offers the lifecycle move `action`.
fn offers(page: &str, action: &str) -> bool {
    page.contains(&format!(r#"name="action" value="{action}""#))
}

api_test!(
    async fn only_the_actions_the_case_allows_now_are_offered(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let intake = app.console_get(&console, &page_of(&case)).await.text();
        assert!(offers(&intake, "accept") && offers(&intake, "reject") && offers(&intake, "withdraw"));
        assert!(!offers(&intake, "start") && !offers(&intake, "resolve") && !offers(&intake, "escalate"));
        assert!(!intake.contains("/agreement\"") && !intake.contains("/payments\"") && !intake.contains("/follow-ups\""));
        let accepted = move_case(&app, &console, &case, "accept", &drawn_version(&intake)).await;
        assert_eq!(accepted.status, 303);
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(offers(&page, "start") && !offers(&page, "accept") && !offers(&page, "reject"));
        let refused = move_case(&app, &console, &case, "accept", &drawn_version(&page)).await;
        assert_eq!(refused.status, 409, "the use case refuses what is not offered: {}", refused.text());
        let referral = json!({"office_id": world.police["id"], "kind": "locate_party", "request": "请协助联系企业主"});
        let sent = app.post_json(&format!("/api/v1/cases/{}/referrals", id(&case)), Some(&world.mediator.token), &referral).await;
        assert_eq!(sent.status, 201);
        let police = app.console_get(&app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await, &page_of(&case)).await;
        assert_eq!(police.status, 200, "the partner reads the case referred to it");
        let text = police.text();
        let refer_form = format!("{}/referrals\"", page_of(&case));
        assert!(text.contains("协助查找当事人") && !text.contains("/transitions\"") && !text.contains(&refer_form), "{text}");
        assert!(text.contains("/notes\""), "a partner writes notes");
    }
);

api_test!(
    async fn a_mediator_takes_an_unassigned_case_and_the_api_shows_the_assignee(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("指派承办人") && !page.contains("不指派"), "{page}");
        let fields = [("assignee_id", world.mediator.id.as_str()), ("version", "1"), ("confirm", "yes")];
        let taken = app.console_post(&console, &format!("{}/assignee", page_of(&case)), &fields).await;
        assert_back_on_the_page(&taken, &case, "assign");
        assert_eq!(api_case(&app, &world.mediator, &case).await["assignee_id"], world.mediator.id.as_str());
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(!page.contains("更换承办人"), "only a supervisor moves an assigned case: {page}");
        assert!(page.contains("将案件交由Test union_mediator承办"), "{page}");
    }
);

/// A multipart body of the console's upload form.
fn upload_form(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----console-case-boundary";
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf", csrf),
        ("document_type", "pay_slip"),
        ("confirm", "yes"),
    ] {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").into_bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"工资条.txt\"\r\nContent-Type: text/plain\r\n\r\n").into_bytes());
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

api_test!(
    async fn a_document_uploaded_on_the_page_downloads_again_and_both_are_on_the_timeline(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let file = "2026年10月工资条：应发 3000 元，实发 0 元".as_bytes();
        let send = |csrf: &str| {
            let (content_type, body) = upload_form(csrf, file);
            let request = app
                .request("POST", &format!("{}/documents", page_of(&case)), None)
                .insert_header(("cookie", format!("mt_console={}", console.cookie)))
                .insert_header(("content-type", content_type));
            app.send(request, Some(body))
        };
        assert_eq!(send("forged").await.status, 403, "the form token is checked");
        assert_back_on_the_page(&send(&console.csrf).await, &case, "upload");
        let listed = app.get(&format!("/api/v1/cases/{}/documents", id(&case)), Some(&world.mediator.token)).await.json();
        let document = listed["items"][0].clone();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "only the confirmed upload: {listed}");
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("工资条.txt") && page.contains("上传了材料“工资条.txt”"), "{page}");
        let download = app.console_get(&console, &format!("/console/documents/{}", document["id"].as_str().unwrap())).await;
        assert_eq!(download.status, 200);
        assert_eq!(download.body.as_ref(), file);
        assert!(download.header("content-disposition").unwrap().starts_with("attachment"));
        let events = api_events(&app, &world.mediator, &case).await;
        assert!(events.iter().any(|e| e["kind"] == "document_downloaded"));
    }
);

api_test!(
    async fn the_printable_dossier_opens_with_the_console_session(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let dossier = app.console_get(&console, &format!("{}/dossier", page_of(&case))).await;
        assert_eq!(dossier.status, 200, "{}", dossier.text());
        assert!(dossier.header("content-type").unwrap().starts_with("text/html"));
        let text = dossier.text();
        assert!(text.contains(case["case_number"].as_str().unwrap()) && text.contains("张先生"), "{text}");
        let signed_out = app.get(&format!("{}/dossier", page_of(&case)), None).await;
        assert_eq!(signed_out.status, 303, "no session, no case file");
    }
);

api_test!(
    async fn a_lawyer_reads_the_case_page_only_with_a_running_grant_and_changes_nothing(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let lawyer = app.console_sign_in(&world.lawyer.email, &world.lawyer.password).await;
        assert_eq!(app.console_get(&lawyer, &page_of(&case)).await.status, 404, "no grant, no case");
        let expires = app.state.clock.now() + chrono::Duration::days(7);
        let grant = json!({"user_id": world.lawyer.id, "expires_at": expires});
        let path = format!("/api/v1/cases/{}/grants", id(&case));
        assert_eq!(app.post_json(&path, Some(&world.mediator.token), &grant).await.status, 201);
        let page = app.console_get(&lawyer, &page_of(&case)).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let text = page.text();
        assert!(text.contains("张先生") && text.contains("查看完整号码"), "{text}");
        assert!(!text.contains("/transitions\"") && !text.contains("/notes\""), "read only: {text}");
        let dossier = app.console_get(&lawyer, &format!("{}/dossier", page_of(&case))).await;
        assert_eq!(dossier.status, 200);
        let accept = move_case(&app, &lawyer, &case, "accept", "1").await;
        assert_eq!(accept.status, 403, "the use case refuses a lawyer: {}", accept.text());
        assert_eq!(api_case(&app, &world.mediator, &case).await["status"], "intake");
    }
);

api_test!(
    async fn ending_a_case_needs_a_reason_which_comes_back_on_its_field(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        let refused = move_case(&app, &console, &case, "reject", "1").await;
        assert_eq!(refused.status, 422, "{}", refused.text());
        let text = refused.text();
        assert!(text.contains(r#"<details class="action" id="action-reject" open>"#), "{text}");
        assert!(text.contains(r#"id="f-reject-reason-error""#), "{text}");
        assert_eq!(api_case(&app, &world.mediator, &case).await["status"], "intake");
        let path = format!("{}/transitions", page_of(&case));
        let fields = [("action", "reject"), ("version", "1"), ("reason", "不属于劳动争议"), ("confirm", "yes")];
        assert_back_on_the_page(&app.console_post(&console, &path, &fields).await, &case, "reject");
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("决定不予受理，理由：不属于劳动争议"), "{page}");
        assert!(page.contains("记录回访") && !offers(&page, "withdraw"), "a closed case takes follow-ups only");
    }
);

api_test!(
    async fn a_joint_session_and_a_follow_up_recorded_on_the_page_are_listed_by_the_api(app) {
        let world = app.world().await;
        let (case, console) = mediator_with_case(&app, &world.mediator).await;
        into_mediation(&app, &world.mediator, &case).await;
        let when = (app.state.clock.now() + chrono::Duration::days(2))
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%dT09:30")
            .to_string();
        let (police, hr) = (world.police["id"].as_str().unwrap(), world.hr["id"].as_str().unwrap());
        let fields = [("scheduled_at", when.as_str()), ("location", "沙坪街道工会调解室"),
            ("office_ids", police), ("office_ids", hr), ("confirm", "yes")];
        let scheduled = app.console_post(&console, &format!("{}/sessions", page_of(&case)), &fields).await;
        assert_back_on_the_page(&scheduled, &case, "session");
        let sessions = app.get(&format!("/api/v1/cases/{}/sessions", id(&case)), Some(&world.mediator.token)).await.json();
        let session = &sessions["items"][0];
        assert_eq!(session["offices"].as_array().unwrap().len(), 2, "{sessions}");
        assert!(session["scheduled_at"].as_str().unwrap().ends_with("01:30:00Z"), "09:30 in Shanghai: {session}");
        let version = drawn_version(&app.console_get(&console, &page_of(&case)).await.text());
        let withdraw = [("action", "withdraw"), ("version", version.as_str()), ("reason", "劳动者已与企业私下和解"), ("confirm", "yes")];
        let withdrawn = app.console_post(&console, &format!("{}/transitions", page_of(&case)), &withdraw).await;
        assert_back_on_the_page(&withdrawn, &case, "withdraw");
        let follow_up = [("method", "phone"), ("reached", "yes"), ("satisfaction", "4"), ("note", "钱已到账"), ("confirm", "yes")];
        let recorded = app.console_post(&console, &format!("{}/follow-ups", page_of(&case)), &follow_up).await;
        assert_back_on_the_page(&recorded, &case, "follow_up");
        let listed = app.get(&format!("/api/v1/cases/{}/follow-ups", id(&case)), Some(&world.mediator.token)).await.json();
        assert_eq!(listed["items"][0]["satisfaction"], 4, "{listed}");
        let page = app.console_get(&console, &page_of(&case)).await.text();
        assert!(page.contains("安排了联合调解") && page.contains("进行了回访（电话）：钱已到账"), "{page}");
    }
);

api_test!(
    async fn a_supervisor_moves_an_assigned_case_to_another_mediator_or_to_nobody(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let take = json!({"assignee_id": world.mediator.id});
        let path = format!("/api/v1/cases/{}", id(&case));
        let taken = app.json_request("PATCH", &path, Some(&world.mediator.token), &take).await;
        assert_eq!(taken.status, 200, "{}", taken.text());
        let supervisor = app.console_sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let page = app.console_get(&supervisor, &page_of(&case)).await.text();
        assert!(page.contains("更换承办人") && page.contains("不指派（取消承办人）"), "{page}");
        let fields = [("assignee_id", ""), ("version", "2"), ("confirm", "yes")];
        let moved = app.console_post(&supervisor, &format!("{}/assignee", page_of(&case)), &fields).await;
        assert_back_on_the_page(&moved, &case, "assign");
        assert!(api_case(&app, &world.mediator, &case).await["assignee_id"].is_null());
    }
);
