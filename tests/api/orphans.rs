//! No orphaned files: stored objects left without a document row (a process killed between
//! storing the bytes and committing the row) are swept once an hour old, on a directory and on
//! any object store, and nothing with a row, nothing recent and nothing foreign is touched.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use object_store::memory::InMemory;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona};
use mediation_tracker::documents::storage::StorageConfig;
use mediation_tracker::documents::sweep::{self, BATCH};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// Uploads `bytes` as a document of `case` and answers the document.
async fn upload(app: &TestApp, who: &Persona, case: &Value, name: &str, bytes: &[u8]) -> Value {
    let boundary = "----orphans-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\nevidence\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let path = format!("/api/v1/cases/{}/documents", case["id"].as_str().unwrap());
    let request = app.request("POST", &path, Some(&who.token)).insert_header((
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    ));
    let response = app.send(request, Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// Writes `path` (and its directories) and dates it `age` ago.
fn stray_file(path: &Path, age: Duration) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"bytes whose row never committed").unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

fn storage_dir(app: &TestApp) -> PathBuf {
    match &app.storage {
        StorageConfig::Directory(dir) => PathBuf::from(dir),
        other => panic!("the tests store documents in a directory, not {other:?}"),
    }
}

async fn assert_downloadable(app: &TestApp, who: &Persona, documents: &[(Value, &[u8])]) {
    for (document, bytes) in documents {
        let download = app
            .get(document["content_url"].as_str().unwrap(), Some(&who.token))
            .await;
        assert_eq!(download.status, 200, "{}", download.text());
        assert_eq!(&download.body[..], *bytes);
        assert_eq!(
            hex::encode(Sha256::digest(&download.body)),
            document["sha256"].as_str().unwrap()
        );
    }
}

api_test!(
    async fn the_sweep_deletes_only_old_objects_without_a_row_and_every_document_still_downloads(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let pdf = upload(&app, &world.mediator, &case, "工资条.pdf", PDF).await;
        let text = upload(&app, &world.mediator, &case, "说明.txt", "企业拖欠三月工资。".as_bytes()).await;
        let root = storage_dir(&app);
        let case_dir = root.join("cases").join(case["id"].as_str().unwrap());
        let two_hours = Duration::from_secs(2 * 3600);
        // A document with a row whose file is old: kept.
        let old_with_row = case_dir.join(pdf["id"].as_str().unwrap());
        std::fs::File::options().write(true).open(&old_with_row).unwrap()
            .set_modified(SystemTime::now() - two_hours).unwrap();
        // An upload killed after storing its bytes, two hours ago: deleted.
        let old_orphan = case_dir.join(uuid::Uuid::now_v7().to_string());
        stray_file(&old_orphan, two_hours);
        // An upload that stored its bytes a moment ago; its row may be about to commit: kept.
        let fresh_orphan = case_dir.join(uuid::Uuid::now_v7().to_string());
        stray_file(&fresh_orphan, Duration::ZERO);
        // An old object under a case this database never had (someone else's): kept.
        let foreign = root.join("cases").join(uuid::Uuid::now_v7().to_string()).join(uuid::Uuid::now_v7().to_string());
        stray_file(&foreign, two_hours);
        // A write killed half-way, two hours ago (object_store's staging file): deleted.
        let staging = case_dir.join(format!("{}#1", uuid::Uuid::now_v7()));
        stray_file(&staging, two_hours);

        let report = sweep::sweep(&app.state.sweeper()).await.unwrap();
        assert_eq!((report.deleted, report.staging_deleted), (1, 1), "{report:?}");
        assert!(!old_orphan.exists() && !staging.exists(), "the old orphans are gone");
        assert!(fresh_orphan.exists(), "an object younger than an hour is never deleted");
        assert!(foreign.exists() && old_with_row.exists());
        assert_downloadable(&app, &world.mediator, &[(pdf.clone(), PDF), (text.clone(), "企业拖欠三月工资。".as_bytes())]).await;

        // The age is judged on the service's clock: an hour later the fresh orphan is old too.
        app.state.clock.advance(chrono::Duration::minutes(61));
        let report = sweep::sweep(&app.state.sweeper()).await.unwrap();
        assert_eq!(report.deleted, 1, "{report:?}");
        assert!(!fresh_orphan.exists() && foreign.exists());
        let mediator = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        assert_downloadable(&app, &mediator, &[(pdf, PDF), (text, "企业拖欠三月工资。".as_bytes())]).await;
    }
);

api_test!(
    async fn any_object_store_is_swept_through_its_listing_in_batches(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let kept = [
            upload(&app, &world.mediator, &case, "a.pdf", PDF).await,
            upload(&app, &world.mediator, &case, "b.pdf", PDF).await,
        ];
        // The same keys in a store that is not a directory (S3 lists the same way), with more
        // orphans than one batch holds, interleaved with the documents that have rows.
        let store: std::sync::Arc<dyn ObjectStore> = std::sync::Arc::new(InMemory::new());
        let case_id = case["id"].as_str().unwrap();
        for document in &kept {
            let key = StorePath::from(format!("cases/{case_id}/{}", document["id"].as_str().unwrap()));
            store.put(&key, PutPayload::from_static(PDF)).await.unwrap();
        }
        let orphans = 2 * BATCH + 1;
        for _ in 0..orphans {
            let key = StorePath::from(format!("cases/{case_id}/{}", uuid::Uuid::now_v7()));
            store.put(&key, PutPayload::from_static(b"x")).await.unwrap();
        }
        let report = sweep::sweep_store(&app.state.db, store.clone(), chrono::Utc::now() + chrono::Duration::hours(1))
            .await
            .unwrap();
        assert_eq!((report.listed, report.deleted), (orphans + 2, orphans), "{report:?}");
        let mut left: Vec<String> = futures_util::TryStreamExt::try_collect::<Vec<_>>(store.list(None))
            .await
            .unwrap()
            .into_iter()
            .map(|meta| meta.location.to_string())
            .collect();
        left.sort();
        let mut expected: Vec<String> = kept.iter().map(|d| format!("cases/{case_id}/{}", d["id"].as_str().unwrap())).collect();
        expected.sort();
        assert_eq!(left, expected);
    }
);
