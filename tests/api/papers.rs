//! The papers an office issues from a case and the dossier as an A4 case file (docs/papers.md):
//! the text of each PDF is extracted with `pdftotext` (poppler-utils) and checked in Chinese,
//! the fonts are checked embedded with `pdffonts`, and every issued paper is found on the
//! timeline with the SHA-256 of the bytes received.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api_test;
use crate::helpers::{TestApp, TestResponse};
use crate::personas::{furniture_factory_case, Persona};

/// Whether poppler-utils (`pdftotext`, `pdffonts`) is installed. Without it a test that reads
/// a PDF says so and passes, as the browser tests do without `chromedriver`, so that the
/// README's `cargo test` passes on a fresh machine; under `CI` it fails instead (`.ci/run`
/// installs poppler-utils).
fn poppler_installed() -> bool {
    let installed = Command::new("pdftotext").arg("-v").output().is_ok();
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but pdftotext is not installed: .ci/run installs poppler-utils"
        );
        eprintln!(
            "pdftotext is not installed (apt-get install poppler-utils): the test is skipped"
        );
    }
    installed
}

/// The text of a PDF, as `pdftotext -layout` reads it.
fn pdf_text(bytes: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (Debian poppler-utils) is installed");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

/// `pdffonts`' table for a PDF: one line per font, saying whether it is embedded.
fn pdf_fonts(bytes: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    let out = Command::new("pdffonts")
        .arg(file.path())
        .output()
        .expect("pdffonts is installed");
    String::from_utf8(out.stdout).unwrap()
}

/// Pages of `text` (pdftotext separates them with form feeds), without spaces, so a line broken
/// by the layout still reads as one.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// With `PAPERS_OUT` set, keeps a PDF there (docs/papers.md renders their first pages to PNG).
fn keep(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("PAPERS_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.pdf")),
            bytes,
        )
        .unwrap();
    }
}

#[track_caller]
fn assert_fonts_embedded(bytes: &[u8]) {
    let fonts = pdf_fonts(bytes);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "a font is used: {fonts}");
    for row in rows {
        assert!(
            row.contains("CID") && row.contains(" yes yes "),
            "embedded and subset: {row}"
        );
    }
}

async fn paper(app: &TestApp, who: &Persona, case_id: &str, path: &str) -> TestResponse {
    let request = app
        .request(
            "GET",
            &format!("/api/v1/cases/{case_id}/papers/{path}"),
            Some(&who.token),
        )
        .insert_header(("accept", "application/pdf"));
    app.send(request, None).await
}

async fn events(app: &TestApp, who: &Persona, case_id: &str) -> Vec<Value> {
    let page = app
        .get(
            &format!("/api/v1/cases/{case_id}/events?limit=100"),
            Some(&who.token),
        )
        .await;
    page.json()["items"].as_array().unwrap().clone()
}

/// A case accepted and in mediation, with a referral to the police and a signed agreement of two
/// terms due today.
async fn case_with_agreement(app: &TestApp, mediator: &Persona, police: &Value) -> Value {
    let case = app.register_case(mediator, &furniture_factory_case()).await;
    let id = case["id"].as_str().unwrap().to_owned();
    for action in ["accept", "start"] {
        assert_eq!(
            app.transition(mediator, &case, json!({"action": action}))
                .await
                .status,
            200
        );
    }
    let referral = app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(&mediator.token),
        &json!({"office_id": police["id"], "kind": "locate_party", "request": "协助查找企业主下落"})).await;
    assert_eq!(referral.status, 201, "{}", referral.text());
    let today = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();
    let agreement = app.post_json(&format!("/api/v1/cases/{id}/agreements"), Some(&mediator.token),
        &json!({"signed_at": app.state.clock.now(), "terms": [
            {"description": "支付拖欠工资", "amount_fen": 250000, "payee": "张先生", "due_date": today.to_string()},
            {"description": "支付经济补偿", "amount_fen": 50050, "payee": "张先生", "due_date": today.to_string()}]})).await;
    assert_eq!(agreement.status, 201, "{}", agreement.text());
    case
}

