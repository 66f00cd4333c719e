//! Issue 20: documents in an S3 bucket, tested against a real S3 server (moto's server mode, from
//! PyPI), on both database backends: upload, download and checksum, a missing object answered
//! clearly, the configuration read from `AWS_*` variables, two API nodes sharing one bucket, and
//! the orphan sweep listing and deleting in the bucket.
//!
//! Where the server comes from: `TEST_S3_ENDPOINT` (set by `.ci/run`, which starts it) — if it is
//! set and cannot be reached, every test here FAILS; else the moto installed by
//! `.ci/s3/install.sh` in `target/s3-venv` is started once for this test binary on a free loopback
//! port; else, with `CI` set, the tests fail, and on a developer's machine they are skipped with
//! a message saying how to run them.

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::personas::{furniture_factory_case, Persona};
use mediation_tracker::config::{Config, DatabaseUrl};
use mediation_tracker::documents::{storage, sweep};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% S3 test\n%%EOF\n";

/// The S3 endpoint for this test binary, or `None` (skip) outside CI without moto.
fn s3_endpoint() -> Option<String> {
    static ENDPOINT: OnceLock<Option<String>> = OnceLock::new();
    ENDPOINT.get_or_init(find_or_start_s3).clone()
}

fn find_or_start_s3() -> Option<String> {
    if let Some(endpoint) = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    {
        let address = endpoint.trim_start_matches("http://").trim_end_matches('/');
        assert!(
            wait_for(address, Duration::from_secs(10)),
            "TEST_S3_ENDPOINT={endpoint} is set but nothing answers there"
        );
        return Some(endpoint);
    }
    let moto =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/s3-venv/bin/moto_server");
    if !moto.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but there is no S3 server: run .ci/s3/install.sh or set TEST_S3_ENDPOINT"
        );
        eprintln!(
            "no S3 server: the object-storage tests are skipped (.ci/s3/install.sh installs moto)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    // moto outlives no test run: the shell stops it when this test process is gone.
    let script = format!(
        "{} -H 127.0.0.1 -p {port} >/dev/null 2>&1 & moto=$!; \
         while kill -0 {} 2>/dev/null; do sleep 1; done; kill $moto",
        moto.display(),
        std::process::id()
    );
    // Not waited for on purpose: the shell ends itself (and moto) when this process is gone.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto");
    let address = format!("127.0.0.1:{port}");
    assert!(
        wait_for(&address, Duration::from_secs(30)),
        "moto did not start on {address}"
    );
    Some(format!("http://{address}"))
}

fn wait_for(address: &str, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if TcpStream::connect(address).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// One bucket of the S3 server, made for one test.
struct Bucket {
    endpoint: String,
    name: String,
}

impl Bucket {
    async fn create(endpoint: String) -> Self {
        let name = format!("mt-{}", &uuid::Uuid::new_v4().simple().to_string()[..20]);
        let client = awc::Client::default();
        let created = client
            .put(format!("{endpoint}/{name}"))
            .send()
            .await
            .expect("the S3 server answers");
        assert!(
            created.status().is_success(),
            "create bucket: {}",
            created.status()
        );
        Self { endpoint, name }
    }

    /// What an operator would set: the service reads the bucket and its credentials from
    /// `MEDIATION_STORAGE_URL` and the standard `AWS_*` variables.
    fn configure(&self, config: &mut Config) {
        let environment = [
            ("MEDIATION_STORAGE_URL", format!("s3://{}", self.name)),
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "mediation-test".into()),
            ("AWS_SECRET_ACCESS_KEY", "mediation-test-secret".into()),
        ];
        let from_environment =
            Config::from_vars(environment.map(|(k, v)| (k.to_owned(), v))).expect("valid");
        config.documents.storage = from_environment.documents.storage;
    }

    /// The bucket as the service opens it, to look at and change objects behind its back.
    fn store(&self) -> std::sync::Arc<dyn ObjectStore> {
        let mut config = Config::for_database(DatabaseUrl::Sqlite {
            path: ":memory:".into(),
        });
        self.configure(&mut config);
        storage::open(&config.documents.storage).expect("the bucket opens")
    }

    /// The object's bytes straight from the server, or `None` when it has none.
    async fn object(&self, key: &str) -> Option<Vec<u8>> {
        match self.store().get(&StorePath::from(key)).await {
            Ok(found) => Some(found.bytes().await.expect("the object's bytes").to_vec()),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(other) => panic!("GET {key}: {other}"),
        }
    }

    async fn put(&self, key: &str, bytes: &'static [u8]) {
        self.store()
            .put(&StorePath::from(key), PutPayload::from_static(bytes))
            .await
            .expect("PUT");
    }

    async fn delete(&self, key: &str) {
        self.store()
            .delete(&StorePath::from(key))
            .await
            .expect("DELETE");
    }
}

/// An app on `backend` whose documents go to a fresh bucket; `None` when the test is skipped.
async fn app_on_s3(backend: Backend) -> Option<(TestApp, Bucket)> {
    let endpoint = s3_endpoint()?;
    let bucket = Bucket::create(endpoint).await;
    let app = spawn_app_with(backend, |config| bucket.configure(config)).await?;
    Some((app, bucket))
}

