//! How mail leaves the service, chosen by configuration: SMTP (`MEDIATION_SMTP_URL`), a
//! directory of `.eml` files (`MEDIATION_MAIL_DIR`, the embedded default, so a new installation
//! needs nothing), or memory (tests).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::header::{ContentType, MIME_VERSION_1_0};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where mail goes, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    Smtp(SmtpSettings),
    Files(String),
    /// Kept in memory; only for tests, never selected by environment variables.
    Memory,
}

/// A parsed `MEDIATION_SMTP_URL`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "smtp://{}:{} ({:?})",
            self.host, self.port, self.security
        )
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text, for a relay on the same host or network.
    None,
    /// STARTTLS required (`?tls=starttls` or `?tls=required`).
    StartTls,
    /// STARTTLS when the server offers it.
    Opportunistic,
    /// TLS from the first byte (`smtps://`, usually port 465).
    Wrapper,
}

/// Parses `smtp://user:pass@host:587?tls=starttls`, `smtps://host:465` or `smtp://localhost:25`.
pub fn parse_smtp_url(raw: &str) -> Result<SmtpSettings, String> {
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or("must look like smtp://host:port or smtps://host:port")?;
    let (authority, query) = rest
        .split_once('?')
        .map_or((rest, None), |(a, q)| (a, Some(q)));
    let authority = authority.trim_end_matches('/');
    let (userinfo, hostport) = authority
        .rsplit_once('@')
        .map_or((None, authority), |(u, h)| (Some(u), h));
    let (host, port) = match hostport.rsplit_once(':') {
        Some((host, port)) => (
            host,
            Some(
                port.parse::<u16>()
                    .map_err(|_| format!("`{port}` is not a port"))?,
            ),
        ),
        None => (hostport, None),
    };
    if host.is_empty() {
        return Err("needs a host".into());
    }
    let tls = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("tls="));
    let (security, default_port) = match (scheme, tls) {
        ("smtps", _) => (SmtpSecurity::Wrapper, 465),
        ("smtp", None | Some("none")) => (SmtpSecurity::None, 25),
        ("smtp", Some("starttls" | "required")) => (SmtpSecurity::StartTls, 587),
        ("smtp", Some("opportunistic")) => (SmtpSecurity::Opportunistic, 587),
        ("smtp", Some(other)) => {
            return Err(format!(
                "tls={other} is not one of starttls, required, opportunistic, none"
            ))
        }
        (other, _) => return Err(format!("`{other}://` is not smtp:// or smtps://")),
    };
    let credentials = userinfo.map(|u| {
        let (user, pass) = u.split_once(':').unwrap_or((u, ""));
        (percent_decode(user), percent_decode(pass))
    });
    Ok(SmtpSettings {
        host: host.to_owned(),
        port: port.unwrap_or(default_port),
        security,
        credentials,
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(value) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
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

/// The longest one message may take to leave, from connecting to the server's answer to the
/// data. lettre's asynchronous SMTP client bounds only the TCP connect (15 s); a server that
/// accepts the connection and then stops answering would hold the worker, and the rows it has
/// claimed, forever. Bounding the whole exchange is what lets the outbox lease
/// (`MEDIATION_OUTBOX_LEASE_SECONDS`) be chosen longer than any send.
pub const SEND_DEADLINE: Duration = Duration::from_secs(60);

/// The `Message-ID` of an outbox row: `<{row id}@{sender's domain}>`. Derived from the row, not
/// generated per attempt, so a message delivered twice (the process died after the server
/// accepted it, before the row was marked sent) carries the same id both times, and mail
/// clients and archives can recognise the second copy. The row ids are UUIDs, unique across
/// installations; the domain only has to be a plausible ASCII one, so a sender whose domain is
/// internationalised (not ASCII) falls back to `localhost`.
pub fn message_id(outbox_id: &str, from: &Mailbox) -> String {
    let domain = from.email.domain();
    let plain = !domain.is_empty()
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c));
    format!("<{outbox_id}@{}>", if plain { domain } else { "localhost" })
}

/// A message as the memory transport keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub message_id: String,
}

/// The transport in use.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
    Memory(Arc<Mutex<Vec<SentMail>>>),
}