api_test!(
    async fn every_paper_the_case_allows_is_an_a4_pdf_in_chinese_recorded_on_the_timeline_with_its_hash(app) {
        if !poppler_installed() {
            return;
        }
        let world = app.world().await;
        let case = case_with_agreement(&app, &world.mediator, &world.police).await;
        let id = case["id"].as_str().unwrap();
        let number = case["case_number"].as_str().unwrap();
        app.state.clock.advance(chrono::Duration::days(2));
        let mediator = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        let world = crate::personas::World { mediator, ..world };

        let listed = app.get(&format!("/api/v1/cases/{id}/papers"), Some(&world.mediator.token)).await;
        assert_eq!(listed.status, 200, "{}", listed.text());
        let items = listed.json()["items"].as_array().unwrap().clone();
        let kinds: Vec<&str> = items.iter().map(|p| p["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["acceptance_notice", "mediation_agreement", "judicial_confirmation_application",
                           "payment_order_application", "assistance_letter"]);
        assert_eq!(items[4]["addressee"], "沙坪派出所");

        let expectations: [(&str, &[&str]); 5] = [
            ("受理通知书", &["予以受理", "十五日"]),
            ("调解协议书", &["支付拖欠工资", "2500.00", "500.50", "3000.50", "三十日内", "司法确认", "支付令", "签名或盖章", "调解员"]),
            ("司法确认申请书", &["请求人民法院确认", "人民法院"]),
            ("支付令申请书", &["发出支付令", "3000.50", "第十六条"]),
            ("协助函", &["沙坪派出所", "协助查找企业主下落"]),
        ];
        let mut issued = Vec::new();
        for (item, (title, words)) in items.iter().zip(expectations) {
            let href = item["href"].as_str().unwrap();
            let path = href.split("/papers/").nth(1).unwrap();
            let response = paper(&app, &world.mediator, id, path).await;
            assert_eq!(response.status, 200, "{href}: {}", response.text());
            assert_eq!(response.header("content-type"), Some("application/pdf"));
            let bytes = response.body.to_vec();
            assert!(bytes.len() < 200_000, "{title}: {} bytes, the font is subset", bytes.len());
            assert_fonts_embedded(&bytes);
            let serial = response.header("x-paper-serial").unwrap().to_owned();
            assert!(serial.starts_with(number), "the serial names the case: {serial}");
            let text = squeezed(&pdf_text(&bytes));
            for expected in [title, number, serial.as_str(), "张先生", "鹤山市沙坪某家具厂", "沙坪街道工会", "第1页共"] {
                assert!(text.contains(&squeezed(expected)), "{title} shows {expected}: {text}");
            }
            for expected in words {
                assert!(text.contains(expected), "{title} shows {expected}: {text}");
            }
            assert!(!text.contains("440524198001010013"), "{title}: the ID number is masked");
            keep(item["kind"].as_str().unwrap(), &bytes);
            issued.push((serial, hex::encode(Sha256::digest(&bytes))));
        }
        let recorded: Vec<Value> = events(&app, &world.mediator, id).await.into_iter()
            .filter(|e| e["kind"] == "paper_issued").collect();
        assert_eq!(recorded.len(), issued.len());
        for (event, (serial, sha256)) in recorded.iter().zip(&issued) {
            assert_eq!(event["data"]["serial"], serial.as_str());
            assert_eq!(event["data"]["sha256"], sha256.as_str(), "the record holds the hash of the bytes received");
            assert_eq!(event["data"]["format"], "pdf");
        }
        let serials: std::collections::HashSet<&String> = issued.iter().map(|(s, _)| s).collect();
        assert_eq!(serials.len(), issued.len(), "no two papers share a serial");

        let html = app.get(&format!("/api/v1/cases/{id}/papers/mediation_agreement?format=html"), Some(&world.mediator.token)).await;
        assert_eq!(html.status, 200);
        assert!(html.header("content-type").unwrap().starts_with("text/html"));
        assert!(html.text().contains("调解协议书") && html.text().contains("3000.50"));
    }
);

