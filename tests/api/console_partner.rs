//! The partner office's inbox and referral page, and the lawyer's granted files, in the staff
//! console: what each sees, the answers they give from it, and that the API agrees afterwards.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, World};

/// Registers the furniture-factory case and refers it to the police (locate the owner) and
/// to the HR office (negotiate); returns the case and the two referrals.
async fn referred_case(app: &TestApp, world: &World) -> (Value, Value, Value) {
    let case = app
        .register_case(&world.mediator, &furniture_factory_case())
        .await;
    let path = format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap());
    let mut referrals = Vec::new();
    for (office, kind, request) in [
        (&world.police, "locate_party", "请协助找到企业主"),
        (&world.hr, "negotiation", "请约见企业协商欠薪"),
    ] {
        let body = json!({"office_id": office["id"], "kind": kind, "request": request});
        let created = app
            .post_json(&path, Some(&world.mediator.token), &body)
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
        referrals.push(created.json());
    }
    let hr = referrals.pop().unwrap();
    (case, referrals.pop().unwrap(), hr)
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

/// The referral as the API gives it to `token`.
async fn api_referral(app: &TestApp, token: &str, referral: &Value) -> Value {
    let answer = app
        .get(&format!("/api/v1/referrals/{}", id(referral)), Some(token))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

api_test!(
    async fn a_police_officer_finds_the_referral_in_the_inbox_accepts_and_completes_it_and_the_api_shows_it_completed(app) {
        let world = app.world().await;
        let (case, police, hr) = referred_case(&app, &world).await;
        let number = case["case_number"].as_str().unwrap();
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;

        let inbox = app.console_get(&officer, "/console/referrals").await;
        assert_eq!(inbox.status, 200);
        let html = inbox.text();
        for words in [number, "协助查找当事人", "沙坪街道工会", "待接收"] {
            assert!(html.contains(words), "{words} in {html}");
        }
        assert!(html.contains(&format!("/console/referrals/{}", id(&police))));
        assert!(!html.contains(id(&hr)) && !html.contains("面对面协商"), "{html}");

        let path = format!("/console/referrals/{}", id(&police));
        let page = app.console_get(&officer, &path).await.text();
        for words in ["请协助找到企业主", "鹤山市沙坪某家具厂", "确认接收", "确认办结", "确认退回", "已找到当事人"] {
            assert!(page.contains(words), "{words} in {page}");
        }
        assert!(!page.contains("请约见企业协商欠薪"), "another office's request stays hidden: {page}");

        let accepted = app.console_post(&officer, &format!("{path}/accept"), &[]).await;
        assert_eq!(accepted.status, 303, "{}", accepted.text());
        assert_eq!(accepted.header("location"), Some(format!("{path}?done=accepted").as_str()));
        let page = app.console_get(&officer, &format!("{path}?done=accepted")).await.text();
        assert!(page.contains("已接收这个转办件") && !page.contains("确认接收"), "{page}");
        assert_eq!(api_referral(&app, &world.police_officer.token, &police).await["status"], "accepted");

        let completed = app
            .console_post(&officer, &format!("{path}/complete"), &[("outcome", "party_located"), ("result", "已联系上企业主，约定周五到场")])
            .await;
        assert_eq!(completed.status, 303, "{}", completed.text());
        let answer = api_referral(&app, &world.mediator.token, &police).await;
        assert_eq!(answer["status"], "completed");
        assert_eq!(answer["outcome"], "party_located");
        assert_eq!(answer["result"], "已联系上企业主，约定周五到场");
        let page = app.console_get(&officer, &path).await.text();
        assert!(page.contains("已办结") && page.contains("已联系上企业主"), "{page}");
        assert!(page.contains("这个转办件现在无需你单位办理"), "no answer is offered any more: {page}");
        assert_eq!(api_referral(&app, &world.hr_officer.token, &hr).await["status"], "pending");
    }
);

api_test!(
    async fn a_police_officer_gets_a_404_page_for_the_hr_office_s_referral_and_never_sees_it_in_the_inbox(app) {
        let world = app.world().await;
        let (_, _, hr) = referred_case(&app, &world).await;
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let path = format!("/console/referrals/{}", id(&hr));
        let page = app.console_get(&officer, &path).await;
        assert_eq!(page.status, 404);
        assert!(page.text().contains("未找到"), "{}", page.text());
        assert!(!page.text().contains("请约见企业协商欠薪"));
        let answer = app.console_post(&officer, &format!("{path}/accept"), &[]).await;
        assert_eq!(answer.status, 404);
        for tab in ["all", "pending", "accepted", "overdue"] {
            let inbox = app.console_get(&officer, &format!("/console/referrals?tab={tab}")).await.text();
            assert!(!inbox.contains(id(&hr)), "{tab}: {inbox}");
        }
        assert_eq!(api_referral(&app, &world.hr_officer.token, &hr).await["status"], "pending");
        let admin = app.console_sign_in(&world.admin.email, &world.admin.password).await;
        assert_eq!(app.console_get(&admin, &path).await.status, 404, "admins see no case contents");
    }
);

api_test!(
    async fn declining_needs_a_reason_and_the_form_says_so_in_chinese_beside_the_field(app) {
        let world = app.world().await;
        let (_, police, _) = referred_case(&app, &world).await;
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let path = format!("/console/referrals/{}/decline", id(&police));
        let refused = app.console_post(&officer, &path, &[("reason", "  ")]).await;
        assert_eq!(refused.status, 422);
        let html = refused.text();
        assert!(html.contains(r#"<span class="field-error" id="f-reason-error">不能为空</span>"#), "{html}");
        assert!(html.contains(r#"aria-invalid="true" aria-describedby="f-reason-error""#), "{html}");
        assert!(html.contains("<details class=\"action\" open>\n<summary>退回"), "the decline form stays open: {html}");
        assert_eq!(api_referral(&app, &world.police_officer.token, &police).await["status"], "pending");

        let declined = app.console_post(&officer, &path, &[("reason", "不属于本所辖区")]).await;
        assert_eq!(declined.status, 303, "{}", declined.text());
        let answer = api_referral(&app, &world.mediator.token, &police).await;
        assert_eq!(answer["status"], "declined");
        assert_eq!(answer["decline_reason"], "不属于本所辖区");
        let again = app.console_post(&officer, &path, &[("reason", "再次退回")]).await;
        assert_eq!(again.status, 409, "nothing leaves declined");
        assert!(again.text().contains("role=\"alert\""), "{}", again.text());
    }
);

api_test!(
    async fn only_the_outcomes_of_the_office_s_kind_are_offered_and_accepted(app) {
        let world = app.world().await;
        let (_, police, _) = referred_case(&app, &world).await;
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let path = format!("/console/referrals/{}", id(&police));
        let page = app.console_get(&officer, &path).await.text();
        assert!(page.contains(r#"<option value="party_not_found">未找到当事人</option>"#), "{page}");
        assert!(!page.contains("employer_agreed_to_pay"), "an HR outcome is not offered: {page}");
        let wrong = app
            .console_post(&officer, &format!("{path}/complete"), &[("outcome", "employer_agreed_to_pay"), ("result", "已协商")])
            .await;
        assert_eq!(wrong.status, 422);
        let html = wrong.text();
        assert!(html.contains(r#"id="f-outcome-error""#) && html.contains("已协商"), "error shown, text kept: {html}");
        assert_eq!(api_referral(&app, &world.police_officer.token, &police).await["status"], "pending");
    }
);

api_test!(
    async fn the_inbox_tabs_list_pending_accepted_and_overdue_referrals_with_an_overdue_badge(app) {
        let world = app.world().await;
        let (case, police, _) = referred_case(&app, &world).await;
        let number = case["case_number"].as_str().unwrap();
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let tab = |name: &str| format!("/console/referrals?tab={name}");
        assert!(app.console_get(&officer, &tab("pending")).await.text().contains(number));
        assert!(!app.console_get(&officer, &tab("accepted")).await.text().contains(number));
        let accept = format!("/console/referrals/{}/accept", id(&police));
        assert_eq!(app.console_post(&officer, &accept, &[]).await.status, 303);
        assert!(!app.console_get(&officer, &tab("pending")).await.text().contains(number));
        assert!(app.console_get(&officer, &tab("accepted")).await.text().contains(number));
        assert!(!app.console_get(&officer, &tab("overdue")).await.text().contains(number));
        app.state.clock.advance(chrono::Duration::hours(49));
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let overdue = app.console_get(&officer, &tab("overdue")).await.text();
        assert!(overdue.contains(number) && overdue.contains(r#"<span class="badge overdue">已逾期</span>"#), "{overdue}");
        let bad_cursor = app.console_get(&officer, "/console/referrals?cursor=not-ours").await;
        assert_eq!(bad_cursor.status, 400);
    }
);

api_test!(
    async fn an_answer_posted_without_the_form_token_is_refused_and_changes_nothing(app) {
        let world = app.world().await;
        let (_, police, _) = referred_case(&app, &world).await;
        let officer = app.console_sign_in(&world.police_officer.email, &world.police_officer.password).await;
        let path = format!("/console/referrals/{}/accept", id(&police));
        let forged = app.console_post_raw(&officer, &path, b"").await;
        assert_eq!(forged.status, 403);
        assert_eq!(api_referral(&app, &world.police_officer.token, &police).await["status"], "pending");
    }
);

api_test!(
    async fn a_lawyer_with_a_grant_sees_the_case_file_until_it_is_revoked_and_one_without_sees_nothing(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let number = case["case_number"].as_str().unwrap();
        let expires = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let grants = format!("/api/v1/cases/{}/grants", id(&case));
        let granted = app
            .post_json(&grants, Some(&world.mediator.token), &json!({"user_id": world.lawyer.id, "expires_at": expires}))
            .await;
        assert_eq!(granted.status, 201, "{}", granted.text());

        let lawyer = app.console_sign_in(&world.lawyer.email, &world.lawyer.password).await;
        let files = app.console_get(&lawyer, "/console/files").await;
        assert_eq!(files.status, 200);
        let html = files.text();
        let local = chrono::DateTime::parse_from_rfc3339(&expires).unwrap().with_timezone(&chrono_tz::Asia::Shanghai);
        for words in [number, "鹤山市沙坪某家具厂", "沙坪街道工会", &local.format("%Y-%m-%d %H:%M").to_string()] {
            assert!(html.contains(words), "{words} in {html}");
        }
        assert!(html.contains(&format!(r#"href="/console/cases/{}""#, id(&case))), "{html}");
        assert!(html.contains(&format!(r#"href="/console/cases/{}/dossier""#, id(&case))), "{html}");

        let other = app.create_persona(&world.admin, "lawyer", &world.judicial).await;
        let stranger = app.console_sign_in(&other.email, &other.password).await;
        let html = app.console_get(&stranger, "/console/files").await.text();
        assert!(html.contains("目前没有授权给你的案卷") && !html.contains(number), "{html}");
        assert_eq!(app.get(&format!("/api/v1/cases/{}", id(&case)), Some(&other.token)).await.status, 404);
        assert_eq!(app.console_get(&stranger, &format!("/console/cases/{}", id(&case))).await.status, 404);

        let revoke = format!("{grants}/{}", granted.json()["id"].as_str().unwrap());
        let revoked = app.send(app.request("DELETE", &revoke, Some(&world.mediator.token)), None).await;
        assert_eq!(revoked.status, 204, "{}", revoked.text());
        let html = app.console_get(&lawyer, "/console/files").await.text();
        assert!(!html.contains(number), "a revoked grant drops the file at once: {html}");

        let mediator = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        assert_eq!(app.console_get(&mediator, "/console/files").await.status, 403);
    }
);
