//! The staff console in a real browser (headless Chromium over WebDriver, at an office PC's
//! 1366×768): the four-office story of the furniture factory, clicked through as each person
//! would. The mediator registers Zhang's case and refers it to the police, HR and judicial
//! offices; each officer signs in, finds it in the inbox, accepts and completes it; the mediator
//! records the agreement and the payment and resolves; the supervisor sees the figures change;
//! a lawyer with a grant opens the case file and one without cannot. With `SCREENSHOTS=<dir>`
//! the SQLite run saves each role's main page (docs/console.md shows them).

use serde_json::{json, Value};

use crate::api_test;
use crate::browser::Browser;
use crate::helpers::TestApp;
use crate::personas::Persona;

/// Signs `who` in through the form and waits for the page signing in lands on.
async fn sign_in(browser: &Browser, app: &TestApp, who: &Persona) {
    browser.goto(&app.url("/console/login")).await;
    browser.type_into("#email", &who.email).await;
    browser.type_into("#password", &who.password).await;
    browser
        .click_through("form[action='/console/login'] button")
        .await;
}

/// Signs out with the title bar's button and checks the sign-in form is back.
async fn sign_out(browser: &Browser) {
    browser
        .click_through("form[action='/console/logout'] button")
        .await;
    assert!(browser.url().await.contains("/console/login"));
}

/// Opens the action panel `key` of the case page, fills `fields` (CSS selector → text),
/// ticks its confirmation and submits it; waits for the page it leads to.
async fn act(browser: &Browser, key: &str, fields: &[(&str, &str)]) {
    browser.click(&format!("#action-{key} > summary")).await;
    for (css, text) in fields {
        browser.type_into(css, text).await;
    }
    browser.click(&format!("#f-{key}-confirm")).await;
    browser
        .click_through(&format!("#action-{key} button[type='submit']"))
        .await;
}

/// Chooses `value` in the select `css` (a click on its option, as a person's choice).
async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .click(&format!("{css} option[value='{value}']"))
        .await;
}

/// The notice the page shows after a form worked, or a panic with the page's text.
async fn notice(browser: &Browser) -> String {
    browser.text(".notice").await
}

