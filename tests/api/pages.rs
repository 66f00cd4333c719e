//! The worker's pages, `/apply`, `/track` and `/survey/{token}`: Chinese HTML under a strict
//! policy, forms that come back with every value kept and each error next to its field, over
//! the same use cases as the public API — first over plain HTTP, then in a real browser at
//! phone width (the last test; `browser.rs` drives it).

use serde_json::{json, Value};

use crate::api_test;
use crate::browser::Browser;
use crate::helpers::{TestApp, TestResponse};
use crate::personas::World;

/// The CSP every page carries (`pages::layout::CSP`).
const CSP: &str = mediation_tracker::pages::layout::CSP;

/// The town union takes online applications, as its admin would set it.
async fn open_online(app: &TestApp, world: &World) {
    let id = world.town_union["id"].as_str().unwrap();
    let patched = app
        .json_request(
            "PATCH",
            &format!("/api/v1/offices/{id}"),
            Some(&world.admin.token),
            &json!({"accepts_online": true, "address": "鹤山市沙坪街道中山路 25 号",
                    "phone": "0750-8888456", "area": "沙坪街道"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
}

/// The parameters of the newest text of `template` sent to `phone`: the SMS sink of the tests
/// (the memory transport the outbox delivers to), read after delivering what is due.
async fn texted(app: &TestApp, template: &str, phone: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        app.state
            .outbox_worker()
            .deliver_due()
            .await
            .expect("the outbox delivers");
        let found = app
            .state
            .sms
            .sent()
            .into_iter()
            .rev()
            .find(|sms| sms.template.as_str() == template && sms.phone == phone);
        if let Some(sms) = found {
            assert!(!sms.text.is_empty(), "the text is rendered");
            return serde_json::to_value(&sms.params).unwrap();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "no {template} text to {phone}"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The worker's phone in these tests.
const PHONE: &str = "13900011111";

/// Posts a form as a browser does, optionally asking for `language`.
async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    language: Option<&str>,
) -> TestResponse {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = app
        .request("POST", path, None)
        .insert_header(("content-type", "application/x-www-form-urlencoded"));
    if let Some(language) = language {
        request = request.insert_header(("accept-language", language));
    }
    app.send(request, Some(body.into_bytes())).await
}

/// Asserts a page: HTML with `status` under the pages' policy, never cached, no script.
#[track_caller]
fn assert_page(page: &TestResponse, status: u16) -> String {
    let html = page.text();
    assert_eq!(page.status, status, "{html}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("content-security-policy"), Some(CSP));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert!(!html.contains("<script"), "a page has no script");
    assert!(!html.contains(" style="), "a page has no inline style");
    html
}

/// The application as the worker types it on the form (full-width digits in the amount).
fn application_form<'a>(office: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("office_code", office),
        ("name", "王小明"),
        ("id_number", "440524198001010013"),
        ("phone", "13900011111"),
        ("verification_code", code),
        ("category", "wage_arrears"),
        ("employer.name", "鹤山市某家具厂"),
        ("employer.credit_code", ""),
        ("employer.address", "鹤山市沙坪街道"),
        ("claimed_amount", "１８０００．５０"),
        ("workers_involved", "1"),
        ("summary", "家具厂拖欠三个月工资，老板不接电话。"),
        ("sms_consent", "yes"),
    ]
}

/// The text between `<tag …id="id"…>` and the next `<`: a value the page printed.
fn printed(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    let end = start + html[start..].find('<').unwrap();
    html[start..end].trim().to_owned()
}

api_test!(
    async fn the_application_form_is_chinese_html_under_a_strict_policy_with_its_stylesheet(app) {
        let world = app.world().await;
        open_online(&app, &world).await;
        let html = assert_page(&app.get("/apply", None).await, 200);
        assert!(html.contains("<html lang=\"zh-CN\">"));
        assert!(html.contains("申请劳动争议调解"));
        assert!(html.contains("<option value=\"SP\">沙坪街道工会（沙坪街道）</option>"), "{html}");
        assert!(html.contains(">拖欠工资</option>") && html.contains(">工伤待遇</option>"));
        assert!(html.contains("formaction=\"/apply/code#f-phone-field\""), "the code is asked for without script");
        assert!(html.contains("name=\"workers_involved\" autocomplete=\"off\" inputmode=\"numeric\""));

        let href = html
            .split("<link rel=\"stylesheet\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a stylesheet link")
            .to_owned();
        assert!(href.starts_with("/static/public.css?v="), "{href}");
        let css = app.get(&href, None).await;
        assert_eq!(css.status, 200);
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        assert_eq!(css.header("cache-control"), Some("public, max-age=31536000, immutable"));
        assert!(css.text().contains("@media (min-width: 40rem)"));
        let etag = css.header("etag").expect("an ETag").to_owned();
        let request = app.request("GET", &href, None).insert_header(("if-none-match", etag));
        assert_eq!(app.send(request, None).await.status, 304);

        let english = app.get_in("en", "/apply", None).await;
        let html = assert_page(&english, 200);
        assert!(html.contains("<html lang=\"en\">") && html.contains("Apply for labour-dispute mediation"));
        assert_eq!(english.header("content-language"), Some("en"));
    }
);

api_test!(
    async fn a_failed_application_comes_back_with_every_value_kept_and_each_error_by_its_field(app) {
        let world = app.world().await;
        open_online(&app, &world).await;
        // What the page itself reads: the amount in yuan, the category, the count.
        let mut form = application_form("SP", "123456");
        form.retain(|(name, _)| !matches!(*name, "category" | "claimed_amount"));
        form.push(("claimed_amount", "4800.505"));
        let html = assert_page(&post_form(&app, "/apply", &form, None).await, 422);
        assert!(html.contains("请更正以下 2 项信息"), "{html}");
        assert!(html.contains("<a href=\"#f-claimed-amount\">请求金额（元）：必须是以元为单位的金额"));
        assert!(html.contains("<a href=\"#f-category\">争议类别：必须填写</a>"));
        assert!(html.contains("value=\"4800.505\"") && html.contains("value=\"王小明\""));
        assert!(html.contains("家具厂拖欠三个月工资，老板不接电话。</textarea>"));
        assert!(html.contains("<option value=\"SP\" selected>"), "the office stays chosen");

        // What the use case checks, in the API's words, every field at once.
        let mut form = application_form("SP", "123456");
        form.retain(|(name, _)| {
            !matches!(
                *name,
                "sms_consent" | "phone" | "employer.name" | "employer.credit_code"
            )
        });
        form.extend([("phone", "0750-1234567"), ("employer.name", " "), ("employer.credit_code", "91350100M000100Y4X")]);
        let html = assert_page(&post_form(&app, "/apply", &form, None).await, 422);
        assert!(html.contains("id=\"f-phone-error\">必须是 11 位手机号码，用于接收短信</span>"), "{html}");
        assert!(html.contains("id=\"f-sms-consent-error\">网上申请需要同意接收短信通知</span>"));
        assert!(html.contains("id=\"f-employer-credit-code-error\">"));
        assert!(html.contains("id=\"f-employer-name-error\">"));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(!html.contains(" checked"), "the consent was not given");

        // The same form in English.
        let html = assert_page(&post_form(&app, "/apply", &form, Some("en")).await, 422);
        assert!(html.contains("must be an 11-digit mobile number"), "{html}");
    }
);

api_test!(
    async fn asking_for_a_code_texts_it_and_shows_the_form_again_with_everything_typed(app) {
        let world = app.world().await;
        open_online(&app, &world).await;
        let mut form = application_form("SP", "");
        form.retain(|(name, _)| *name != "phone");
        form.push(("phone", "１３９ ０００１ １１１１"));
        let html = assert_page(&post_form(&app, "/apply/code", &form, None).await, 200);
        assert!(html.contains("验证码已发送到 139****1111，10 分钟内有效"), "{html}");
        assert!(html.contains("value=\"１３９ ０００１ １１１１\"") && html.contains("value=\"王小明\""));
        assert!(html.contains(" checked"));
        let sms = texted(&app, "sms_verification_code", PHONE).await;
        assert_eq!(sms["code"].as_str().unwrap().len(), 6);

        let html = assert_page(&post_form(&app, "/apply/code", &[("phone", "12345")], None).await, 422);
        assert!(html.contains("id=\"f-phone-error\">"), "{html}");

        // Three codes per phone in ten minutes: the fourth is refused, with when to retry.
        for _ in 0..2 {
            post_form(&app, "/apply/code", &[("phone", "13900011111")], None).await;
        }
        let refused = post_form(&app, "/apply/code", &[("phone", "13900011111"), ("name", "王小明")], None).await;
        let html = assert_page(&refused, 429);
        assert!(refused.header("retry-after").is_some());
        assert!(html.contains("role=\"alert\"") && html.contains("value=\"王小明\""), "{html}");
    }
);

api_test!(
    async fn an_application_on_the_pages_is_a_case_its_worker_follows_with_the_access_code(app) {
        let world = app.world().await;
        open_online(&app, &world).await;
        post_form(&app, "/apply/code", &[("phone", "13900011111")], None).await;
        let code = texted(&app, "sms_verification_code", PHONE).await["code"].as_str().unwrap().to_owned();
        let html = assert_page(&post_form(&app, "/apply", &application_form("sp", &code), None).await, 200);
        let number = printed(&html, "case-number");
        let access = printed(&html, "access-code");
        assert!(number.starts_with("SP-"), "{html}");
        assert!(html.contains(&format!("href=\"/track?case={number}\"")), "{html}");
        let case = app.get(&format!("/api/v1/cases?q={number}"), Some(&world.mediator.token)).await.json()["items"][0].clone();
        assert_eq!(case["claimed_amount_fen"], 1_800_050, "yuan typed full-width, kept in fen");
        assert_eq!((case["channel"].as_str(), case["category"].as_str()), (Some("online"), Some("wage_arrears")));

        // The texted link fills in the case number; a wrong code is the same 404 as no case.
        let html = assert_page(&app.get(&format!("/track?case={number}"), None).await, 200);
        assert!(html.contains(&format!("value=\"{number}\"")), "{html}");
        let wrong = [("case_number", number.as_str()), ("access_code", "00000-00000")];
        let html = assert_page(&post_form(&app, "/track", &wrong, None).await, 404);
        assert!(html.contains("没有找到这个案件，或者查询码不正确") && html.contains("value=\"00000-00000\""));

        let right = [("case_number", number.as_str()), ("access_code", access.as_str())];
        let html = assert_page(&post_form(&app, "/track", &right, None).await, 200);
        assert!(html.contains("已收到你的调解申请，等待受理"), "{html}");
        assert!(html.contains("沙坪街道工会") && html.contains("href=\"tel:0750-8888456\""));
        assert!(html.contains("139****1111") && !html.contains("13900011111"));
        assert!(html.contains("《劳动争议调解仲裁法》"), "the worker's rights, with their basis");
        let english = assert_page(&post_form(&app, "/track", &right, Some("en")).await, 200);
        assert!(english.contains("Your rights and dates"), "{english}");
    }
);

/// Closes the case `number` through the API as its mediator, and returns the token of the
/// survey link in the text that tells the worker the case closed.
async fn close_and_survey(app: &TestApp, world: &World, number: &str) -> String {
    let case = app
        .get(
            &format!("/api/v1/cases?q={number}"),
            Some(&world.mediator.token),
        )
        .await
        .json()["items"][0]
        .clone();
    for action in ["accept", "start", "resolve"] {
        let moved = app
            .transition(&world.mediator, &case, json!({"action": action}))
            .await;
        assert_eq!(moved.status, 200, "{action}: {}", moved.text());
    }
    let closing = texted(app, "sms_case_closed", PHONE).await;
    assert_eq!(closing["case_number"], number);
    let url = closing["survey_url"].as_str().expect("a survey link");
    let (_, token) = url
        .split_once("/survey/")
        .expect("a link to the survey page");
    token.to_owned()
}

/// A case applied for on the pages, as in the test above: its number and
/// access code.
async fn applied(app: &TestApp, world: &World) -> (String, String) {
    open_online(app, world).await;
    post_form(app, "/apply/code", &[("phone", "13900011111")], None).await;
    let code = texted(app, "sms_verification_code", PHONE).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let html = assert_page(
        &post_form(app, "/apply", &application_form("SP", &code), None).await,
        200,
    );
    (printed(&html, "case-number"), printed(&html, "access-code"))
}

api_test!(
    async fn the_survey_is_answered_once_from_its_link(app) {
        let world = app.world().await;
        let (number, _) = applied(&app, &world).await;
        let token = close_and_survey(&app, &world, &number).await;
        let path = format!("/survey/{token}");
        let html = assert_page(&app.get(&path, None).await, 200);
        assert!(html.contains(&format!("案件 {number} 已办结")), "{html}");
        assert!(html.contains(&format!("action=\"{path}\"")));

        let html = assert_page(&post_form(&app, &path, &[("comment", "还不错")], None).await, 422);
        assert!(html.contains("id=\"f-satisfaction-error\">必须填写</span>") && html.contains("还不错</textarea>"), "{html}");
        let html = assert_page(&post_form(&app, &path, &[("satisfaction", "9")], None).await, 422);
        assert!(html.contains("必须在 1 到 5 之间"), "the use case's words: {html}");

        let html = assert_page(&post_form(&app, &path, &[("satisfaction", "5"), ("comment", "调解员很耐心")], None).await, 200);
        assert!(html.contains("感谢你的评价"), "{html}");
        let html = assert_page(&app.get(&path, None).await, 200);
        assert!(html.contains("已经评价过"), "{html}");
        let html = assert_page(&post_form(&app, &path, &[("satisfaction", "1")], None).await, 409);
        assert!(html.contains("已经评价过"), "{html}");
        let html = assert_page(&app.get("/survey/NOSUCHTOKEN", None).await, 404);
        assert!(html.contains("评价链接无效"), "{html}");
    }
);

/// During an outage a form keeps what was typed: a locked SQLite database (as in
/// `resilience.rs`) answers the application with the form again, 503 and the API's words.
#[actix_web::test]
async fn an_outage_answers_the_form_again_with_everything_typed() {
    use diesel::Connection;
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |config| {
        config.db_timeout = std::time::Duration::from_secs(1);
    })
    .await
    .expect("SQLite is always available");
    let world = app.world().await;
    open_online(&app, &world).await;
    let mediation_tracker::config::DatabaseUrl::Sqlite { path } = app.database_url.clone() else {
        unreachable!()
    };
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        use diesel::connection::SimpleConnection;
        let mut connection = diesel::SqliteConnection::establish(&path).expect("open");
        connection.batch_execute("BEGIN EXCLUSIVE").expect("lock");
        locked_tx.send(()).expect("signal");
        let _ = release_rx.recv();
        connection.batch_execute("ROLLBACK").expect("unlock");
    });
    locked_rx.recv().expect("the lock is held");
    let answer = post_form(&app, "/apply", &application_form("SP", "123456"), None).await;
    release_tx.send(()).expect("release");
    holder.join().expect("holder thread");
    let html = assert_page(&answer, 503);
    assert!(html.contains("数据库暂时无法使用，请稍后重试"), "{html}");
    assert!(html.contains("value=\"王小明\"") && html.contains("老板不接电话。</textarea>"));
}

