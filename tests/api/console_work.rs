//! The union staff's console pages: "my work" (`/console`), the case list (`/console/cases`)
//! and the intake form (`/console/cases/new`) — over plain HTTP, checked in the page's Chinese
//! words and, after a form, through the API.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona};

/// The furniture-factory case with another employer (to find it on a page), received
/// `days_ago` days ago, involving `workers` workers.
fn case_body(employer: &str, days_ago: i64, workers: i64) -> Value {
    let mut body = furniture_factory_case();
    body["employer"]["name"] = json!(employer);
    body["received_at"] = json!((Utc::now() - Duration::days(days_ago)).to_rfc3339());
    body["workers_involved"] = json!(workers);
    body
}

async fn register(app: &TestApp, persona: &Persona, employer: &str, days_ago: i64) -> Value {
    app.register_case(persona, &case_body(employer, days_ago, 1))
        .await
}

fn number(case: &Value) -> &str {
    case["case_number"].as_str().unwrap()
}

async fn assign(app: &TestApp, persona: &Persona, case: &Value, to: &Persona) {
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let answer = app
        .json_request(
            "PATCH",
            &path,
            Some(&persona.token),
            &json!({"assignee_id": to.id}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
}

/// Where `needle` first appears in `page` (panics when it does not).
fn position(page: &str, needle: &str) -> usize {
    page.find(needle)
        .unwrap_or_else(|| panic!("{needle} is not on the page:\n{page}"))
}

/// The "下一页" link of a page, as a path to request.
fn next_link(page: &str) -> Option<String> {
    let end = page.find(r#"" rel="next""#)?;
    let start = page[..end].rfind(r#"href=""#)? + r#"href=""#.len();
    Some(page[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// The cases the API lists for `persona`.
async fn listed(app: &TestApp, persona: &Persona) -> Vec<Value> {
    let answer = app.get("/api/v1/cases", Some(&persona.token)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["items"].as_array().unwrap().clone()
}

api_test!(
    async fn my_work_shows_my_cases_and_my_office_s_unassigned_ones_but_not_a_colleague_s_or_another_office_s(app) {
        let world = app.world().await;
        let colleague = app
            .create_persona(&world.admin, "union_mediator", &world.town_union)
            .await;
        let unassigned = register(&app, &world.mediator, "无人认领五金厂", 2).await;
        let mine = register(&app, &world.mediator, "我负责的电子厂", 2).await;
        assign(&app, &world.mediator, &mine, &world.mediator).await;
        let theirs = register(&app, &world.mediator, "同事负责的纺织厂", 2).await;
        assign(&app, &world.mediator, &theirs, &colleague).await;
        let elsewhere = register(&app, &world.other_mediator, "外镇制衣厂", 2).await;
        let closed = register(&app, &world.mediator, "已撤回的印刷厂", 2).await;
        let withdrawn = app
            .transition(&world.mediator, &closed, json!({"action": "withdraw", "reason": "申请人撤回"}))
            .await;
        assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());

        let console = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let answer = app.console_get(&console, "/console").await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        let page = answer.text();
        assert!(page.contains("<h1>我的工作</h1>"), "{page}");
        assert!(page.contains(r#"href="/console" aria-current="page""#), "{page}");
        for shown in [&unassigned, &mine] {
            let link = format!(r#"href="/console/cases/{}""#, shown["id"].as_str().unwrap());
            assert!(page.contains(&link), "{link} in {page}");
            assert!(page.contains(number(shown)), "{page}");
        }
        for hidden in [&theirs, &elsewhere, &closed] {
            assert!(!page.contains(number(hidden)), "{} shown:\n{page}", number(hidden));
        }
        assert!(page.contains("无人认领五金厂") && page.contains("拖欠工资") && page.contains("待受理"), "{page}");
        assert!(page.contains("未分配"), "the unassigned case says so: {page}");
        assert!(page.contains("Test union_mediator"), "the assignee's name: {page}");
    }
);

api_test!(
    async fn overdue_cases_come_first_then_those_due_within_three_days_then_the_rest_page_by_page(app) {
        let world = app.world().await;
        let soon = register(&app, &world.mediator, "三日内到期的鞋厂", 13).await;
        let later = app
            .register_case(&world.mediator, &case_body("十五天后到期的建筑公司", 1, 12))
            .await;
        let overdue = register(&app, &world.mediator, "已超期的玩具厂", 20).await;
        assert_eq!(overdue["overdue"], true);

        let console = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let page = app.console_get(&console, "/console").await.text();
        let (first, second, third) = (
            position(&page, number(&overdue)),
            position(&page, number(&soon)),
            position(&page, number(&later)),
        );
        assert!(first < second && second < third, "overdue, due soon, the rest:\n{page}");
        assert!(page.contains(r#"<span class="badge overdue">已超期</span>"#), "{page}");
        assert!(page.contains(r#"<span class="badge soon">即将到期</span>"#), "{page}");
        assert!(page.contains(r#"<span class="badge collective">群体性</span>"#), "12 workers: {page}");
        assert_eq!(page.matches("badge collective").count(), 1, "{page}");
        assert!(next_link(&page).is_none(), "one page: {page}");

        // One case a page: the same order, each page continuing where the last one stopped.
        let mut path = "/console?limit=1".to_owned();
        for expected in [&overdue, &soon, &later] {
            let answer = app.console_get(&console, &path).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.text());
            let page = answer.text();
            for case in [&overdue, &soon, &later] {
                assert_eq!(page.contains(number(case)), case == expected, "{path}:\n{page}");
            }
            match next_link(&page) {
                Some(next) => path = next,
                None => {
                    assert_eq!(expected, &later, "the last page has no next link");
                    assert!(page.contains("回到第一页"), "{page}");
                }
            }
        }
        let forged = app.console_get(&console, "/console?cursor=bm90LWEtY3Vyc29y").await;
        assert_eq!(forged.status, 400, "{}", forged.text());
    }
);

api_test!(
    async fn a_supervisor_s_work_spans_the_offices_below_theirs_and_other_roles_go_to_their_own_page(app) {
        let world = app.world().await;
        let town = register(&app, &world.mediator, "镇上的家具厂", 2).await;
        let elsewhere = register(&app, &world.other_mediator, "外镇制衣厂", 2).await;
        let supervisor = app
            .console_sign_in(&world.supervisor.email, &world.supervisor.password)
            .await;
        let page = app.console_get(&supervisor, "/console").await.text();
        assert!(page.contains(number(&town)), "the town union is below the county's: {page}");
        assert!(!page.contains(number(&elsewhere)), "{page}");

        let lawyer = app
            .console_sign_in(&world.lawyer.email, &world.lawyer.password)
            .await;
        let answer = app.console_get(&lawyer, "/console").await;
        assert_eq!(answer.status, 303);
        assert_eq!(answer.header("location"), Some("/console/files"));
    }
);

/// A filled intake form, as the mediator types it.
fn intake_fields(received_at: &str) -> Vec<(&'static str, String)> {
    [
        ("category", "wage_arrears"),
        ("channel", "walk_in"),
        ("summary", "服装厂拖欠李女士两个月工资。"),
        ("received_at", received_at),
        ("claimed_amount", "6,800.50"),
        ("workers_involved", ""),
        ("flag.migrant_worker", "on"),
        ("employer.name", "鹤山市某服装厂"),
        ("employer.credit_code", "91350100M000100Y43"),
        ("employer.address", "鹤山市沙坪街道"),
        ("employer.contact_name", "陈经理"),
        ("employer.contact_phone", "13812345678"),
        ("workers[0].name", "李女士"),
        ("workers[0].id_number", "440524198001010013"),
        ("workers[0].phone", "13900001111"),
        ("workers[0].role", "claimant"),
        ("workers[0].sms_consent", "on"),
        ("workers[1].name", ""),
        ("workers[1].role", "claimant"),
        ("workers[2].name", "王先生"),
        ("workers[2].role", "claimant"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

fn as_form<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

api_test!(
    async fn the_intake_form_registers_a_case_that_the_api_then_returns(app) {
        let world = app.world().await;
        let console = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let form = app.console_get(&console, "/console/cases/new").await;
        assert_eq!(form.status, 200, "{}", form.text());
        let page = form.text();
        assert!(page.contains("<h1>登记案件</h1>"), "{page}");
        assert!(page.contains(&format!(r#"name="csrf" value="{}""#, console.csrf)), "{page}");
        assert!(page.contains(r#"<label for="f-employer-credit-code">统一社会信用代码"#), "{page}");
        assert!(page.contains(r#"<option value="hotline_12351">12351 热线</option>"#), "{page}");

        // Two days ago at 09:30 on the office's clock (Asia/Shanghai, UTC+8).
        let day = (Utc::now() + Duration::hours(8) - Duration::days(2)).date_naive();
        let fields = intake_fields(&format!("{day}T09:30"));
        let posted = app.console_post(&console, "/console/cases/new", &as_form(&fields)).await;
        assert_eq!(posted.status, 303, "{}", posted.text());
        let location = posted.header("location").unwrap().to_owned();
        let id = location.strip_prefix("/console/cases/").expect("the case's page").to_owned();

        let case = app.get(&format!("/api/v1/cases/{id}"), Some(&world.mediator.token)).await;
        assert_eq!(case.status, 200, "{}", case.text());
        let case = case.json();
        assert_eq!(case["category"], "wage_arrears");
        assert_eq!(case["channel"], "walk_in");
        assert_eq!(case["status"], "intake");
        assert_eq!(case["claimed_amount_fen"], 680_050);
        assert_eq!(case["workers_involved"], 2, "the two workers listed");
        assert_eq!(case["flags"], json!(["migrant_worker"]));
        assert_eq!(case["employer"]["name"], "鹤山市某服装厂");
        assert_eq!(case["employer"]["contact_phone"], "138****5678");
        assert_eq!(case["office"]["id"], world.town_union["id"]);
        assert_eq!(case["received_at"], format!("{day}T01:30:00Z"));
        let parties = app
            .get(&format!("/api/v1/cases/{id}/parties"), Some(&world.mediator.token))
            .await
            .json();
        let names: Vec<&str> = parties["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["李女士", "王先生", "鹤山市某服装厂"], "the blank row is left out");
        assert_eq!(parties["items"][0]["sms_consent"], true);
    }
);

api_test!(
    async fn a_bad_credit_code_or_id_number_is_shown_in_chinese_beside_its_field_with_the_values_kept_and_nothing_registered(app) {
        let world = app.world().await;
        let console = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let mut fields = intake_fields("");
        for (name, value) in fields.iter_mut() {
            match *name {
                "employer.credit_code" => *value = "91350100M000100Y44".into(),
                "workers[2].name" => *value = "王先生".into(),
                _ => {}
            }
        }
        fields.push(("workers[2].id_number", "440524198001010014".into()));
        let answer = app.console_post(&console, "/console/cases/new", &as_form(&fields)).await;
        assert_eq!(answer.status, 422, "{}", answer.text());
        let page = answer.text();
        assert!(page.contains("请更正以下 2 项信息"), "{page}");
        assert!(
            page.contains(r#"<span class="field-error" id="f-employer-credit-code-error">未通过 GB 32100 校验码检验"#),
            "{page}"
        );
        assert!(
            page.contains(r#"<span class="field-error" id="f-workers-2-id-number-error">未通过 GB 11643 校验码检验"#),
            "the third row's error on the third row, though the blank second row was not sent: {page}"
        );
        assert!(page.contains(r##"<a href="#f-employer-credit-code">统一社会信用代码："##), "{page}");
        assert!(page.contains(r#"value="91350100M000100Y44""#), "{page}");
        assert!(page.contains(r#"value="440524198001010014""#), "{page}");
        assert!(page.contains(r#"value="6,800.50""#), "{page}");
        assert!(page.contains("服装厂拖欠李女士两个月工资。</textarea>"), "{page}");
        assert!(page.contains(r#"<option value="walk_in" selected>"#), "{page}");
        assert!(page.contains(r#"name="flag.migrant_worker" value="on" checked"#), "{page}");
        assert!(listed(&app, &world.mediator).await.is_empty(), "nothing registered");

        // What the form itself cannot read and what the use case refuses, in one answer.
        for (name, value) in fields.iter_mut() {
            match *name {
                "claimed_amount" => *value = "12.345".into(),
                "category" => *value = String::new(),
                _ => {}
            }
        }
        let answer = app.console_post(&console, "/console/cases/new", &as_form(&fields)).await;
        assert_eq!(answer.status, 422, "{}", answer.text());
        let page = answer.text();
        assert!(page.contains("请更正以下 4 项信息"), "{page}");
        assert!(page.contains(r#"id="f-category-error">必须填写"#), "{page}");
        assert!(page.contains(r#"id="f-claimed-amount-error">必须是以元为单位的金额"#), "{page}");
        assert!(page.contains(r#"id="f-employer-credit-code-error">"#), "{page}");
        assert!(listed(&app, &world.mediator).await.is_empty(), "nothing registered");

        let without_token = app
            .console_post_raw(&console, "/console/cases/new", b"category=wage_arrears")
            .await;
        assert_eq!(without_token.status, 403, "{}", without_token.text());
    }
);

api_test!(
    async fn a_partner_officer_is_refused_the_intake_form_and_registers_nothing(app) {
        let world = app.world().await;
        let police = app
            .console_sign_in(&world.police_officer.email, &world.police_officer.password)
            .await;
        let form = app.console_get(&police, "/console/cases/new").await;
        assert_eq!(form.status, 403, "{}", form.text());
        assert!(!form.text().contains("<form method=\"post\" action=\"/console/cases/new\""));
        let fields = intake_fields("");
        let posted = app.console_post(&police, "/console/cases/new", &as_form(&fields)).await;
        assert_eq!(posted.status, 403, "{}", posted.text());
        let mut bad = intake_fields("");
        bad[0].1 = String::new();
        let posted = app.console_post(&police, "/console/cases/new", &as_form(&bad)).await;
        assert_eq!(posted.status, 403, "refused before any field is read: {}", posted.text());
        assert!(listed(&app, &world.supervisor).await.is_empty(), "nothing registered");
    }
);

api_test!(
    async fn the_case_list_filters_as_the_api_does_and_keeps_its_filters_from_page_to_page(app) {
        let world = app.world().await;
        let mine = register(&app, &world.mediator, "我负责的电子厂", 2).await;
        assign(&app, &world.mediator, &mine, &world.mediator).await;
        let mut injury = case_body("工伤的采石场", 2, 12);
        injury["category"] = json!("work_injury");
        injury["channel"] = json!("walk_in");
        let injury = app.register_case(&world.mediator, &injury).await;
        let overdue = register(&app, &world.mediator, "已超期的玩具厂", 20).await;
        let accepted = app.transition(&world.mediator, &overdue, json!({"action": "accept"})).await;
        assert_eq!(accepted.status, 200, "{}", accepted.text());
        let elsewhere = register(&app, &world.other_mediator, "外镇制衣厂", 2).await;
        let all = [&mine, &injury, &overdue];

        let console = app
            .console_sign_in(&world.mediator.email, &world.mediator.password)
            .await;
        let assigned_to_me = format!("assignee_id={}", world.mediator.id);
        let shows = |page: &str, expected: &[&Value]| {
            for case in all.iter().chain([&&elsewhere]) {
                let wanted = expected.iter().any(|e| e["id"] == case["id"]);
                assert_eq!(page.contains(number(case)), wanted, "{}:\n{page}", number(case));
            }
        };
        let page = app.console_get(&console, "/console/cases").await;
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.text();
        shows(&page, &all);
        assert!(page.contains(r#"<form method="get" action="/console/cases""#), "{page}");
        assert!(page.contains(r#"href="/console/cases/new""#), "{page}");

        for (query, expected) in [
            ("category=work_injury", vec![&injury]),
            ("channel=walk_in", vec![&injury]),
            ("collective=true", vec![&injury]),
            ("collective=false", vec![&mine, &overdue]),
            ("overdue=true", vec![&overdue]),
            ("overdue=false", vec![&mine, &injury]),
            ("status=accepted", vec![&overdue]),
            ("status=intake&category=wage_arrears", vec![&mine]),
            (assigned_to_me.as_str(), vec![&mine]),
            ("q=%E9%87%87%E7%9F%B3", vec![&injury]),
            ("q=440524198001010013", vec![&mine, &injury, &overdue]),
        ] {
            let answer = app.console_get(&console, &format!("/console/cases?{query}")).await;
            assert_eq!(answer.status, 200, "{query}: {}", answer.text());
            shows(&answer.text(), &expected);
        }
        let page = app.console_get(&console, "/console/cases?category=work_injury&overdue=false").await.text();
        assert!(page.contains(r#"<option value="work_injury" selected>工伤待遇</option>"#), "{page}");
        assert!(page.contains(r#"<option value="false" selected>未超期</option>"#), "{page}");
        let page = app
            .console_get(&console, &format!("/console/cases?{assigned_to_me}"))
            .await
            .text();
        assert!(page.contains("Test union_mediator"), "the mediator's name: {page}");

        let wrong = app.console_get(&console, "/console/cases?status=lost&overdue=maybe").await;
        assert_eq!(wrong.status, 400, "{}", wrong.text());
        let page = wrong.text();
        assert!(page.contains(r#"id="f-status-error">必须是以下之一"#), "{page}");
        assert!(page.contains(r#"id="f-overdue-error">"#), "{page}");

        // One case a page, newest first, the filter kept on every page.
        let mut path = "/console/cases?collective=false&limit=1".to_owned();
        for expected in [&overdue, &mine] {
            let answer = app.console_get(&console, &path).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.text());
            let page = answer.text();
            shows(&page, &[expected]);
            if let Some(next) = next_link(&page) {
                assert!(next.starts_with("/console/cases?limit=1&collective=false&cursor="), "{next}");
                path = next;
            } else {
                assert_eq!(expected, &mine, "the last page has no next link");
            }
        }
    }
);