api_test!(
    async fn a_paper_the_case_does_not_allow_is_a_conflict_and_another_unions_case_is_not_found(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let listed = app.get(&format!("/api/v1/cases/{id}/papers"), Some(&world.mediator.token)).await.json();
        assert_eq!(listed["items"], json!([]), "a case in intake has no paper yet");
        let refused = paper(&app, &world.mediator, id, "mediation_agreement").await;
        assert!(refused.assert_problem(409, "paper_not_available")["detail"].as_str().unwrap().contains("调解协议书"));
        paper(&app, &world.mediator, id, "no_such_paper").await.assert_problem(404, "not_found");
        paper(&app, &world.other_mediator, id, "acceptance_notice").await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/cases/{id}/papers"), Some(&world.other_mediator.token)).await.assert_problem(404, "not_found");
        assert!(events(&app, &world.mediator, id).await.iter().all(|e| e["kind"] != "paper_issued"), "nothing was recorded");

        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        let letter = paper(&app, &world.mediator, id, "assistance_letter").await;
        letter.assert_problem(409, "paper_not_available");
        let referral = app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(&world.mediator.token),
            &json!({"office_id": world.hr["id"], "kind": "negotiation", "request": "协商"})).await.json();
        // Without `referral_id`, the letter goes to the case's newest referral.
        let unnamed = paper(&app, &world.mediator, id, "assistance_letter").await;
        assert_eq!(unnamed.status, 200, "{}", unnamed.text());
        let issued = events(&app, &world.mediator, id).await;
        let last = issued.iter().rev().find(|e| e["kind"] == "paper_issued").unwrap();
        assert_eq!(last["data"]["referral_id"], referral["id"]);
        paper(&app, &world.mediator, id, "assistance_letter?referral_id=nope").await.assert_problem(404, "not_found");
    }
);

api_test!(
    async fn a_rejected_case_gets_the_notice_with_its_reason_and_an_escalated_one_the_certificate(app) {
        if !poppler_installed() {
            return;
        }
        let world = app.world().await;
        let rejected = app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.transition(&world.mediator, &rejected, json!({"action": "reject", "reason": "不属于劳动争议调解范围"})).await;
        let id = rejected["id"].as_str().unwrap();
        let notice = paper(&app, &world.mediator, id, "non_acceptance_notice").await;
        assert_eq!(notice.status, 200, "{}", notice.text());
        keep("non_acceptance_notice", &notice.body);
        let text = squeezed(&pdf_text(&notice.body));
        for expected in ["不予受理通知书", "不属于劳动争议调解范围", "决定不予受理", rejected["case_number"].as_str().unwrap()] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        paper(&app, &world.mediator, id, "acceptance_notice").await.assert_problem(409, "paper_not_available");

        let escalated = app.register_case(&world.mediator, &furniture_factory_case()).await;
        for body in [json!({"action": "accept"}), json!({"action": "start"}),
                     json!({"action": "escalate", "destination": "arbitration", "reason": "企业拒不到场"})] {
            let moved = app.transition(&world.mediator, &escalated, body).await;
            assert_eq!(moved.status, 200, "{}", moved.text());
        }
        let id = escalated["id"].as_str().unwrap();
        let certificate = paper(&app, &world.mediator, id, "termination_certificate").await;
        assert_eq!(certificate.status, 200, "{}", certificate.text());
        keep("termination_certificate", &certificate.body);
        let text = squeezed(&pdf_text(&certificate.body));
        for expected in ["调解终止书", "未能达成调解协议", "申请仲裁", "第十四条", "第1页共1页"] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
    }
);

