//! The supervisor's figures page (`/console/figures`): the figures of `GET /api/v1/stats` as
//! server-drawn SVG charts with their tables, the period and office form, and who may see it —
//! the answers of the same use case as the API.

use serde_json::{json, Value};

use crate::api_test;
use crate::console_support::Console;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona};

/// The headline number labelled `label` on the page (`<dt>label</dt><dd>value</dd>`).
fn fact(page: &str, label: &str) -> String {
    let start = format!("<dt>{label}</dt><dd>");
    let at = page
        .find(&start)
        .unwrap_or_else(|| panic!("no {label} on the page: {page}"))
        + start.len();
    page[at..].split("</dd>").next().unwrap().to_owned()
}

async fn figures(app: &TestApp, console: &Console, query: &str) -> String {
    let page = app
        .console_get(console, &format!("/console/figures{query}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    page.text()
}

async fn resolve_with_payment(app: &TestApp, mediator: &Persona, case: &Value) {
    for action in ["accept", "start"] {
        let moved = app
            .transition(mediator, case, json!({"action": action}))
            .await;
        assert_eq!(moved.status, 200, "{}", moved.text());
    }
    let payment = app
        .post_json(
            &format!("/api/v1/cases/{}/payments", case["id"].as_str().unwrap()),
            Some(&mediator.token),
            &json!({"amount_fen": 250000, "paid_at": app.state.clock.now()}),
        )
        .await;
    assert_eq!(payment.status, 201, "{}", payment.text());
    let resolved = app
        .transition(mediator, case, json!({"action": "resolve"}))
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text());
}

api_test!(
    async fn the_supervisor_s_figures_page_shows_the_received_count_as_charts_with_their_tables(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &furniture_factory_case()).await;
        let supervisor = app.console_sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let answer = app.console_get(&supervisor, "/console/figures").await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        let csp = answer.header("content-security-policy").unwrap();
        assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "{csp}");
        let page = answer.text();
        assert!(page.contains("<h1>统计图表</h1>"), "{page}");
        assert_eq!(fact(&page, "收案"), "1");
        assert!(page.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-monthly-title""#), "{page}");
        assert!(page.contains(r#"<title id="chart-monthly-title">每月收案和结案</title>"#), "{page}");
        for heading in ["按争议类别", "按来源渠道", "调解结果", "涉及金额（元）", "协作单位响应时间", "逾期情况", "满意度（按工会）"] {
            assert!(page.contains(heading), "{heading}: {page}");
        }
        assert!(page.contains(r#"<th scope="row">拖欠工资</th><td class="num">1</td>"#), "the table beside the category chart: {page}");
        assert!(page.contains(r#"<th scope="col">月份</th>"#), "{page}");
        assert!(!page.contains("style=") && !page.contains("<script"), "the CSP allows neither");
        assert!(page.contains(r#"<option value="">全部机构</option>"#) && page.contains("沙坪街道工会"), "the supervisor's offices: {page}");
        assert!(page.contains(r#"href="/console/figures" aria-current="page""#), "{page}");
        assert!(page.contains(r#"<a href="/console/figures" aria-current="page">统计</a>"#), "the navigation marks the page: {page}");
    }
);

api_test!(
    async fn the_figures_change_after_the_mediator_registers_and_resolves_a_case_through_the_api(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &furniture_factory_case()).await;
        let supervisor = app.console_sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let before = figures(&app, &supervisor, "").await;
        assert_eq!(fact(&before, "收案"), "1");
        assert_eq!(fact(&before, "调解成功"), "0");
        assert_eq!(fact(&before, "调解成功率"), "无");
        assert!(before.contains("<td colspan=\"2\">暂无数据</td>"), "no mediation has ended: {before}");

        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        resolve_with_payment(&app, &world.mediator, &case).await;

        let after = figures(&app, &supervisor, "").await;
        assert_eq!(fact(&after, "收案"), "2");
        assert_eq!(fact(&after, "调解成功"), "1");
        assert_eq!(fact(&after, "调解成功率"), "100.0%");
        assert_eq!(fact(&after, "已履行金额（元）"), "2500.00");
        assert!(after.contains(r#"<th scope="row">调解成功</th><td class="num">1</td>"#), "{after}");
        let api = app.get("/api/v1/stats", Some(&world.supervisor.token)).await.json();
        let month = api["by_month"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((month["received"].as_i64(), month["closed"].as_i64()), (Some(2), Some(1)));
        let row = format!(r#"<th scope="row">{}</th><td class="num">2</td><td class="num">1</td>"#, month["month"].as_str().unwrap());
        assert!(after.contains(&row), "the month's row agrees with the API: {after}");
    }
);

api_test!(
    async fn a_mediator_sees_their_office_s_figures_and_partner_staff_and_lawyers_are_refused_as_by_the_api(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.register_case(&world.other_mediator, &furniture_factory_case()).await;
        let mediator = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        let page = figures(&app, &mediator, "").await;
        assert_eq!(fact(&page, "收案"), "1", "their own office only, as GET /stats counts");
        assert!(!page.contains("<select"), "one office: nothing to choose");
        let admin = app.console_sign_in(&world.admin.email, &world.admin.password).await;
        let every_office = figures(&app, &admin, "").await;
        assert_eq!(fact(&every_office, "收案"), "2", "an admin counts every office, as GET /stats does");

        for persona in [&world.police_officer, &world.lawyer] {
            let api = app.get("/api/v1/stats", Some(&persona.token)).await;
            api.assert_problem(403, "forbidden");
            let console = app.console_sign_in(&persona.email, &persona.password).await;
            let refused = app.console_get(&console, "/console/figures?from=2026-01-01").await;
            assert_eq!(refused.status, 403, "{}", refused.text());
            let text = refused.text();
            assert!(!text.contains("<svg") && !text.contains("收案"), "{text}");
        }
    }
);

api_test!(
    async fn the_period_and_the_office_narrow_the_figures_with_the_api_s_rules(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &furniture_factory_case()).await;
        let supervisor = app.console_sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let town = world.town_union["id"].as_str().unwrap();
        let county = world.county_union["id"].as_str().unwrap();

        let empty = figures(&app, &supervisor, "?from=2000-01-01&to=2000-12-31&office_id=").await;
        assert_eq!(fact(&empty, "收案"), "0");
        assert!(empty.contains(r#"class="no-data" x="320.0" y="40.0" text-anchor="middle">暂无数据</text>"#), "{empty}");
        assert!(empty.contains(r#"value="2000-01-01""#), "the typed period is kept");
        let town_only = figures(&app, &supervisor, &format!("?office_id={town}")).await;
        assert_eq!(fact(&town_only, "收案"), "1");
        assert!(town_only.contains(&format!(r#"<option value="{town}" selected>"#)), "{town_only}");
        let county_tree = figures(&app, &supervisor, &format!("?office_id={county}")).await;
        assert_eq!(fact(&county_tree, "收案"), "1", "an office and those below it");

        let backwards = app.console_get(&supervisor, "/console/figures?from=2026-02-01&to=2026-01-01").await;
        assert_eq!(backwards.status, 400);
        let text = backwards.text();
        assert!(text.contains(r#"role="alert""#) && text.contains(r#"value="2026-02-01""#) && !text.contains("<svg"), "{text}");
        let unreadable = app.console_get(&supervisor, "/console/figures?from=yesterday").await;
        assert_eq!(unreadable.status, 400);
        assert!(unreadable.text().contains("查询参数无效：`from`"), "the API's words: {}", unreadable.text());
        let other = world.other_union["id"].as_str().unwrap();
        let outside = app.console_get(&supervisor, &format!("/console/figures?office_id={other}")).await;
        assert_eq!(outside.status, 404, "another union's office, as GET /stats answers");
    }
);
