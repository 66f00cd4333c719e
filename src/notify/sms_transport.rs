//! Where text messages go, chosen by configuration like mail: an HTTP gateway
//! (`MEDIATION_SMS_URL`, signed with `MEDIATION_SMS_SECRET`), a directory of `.sms` files
//! (`MEDIATION_SMS_DIR`, the default, so a new installation sends nothing), or memory (tests).
//!
//! The gateway protocol (docs/notifications.md, "The SMS gateway") is one signed JSON `POST` per
//! message, `{message_id, phone, template, params}`. `message_id` is the outbox row's id, the
//! same on every attempt, so a gateway that remembers the ids it has accepted sends a message
//! once although the outbox delivers it at least once. A 2xx answer means accepted; a 4xx means
//! the gateway will never accept it (the row dies at once, with the answer as its error), except
//! 408 and 429, which ask to come back later; anything else — a 5xx, a timeout, a refused
//! connection — is retried with the outbox's backoff.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::sms::{render, SmsTemplate};

/// Where texts go, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsTransport {
    Gateway(GatewaySettings),
    Files(String),
    /// Kept in memory; only for tests, never selected by environment variables.
    Memory,
}

/// The HTTP gateway: its URL, the shared secret that signs each request, and how long one
/// request may take.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewaySettings {
    pub url: String,
    pub secret: String,
    /// The whole request, from connecting to the end of the answer (`MEDIATION_SMS_TIMEOUT_SECONDS`).
    pub timeout: Duration,
}

impl std::fmt::Debug for GatewaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.url.split('?').next().unwrap_or("");
        write!(f, "{shown} (signed, {} s)", self.timeout.as_secs())
    }
}

/// One text to send: the outbox row's id, the phone in clear, the template and its parameters.
#[derive(Debug, Clone)]
pub struct OutgoingSms<'a> {
    pub message_id: &'a str,
    pub phone: &'a str,
    pub template: SmsTemplate,
    pub params: &'a BTreeMap<String, String>,
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// What the outbox records as `last_error`.
    pub error: String,
    /// `true`: the row is dead at once (a 4xx from the gateway, a row that cannot be read);
    /// `false`: retried with backoff until its attempts run out.
    pub permanent: bool,
}

impl SendFailure {
    pub fn retry(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            permanent: false,
        }
    }

    pub fn permanent(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            permanent: true,
        }
    }
}

/// A text as the memory transport keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    pub message_id: String,
    pub phone: String,
    pub template: SmsTemplate,
    pub params: BTreeMap<String, String>,
    pub text: String,
}

/// The transport in use.
#[derive(Clone)]
pub enum SmsSender {
    Gateway {
        client: reqwest::Client,
        settings: GatewaySettings,
    },
    Files(PathBuf),
    Memory(Arc<Mutex<Vec<SentSms>>>),
}

/// The headers of a signed request.
pub const TIMESTAMP_HEADER: &str = "X-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Signature";

/// `sha256=` and the lowercase hex HMAC-SHA256, under `secret`, of the decimal Unix
/// `timestamp`, a full stop, and the body's exact bytes: `HMAC(secret, "1764928800." + body)`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The JSON posted to the gateway, its members in this order.
#[derive(serde::Serialize)]
struct GatewayRequest<'a> {
    message_id: &'a str,
    phone: &'a str,
    template: &'static str,
    params: &'a BTreeMap<String, String>,
}

/// The JSON body posted to the gateway: `{"message_id", "phone", "template", "params"}`, compact,
/// the parameters sorted by name.
pub fn request_body(sms: &OutgoingSms<'_>) -> Vec<u8> {
    serde_json::to_vec(&GatewayRequest {
        message_id: sms.message_id,
        phone: sms.phone,
        template: sms.template.as_str(),
        params: sms.params,
    })
    .unwrap_or_default()
}