api_test!(
    async fn the_dossier_is_an_a4_case_file_with_a_cover_contents_sentences_and_the_chain_for_a_granted_lawyer(app) {
        if !poppler_installed() {
            return;
        }
        let world = app.world().await;
        let case = case_with_agreement(&app, &world.mediator, &world.police).await;
        let id = case["id"].as_str().unwrap();
        let expires = app.state.clock.now() + chrono::Duration::days(2);
        let granted = app.post_json(&format!("/api/v1/cases/{id}/grants"), Some(&world.mediator.token),
            &json!({"user_id": world.lawyer.id, "expires_at": expires})).await;
        assert_eq!(granted.status, 201, "{}", granted.text());

        let request = app.request("GET", &format!("/api/v1/cases/{id}/dossier"), Some(&world.lawyer.token))
            .insert_header(("accept", "application/pdf"));
        let file = app.send(request, None).await;
        assert_eq!(file.status, 200, "{}", file.text());
        assert_eq!(file.header("content-type"), Some("application/pdf"));
        assert_fonts_embedded(&file.body);
        keep("dossier", &file.body);
        let raw = pdf_text(&file.body);
        let pages = raw.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
        assert!(pages >= 3, "cover, contents and sections: {pages} pages");
        let text = squeezed(&raw);
        let verify = app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&world.lawyer.token)).await.json();
        for expected in ["劳动争议调解案卷", "卷宗封面", "目录", "办理经过", "转办与答复", "调解协议与履行", "证据材料", "记录校验",
                         case["case_number"].as_str().unwrap(), "张先生", "鹤山市沙坪某家具厂", "拖欠工资", "3000.50", "Testunion_mediator受理了案件", "沙坪派出所",
                         "协助查找当事人", "有效", verify["head_hash"].as_str().unwrap(), &format!("第1页共{pages}页")] {
            assert!(text.contains(expected), "the case file shows {expected}: {text}");
        }
        assert!(!text.contains("wage_arrears") && !text.contains("in_mediation") && !text.contains("referral_created"),
                "codes are written as words: {text}");
        assert!(!text.contains("440524198001010013"));

        app.get(&format!("/api/v1/cases/{id}/dossier?format=pdf"), Some(&world.other_mediator.token)).await.assert_problem(404, "not_found");
    }
);

api_test!(
    async fn the_console_case_page_links_the_papers_page_which_issues_each_paper_and_the_case_file_pdf(app) {
        if !poppler_installed() {
            return;
        }
        let world = app.world().await;
        let case = case_with_agreement(&app, &world.mediator, &world.police).await;
        let id = case["id"].as_str().unwrap();
        let console = app.console_sign_in(&world.mediator.email, &world.mediator.password).await;
        let page = app.console_get(&console, &format!("/console/cases/{id}")).await;
        assert_eq!(page.status, 200);
        for link in [format!("/console/cases/{id}/dossier.pdf"), format!("/console/cases/{id}/papers")] {
            assert!(page.text().contains(&link), "the case page links {link}");
        }
        let papers = app.console_get(&console, &format!("/console/cases/{id}/papers")).await;
        assert_eq!(papers.status, 200, "{}", papers.text());
        let list = papers.text();
        for expected in ["受理通知书", "调解协议书", "司法确认申请书", "协助函（沙坪派出所）",
                         &format!("/console/cases/{id}/papers/mediation_agreement")] {
            assert!(list.contains(expected), "the papers page shows {expected}");
        }
        let agreement = app.console_get(&console, &format!("/console/cases/{id}/papers/mediation_agreement")).await;
        assert_eq!(agreement.header("content-type"), Some("application/pdf"));
        assert!(squeezed(&pdf_text(&agreement.body)).contains("调解协议书"));
        let file = app.console_get(&console, &format!("/console/cases/{id}/dossier.pdf")).await;
        assert_eq!(file.header("content-type"), Some("application/pdf"));
        assert!(squeezed(&pdf_text(&file.body)).contains("卷宗封面"));
        let recorded = events(&app, &world.mediator, id).await;
        assert_eq!(recorded.iter().filter(|e| e["kind"] == "paper_issued").count(), 1, "the console's issue is recorded");
        let again = app.console_get(&console, &format!("/console/cases/{id}")).await;
        assert!(again.text().contains("出具了调解协议书"), "the timeline tells of the paper in words");
    }
);
