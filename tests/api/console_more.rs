//! The console's grant forms on the case page and the password page, over plain HTTP: a mediator
//! gives a lawyer a case file and takes it back, a person changes their own password — each
//! checked afterwards on the API itself (the grants, the sign-in with the new password) and from
//! the other side (the lawyer's files, the other sessions).

use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::api_test;
use crate::console_support::{form_body, Console};
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona};

/// The case's id.
fn id(case: &Value) -> &str {
    case["id"].as_str().unwrap()
}

/// A day `days` from today in Beijing time, as a date input sends it.
fn day_ahead(days: u64) -> String {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    (today + Days::new(days)).format("%Y-%m-%d").to_string()
}

/// The case's grants as the API lists them to `who`.
async fn api_grants(app: &TestApp, who: &Persona, case: &Value) -> Vec<Value> {
    let answer = app
        .get(
            &format!("/api/v1/cases/{}/grants", id(case)),
            Some(&who.token),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["items"].as_array().unwrap().clone()
}

/// Posts the grant form for `lawyer` until `until`, confirmed.
async fn grant(
    app: &TestApp,
    console: &Console,
    case: &Value,
    lawyer: &Persona,
    until: &str,
) -> crate::helpers::TestResponse {
    let path = format!("/console/cases/{}/grants", id(case));
    let fields = [
        ("user_id", lawyer.id.as_str()),
        ("expires_on", until),
        ("confirm", "yes"),
    ];
    app.console_post(console, &path, &fields).await
}

/// Whether the API signs `email` in with `password`.
async fn api_signs_in(app: &TestApp, email: &str, password: &str) -> u16 {
    app.post_json(
        "/api/v1/auth/login",
        None,
        &json!({"email": email, "password": password}),
    )
    .await
    .status
}

api_test!(
    async fn a_mediator_gives_a_lawyer_the_case_file_from_the_console_and_takes_it_back(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let (page, number) = (format!("/console/cases/{}", id(&case)), case["case_number"].as_str().unwrap());
        let mediator = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        let lawyer = app.console_sign_in(&world.lawyer.email, &world.lawyer.password).await;

        let drawn = app.console_get(&mediator, &page).await.text();
        assert!(drawn.contains(r#"id="action-grant""#) && drawn.contains("授权律师查阅"), "{drawn}");
        assert!(drawn.contains(&format!(r#"<option value="{}">Test lawyer（沙坪司法所）</option>"#, world.lawyer.id)), "{drawn}");
        assert!(drawn.contains(&format!(r#"value="{}""#, day_ahead(30))), "the default is 30 days ahead");
        assert!(!app.console_get(&lawyer, "/console/files").await.text().contains(number));
        assert_eq!(app.console_get(&lawyer, &page).await.status, 404);

        let granted = grant(&app, &mediator, &case, &world.lawyer, &day_ahead(10)).await;
        assert_eq!(granted.status, 303, "{}", granted.text());
        assert_eq!(granted.header("location"), Some(format!("{page}?notice=grant#actions").as_str()));
        let noticed = app.console_get(&mediator, &format!("{page}?notice=grant")).await.text();
        assert!(noticed.contains("已授权律师查阅本案"), "the grant's notice: {noticed}");
        let grants = api_grants(&app, &world.mediator, &case).await;
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0]["user_id"], world.lawyer.id.as_str());
        assert_eq!(grants[0]["active"], true);
        let until = format!("{}T15:59:59Z", day_ahead(10));
        assert_eq!(grants[0]["expires_at"], until.as_str(), "through the chosen day, Beijing time");
        let drawn = app.console_get(&mediator, &page).await.text();
        let revoke = format!("/console/cases/{}/grants/{}/revoke", id(&case), grants[0]["id"].as_str().unwrap());
        assert!(drawn.contains(&format!("撤销授权：Test lawyer（至 {} 23:59）", day_ahead(10))), "{drawn}");
        assert!(drawn.contains(&format!(r#"action="{revoke}""#)), "{drawn}");

        let files = app.console_get(&lawyer, "/console/files").await;
        assert!(files.text().contains(number), "{}", files.text());
        let opened = app.console_get(&lawyer, &page).await;
        assert_eq!(opened.status, 200);
        assert!(!opened.text().contains("授权律师查阅"), "a lawyer is offered no grant form");
        let by_lawyer = grant(&app, &lawyer, &case, &world.lawyer, &day_ahead(10)).await;
        assert_eq!(by_lawyer.status, 403, "the use case lets only union staff grant");
        assert_eq!(api_grants(&app, &world.mediator, &case).await.len(), 1);

        let revoked = app.console_post(&mediator, &revoke, &[("confirm", "yes")]).await;
        assert_eq!(revoked.status, 303, "{}", revoked.text());
        let grants = api_grants(&app, &world.mediator, &case).await;
        assert_eq!(grants[0]["active"], false);
        assert!(grants[0]["revoked_at"].is_string());
        assert_eq!(app.console_get(&lawyer, &page).await.status, 404);
        assert!(!app.console_get(&lawyer, "/console/files").await.text().contains(number));
        assert!(!app.console_get(&mediator, &page).await.text().contains(&revoke), "no revoke form for an ended grant");
        let again = app.console_post(&mediator, &revoke, &[("confirm", "yes")]).await;
        assert_eq!(again.status, 404, "a revoked grant is not there to revoke");
    }
);

api_test!(
    async fn a_grant_the_use_case_refuses_comes_back_open_with_the_error_beside_its_field(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let mediator = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;

        let too_far = grant(&app, &mediator, &case, &world.lawyer, &day_ahead(400)).await;
        assert_eq!(too_far.status, 422);
        let page = too_far.text();
        assert!(page.contains(r#"id="action-grant" open"#), "{page}");
        assert!(page.contains("必须在 365 天以内"), "{page}");
        assert!(page.contains(&format!(r#"value="{}""#, day_ahead(400))), "the day typed is kept");

        let path = format!("/console/cases/{}/grants", id(&case));
        let unconfirmed = app
            .console_post(&mediator, &path, &[("user_id", world.lawyer.id.as_str()), ("expires_on", &day_ahead(5))])
            .await;
        assert_eq!(unconfirmed.status, 422);
        let not_a_lawyer = grant(&app, &mediator, &case, &world.police_officer, &day_ahead(5)).await;
        assert_eq!(not_a_lawyer.status, 422);
        assert!(not_a_lawyer.text().contains("必须是在职的律师"), "{}", not_a_lawyer.text());
        assert!(api_grants(&app, &world.mediator, &case).await.is_empty());
    }
);

api_test!(
    async fn a_password_changed_in_the_console_signs_in_and_ends_the_other_sessions(app) {
        let world = app.world().await;
        let me = &world.mediator;
        let console = app.console_sign_in(&me.email, &me.password).await;
        let elsewhere = app.console_sign_in(&me.email, &me.password).await;
        let page = app.console_get(&console, "/console").await.text();
        assert!(page.contains(r#"<a href="/console/password">修改密码</a>"#), "{page}");

        let form = app.console_get(&console, "/console/password").await;
        assert_eq!(form.status, 200);
        assert!(form.text().contains(r#"autocomplete="current-password""#));
        let new_password = "a-fresh-console-passphrase";
        let fields = [("current_password", me.password.as_str()), ("new_password", new_password), ("repeat_password", new_password)];
        let changed = app.console_post(&console, "/console/password", &fields).await;
        assert_eq!(changed.status, 303, "{}", changed.text());
        assert_eq!(changed.header("location"), Some("/console/password?done=changed"));
        let after = app.console_get(&console, "/console/password?done=changed").await;
        assert_eq!(after.status, 200, "this session stays signed in");
        assert!(after.text().contains("密码已修改"), "{}", after.text());

        assert_eq!(api_signs_in(&app, &me.email, new_password).await, 200);
        assert_eq!(api_signs_in(&app, &me.email, &me.password).await, 401);
        assert_eq!(app.console_get(&elsewhere, "/console").await.status, 303, "the other browser is signed out");
        assert_eq!(app.get("/api/v1/me", Some(&me.token)).await.status, 401, "the API session ends too");
    }
);

api_test!(
    async fn a_wrong_current_password_or_a_weak_or_mistyped_new_one_changes_nothing(app) {
        let world = app.world().await;
        let me = &world.hr_officer;
        let console = app.console_sign_in(&me.email, &me.password).await;
        let new_password = "a-fresh-console-passphrase";

        let wrong = [("current_password", "not-my-password-at-all"), ("new_password", new_password), ("repeat_password", new_password)];
        let answer = app.console_post(&console, "/console/password", &wrong).await;
        assert!(matches!(answer.status, 401 | 422), "{}", answer.status);
        let page = answer.text();
        assert!(page.contains(r#"<span class="field-error" id="pw-current-password-error">不正确</span>"#), "{page}");
        assert!(!page.contains("not-my-password-at-all"), "a password is never sent back");

        let mistyped = [("current_password", me.password.as_str()), ("new_password", new_password), ("repeat_password", "a-fresh-console-passphrasE")];
        let answer = app.console_post(&console, "/console/password", &mistyped).await;
        assert_eq!(answer.status, 422);
        assert!(answer.text().contains("两次输入的新密码不一致"), "{}", answer.text());

        let weak = [("current_password", me.password.as_str()), ("new_password", "short"), ("repeat_password", "short")];
        let answer = app.console_post(&console, "/console/password", &weak).await;
        assert_eq!(answer.status, 422);
        assert!(answer.text().contains("至少需要 12 个字符"), "{}", answer.text());

        assert_eq!(api_signs_in(&app, &me.email, &me.password).await, 200);
        assert_eq!(api_signs_in(&app, &me.email, new_password).await, 401);
    }
);

api_test!(
    async fn a_grant_or_password_form_without_the_form_token_is_refused_and_changes_nothing(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let console = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        let new_password = "a-fresh-console-passphrase";

        let body = form_body(&[("current_password", &world.mediator.password), ("new_password", new_password), ("repeat_password", new_password)]);
        let refused = app.console_post_raw(&console, "/console/password", &body).await;
        assert_eq!(refused.status, 403);
        assert!(refused.text().contains("表单已失效"), "{}", refused.text());

        let path = format!("/console/cases/{}/grants", id(&case));
        let body = form_body(&[("csrf", "forged"), ("user_id", &world.lawyer.id), ("expires_on", &day_ahead(5)), ("confirm", "yes")]);
        assert_eq!(app.console_post_raw(&console, &path, &body).await.status, 403);

        assert!(api_grants(&app, &world.mediator, &case).await.is_empty());
        assert_eq!(api_signs_in(&app, &world.mediator.email, &world.mediator.password).await, 200);
    }
);
