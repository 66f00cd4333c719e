//! Exports (docs/exports.md): `GET /cases` and `GET /stats` as CSV and XLSX — Chinese headers
//! and words, yuan with two decimals, the list's filters and visibility, the formula guard, a
//! workbook read back from its ZIP, the figures per office with a total, and the console's links.

use std::io::Read;

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{TestApp, TestResponse};
use crate::personas::{furniture_factory_case, Persona};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn export(
    app: &TestApp,
    persona: &Persona,
    path: &str,
    accept: Option<&str>,
) -> TestResponse {
    let mut request = app.request("GET", path, Some(&persona.token));
    if let Some(accept) = accept {
        request = request.insert_header(("accept", accept));
    }
    app.send(request, None).await
}

/// The CSV's lines as cells (no cell of these tests holds a comma or a line break), after
/// checking the byte-order mark.
fn csv_rows(answer: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let text = answer.text();
    let body = text
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark first");
    assert!(body.ends_with("\r\n"), "CRLF line ends: {body}");
    body.split("\r\n")
        .filter(|line| !line.is_empty())
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}: {:?}", rows[0]))
}

fn case_with(employer: &str, claimed_fen: i64) -> Value {
    let mut case = furniture_factory_case();
    case["employer"]["name"] = json!(employer);
    case["claimed_amount_fen"] = json!(claimed_fen);
    case
}

api_test!(
    async fn the_case_csv_has_chinese_headers_chinese_words_and_yuan_with_two_decimals(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &case_with("鹤山市沙坪某家具厂", 123450)).await;
        let answer = export(&app, &world.mediator, "/api/v1/cases", Some("text/csv")).await;
        let disposition = answer.header("content-disposition").unwrap().to_owned();
        assert!(disposition.starts_with("attachment; filename=\"cases-"), "{disposition}");
        assert!(disposition.contains("filename*=UTF-8''%E6%A1%88%E4%BB%B6-"), "案件-…: {disposition}");
        let rows = csv_rows(&answer);
        assert_eq!(
            rows[0][..5],
            ["案件编号", "状态", "类别", "来源渠道", "受理日期"],
            "{:?}", rows[0]
        );
        assert!(rows[0].contains(&"劳动者人数".to_owned()) && rows[0].contains(&"用人单位".to_owned()));
        assert_eq!(rows.len(), 2, "the header and one case");
        let row = &rows[1];
        assert_eq!(row[column(&rows, "案件编号")], case["case_number"].as_str().unwrap());
        assert_eq!(row[column(&rows, "状态")], "待受理");
        assert_eq!(row[column(&rows, "类别")], "拖欠工资");
        assert_eq!(row[column(&rows, "来源渠道")], "12351 热线");
        assert_eq!(row[column(&rows, "请求金额（元）")], "1234.50");
        assert_eq!(row[column(&rows, "协议金额（元）")], "0.00");
        assert_eq!(row[column(&rows, "用人单位")], "鹤山市沙坪某家具厂");
        assert_eq!(row[column(&rows, "承办机构")], "沙坪街道工会");
        let received = case["received_at"].as_str().unwrap();
        let local = chrono::DateTime::parse_from_rfc3339(received).unwrap()
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive();
        assert_eq!(row[column(&rows, "受理日期")], local.to_string(), "the day in China, not in UTC");

        // `?format=csv` is the same download, and JSON stays the default.
        let by_parameter = export(&app, &world.mediator, "/api/v1/cases?format=csv", None).await;
        assert_eq!(csv_rows(&by_parameter), rows);
        let json = export(&app, &world.mediator, "/api/v1/cases", Some("*/*")).await;
        assert_eq!(json.json()["items"][0]["id"], case["id"]);
        // English headers for an English reader.
        let mut request = app.request("GET", "/api/v1/cases?format=csv", Some(&world.mediator.token));
        request = request.insert_header(("accept-language", "en"));
        let english = csv_rows(&app.send(request, None).await);
        assert_eq!(english[0][0], "Case number");
    }
);

