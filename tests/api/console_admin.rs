//! The admin's pages of the staff console: offices, users, machine credentials and the outbox
//! with its retry — each change made through the console's forms and checked through the API.

use std::time::Duration;

use serde_json::{json, Value};

use crate::api_test;
use crate::console_support::Console;
use crate::helpers::{TestApp, TestResponse};
use crate::personas::{furniture_factory_case, World};

/// The id at the end of a redirect's `Location` (`/console/offices/{id}?done=…`).
fn redirected_id(answer: &TestResponse, prefix: &str) -> String {
    let location = answer.header("location").expect("a redirect");
    let rest = location.strip_prefix(prefix).expect(location);
    rest.split('?').next().unwrap().to_owned()
}

async fn admin_console(app: &TestApp, world: &World) -> Console {
    app.console_sign_in(&world.admin.email, &world.admin.password)
        .await
}

/// Every item of an API list at `path` (first page).
async fn api_items(app: &TestApp, world: &World, path: &str) -> Vec<Value> {
    let answer = app.get(path, Some(&world.admin.token)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["items"].as_array().unwrap().clone()
}

api_test!(
    async fn an_admin_creates_and_edits_an_office_through_the_console_and_the_api_lists_it(app) {
        let world = app.world().await;
        let admin = admin_console(&app, &world).await;
        let list = app.console_get(&admin, "/console/offices").await;
        assert_eq!(list.status, 200);
        let html = list.text();
        for words in ["沙坪街道工会", "鹤山市总工会", "派出所", "司法所", "新建机构"] {
            assert!(html.contains(words), "{words} in {html}");
        }

        let created = app
            .console_post(&admin, "/console/offices", &[
                ("name", "古劳镇工会"), ("code", "gl"), ("kind", "union"),
                ("parent_id", world.county_union["id"].as_str().unwrap()),
                ("accepts_online", "on"), ("area", "鹤山市古劳镇"), ("phone", "0750-8888123"),
            ])
            .await;
        assert_eq!(created.status, 303, "{}", created.text());
        let id = redirected_id(&created, "/console/offices/");
        let page = app.console_get(&admin, created.header("location").unwrap()).await.text();
        assert!(page.contains("机构已创建") && page.contains(r#"value="古劳镇工会""#), "{page}");

        let offices = api_items(&app, &world, "/api/v1/offices?kind=union").await;
        let office = offices.iter().find(|o| o["id"] == id.as_str()).expect("listed by the API");
        assert_eq!(office["code"], "GL");
        assert_eq!(office["parent_id"], world.county_union["id"]);
        assert_eq!(office["accepts_online"], true);
        let html = app.console_get(&admin, "/console/offices").await.text();
        assert!(html.contains("古劳镇工会") && html.contains("鹤山市总工会"), "{html}");

        let path = format!("/console/offices/{id}");
        let saved = app
            .console_post(&admin, &path, &[
                ("version", "1"), ("name", "古劳镇总工会"), ("code", "GL"), ("parent_id", ""),
                ("email", "gl@offices.test"), ("area", "鹤山市古劳镇"), ("phone", ""),
            ])
            .await;
        assert_eq!(saved.status, 303, "{}", saved.text());
        let office = app.get(&format!("/api/v1/offices/{id}"), Some(&world.admin.token)).await.json();
        assert_eq!(office["name"], "古劳镇总工会");
        assert_eq!(office["parent_id"], Value::Null);
        assert_eq!(office["phone"], Value::Null);
        assert_eq!(office["accepts_online"], false, "an unticked box is a no");

        let stale = app
            .console_post(&admin, &path, &[("version", "1"), ("name", "过期的修改"), ("code", "GL")])
            .await;
        assert_eq!(stale.status, 412);
        assert!(stale.text().contains("资源已被修改") && stale.text().contains("过期的修改"), "{}", stale.text());
    }
);

api_test!(
    async fn the_office_form_comes_back_with_each_error_beside_its_field_and_the_values_kept(app) {
        let world = app.world().await;
        let admin = admin_console(&app, &world).await;
        let refused = app
            .console_post(&admin, "/console/offices", &[
                ("name", "某派出所"), ("code", "1X"), ("kind", "police"), ("accepts_online", "on"),
            ])
            .await;
        assert_eq!(refused.status, 422);
        let html = refused.text();
        assert!(html.contains(r#"id="office-code-error">必须是 2–10 位字母或数字"#), "{html}");
        assert!(html.contains("只有工会调解组织受理网上申请"), "{html}");
        assert!(html.contains(r#"value="某派出所""#) && html.contains(r#"<option value="police" selected>"#), "{html}");
        let offices = api_items(&app, &world, "/api/v1/offices?kind=police").await;
        assert!(offices.iter().all(|o| o["name"] != "某派出所"));
    }
);

api_test!(
    async fn an_admin_creates_a_user_through_the_console_changes_and_deactivates_them_and_the_api_agrees(app) {
        let world = app.world().await;
        let admin = admin_console(&app, &world).await;
        let police = world.police["id"].as_str().unwrap();
        let misfit = app
            .console_post(&admin, "/console/users", &[
                ("name", "李警官"), ("email", "li@people.test"), ("role", "hr_officer"),
                ("office_id", police), ("password", "a-long-enough-console-password"),
            ])
            .await;
        assert_eq!(misfit.status, 422);
        let html = misfit.text();
        assert!(html.contains(r#"id="new-role-error">hr_officer 不能隶属于 police 类机构"#), "{html}");
        assert!(html.contains(r#"value="li@people.test""#) && !html.contains("a-long-enough-console-password"), "{html}");

        let created = app
            .console_post(&admin, "/console/users", &[
                ("name", "李警官"), ("email", "li@people.test"), ("role", "police_officer"),
                ("office_id", police), ("password", "a-long-enough-console-password"),
            ])
            .await;
        assert_eq!(created.status, 303, "{}", created.text());
        assert_eq!(created.header("location"), Some("/console/users?done=created"));
        let users = api_items(&app, &world, &format!("/api/v1/users?office_id={police}")).await;
        let user = users.iter().find(|u| u["email"] == "li@people.test").expect("listed by the API").clone();
        assert_eq!(user["role"], "police_officer");
        let page = app.console_get(&admin, "/console/users?done=created").await.text();
        assert!(page.contains("用户已创建") && page.contains("李警官") && page.contains("派出所民警"), "{page}");
        app.sign_in("li@people.test", "a-long-enough-console-password").await;

        let path = format!("/console/users/{}", user["id"].as_str().unwrap());
        let wrong = app.console_post(&admin, &path, &[("version", "1"), ("action", "role"), ("role", "union_mediator")]).await;
        assert_eq!(wrong.status, 422, "a mediator does not belong to a police station");
        assert!(wrong.text().contains("union_mediator 不能隶属于 police 类机构"), "{}", wrong.text());
        let deactivated = app.console_post(&admin, &path, &[("version", "1"), ("action", "deactivate")]).await;
        assert_eq!(deactivated.status, 303, "{}", deactivated.text());
        let api_user = app.get(&format!("/api/v1/users/{}", user["id"].as_str().unwrap()), Some(&world.admin.token)).await.json();
        assert_eq!(api_user["active"], false);
        let login = app.post_json("/api/v1/auth/login", None, &json!({"email": "li@people.test", "password": "a-long-enough-console-password"})).await;
        assert_eq!(login.status, 401);
        let reactivated = app.console_post(&admin, &path, &[("version", "2"), ("action", "reactivate")]).await;
        assert_eq!(reactivated.status, 303, "{}", reactivated.text());
        let api_user = app.get(&format!("/api/v1/users/{}", user["id"].as_str().unwrap()), Some(&world.admin.token)).await.json();
        assert_eq!(api_user["active"], true);
    }
);

api_test!(
    async fn anyone_but_an_admin_gets_a_403_page_on_the_admin_s_pages(app) {
        let world = app.world().await;
        let mediator = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        for path in ["/console/users", "/console/notifications", &format!("/console/offices/{}/clients", world.police["id"].as_str().unwrap())] {
            let page = app.console_get(&mediator, path).await;
            assert_eq!(page.status, 403, "{path}");
            assert!(page.text().contains("无权操作"), "{}", page.text());
        }
        let created = app
            .console_post(&mediator, "/console/users", &[("name", "x"), ("email", "x@people.test"), ("role", "admin"), ("password", "a-long-enough-console-password")])
            .await;
        assert_eq!(created.status, 403);
        let offices = app.console_get(&mediator, "/console/offices").await.text();
        assert!(!offices.contains("新建机构"), "the directory is readable, but only an admin is offered its forms");
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        assert_eq!(app.console_get(&officer, "/console/users").await.status, 403);
    }
);

api_test!(
    async fn an_admin_issues_credentials_sees_the_secret_once_and_revokes_them(app) {
        let world = app.world().await;
        let admin = admin_console(&app, &world).await;
        let police = world.police["id"].as_str().unwrap();
        let path = format!("/console/offices/{police}/clients");
        let issued = app.console_post(&admin, &path, &[("name", "派出所警情系统")]).await;
        assert_eq!(issued.status, 200, "{}", issued.text());
        let html = issued.text();
        assert!(html.contains("密钥只显示这一次"), "{html}");
        let secret = html.split("<code>").filter_map(|s| s.split("</code>").next()).find(|s| s.starts_with("mts_")).expect("the secret").to_owned();
        let client_id = html.split("<code>").filter_map(|s| s.split("</code>").next()).find(|s| s.starts_with("mtc_")).expect("the id").to_owned();
        let token = app.post_json("/api/v1/auth/token", None, &json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})).await;
        assert_eq!(token.status, 200, "the secret works: {}", token.text());
        let listed = app.console_get(&admin, &path).await.text();
        assert!(listed.contains(&client_id) && !listed.contains(&secret), "never shown again: {listed}");

        let union = app.console_post(&admin, &format!("/console/offices/{}/clients", world.town_union["id"].as_str().unwrap()), &[("name", "工会系统")]).await;
        assert_eq!(union.status, 422);
        assert!(union.text().contains("没有对应的合作方角色"), "{}", union.text());

        let revoked = app.console_post(&admin, &format!("{path}/{client_id}/revoke"), &[]).await;
        assert_eq!(revoked.status, 303, "{}", revoked.text());
        let clients = app.get(&format!("/api/v1/offices/{police}/clients"), Some(&world.admin.token)).await.json();
        let client = clients.as_array().or(clients["items"].as_array()).unwrap().iter().find(|c| c["client_id"] == client_id.as_str()).unwrap().clone();
        assert!(client["revoked_at"].is_string(), "{client}");
        let again = app.post_json("/api/v1/auth/token", None, &json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})).await;
        assert_eq!(again.status, 401);
    }
);

api_test!(
    async fn an_admin_sees_a_dead_notification_with_its_error_and_retries_it_from_the_console(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let referral = app
            .post_json(&format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap()), Some(&world.mediator.token),
                &json!({"office_id": world.police["id"], "kind": "locate_party", "request": "请协助找到企业主"}))
            .await;
        assert_eq!(referral.status, 201);
        // Let the worker (if it runs) finish with the row, then make it a dead letter.
        let mut row = Value::Null;
        for _ in 0..40 {
            row = api_items(&app, &world, "/api/v1/notifications").await[0].clone();
            if row["status"] != "pending" {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let id = row["id"].as_str().unwrap().to_owned();
        let dead = id.clone();
        app.state.db.run(move |c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            diesel::update(outbox::table.find(&dead))
                .set((outbox::status.eq("dead"), outbox::attempts.eq(5), outbox::last_error.eq(Some("550 mailbox unavailable"))))
                .execute(c)?;
            Ok(())
        }).await.unwrap();

        let admin = admin_console(&app, &world).await;
        let page = app.console_get(&admin, "/console/notifications?status=dead").await.text();
        for words in ["已停止重试", "550 mailbox unavailable", "referral_created", "spps@offices.test", "重新发送"] {
            assert!(page.contains(words), "{words} in {page}");
        }
        let retry = format!("/console/notifications/{id}/retry");
        assert!(page.contains(&retry), "{page}");
        let retried = app.console_post(&admin, &retry, &[]).await;
        assert_eq!(retried.status, 303, "{}", retried.text());
        assert_eq!(retried.header("location"), Some("/console/notifications?done=retried"));
        let rows = api_items(&app, &world, "/api/v1/notifications").await;
        let row = rows.iter().find(|r| r["id"] == id.as_str()).unwrap();
        assert_ne!(row["status"], "dead", "{row}");
        assert!(api_items(&app, &world, "/api/v1/notifications?status=dead").await.is_empty());
        let page = app.console_get(&admin, "/console/notifications?done=retried").await.text();
        assert!(page.contains("已重新排队"), "{page}");
    }
);

api_test!(
    async fn a_notification_already_sent_is_not_sent_again_and_the_outbox_says_why(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.post_json(&format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap()), Some(&world.mediator.token),
            &json!({"office_id": world.hr["id"], "kind": "negotiation", "request": "约见企业"})).await;
        let id = api_items(&app, &world, "/api/v1/notifications").await[0]["id"].as_str().unwrap().to_owned();
        let sent = id.clone();
        app.state.db.run(move |c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::outbox;
            diesel::update(outbox::table.find(&sent)).set(outbox::status.eq("sent")).execute(c)?;
            Ok(())
        }).await.unwrap();
        let admin = admin_console(&app, &world).await;
        let again = app.console_post(&admin, &format!("/console/notifications/{id}/retry"), &[]).await;
        assert_eq!(again.status, 409);
        assert!(again.text().contains("该通知已经发出"), "{}", again.text());
        assert_eq!(app.console_post_raw(&admin, &format!("/console/notifications/{id}/retry"), b"").await.status, 403);
    }
);
