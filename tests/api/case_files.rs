//! Case files for lawyers: documents, time-boxed grants, revealing personal data, the dossier
//! (JSON and a printable page) and verifiable history.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api_test;
use crate::helpers::{spawn_app_with, Backend, TestApp, TestResponse};
use crate::personas::{furniture_factory_case, Persona};

pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A multipart/form-data body with a `document_type` part and a `file` part.
pub(crate) fn multipart(
    document_type: Option<&str>,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----mediation-test-boundary";
    let mut body = Vec::new();
    if let Some(kind) = document_type {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\n{kind}\r\n").into_bytes());
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n")
            .into_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(
    app: &TestApp,
    who: &Persona,
    case: &Value,
    kind: Option<&str>,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> TestResponse {
    let (header, body) = multipart(kind, name, content_type, bytes);
    let request = app
        .request(
            "POST",
            &format!("/api/v1/cases/{}/documents", case["id"].as_str().unwrap()),
            Some(&who.token),
        )
        .insert_header(("content-type", header));
    app.send(request, Some(body)).await
}

async fn grant(app: &TestApp, who: &Persona, case: &Value, lawyer: &Persona, days: i64) -> Value {
    let expires = app.state.clock.now() + chrono::Duration::days(days);
    let response = app
        .post_json(
            &format!("/api/v1/cases/{}/grants", case["id"].as_str().unwrap()),
            Some(&who.token),
            &json!({"user_id": lawyer.id, "expires_at": expires}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

api_test!(
    async fn a_document_round_trips_with_its_checksum_and_both_directions_are_on_the_timeline(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let uploaded = upload(&app, &world.mediator, &case, Some("pay_slip"), "工资条.pdf", "application/pdf", PDF).await;
        assert_eq!(uploaded.status, 201, "{}", uploaded.text());
        let document = uploaded.json();
        assert_eq!(document["sha256"], hex::encode(Sha256::digest(PDF)));
        assert_eq!((document["content_type"].as_str(), document["size_bytes"].as_i64()), (Some("application/pdf"), Some(PDF.len() as i64)));
        assert_eq!(document["file_name"], "工资条.pdf");
        let listed = app.get(&format!("/api/v1/cases/{}/documents", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        assert_eq!(listed["items"][0]["id"], document["id"]);

        let download = app.get(document["content_url"].as_str().unwrap(), Some(&world.mediator.token)).await;
        assert_eq!(download.status, 200);
        assert_eq!(&download.body[..], PDF);
        assert_eq!(download.header("content-type"), Some("application/pdf"));
        assert!(download.header("content-disposition").unwrap().contains("filename*=UTF-8''%E5%B7%A5%E8%B5%84%E6%9D%A1.pdf"));
        assert_eq!(download.header("etag").unwrap(), format!("\"{}\"", document["sha256"].as_str().unwrap()));
        let text = upload(&app, &world.mediator, &case, Some("evidence"), "说明.txt", "text/plain", "企业拖欠三月工资。".as_bytes()).await;
        assert_eq!(text.json()["content_type"], "text/plain; charset=utf-8");

        let events = app.get(&format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["intake", "document_uploaded", "document_downloaded", "document_uploaded"]);
        app.get(document["content_url"].as_str().unwrap(), Some(&world.other_mediator.token)).await.assert_problem(404, "not_found");
    }
);

api_test!(
    async fn unsupported_types_mismatched_claims_missing_fields_and_plain_json_are_refused(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let elf = [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0];
        upload(&app, &world.mediator, &case, Some("evidence"), "x.bin", "application/octet-stream", &elf).await.assert_problem(415, "unsupported_media_type");
        upload(&app, &world.mediator, &case, Some("photo"), "x.png", "image/png", PDF).await.assert_problem(415, "unsupported_media_type");
        let missing = upload(&app, &world.mediator, &case, None, "x.pdf", "application/pdf", PDF).await;
        assert_eq!(missing.assert_problem(422, "validation_failed")["errors"][0]["field"], "document_type");
        let json_body = app.post_json(&format!("/api/v1/cases/{}/documents", case["id"].as_str().unwrap()), Some(&world.mediator.token), &json!({})).await;
        json_body.assert_problem(415, "unsupported_media_type");
        let listed = app.get(&format!("/api/v1/cases/{}/documents", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        assert!(listed["items"].as_array().unwrap().is_empty(), "nothing was stored");
    }
);

#[actix_web::test]
async fn a_document_over_the_configured_limit_is_a_413() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.documents.limit_bytes = 1024
    })
    .await
    .unwrap();
    let world = app.world().await;
    let case = app
        .register_case(&world.mediator, &furniture_factory_case())
        .await;
    let mut big = PDF.to_vec();
    big.extend(std::iter::repeat_n(b' ', 2048));
    upload(
        &app,
        &world.mediator,
        &case,
        Some("evidence"),
        "big.pdf",
        "application/pdf",
        &big,
    )
    .await
    .assert_problem(413, "payload_too_large");
}

api_test!(
    async fn a_lawyer_sees_a_case_only_while_a_grant_runs_and_may_not_change_anything(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let document = upload(&app, &world.mediator, &case, Some("contract"), "合同.pdf", "application/pdf", PDF).await.json();
        let lawyer = &world.lawyer;
        app.get(&format!("/api/v1/cases/{id}"), Some(&lawyer.token)).await.assert_problem(404, "not_found");

        let granted = grant(&app, &world.mediator, &case, lawyer, 2).await;
        assert_eq!(granted["active"], true);
        for path in [format!("/api/v1/cases/{id}"), format!("/api/v1/cases/{id}/events"), format!("/api/v1/cases/{id}/documents"),
                     format!("/api/v1/cases/{id}/dossier"), format!("/api/v1/cases/{id}/parties"), document["content_url"].as_str().unwrap().to_owned()] {
            assert_eq!(app.get(&path, Some(&lawyer.token)).await.status, 200, "{path}");
        }
        let listed = app.get("/api/v1/cases", Some(&lawyer.token)).await.json();
        assert_eq!(listed["items"][0]["id"], id);
        app.json_request("PATCH", &format!("/api/v1/cases/{id}"), Some(&lawyer.token), &json!({"summary": "x"})).await.assert_problem(403, "forbidden");
        app.post_json(&format!("/api/v1/cases/{id}/notes"), Some(&lawyer.token), &json!({"body": "x"})).await.assert_problem(403, "forbidden");
        app.transition(lawyer, &case, json!({"action": "accept"})).await.assert_problem(403, "forbidden");
        upload(&app, lawyer, &case, Some("evidence"), "x.pdf", "application/pdf", PDF).await.assert_problem(403, "forbidden");
        let other_lawyer = app.create_persona(&world.admin, "lawyer", &world.judicial).await;
        app.get(&format!("/api/v1/cases/{id}"), Some(&other_lawyer.token)).await.assert_problem(404, "not_found");

        let revoke = app.send(app.request("DELETE", &format!("/api/v1/cases/{id}/grants/{}", granted["id"].as_str().unwrap()), Some(&world.mediator.token)), None).await;
        assert_eq!(revoke.status, 204);
        app.get(&format!("/api/v1/cases/{id}"), Some(&lawyer.token)).await.assert_problem(404, "not_found");

        grant(&app, &world.mediator, &case, lawyer, 2).await;
        assert_eq!(app.get(&format!("/api/v1/cases/{id}"), Some(&lawyer.token)).await.status, 200);
        app.state.clock.advance(chrono::Duration::days(3));
        let lawyer_again = app.sign_in(&lawyer.email, &lawyer.password).await;
        app.get(&format!("/api/v1/cases/{id}/dossier"), Some(&lawyer_again.token)).await.assert_problem(404, "not_found");
        let mediator = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&mediator.token)).await.json();
        let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "grant_created").count(), 2);
        assert!(kinds.contains(&"grant_revoked"));
        let not_a_lawyer = app.post_json(&format!("/api/v1/cases/{id}/grants"), Some(&mediator.token),
            &json!({"user_id": world.hr_officer.id, "expires_at": app.state.clock.now() + chrono::Duration::days(1)})).await;
        assert_eq!(not_a_lawyer.assert_problem(422, "validation_failed")["errors"][0]["field"], "user_id");
    }
);

api_test!(
    async fn full_numbers_are_revealed_only_to_roles_that_need_them_and_every_reveal_is_recorded(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        for office in [&world.police, &world.hr] {
            let kind = if office["kind"] == "police" { "locate_party" } else { "negotiation" };
            app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(&world.mediator.token), &json!({"office_id": office["id"], "kind": kind, "request": "x"})).await;
        }
        grant(&app, &world.mediator, &case, &world.lawyer, 2).await;
        let parties = app.get(&format!("/api/v1/cases/{id}/parties"), Some(&world.mediator.token)).await.json();
        let path = format!("/api/v1/cases/{id}/parties/{}/reveal", parties["items"][0]["id"].as_str().unwrap());
        for who in [&world.mediator, &world.police_officer, &world.lawyer] {
            let revealed = app.post_json(&path, Some(&who.token), &json!({"purpose": "联系劳动者核实欠薪金额"})).await;
            assert_eq!(revealed.status, 200, "{}", revealed.text());
            assert_eq!(revealed.json()["id_number"], "440524198001010013");
            assert_eq!(revealed.json()["phone"], "13900001111");
        }
        app.post_json(&path, Some(&world.hr_officer.token), &json!({"purpose": "x"})).await.assert_problem(403, "forbidden");
        app.post_json(&path, Some(&world.judicial_officer.token), &json!({"purpose": "x"})).await.assert_problem(404, "not_found");
        app.post_json(&path, Some(&world.mediator.token), &json!({"purpose": " "})).await.assert_problem(422, "validation_failed");
        let events = app.get(&format!("/api/v1/cases/{id}/events?limit=200"), Some(&world.mediator.token)).await.json();
        let reveals: Vec<&Value> = events["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "personal_data_revealed").collect();
        assert_eq!(reveals.len(), 3);
        assert_eq!(reveals[1]["actor"]["role"], "police_officer");
        assert_eq!(reveals[0]["data"]["purpose"], "联系劳动者核实欠薪金额");
        assert!(!events.to_string().contains("440524198001010013"), "the timeline never holds the full number");
    }
);

api_test!(
    async fn the_dossier_holds_the_whole_file_and_verification_catches_an_edited_row(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap().to_owned();
        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(&world.mediator.token), &json!({"office_id": world.police["id"], "kind": "locate_party", "request": "找人"})).await;
        app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(&world.mediator.token), &json!({"office_id": world.hr["id"], "kind": "negotiation", "request": "协商"})).await;
        upload(&app, &world.mediator, &case, Some("pay_slip"), "工资条.pdf", "application/pdf", PDF).await;
        let today = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();
        app.post_json(&format!("/api/v1/cases/{id}/agreements"), Some(&world.mediator.token),
            &json!({"signed_at": app.state.clock.now(), "terms": [{"description": "支付欠薪", "amount_fen": 300000, "payee": "张先生", "due_date": today.to_string()}]})).await;
        app.post_json(&format!("/api/v1/cases/{id}/payments"), Some(&world.mediator.token), &json!({"amount_fen": 300000, "paid_at": app.state.clock.now()})).await;

        let dossier = app.get(&format!("/api/v1/cases/{id}/dossier"), Some(&world.mediator.token)).await.json();
        assert_eq!(dossier["case"]["case_number"], case["case_number"]);
        assert_eq!(dossier["parties"][0]["id_number"], "4405**********0013");
        assert_eq!(dossier["referrals"].as_array().unwrap().len(), 2);
        assert_eq!(dossier["agreement"]["terms"][0]["state"], "paid");
        assert_eq!(dossier["payments"][0]["amount_fen"], 300000);
        assert_eq!(dossier["documents"][0]["sha256"], hex::encode(Sha256::digest(PDF)));
        assert!(dossier["statutory"]["judicial_confirmation_deadline"].is_string());
        assert_eq!(dossier["chain"]["valid"], true);
        assert_eq!(dossier["chain"]["events"].as_i64().unwrap() as usize, dossier["timeline"].as_array().unwrap().len());
        let verify = app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&world.mediator.token)).await.json();
        assert_eq!(verify["head_hash"], dossier["chain"]["head_hash"]);
        let police_view = app.get(&format!("/api/v1/cases/{id}/dossier"), Some(&world.police_officer.token)).await.json();
        assert_eq!(police_view["referrals"].as_array().unwrap().len(), 1, "a partner's dossier holds only its own referral");

        let html = app.send(app.request("GET", &format!("/api/v1/cases/{id}/dossier"), Some(&world.mediator.token)).insert_header(("accept", "text/html")), None).await;
        assert_eq!(html.status, 200);
        assert!(html.header("content-type").unwrap().starts_with("text/html"));
        let page = html.text();
        for expected in [case["case_number"].as_str().unwrap(), "劳动争议调解案卷", "当事人", "转办", "协助", "4405**********0013", "哈希链校验通过",
                         dossier["chain"]["head_hash"].as_str().unwrap(), "工资条.pdf"] {
            assert!(page.contains(expected), "the page shows {expected}");
        }
        assert!(!page.contains("src=") && !page.contains("href=") && !page.contains("@import"), "no external assets");
        assert!(!page.contains("440524198001010013"));
        print_in_a_browser(&page);

        let target = verify["head_hash"].as_str().unwrap().to_owned();
        let tampered = app.state.db.run(move |c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::case_events;
            let event_id: String = case_events::table.filter(case_events::kind.eq("payment_recorded")).select(case_events::id).first(c)?;
            diesel::update(case_events::table.find(&event_id)).set(case_events::data.eq(r#"{"amount_fen":30000}"#)).execute(c)?;
            Ok(event_id)
        }).await.unwrap();
        let broken = app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&world.mediator.token)).await.json();
        assert_eq!(broken["valid"], false);
        assert_eq!(broken["first_invalid_event_id"], tampered.as_str());
        assert_eq!(broken["head_hash"], target.as_str(), "the stored head still names the true history");
    }
);

/// Opens the page in headless Chromium and prints it to PDF, failing on any console error. CI
/// installs Debian's chromium; elsewhere the check runs when it is present.
fn print_in_a_browser(page: &str) {
    let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(browser) = browser else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have chromium installed (.ci/run installs it)"
        );
        eprintln!("chromium is not installed: the print check is skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("dossier.html");
    std::fs::write(&html, page).unwrap();
    let pdf = dir.path().join("dossier.pdf");
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {stderr}");
    let console_errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") && l.contains("ERROR") || l.contains("Uncaught"))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:?}"
    );
    let bytes = std::fs::read(&pdf).expect("a PDF was printed");
    assert!(
        bytes.starts_with(b"%PDF") && bytes.len() > 1000,
        "a real PDF"
    );
}