api_test!(
    async fn a_worker_applies_tracks_and_rates_on_a_phone_sized_browser(app) {
        // One set of screenshots is enough: the SQLite run takes them.
        let sqlite = app.backend == crate::helpers::Backend::Sqlite;
        let Some(browser) = Browser::start(sqlite).await else {
            return;
        };
        let world = app.world().await;
        open_online(&app, &world).await;

        // The form, at 360 px: nothing wider than the screen.
        browser.goto(&app.url("/apply")).await;
        assert_eq!(browser.text("h1").await, "申请劳动争议调解");
        let width = browser.eval("return document.documentElement.scrollWidth").await;
        assert_eq!(width, json!(crate::browser::PHONE.0), "no sideways scrolling");
        browser.screenshot("1-apply").await;

        // Submitting half a form shows the errors by their fields, the values kept.
        browser.type_into("#f-name", "王小明").await;
        browser.type_into("#f-claimed-amount", "4800.505").await;
        // Enter (a phone's "Go") sends the application, not the code request.
        browser.press_enter_in("#f-claimed-amount").await;
        assert!(browser.url().await.ends_with("/apply"), "{}", browser.url().await);
        assert_eq!(browser.text("#error-summary-title").await, "请更正以下 2 项信息");
        assert!(browser.text("#f-claimed-amount-error").await.starts_with("必须是以元为单位的金额"));
        assert_eq!(browser.property("#f-name", "value").await, "王小明");
        browser.screenshot("2-apply-errors").await;

        // Fill it in, ask for a code, read it from the SMS sink, submit.
        browser.click("#f-office-code option[value=\"SP\"]").await;
        browser.click("#f-category option[value=\"wage_arrears\"]").await;
        browser.type_into("#f-id-number", "440524198001010013").await;
        browser.type_into("#f-phone", "13900011111").await;
        browser.type_into("#f-employer-name", "鹤山市沙坪某家具厂").await;
        browser.type_into("#f-employer-address", "鹤山市沙坪街道").await;
        browser.type_into("#f-claimed-amount", "4800.50").await;
        browser.type_into("#f-summary", "家具厂关停，拖欠三个月工资，老板联系不上。").await;
        browser.click("#f-sms-consent").await;
        browser.click_through("button[formaction^=\"/apply/code\"]").await;
        assert!(browser.text("#code-notice").await.contains("139****1111"));
        assert!(browser.url().await.ends_with("/apply/code#f-phone-field"));
        let scrolled = browser.eval("return window.scrollY").await;
        assert!(scrolled.as_f64() > Some(0.0), "the answer opens at the phone field");
        assert_eq!(browser.property("#f-summary", "value").await, "家具厂关停，拖欠三个月工资，老板联系不上。");
        assert_eq!(browser.property("#f-sms-consent", "checked").await, true);
        let sms = texted(&app, "sms_verification_code", PHONE).await;
        browser.type_into("#f-verification-code", sms["code"].as_str().unwrap()).await;
        browser.screenshot("3-apply-code-sent").await;
        browser.click_through("button.primary").await;

        // The case number and the access code, once.
        assert_eq!(browser.text("h1").await, "申请已提交", "{}", browser.text("main").await);
        let number = browser.text("#case-number").await;
        let access = browser.text("#access-code").await;
        assert!(number.starts_with("SP-") && access.len() == 11, "{number} {access}");
        browser.screenshot("4-submitted").await;

        // Follow the link: the number is filled in, the access code typed.
        browser.click_through("#track-link").await;
        assert!(browser.url().await.ends_with(&format!("/track?case={number}")));
        assert_eq!(browser.property("#f-case-number", "value").await, json!(number));
        browser.type_into("#f-access-code", &access).await;
        browser.screenshot("5-track").await;
        browser.click_through("button.primary").await;
        assert_eq!(browser.text("#status").await, "已收到你的调解申请，等待受理");
        assert!(browser.text("#rights").await.contains("仲裁"));
        browser.screenshot("6-case").await;

        // Staff take it on, mediate and close it; the worker rates the service from the link.
        let token = close_and_survey(&app, &world, &number).await;
        browser.goto(&app.url(&format!("/survey/{token}"))).await;
        assert!(browser.text(".lead").await.contains(&number));
        browser.click("#f-satisfaction-5").await;
        browser.type_into("#f-comment", "调解员很耐心，当天就解决了。").await;
        browser.screenshot("7-survey").await;
        browser.click_through("button.primary").await;
        assert_eq!(browser.text("h1").await, "感谢你的评价");
        browser.screenshot("8-thanks").await;

        // The case page after closing.
        browser.goto(&app.url(&format!("/track?case={number}"))).await;
        browser.type_into("#f-access-code", &access).await;
        browser.click_through("button.primary").await;
        assert!(browser.text("#status").await.starts_with("已结案"));
        browser.screenshot("9-case-closed").await;

        // Nothing refused by the policy, no script error; the 4xx of a form sent back with its
        // errors is the only thing the console may report.
        let violations: Vec<String> = browser
            .console()
            .await
            .into_iter()
            .filter(|line| line.contains("SEVERE") || line.contains("Content Security Policy"))
            .filter(|line| !line.contains("the server responded with a status of 422"))
            .collect();
        assert!(violations.is_empty(), "the browser reported: {violations:?}");
        let events = app
            .get(&format!("/api/v1/cases?q={number}"), Some(&world.mediator.token))
            .await
            .json();
        assert_eq!(events["items"][0]["claimed_amount_fen"], 480_050);
    }
);