/// The number of cases received, as the figures page's first headline number says.
async fn received_on_figures(browser: &Browser, app: &TestApp) -> i64 {
    browser.goto(&app.url("/console/figures")).await;
    let text = browser
        .eval("return document.querySelector('dl.figures-facts dd').textContent")
        .await;
    text.as_str()
        .and_then(|t| t.trim().replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no received count on the figures page: {text}"))
}

/// The partner officer `who` finds the referral in the inbox, accepts it and completes it with
/// `outcome`; the page then says it is completed.
async fn partner_answers(
    browser: &Browser,
    app: &TestApp,
    who: &Persona,
    outcome: &str,
    shot: Option<&str>,
) {
    sign_in(browser, app, who).await;
    assert!(browser.url().await.ends_with("/console/referrals"));
    let row = browser.text("table").await;
    assert!(
        row.contains("待接收"),
        "the inbox lists the pending referral: {row}"
    );
    if let Some(name) = shot {
        browser.screenshot(name).await;
    }
    browser
        .click_through("a[href^='/console/referrals/']")
        .await;
    browser
        .click("details:has(form[action$='/accept']) > summary")
        .await;
    browser
        .click_through("form[action$='/accept'] button")
        .await;
    assert!(notice(browser).await.len() > 1);
    browser
        .click("details:has(form[action$='/complete']) > summary")
        .await;
    choose(browser, "#f-outcome", outcome).await;
    browser.type_into("#f-result", "已按转办要求办结。").await;
    browser
        .click_through("form[action$='/complete'] button")
        .await;
    let page = browser.text("main").await;
    assert!(page.contains("已办结"), "completed: {page}");
    sign_out(browser).await;
}

/// Registers the furniture-factory case through the intake form; the case page's URL.
async fn register_through_the_form(browser: &Browser) -> String {
    browser
        .click_through("nav a[href='/console/cases/new']")
        .await;
    choose(browser, "select[name='category']", "wage_arrears").await;
    choose(browser, "select[name='channel']", "hotline_12351").await;
    browser
        .type_into(
            "[name='summary']",
            "家具厂关停，拖欠张先生工资3000元，企业主暂时无法联系。",
        )
        .await;
    browser.type_into("[name='claimed_amount']", "3000").await;
    browser
        .type_into("[name='employer.name']", "鹤山市沙坪某家具厂")
        .await;
    browser
        .type_into("[name='workers[0].name']", "张先生")
        .await;
    browser
        .type_into("[name='workers[0].id_number']", "440524198001010013")
        .await;
    browser
        .type_into("[name='workers[0].phone']", "13900001111")
        .await;
    choose(browser, "select[name='workers[0].role']", "claimant").await;
    browser
        .click_through("form[action='/console/cases/new'] button[type='submit']")
        .await;
    let url = browser.url().await;
    assert!(
        url.contains("/console/cases/") && !url.ends_with("/new"),
        "registered, on the case page: {url} {}",
        browser.text("main").await
    );
    url
}

api_test!(
    async fn four_offices_settle_the_furniture_factory_case_through_the_console_in_a_browser(app) {
        let sqlite = app.backend == crate::helpers::Backend::Sqlite;
        let Some(browser) = Browser::start_desktop(sqlite).await else {
            return;
        };
        let world = app.world().await;
        let other_lawyer = app
            .create_persona(&world.admin, "lawyer", &world.judicial)
            .await;

        // The supervisor looks at the figures before the case exists.
        sign_in(&browser, &app, &world.supervisor).await;
        let received_before = received_on_figures(&browser, &app).await;
        sign_out(&browser).await;

        // The mediator: my work, the intake form, the case page.
        sign_in(&browser, &app, &world.mediator).await;
        assert!(browser.url().await.ends_with("/console"));
        assert_eq!(browser.text("h1").await, "我的工作");
        let width = browser
            .eval("return document.documentElement.scrollWidth")
            .await;
        assert_eq!(width, json!(crate::browser::DESKTOP.0), "no sideways scrolling");
        let case_url = register_through_the_form(&browser).await;
        let case_id = case_url.rsplit('/').next().unwrap().to_owned();
        let case: Value = app
            .get(&format!("/api/v1/cases/{case_id}"), Some(&world.mediator.token))
            .await
            .json();
        assert_eq!(case["channel"], "hotline_12351");
        assert_eq!(case["claimed_amount_fen"], 300000);
        act(&browser, "accept", &[]).await;
        act(&browser, "start", &[]).await;
        for (office, kind) in [
            (&world.police, "locate_party"),
            (&world.hr, "labour_inspection"),
            (&world.judicial, "duty_lawyer"),
        ] {
            browser.click("#action-refer > summary").await;
            choose(&browser, "#f-refer-office-id", office["id"].as_str().unwrap()).await;
            choose(&browser, "#f-refer-kind", kind).await;
            browser
                .type_into("#f-refer-request", "请协助处理张先生被拖欠工资一案。")
                .await;
            browser.click("#f-refer-confirm").await;
            browser
                .click_through("#action-refer button[type='submit']")
                .await;
            assert!(notice(&browser).await.len() > 1);
        }
        let referrals = app
            .get(
                &format!("/api/v1/cases/{case_id}/referrals"),
                Some(&world.mediator.token),
            )
            .await
            .json();
        assert_eq!(referrals["items"].as_array().unwrap().len(), 3);
        sign_out(&browser).await;

        // Each partner office answers from its inbox.
        partner_answers(&browser, &app, &world.police_officer, "party_located", Some("3-police-inbox")).await;
        partner_answers(&browser, &app, &world.hr_officer, "employer_agreed_to_pay", None).await;
        partner_answers(&browser, &app, &world.judicial_officer, "advice_given", None).await;

        // The mediator records the agreement and the payment, and resolves.
        sign_in(&browser, &app, &world.mediator).await;
        browser.screenshot("1-mediator-work").await;
        browser.goto(&case_url).await;
        let today = app.state.clock.now().date_naive();
        browser.click("#action-agreement > summary").await;
        browser
            .type_into("#f-agreement-terms-0--amount", "3000")
            .await;
        browser
            .type_into("#f-agreement-terms-0--payee", "张先生")
            .await;
        let due = (today + chrono::Duration::days(7)).to_string();
        browser
            .eval(&format!(
                "document.querySelector('#f-agreement-terms-0--due-date').value = '{due}'; return null"
            ))
            .await;
        browser.click("#f-agreement-confirm").await;
        browser
            .click_through("#action-agreement button[type='submit']")
            .await;
        act(&browser, "payment", &[("#f-payment-amount", "3000")]).await;
        act(&browser, "resolve", &[]).await;
        let page = browser.text("main").await;
        assert!(page.contains("已解决"), "resolved: {page}");
        browser.screenshot("2-mediator-case").await;
        let case: Value = app
            .get(&format!("/api/v1/cases/{case_id}"), Some(&world.mediator.token))
            .await
            .json();
        assert_eq!(case["status"], "resolved");
        assert_eq!(case["recovered_amount_fen"], 300000);
        let granted = app
            .post_json(
                &format!("/api/v1/cases/{case_id}/grants"),
                Some(&world.mediator.token),
                &json!({"user_id": world.lawyer.id,
                        "expires_at": app.state.clock.now() + chrono::Duration::days(30)}),
            )
            .await;
        assert_eq!(granted.status, 201, "{}", granted.text());
        sign_out(&browser).await;

        // The supervisor sees the figures change.
        sign_in(&browser, &app, &world.supervisor).await;
        let received_after = received_on_figures(&browser, &app).await;
        assert_eq!(received_after, received_before + 1);
        browser.screenshot("4-supervisor-figures").await;
        sign_out(&browser).await;

        // The lawyer with a grant opens the case file; the one without cannot.
        sign_in(&browser, &app, &world.lawyer).await;
        assert!(browser.url().await.ends_with("/console/files"));
        assert!(browser.text("main").await.contains(case["case_number"].as_str().unwrap()));
        browser.screenshot("5-lawyer-files").await;
        browser
            .goto(&app.url(&format!("/console/cases/{case_id}/dossier")))
            .await;
        assert!(browser.text("body").await.contains(case["case_number"].as_str().unwrap()));
        sign_out_from_anywhere(&browser, &app).await;
        sign_in(&browser, &app, &other_lawyer).await;
        assert!(!browser.text("main").await.contains(case["case_number"].as_str().unwrap()));
        browser
            .goto(&app.url(&format!("/console/cases/{case_id}")))
            .await;
        assert!(browser.text("h1").await.contains("未找到"), "a 404 page");
        // The browser logs that 404 as a failed load; what is logged after it must be nothing.
        let _ = browser.console().await;
        sign_out(&browser).await;

        // The same pages at a phone's width: nothing wider than the screen (wide tables scroll
        // inside their own box).
        sign_in(&browser, &app, &world.mediator).await;
        browser.resize(crate::browser::PHONE.0, crate::browser::PHONE.1).await;
        for path in ["/console".to_owned(), format!("/console/cases/{case_id}"), "/console/figures".to_owned()] {
            browser.goto(&app.url(&path)).await;
            let inner = browser.eval("return window.innerWidth").await;
            assert!(inner.as_u64().unwrap() <= 400, "a phone-sized window: {inner}");
            let width = browser
                .eval("return document.documentElement.scrollWidth")
                .await;
            assert_eq!(width, inner, "{path} scrolls sideways at a phone's width");
        }
        browser.resize(crate::browser::DESKTOP.0, crate::browser::DESKTOP.1).await;
        sign_out(&browser).await;

        // The admin's first page.
        sign_in(&browser, &app, &world.admin).await;
        assert!(browser.url().await.ends_with("/console/offices"));
        browser.screenshot("6-admin-offices").await;
        assert!(browser.console().await.is_empty(), "no errors in the browser's console");
    }
);

/// Signs out from a page without the console's chrome (the printable dossier): back to a
/// console page first.
async fn sign_out_from_anywhere(browser: &Browser, app: &TestApp) {
    browser.goto(&app.url("/console/files")).await;
    sign_out(browser).await;
}