impl Mailer {
    /// Builds the configured transport (creating the mail directory if needed).
    pub fn new(transport: &MailTransport) -> anyhow::Result<Self> {
        Ok(match transport {
            MailTransport::Smtp(settings) => {
                let tls_parameters = || TlsParameters::new(settings.host.clone());
                let tls = match settings.security {
                    SmtpSecurity::None => Tls::None,
                    SmtpSecurity::StartTls => Tls::Required(tls_parameters()?),
                    SmtpSecurity::Opportunistic => Tls::Opportunistic(tls_parameters()?),
                    SmtpSecurity::Wrapper => Tls::Wrapper(tls_parameters()?),
                };
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
                        .port(settings.port)
                        .tls(tls)
                        .timeout(Some(Duration::from_secs(15)));
                if let Some((user, pass)) = &settings.credentials {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
                }
                Self::Smtp(builder.build())
            }
            MailTransport::Files(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("cannot create MEDIATION_MAIL_DIR {dir}: {e}"))?;
                Self::Files(AsyncFileTransport::new(dir))
            }
            MailTransport::Memory => Self::Memory(Arc::default()),
        })
    }

    /// The messages kept by the memory transport (empty for the others).
    pub fn sent(&self) -> Vec<SentMail> {
        match self {
            Self::Memory(sent) => sent.lock().map(|s| s.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Sends one message, within [`SEND_DEADLINE`]; the error text is what the outbox records.
    /// `message_id` is the row's stable id ([`message_id`]). `MIME-Version: 1.0` is set
    /// because the body is `text/plain; charset=utf-8` with a transfer encoding, which RFC 2045
    /// only defines under that header; filters score mail without it as malformed.
    pub async fn send(
        &self,
        from: &Mailbox,
        to: &[String],
        subject: &str,
        body: &str,
        message_id: &str,
    ) -> Result<(), String> {
        let mut builder = Message::builder()
            .from(from.clone())
            .subject(subject)
            .message_id(Some(message_id.to_owned()))
            .header(MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN);
        for address in to {
            builder = builder.to(address
                .parse::<Mailbox>()
                .map_err(|e| format!("bad recipient {address}: {e}"))?);
        }
        let message = builder
            .body(body.to_owned())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        let late = || format!("no answer within {} s", SEND_DEADLINE.as_secs());
        match self {
            Self::Smtp(transport) => tokio::time::timeout(SEND_DEADLINE, transport.send(message))
                .await
                .map_err(|_| format!("smtp: {}", late()))?
                .map(|_| ())
                .map_err(|e| format!("smtp: {e}")),
            Self::Files(transport) => tokio::time::timeout(SEND_DEADLINE, transport.send(message))
                .await
                .map_err(|_| format!("file: {}", late()))?
                .map(|_| ())
                .map_err(|e| format!("file: {e}")),
            Self::Memory(sent) => {
                if let Ok(mut sent) = sent.lock() {
                    sent.push(SentMail {
                        to: to.to_vec(),
                        subject: subject.to_owned(),
                        body: body.to_owned(),
                        message_id: message_id.to_owned(),
                    });
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_of_every_documented_form_parse() {
        let starttls =
            parse_smtp_url("smtp://mailer%40gd.cn:p%40ss@mail.gd.cn:587?tls=starttls").unwrap();
        assert_eq!(
            (starttls.host.as_str(), starttls.port, starttls.security),
            ("mail.gd.cn", 587, SmtpSecurity::StartTls)
        );
        assert_eq!(
            starttls.credentials,
            Some(("mailer@gd.cn".into(), "p@ss".into()))
        );
        let smtps = parse_smtp_url("smtps://mail.gd.cn").unwrap();
        assert_eq!((smtps.port, smtps.security), (465, SmtpSecurity::Wrapper));
        let relay = parse_smtp_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (relay.port, relay.security, relay.credentials),
            (2525, SmtpSecurity::None, None)
        );
        assert!(parse_smtp_url("http://x").is_err());
        assert!(parse_smtp_url("smtp://x?tls=maybe").is_err());
        assert!(parse_smtp_url("smtp://:25").is_err());
        assert!(
            !format!("{starttls:?}").contains("p@ss"),
            "the password never reaches a log"
        );
    }

    #[tokio::test]
    async fn the_memory_transport_keeps_what_it_sends() {
        let mailer = Mailer::new(&MailTransport::Memory).unwrap();
        let from: Mailbox = "Tracker <noreply@localhost>".parse().unwrap();
        mailer
            .send(
                &from,
                &["li@sp.test".into()],
                "主题 subject",
                "正文 body",
                "<1@localhost>",
            )
            .await
            .unwrap();
        assert_eq!(mailer.sent()[0].subject, "主题 subject");
        assert_eq!(mailer.sent()[0].message_id, "<1@localhost>");
        assert!(mailer
            .send(&from, &["not an address".into()], "s", "b", "<2@localhost>")
            .await
            .is_err());
    }

    #[test]
    fn the_message_id_is_the_row_at_the_senders_domain() {
        let from: Mailbox = "工会 <mediation@sp.example.cn>".parse().unwrap();
        assert_eq!(message_id("0197-ab", &from), "<0197-ab@sp.example.cn>");
        let unicode: Mailbox = "mediation@工会.cn".parse().unwrap();
        assert_eq!(message_id("0197-ab", &unicode), "<0197-ab@localhost>");
    }

    #[tokio::test]
    async fn files_carry_mime_version_and_the_rows_message_id() {
        let dir = std::env::temp_dir().join(format!("mt-mail-{}", uuid::Uuid::new_v4().simple()));
        let mailer =
            Mailer::new(&MailTransport::Files(dir.to_string_lossy().into_owned())).unwrap();
        let from: Mailbox = "Tracker <noreply@sp.example.cn>".parse().unwrap();
        let id = message_id("0197-row", &from);
        mailer
            .send(&from, &["li@sp.test".into()], "主题", "正文", &id)
            .await
            .unwrap();
        let file = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .unwrap();
        let raw = std::fs::read_to_string(file.path()).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(raw.lines().any(|l| l == "MIME-Version: 1.0"), "{raw}");
        assert!(
            raw.lines()
                .any(|l| l == "Message-ID: <0197-row@sp.example.cn>"),
            "{raw}"
        );
    }
}