api_test!(
    async fn the_export_keeps_the_list_s_filters_and_never_shows_another_office_s_case(app) {
        let world = app.world().await;
        let waiting = app.register_case(&world.mediator, &case_with("甲厂", 100)).await;
        let accepted = app.register_case(&world.mediator, &case_with("乙厂", 200)).await;
        let moved = app.transition(&world.mediator, &accepted, json!({"action": "accept"})).await;
        assert_eq!(moved.status, 200, "{}", moved.text());
        let elsewhere = app.register_case(&world.other_mediator, &case_with("丙厂", 300)).await;

        let all = csv_rows(&export(&app, &world.mediator, "/api/v1/cases?format=csv", None).await);
        let numbers: Vec<&str> = all[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(numbers.len(), 2, "{numbers:?}");
        assert!(numbers.contains(&waiting["case_number"].as_str().unwrap()));
        assert!(!numbers.contains(&elsewhere["case_number"].as_str().unwrap()), "another office's case");

        let narrowed = csv_rows(&export(&app, &world.mediator, "/api/v1/cases?format=csv&status=accepted", None).await);
        assert_eq!(narrowed.len(), 2, "{narrowed:?}");
        assert_eq!(narrowed[1][0], accepted["case_number"].as_str().unwrap());
        assert_eq!(narrowed[1][column(&narrowed, "状态")], "已受理");
        let searched = csv_rows(&export(&app, &world.mediator, "/api/v1/cases?format=csv&q=%E7%94%B2", None).await);
        assert_eq!(searched.len(), 2, "q=甲: {searched:?}");
        assert_eq!(searched[1][column(&searched, "用人单位")], "甲厂");

        let other = csv_rows(&export(&app, &world.other_mediator, "/api/v1/cases", Some("text/csv")).await);
        assert_eq!(other.len(), 2);
        assert_eq!(other[1][0], elsewhere["case_number"].as_str().unwrap());
        // A partner office sees no case through the list, and none through the export.
        let police = csv_rows(&export(&app, &world.police_officer, "/api/v1/cases?format=csv", None).await);
        assert_eq!(police.len(), 1, "only the header: {police:?}");
    }
);

api_test!(
    async fn a_cell_that_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(app) {
        let world = app.world().await;
        let mut case = case_with("=HYPERLINK(\"http://x.example\";\"点我\")", 100);
        case["summary"] = json!("@SUM(1+1) 工资被拖欠");
        app.register_case(&world.mediator, &case).await;
        let answer = export(&app, &world.mediator, "/api/v1/cases?format=csv", None).await;
        let text = answer.text();
        assert!(text.contains(",\"'=HYPERLINK(\"\"http://x.example\"\";\"\"点我\"\")\","), "{text}");
        assert!(text.contains(",'@SUM(1+1) 工资被拖欠\r\n"), "{text}");
        assert!(!text.contains(",=HYPERLINK") && !text.contains(",@SUM"), "{text}");
    }
);

/// The text of one file inside a ZIP archive.
fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("no {name} in the workbook"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

api_test!(
    async fn the_xlsx_export_is_a_workbook_whose_sheet_holds_the_headers_words_and_amounts(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &case_with("鹤山市沙坪某家具厂", 123450)).await;
        app.register_case(&world.other_mediator, &case_with("中山某厂", 300)).await;
        let answer = export(&app, &world.mediator, "/api/v1/cases", Some(XLSX)).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(answer.header("content-type"), Some(XLSX));
        assert!(answer.header("content-disposition").unwrap().contains(".xlsx"));
        let sheet = unzip(&answer.body, "xl/worksheets/sheet1.xml");
        for text in ["案件编号", "请求金额（元）", "待受理", "拖欠工资", "鹤山市沙坪某家具厂", case["case_number"].as_str().unwrap()] {
            assert!(sheet.contains(&format!("<t>{text}</t>")), "{text} in {sheet}");
        }
        assert!(sheet.contains("<v>1234.5</v>"), "the amount as a number in yuan: {sheet}");
        assert!(!sheet.contains("中山某厂"), "another office's case");
        let workbook = unzip(&answer.body, "xl/workbook.xml");
        assert!(workbook.contains("name=\"案件\""), "{workbook}");
        // The figures as a workbook too.
        let figures = export(&app, &world.mediator, "/api/v1/stats?format=xlsx", None).await;
        assert_eq!(figures.header("content-type"), Some(XLSX));
        let sheet = unzip(&figures.body, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<t>合计</t>") && sheet.contains("<t>收案数</t>"), "{sheet}");
    }
);

api_test!(
    async fn a_supervisor_s_figures_export_has_a_row_per_office_of_the_tree_and_a_total(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &case_with("甲厂", 100_050)).await;
        app.register_case(&world.mediator, &case_with("乙厂", 200_000)).await;
        app.register_case(&world.other_mediator, &case_with("丙厂", 999)).await;
        let answer = export(&app, &world.supervisor, "/api/v1/stats", Some("text/csv")).await;
        assert!(answer.header("content-disposition").unwrap().contains("filename=\"figures-"));
        let rows = csv_rows(&answer);
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["沙坪街道工会", "鹤山市总工会", "合计"], "the tree's offices by name, then the total");
        let (received, claimed) = (column(&rows, "收案数"), column(&rows, "请求金额（元）"));
        assert_eq!(rows[0][0], "单位");
        assert_eq!((rows[1][received].as_str(), rows[1][claimed].as_str()), ("2", "3000.50"));
        assert_eq!((rows[2][received].as_str(), rows[2][claimed].as_str()), ("0", "0.00"));
        assert_eq!((rows[3][received].as_str(), rows[3][claimed].as_str()), ("2", "3000.50"));
        assert_eq!(rows[3][column(&rows, "类别：拖欠工资")], "2");

        // The mediator: their own office and the total; the other union never appears.
        let own = csv_rows(&export(&app, &world.mediator, "/api/v1/stats?format=csv", None).await);
        let names: Vec<&str> = own[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["沙坪街道工会", "合计"]);
        // The same refusals as the JSON figures.
        let police = export(&app, &world.police_officer, "/api/v1/stats?format=csv", None).await;
        police.assert_problem(403, "forbidden");
    }
);