/// The `.sms` file of one text: who, which template, its parameters, and the text it renders to.
pub fn file_text(sms: &OutgoingSms<'_>, text: &str) -> String {
    let mut out = format!(
        "To: {}\nTemplate: {}\nMessage-ID: {}\nParameters:\n",
        sms.phone,
        sms.template.as_str(),
        sms.message_id
    );
    for (name, value) in sms.params {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out.push('\n');
    out.push_str(text);
    out.push('\n');
    out
}

/// At most `max` characters of `text`, for errors.
fn clip(text: &str, max: usize) -> String {
    let clipped: String = text.chars().take(max).collect();
    if clipped.len() < text.len() {
        format!("{clipped}…")
    } else {
        clipped
    }
}

impl SmsSender {
    /// Builds the configured transport (creating the directory of `.sms` files if needed).
    pub fn new(transport: &SmsTransport) -> anyhow::Result<Self> {
        crate::outbound_tls::ensure_tls_provider();
        Ok(match transport {
            SmsTransport::Gateway(settings) => Self::Gateway {
                client: reqwest::Client::builder()
                    .timeout(settings.timeout)
                    .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
                    // A redirected POST would become a GET to wherever the gateway points.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| anyhow::anyhow!("cannot build the SMS gateway client: {e}"))?,
                settings: settings.clone(),
            },
            SmsTransport::Files(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("cannot create MEDIATION_SMS_DIR {dir}: {e}"))?;
                Self::Files(PathBuf::from(dir))
            }
            SmsTransport::Memory => Self::Memory(Arc::default()),
        })
    }

    /// The texts kept by the memory transport (empty for the others).
    pub fn sent(&self) -> Vec<SentSms> {
        match self {
            Self::Memory(sent) => sent.lock().map(|s| s.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Sends one text; the error says what the outbox records and whether to retry.
    pub async fn send(&self, sms: &OutgoingSms<'_>, now: DateTime<Utc>) -> Result<(), SendFailure> {
        let text = render(sms.template, sms.params)
            .map_err(|e| SendFailure::permanent(format!("sms: {e}")))?;
        match self {
            Self::Gateway { client, settings } => post(client, settings, sms, now).await,
            Self::Files(dir) => {
                let path = dir.join(format!("{}.sms", sms.message_id));
                let content = file_text(sms, &text);
                let written = tokio::task::spawn_blocking(move || write_file(&path, &content))
                    .await
                    .map_err(|e| SendFailure::retry(format!("file: {e}")))?;
                written.map_err(|e| SendFailure::retry(format!("file: {e}")))
            }
            Self::Memory(sent) => {
                if let Ok(mut sent) = sent.lock() {
                    sent.push(SentSms {
                        message_id: sms.message_id.to_owned(),
                        phone: sms.phone.to_owned(),
                        template: sms.template,
                        params: sms.params.clone(),
                        text,
                    });
                }
                Ok(())
            }
        }
    }
}

/// Writes the file whole or not at all: a reader never sees half a message, and a text sent
/// again (at least once) replaces its first copy.
fn write_file(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    let partial = path.with_extension("sms.partial");
    std::fs::write(&partial, content)?;
    std::fs::rename(&partial, path)
}

/// One signed `POST` to the gateway, judged by its answer.
async fn post(
    client: &reqwest::Client,
    settings: &GatewaySettings,
    sms: &OutgoingSms<'_>,
    now: DateTime<Utc>,
) -> Result<(), SendFailure> {
    let body = request_body(sms);
    let timestamp = now.timestamp();
    let response = client
        .post(&settings.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            SIGNATURE_HEADER,
            signature(&settings.secret, timestamp, &body),
        )
        .body(body)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) if error.is_timeout() => {
            return Err(SendFailure::retry(format!(
                "sms gateway: no answer within {} s",
                settings.timeout.as_secs_f64()
            )))
        }
        // Without the URL, which may carry a token in its query.
        Err(error) => {
            return Err(SendFailure::retry(format!(
                "sms gateway: {}",
                error.without_url()
            )))
        }
    };
    let status = response.status();
    let answer = match response.text().await {
        Ok(text) => clip(text.trim(), 300),
        Err(error) if error.is_timeout() => "(the answer did not arrive in time)".to_owned(),
        Err(error) => format!("(unreadable answer: {})", error.without_url()),
    };
    if status.is_success() {
        return Ok(());
    }
    let error = format!("sms gateway: {status}: {answer}");
    // 408 and 429 are the client errors that mean "not now": they are retried like a 5xx.
    let refused = status.is_client_error()
        && status != reqwest::StatusCode::REQUEST_TIMEOUT
        && status != reqwest::StatusCode::TOO_MANY_REQUESTS;
    if refused {
        Err(SendFailure::permanent(error))
    } else {
        Err(SendFailure::retry(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> BTreeMap<String, String> {
        [
            ("case_number".to_owned(), "SP-2026-000001".to_owned()),
            ("office".to_owned(), "沙坪街道工会".to_owned()),
        ]
        .into()
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body_in_hex() {
        // The example of docs/notifications.md, computed independently (Python's hmac).
        let params = params();
        let sms = OutgoingSms {
            message_id: "0197a1f8-a0c4-7d10-8e2b-5f7c3a9d1e44",
            phone: "13900001111",
            template: SmsTemplate::CaseAccepted,
            params: &params,
        };
        let body = request_body(&sms);
        assert_eq!(
            String::from_utf8(body.clone()).unwrap(),
            r#"{"message_id":"0197a1f8-a0c4-7d10-8e2b-5f7c3a9d1e44","phone":"13900001111","template":"sms_case_accepted","params":{"case_number":"SP-2026-000001","office":"沙坪街道工会"}}"#
        );
        let secret = "test-secret-test-secret-test-secret";
        let signed = signature(secret, 1_764_928_800, &body);
        assert_eq!(
            signed,
            "sha256=b4b65ed66d4e277a29aa7b94cd3a23013bf2beaa1db65911c9df42f8fa6fbaef"
        );
        assert_ne!(signed, signature(secret, 1_764_928_801, &body));
        assert_ne!(signed, signature("another-secret", 1_764_928_800, &body));
    }

    #[tokio::test]
    async fn a_file_holds_the_phone_the_template_the_parameters_and_the_chinese_text() {
        let dir = std::env::temp_dir().join(format!("mt-sms-{}", uuid::Uuid::new_v4().simple()));
        let sender =
            SmsSender::new(&SmsTransport::Files(dir.to_string_lossy().into_owned())).unwrap();
        let params = params();
        let sms = OutgoingSms {
            message_id: "0197-row",
            phone: "13900001111",
            template: SmsTemplate::CaseAccepted,
            params: &params,
        };
        sender.send(&sms, Utc::now()).await.unwrap();
        let written = std::fs::read_to_string(dir.join("0197-row.sms")).unwrap();
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            written,
            "To: 13900001111\nTemplate: sms_case_accepted\nMessage-ID: 0197-row\nParameters:\n  \
             case_number: SP-2026-000001\n  office: 沙坪街道工会\n\n\
             您的案件SP-2026-000001已由沙坪街道工会受理，调解员将尽快与您联系，请保持电话畅通。\n"
        );
        assert_eq!(leftovers, 1, "no partial file is left behind");
    }

    #[test]
    fn the_secret_never_reaches_a_log() {
        let settings = GatewaySettings {
            url: "https://sms.example.cn/send?token=abc".into(),
            secret: "a-shared-secret-of-thirty-two-chars!".into(),
            timeout: Duration::from_secs(10),
        };
        let shown = format!("{:?}", SmsTransport::Gateway(settings));
        assert!(
            !shown.contains("shared-secret") && !shown.contains("token=abc"),
            "{shown}"
        );
    }
}
