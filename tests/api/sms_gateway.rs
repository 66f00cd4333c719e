//! A small SMS gateway for tests: it speaks enough HTTP/1.1 for one request per connection,
//! checks each request's signature the way docs/notifications.md tells a gateway to (HMAC-SHA256
//! of `<X-Timestamp>.<body>` under the shared secret), keeps every request, and answers as the
//! test scripts it: a status with a body, or silence past the client's timeout.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request the gateway received.
#[derive(Debug, Clone)]
pub struct ReceivedText {
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    pub timestamp: Option<String>,
    pub signature: Option<String>,
    /// The signature matched the body, the timestamp and the secret.
    pub verified: bool,
    pub body: Value,
}

/// How the gateway answers one request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// This status, with this body.
    Status(u16, &'static str),
    /// Nothing for this long, then the connection is dropped without an answer.
    Silence(Duration),
}

/// A running gateway; dropping it does not stop it (the test runtime ends it).
#[derive(Clone)]
pub struct SmsGateway {
    pub port: u16,
    received: Arc<Mutex<Vec<ReceivedText>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl SmsGateway {
    /// Starts on a random port, verifying signatures with `secret`. Unscripted requests get 200.
    pub async fn start(secret: &str) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the SMS gateway");
        let port = listener.local_addr().unwrap().port();
        let gateway = Self {
            port,
            received: Arc::default(),
            script: Arc::default(),
        };
        let (serving, secret) = (gateway.clone(), secret.to_owned());
        actix_web::rt::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (serving, secret) = (serving.clone(), secret.clone());
                actix_web::rt::spawn(async move {
                    let _ = serving.serve(stream, &secret).await;
                });
            }
        });
        gateway
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1/sms", self.port)
    }

    /// Queues the answer to the next request not yet answered.
    pub fn then(&self, answer: Answer) {
        self.script.lock().unwrap().push_back(answer);
    }

    pub fn received(&self) -> Vec<ReceivedText> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to 15 s) until at least `count` requests arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedText> {
        for _ in 0..300 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} requests, got {:?}", self.received());
    }

    async fn serve(&self, mut stream: tokio::net::TcpStream, secret: &str) -> std::io::Result<()> {
        let mut data = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            data.extend_from_slice(&chunk[..read]);
            if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or("").split(' ');
        let (method, path) = (
            request_line.next().unwrap_or("").to_owned(),
            request_line.next().unwrap_or("").to_owned(),
        );
        let header = |name: &str| {
            head.split("\r\n").skip(1).find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_owned())
            })
        };
        let length: usize = header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        while data.len() < head_end + length {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                break;
            }
            data.extend_from_slice(&chunk[..read]);
        }
        let body = &data[head_end..(head_end + length).min(data.len())];
        let (timestamp, signature) = (header("x-timestamp"), header("x-signature"));
        let verified = match (&timestamp, &signature) {
            (Some(timestamp), Some(signature)) => verify(secret, timestamp, body, signature),
            _ => false,
        };
        self.received.lock().unwrap().push(ReceivedText {
            method,
            path,
            content_type: header("content-type"),
            timestamp,
            signature,
            verified,
            body: serde_json::from_slice(body).unwrap_or(Value::Null),
        });
        let answer = self.script.lock().unwrap().pop_front();
        match answer.unwrap_or(Answer::Status(200, r#"{"accepted": true}"#)) {
            Answer::Silence(wait) => {
                actix_web::rt::time::sleep(wait).await;
                Ok(())
            }
            Answer::Status(code, text) => {
                let response = format!(
                    "HTTP/1.1 {code} Scripted\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
                stream.write_all(response.as_bytes()).await?;
                stream.shutdown().await
            }
        }
    }
}

/// What a gateway does with a request: `X-Signature` must be `sha256=` and the hex HMAC-SHA256,
/// under the shared secret, of `X-Timestamp`, a full stop and the raw body; compared in
/// constant time.
pub fn verify(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Some(hex_mac) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_mac) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}