/// Runs `$body` with `$app` and `$bucket` on SQLite and, with `TEST_DATABASE_URL`, PostgreSQL.
macro_rules! s3_test {
    (async fn $name:ident($app:ident, $bucket:ident) $body:block) => {
        mod $name {
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let Some(($app, $bucket)) = app_on_s3(Backend::Sqlite).await else {
                    return;
                };
                $body
            }

            #[actix_web::test]
            async fn postgres() {
                let Some(($app, $bucket)) = app_on_s3(Backend::Postgres).await else {
                    eprintln!("no S3 server or TEST_DATABASE_URL unset: skipped");
                    return;
                };
                $body
            }
        }
    };
}

/// Uploads `bytes` as evidence of `case` on the server at `address`; answers the document.
async fn upload(app: &TestApp, address: &str, who: &Persona, case: &Value, bytes: &[u8]) -> Value {
    let boundary = "----s3-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\nevidence\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"工资条.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let path = format!("/api/v1/cases/{}/documents", case["id"].as_str().unwrap());
    let request = app
        .client
        .post(format!("{address}{path}"))
        .bearer_auth(&who.token)
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ));
    let response = app.send(request, Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

async fn download(
    app: &TestApp,
    address: &str,
    who: &Persona,
    document: &Value,
) -> crate::helpers::TestResponse {
    let path = document["content_url"].as_str().unwrap();
    let request = app
        .client
        .get(format!("{address}{path}"))
        .bearer_auth(&who.token);
    app.send(request, None).await
}

fn key_of(case: &Value, document: &Value) -> String {
    format!(
        "cases/{}/{}",
        case["id"].as_str().unwrap(),
        document["id"].as_str().unwrap()
    )
}

s3_test!(
    async fn a_document_is_stored_in_the_bucket_and_downloads_with_its_sha256(app, bucket) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let document = upload(&app, &app.address, &world.mediator, &case, PDF).await;
        let sha256 = hex::encode(Sha256::digest(PDF));
        assert_eq!(document["sha256"], sha256.as_str());
        assert_eq!(
            bucket.object(&key_of(&case, &document)).await.as_deref(),
            Some(PDF),
            "the bytes are in the bucket under cases/<case>/<document>"
        );
        let answer = download(&app, &app.address, &world.mediator, &document).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(&answer.body[..], PDF);
        assert_eq!(hex::encode(Sha256::digest(&answer.body)), sha256);
        assert_eq!(answer.header("etag"), Some(format!("\"{sha256}\"").as_str()));
    }
);

s3_test!(
    async fn a_document_whose_object_is_gone_is_answered_document_content_missing(app, bucket) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let document = upload(&app, &app.address, &world.mediator, &case, PDF).await;
        bucket.delete(&key_of(&case, &document)).await;
        let answer = download(&app, &app.address, &world.mediator, &document).await;
        answer.assert_problem(409, "document_content_missing");
        // The row is still listed: the loss is visible, not hidden.
        let path = format!("/api/v1/cases/{}/documents", case["id"].as_str().unwrap());
        let listed = app.get(&path, Some(&world.mediator.token)).await.json();
        assert_eq!(listed["items"][0]["id"], document["id"]);
    }
);

s3_test!(
    async fn two_api_nodes_share_one_bucket(app, bucket) {
        let (second, _) = app.another_server(|config| bucket.configure(config)).await;
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let on_second = upload(&app, &second, &world.mediator, &case, PDF).await;
        let answer = download(&app, &app.address, &world.mediator, &on_second).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(&answer.body[..], PDF, "uploaded on the second node, read on the first");
        let other: &[u8] = b"%PDF-1.4\n% the first node's upload\n%%EOF\n";
        let on_first = upload(&app, &app.address, &world.mediator, &case, other).await;
        let answer = download(&app, &second, &world.mediator, &on_first).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(&answer.body[..], other, "uploaded on the first node, read on the second");
    }
);

s3_test!(
    async fn the_orphan_sweep_deletes_old_objects_without_a_row_from_the_bucket(app, bucket) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let kept = upload(&app, &app.address, &world.mediator, &case, PDF).await;
        let case_id = case["id"].as_str().unwrap();
        let orphan = format!("cases/{case_id}/{}", uuid::Uuid::new_v4());
        let foreign = format!("cases/{}/{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        bucket.put(&orphan, b"bytes whose row never committed").await;
        bucket.put(&foreign, b"another installation's object").await;

        let report = sweep::sweep(&app.state.sweeper()).await.unwrap();
        assert_eq!(report.deleted, 0, "nothing is an hour old yet: {report:?}");
        app.state.clock.advance(chrono::Duration::minutes(61));
        let report = sweep::sweep(&app.state.sweeper()).await.unwrap();
        assert_eq!((report.listed, report.deleted), (3, 1), "{report:?}");
        assert_eq!(bucket.object(&orphan).await, None, "the orphan is gone");
        assert!(bucket.object(&foreign).await.is_some(), "an unknown case's object stays");
        // An hour on, the first access token has expired: sign in again.
        let mediator = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        let answer = download(&app, &app.address, &mediator, &kept).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(&answer.body[..], PDF, "the document with a row still downloads");
    }
);