api_test!(
    async fn a_format_the_service_does_not_export_is_a_400_invalid_query_naming_the_parameter(app) {
        let world = app.world().await;
        for path in ["/api/v1/cases?format=pdf", "/api/v1/stats?format=pdf"] {
            let answer = export(&app, &world.supervisor, path, None).await;
            let problem = answer.assert_problem(400, "invalid_query");
            assert!(problem["detail"].as_str().unwrap().contains("format"), "{problem}");
        }
        // A bad filter is refused before any byte of the export, as a problem document.
        for path in ["/api/v1/cases?format=csv&status=lost", "/api/v1/cases?format=xlsx&limit=0"] {
            let answer = export(&app, &world.mediator, path, None).await;
            answer.assert_problem(400, "invalid_query");
        }
        let unsigned = app.get("/api/v1/cases?format=csv", None).await;
        assert_eq!(unsigned.status, 401);
    }
);

api_test!(
    async fn the_console_s_export_links_keep_the_filters_and_download_with_the_cookie(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &case_with("甲厂", 100)).await;
        let accepted = app.register_case(&world.mediator, &case_with("乙厂", 200)).await;
        app.transition(&world.mediator, &accepted, json!({"action": "accept"})).await;
        let console = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        let list = app.console_get(&console, "/console/cases?status=accepted").await;
        let page = list.text();
        assert!(page.contains("href=\"/console/cases/export?status=accepted&#38;format=csv\""), "{page}");
        assert!(page.contains("导出 Excel"), "{page}");
        let download = app.console_get(&console, "/console/cases/export?status=accepted&format=csv").await;
        let rows = csv_rows(&download);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[1][0], accepted["case_number"].as_str().unwrap());

        let supervisor = app.console_sign_in(&world.supervisor.email, &world.supervisor.password).await;
        let figures = app.console_get(&supervisor, "/console/figures?from=2020-01-01").await.text();
        assert!(figures.contains("href=\"/console/figures/export?from=2020-01-01&#38;format=xlsx\""), "{figures}");
        let sheet = app.console_get(&supervisor, "/console/figures/export?from=2020-01-01&format=csv").await;
        let rows = csv_rows(&sheet);
        assert_eq!(rows.last().unwrap()[0], "合计");
    }
);
