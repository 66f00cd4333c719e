//! The staff console's sessions and forms: signing in with the same accounts and session rows
//! as the API, the cookie, the form token, signing out — over plain HTTP. The pages of each area
//! have their own files (`console_*.rs`); the browser walks the whole story in
//! `console_browser.rs`.

use serde_json::json;

use crate::api_test;
use crate::console_support::{form_body, set_cookie};

api_test!(
    async fn a_console_page_without_a_session_sends_the_browser_to_sign_in_and_back(app) {
        let answer = app.get("/console?page=2", None).await;
        assert_eq!(answer.status, 303);
        assert_eq!(
            answer.header("location"),
            Some("/console/login?next=%2Fconsole%3Fpage%3D2")
        );
        let form = app.get("/console/login?next=%2Fconsole%2Fcases", None).await;
        assert_eq!(form.status, 200);
        let page = form.text();
        assert!(page.contains("登录工作台"), "{page}");
        assert!(page.contains(r#"name="next" value="/console/cases""#), "{page}");
        let csp = form.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"), "{csp}");
        let cookie = form.headers.get("set-cookie").unwrap().to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    }
);

api_test!(
    async fn signing_in_sets_a_session_cookie_that_scripts_cannot_read_and_lands_on_the_role_s_page(app) {
        let world = app.world().await;
        let form = app.get("/console/login", None).await;
        let token = set_cookie(&form, "mt_sign_in").unwrap();
        let posted = app
            .send(
                app.request("POST", "/console/login", None)
                    .insert_header(("cookie", format!("mt_sign_in={token}")))
                    .insert_header(("content-type", "application/x-www-form-urlencoded")),
                Some(form_body(&[
                    ("token", &token),
                    ("email", &world.police_officer.email),
                    ("password", &world.police_officer.password),
                    ("next", "https://evil.example/"),
                ])),
            )
            .await;
        assert_eq!(posted.status, 303, "{}", posted.text());
        assert_eq!(posted.header("location"), Some("/console"), "no open redirect");
        let cookie = posted
            .headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("mt_console="))
            .unwrap();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Secure"), "plain HTTP here: {cookie}");
        let police = app
            .console_sign_in(&world.police_officer.email, &world.police_officer.password)
            .await;
        let home = app.console_get(&police, "/console").await;
        assert_eq!(home.status, 303);
        assert_eq!(home.header("location"), Some("/console/referrals"));
    }
);

api_test!(
    async fn a_wrong_password_shows_the_form_again_in_chinese_and_counts_toward_the_lockout(app) {
        let world = app.world().await;
        let form = app.get("/console/login", None).await;
        let token = set_cookie(&form, "mt_sign_in").unwrap();
        let posted = app
            .send(
                app.request("POST", "/console/login", None)
                    .insert_header(("cookie", format!("mt_sign_in={token}")))
                    .insert_header(("content-type", "application/x-www-form-urlencoded")),
                Some(form_body(&[
                    ("token", &token),
                    ("email", &world.mediator.email),
                    ("password", "not the password at all"),
                ])),
            )
            .await;
        assert_eq!(posted.status, 401);
        let page = posted.text();
        assert!(page.contains("邮箱或密码不正确") || page.contains("密码"), "{page}");
        assert!(page.contains(&format!(r#"value="{}""#, world.mediator.email)), "email kept");
        assert!(set_cookie(&posted, "mt_console").is_none());
    }
);

api_test!(
    async fn the_sign_in_form_is_refused_without_its_own_token(app) {
        let world = app.world().await;
        let posted = app
            .send(
                app.request("POST", "/console/login", None)
                    .insert_header(("content-type", "application/x-www-form-urlencoded")),
                Some(form_body(&[
                    ("token", "guessed"),
                    ("email", &world.mediator.email),
                    ("password", &world.mediator.password),
                ])),
            )
            .await;
        assert_eq!(posted.status, 403);
        assert!(set_cookie(&posted, "mt_console").is_none());
    }
);

api_test!(
    async fn a_form_posted_without_the_session_s_token_is_refused_and_changes_nothing(app) {
        let world = app.world().await;
        let mediator = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let forged = app.console_post_raw(&mediator, "/console/logout", b"").await;
        assert_eq!(forged.status, 403);
        assert!(forged.text().contains("表单已失效"), "{}", forged.text());
        let wrong = app
            .console_post_raw(&mediator, "/console/logout", &form_body(&[("csrf", "00ff")]))
            .await;
        assert_eq!(wrong.status, 403);
        let still = app.console_get(&mediator, "/console").await;
        let location = still.header("location").unwrap_or_default();
        assert!(!location.starts_with("/console/login"), "still signed in");
    }
);

api_test!(
    async fn signing_out_ends_the_session_so_the_same_cookie_no_longer_opens_anything(app) {
        let world = app.world().await;
        let mediator = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let out = app.console_post(&mediator, "/console/logout", &[]).await;
        assert_eq!(out.status, 303);
        assert_eq!(out.header("location"), Some("/console/login"));
        let cleared = set_cookie(&out, "mt_console").unwrap();
        assert!(cleared.is_empty());
        let replayed = app.console_get(&mediator, "/console").await;
        assert_eq!(replayed.status, 303, "the session row is revoked, not just the cookie");
        assert!(replayed.header("location").unwrap().starts_with("/console/login"));
    }
);

api_test!(
    async fn deactivating_a_user_ends_their_console_session_at_once(app) {
        let world = app.world().await;
        let officer = app
            .console_sign_in(&world.hr_officer.email, &world.hr_officer.password)
            .await;
        let path = format!("/api/v1/users/{}", world.hr_officer.id);
        let deactivated = app
            .json_request("PATCH", &path, Some(&world.admin.token), &json!({"active": false}))
            .await;
        assert_eq!(deactivated.status, 200, "{}", deactivated.text());
        let after = app.console_get(&officer, "/console").await;
        assert_eq!(after.status, 303);
        assert!(after.header("location").unwrap().starts_with("/console/login"));
    }
);

api_test!(
    async fn a_forged_or_foreign_cookie_opens_nothing(app) {
        let world = app.world().await;
        let mediator = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let (session, _) = mediator.cookie.rsplit_once('.').unwrap();
        for cookie in [session.to_owned(), format!("{session}.00"), "x".into()] {
            let forged = crate::console_support::Console {
                cookie,
                csrf: mediator.csrf.clone(),
            };
            let answer = app.console_get(&forged, "/console").await;
            assert_eq!(answer.status, 303);
            assert!(answer.header("location").unwrap().starts_with("/console/login"));
        }
        let api = app.get("/api/v1/me", Some(&mediator.cookie)).await;
        assert_eq!(api.status, 401, "a console cookie is not an API token");
    }
);

api_test!(
    async fn signing_in_again_in_the_same_browser_ends_the_session_it_held_before(app) {
        let world = app.world().await;
        let first = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let form = app.get("/console/login", None).await;
        let token = set_cookie(&form, "mt_sign_in").unwrap();
        let again = app
            .send(
                app.request("POST", "/console/login", None)
                    .insert_header((
                        "cookie",
                        format!("mt_sign_in={token}; mt_console={}", first.cookie),
                    ))
                    .insert_header(("content-type", "application/x-www-form-urlencoded")),
                Some(form_body(&[
                    ("token", &token),
                    ("email", &world.mediator.email),
                    ("password", &world.mediator.password),
                ])),
            )
            .await;
        assert_eq!(again.status, 303, "{}", again.text());
        let second = crate::console_support::Console {
            cookie: set_cookie(&again, "mt_console").unwrap(),
            csrf: String::new(),
        };
        let old = app.console_get(&first, "/console").await;
        assert!(old.header("location").unwrap_or_default().starts_with("/console/login"));
        let new = app.console_get(&second, "/console").await;
        assert_eq!(new.status, 200, "{}", new.text());
    }
);
