//! A small SMTP server for tests: it speaks enough SMTP for lettre (EHLO, MAIL, RCPT, DATA,
//! RSET, NOOP, QUIT), keeps every message, and decodes subjects (RFC 2047) and bodies
//! (quoted-printable or base64) so tests can assert on the text people would read.

use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One received message.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// The message as it arrived after `DATA`: headers and encoded body, CRLF line ends.
    pub raw: String,
}

impl ReceivedMail {
    /// The raw value of the first header called `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let raw = self.raw.replace("\r\n", "\n");
        let head = raw
            .split_once("\n\n")
            .map_or(raw.as_str(), |(head, _)| head);
        let mut found: Option<String> = None;
        for line in head.lines() {
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(value) = found.as_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            } else if found.is_some() {
                break;
            } else if let Some((n, value)) = line.split_once(':') {
                if n.trim().eq_ignore_ascii_case(name) {
                    found = Some(value.trim().to_owned());
                }
            }
        }
        found
    }
}

/// A running sink; dropping it does not stop it (the test runtime ends it).
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpSink {
    /// Starts on a random port.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Starts on `port` (0: any free port).
    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let received: Arc<Mutex<Vec<ReceivedMail>>> = Arc::default();
        let store = received.clone();
        actix_web::rt::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                actix_web::rt::spawn(async move {
                    let _ = serve(stream, store).await;
                });
            }
        });
        Self { port, received }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to 15 s) until at least `count` messages arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedMail> {
        for _ in 0..300 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {count} messages, got {:?}", self.received());
    }
}

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn serve(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<ReceivedMail>>>,
) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader);
    writer.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            writer
                .write_all(b"250-sink.test\r\n250 8BITMIME\r\n")
                .await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command[10..]);
            to.clear();
            writer.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&command[8..]));
            writer.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            writer.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            let (subject, body) = decode_message(&data);
            store.lock().unwrap().push(ReceivedMail {
                from: from.clone(),
                to: to.clone(),
                subject,
                body,
                raw: data,
            });
            writer.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            writer.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            writer.write_all(b"250 OK\r\n").await?;
        }
    }
}

fn address(text: &str) -> String {
    text.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// Splits headers from body and decodes both.
fn decode_message(data: &str) -> (String, String) {
    let data = data.replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap_or((&data, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim_start());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let subject = decode_words(&header("subject"));
    let body = match header("content-transfer-encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => String::from_utf8_lossy(
            &base64::engine::general_purpose::STANDARD
                .decode(body.split_whitespace().collect::<String>())
                .unwrap_or_default(),
        )
        .into_owned(),
        "quoted-printable" => quoted_printable(body),
        _ => body.to_owned(),
    };
    (subject, body)
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=` and `=?utf-8?q?…?=`), joined.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    for word in value.split_whitespace() {
        let parts: Vec<&str> = word
            .trim_start_matches("=?")
            .trim_end_matches("?=")
            .splitn(3, '?')
            .collect();
        if word.starts_with("=?") && parts.len() == 3 {
            let bytes = match parts[1].to_ascii_lowercase().as_str() {
                "b" => base64::engine::general_purpose::STANDARD
                    .decode(parts[2])
                    .unwrap_or_default(),
                _ => quoted_printable(&parts[2].replace('_', " ")).into_bytes(),
            };
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if let Some(value) = joined
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
