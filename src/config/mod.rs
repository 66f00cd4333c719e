//! Configuration read from the environment (and an optional `.env` file).
//!
//! Every variable is documented in `docs/configuration.md`. The rule is strict on purpose: an
//! unknown `MEDIATION_*` variable (usually a typo) or a malformed value stops the service at
//! start with a message that names the variable, instead of running with a silent default.

use std::collections::BTreeMap;
use std::fmt;

pub mod database_url;
pub mod public;
mod settings;

pub use settings::{DocumentSettings, MailSettings};
pub mod sms;

pub use database_url::DatabaseUrl;
use std::time::Duration;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Logging: an `EnvFilter` directive (`info`, `mediation_tracker=debug,info`) and a format.
#[derive(Clone, Debug)]
pub struct LogConfig {
    pub filter: String,
    pub format: LogFormat,
}

/// The whole service configuration. Built once at start and shared read-only.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    /// `MEDIATION_READ_DATABASE_URL`: a standby for reads that may lag (statistics, exports);
    /// PostgreSQL only. `None`: those reads go to `database_url` too.
    pub read_database_url: Option<DatabaseUrl>,
    pub bind: String,
    /// `None` means: use (or create) the secret persisted in the database, with a warning.
    pub jwt_secret: Option<String>,
    /// Base64 key (≥ 32 bytes) protecting ID and phone numbers; `None`: generated and persisted.
    pub data_key: Option<String>,
    pub log: LogConfig,
    /// Largest accepted request body, in bytes (413 above it).
    pub body_limit_bytes: usize,
    pub db_pool_size: u32,
    /// How long a request waits for a free database connection before a 503.
    pub db_timeout: Duration,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    pub auth: AuthSettings,
    /// The first admin, created on first start when there are no users.
    pub bootstrap_admin: Option<(String, String)>,
    /// Default hours to answer a referral, per referral kind, overriding the built-in ones.
    pub referral_due_hours: BTreeMap<String, i64>,
    pub mail: MailSettings,
    /// Where text messages to workers go (the same outbox and retries as mail).
    pub sms: sms::SmsSettings,
    pub documents: DocumentSettings,
    /// Days after a case concludes when its follow-up (回访) falls due (`MEDIATION_FOLLOW_UP_DAYS`).
    pub follow_up_days: u32,
    /// Days to handle a risk, per level, overriding the defaults in `risks::rules`
    /// (`MEDIATION_RISK_DUE_DAYS=major=1,high=3`).
    pub risk_due_days: BTreeMap<String, i64>,
    /// The worker's front door: public links and trusted proxies.
    pub public: public::PublicSettings,
    /// `MEDIATION_SESSION_CACHE`: whether live sessions are kept in memory
    /// (`auth::session_cache`); off, every request reads its session from the database.
    pub session_cache: bool,
}

/// Token lifetimes and sign-in throttling.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub access_token_ttl: chrono::Duration,
    pub refresh_token_ttl: chrono::Duration,
    /// Failed sign-ins for one email before it is locked.
    pub max_failed_logins: i32,
    pub lockout: chrono::Duration,
}

/// A configuration problem, always naming the variable at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration error in {variable}: {message}")]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

fn config_error(variable: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        message: message.into(),
    }
}

/// Every `MEDIATION_*` variable the service understands. Anything else with that prefix is a typo.
pub const KNOWN_VARIABLES: &[&str] = &[
    "MEDIATION_BIND",
    "MEDIATION_JWT_SECRET",
    "MEDIATION_DATA_KEY",
    "MEDIATION_LOG",
    "MEDIATION_LOG_FORMAT",
    "MEDIATION_BODY_LIMIT_BYTES",
    "MEDIATION_DB_POOL_SIZE",
    "MEDIATION_DB_TIMEOUT_SECONDS",
    "MEDIATION_WORKERS",
    "MEDIATION_ACCESS_TOKEN_MINUTES",
    "MEDIATION_REFRESH_TOKEN_DAYS",
    "MEDIATION_LOGIN_MAX_FAILURES",
    "MEDIATION_LOGIN_LOCK_MINUTES",
    "MEDIATION_ADMIN_EMAIL",
    "MEDIATION_ADMIN_PASSWORD",
    "MEDIATION_REFERRAL_DUE_HOURS",
    "MEDIATION_SMTP_URL",
    "MEDIATION_MAIL_DIR",
    "MEDIATION_MAIL_FROM",
    "MEDIATION_OUTBOX_MAX_ATTEMPTS",
    "MEDIATION_OUTBOX_BACKOFF_SECONDS",
    "MEDIATION_OUTBOX_BACKOFF_CAP_SECONDS",
    "MEDIATION_OUTBOX_POLL_MS",
    "MEDIATION_OUTBOX_LEASE_SECONDS",
    "MEDIATION_OUTBOX_WORKER",
    "MEDIATION_REMINDER_INTERVAL_SECONDS",
    "MEDIATION_FOLLOW_UP_DAYS",
    "MEDIATION_RISK_DUE_DAYS",
    "MEDIATION_STORAGE_DIR",
    "MEDIATION_STORAGE_URL",
    "MEDIATION_DOCUMENT_LIMIT_BYTES",
    "MEDIATION_STORAGE_SWEEP_SECONDS",
    "MEDIATION_PUBLIC_URL",
    "MEDIATION_TRUSTED_PROXIES",
    "MEDIATION_SMS_URL",
    "MEDIATION_SMS_SECRET",
    "MEDIATION_SMS_DIR",
    "MEDIATION_SMS_TIMEOUT_SECONDS",
    "MEDIATION_READ_DATABASE_URL",
    "MEDIATION_SESSION_CACHE",
];

/// The embedded default: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://mediation.db";

impl Config {
    /// Reads the process environment, after loading `.env` if one exists.
    pub fn from_env() -> Result<Self, ConfigError> {
        if let Err(error) = dotenvy::dotenv() {
            if !error.not_found() {
                return Err(config_error(".env", error.to_string()));
            }
        }
        Self::from_vars(std::env::vars())
    }

    /// Builds the configuration from name/value pairs; pure, so it is unit-tested directly.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars = Vars(vars.into_iter().collect());
        if let Some(unknown) = vars.0.keys().find(|name| {
            name.starts_with("MEDIATION_") && !KNOWN_VARIABLES.contains(&name.as_str())
        }) {
            return Err(config_error(
                unknown,
                format!(
                    "unknown variable; known ones are {}",
                    KNOWN_VARIABLES.join(", ")
                ),
            ));
        }
        let get = |name: &str| vars.get(name);

        let database_url = DatabaseUrl::parse(get("DATABASE_URL").unwrap_or(DEFAULT_DATABASE_URL))
            .map_err(|m| config_error("DATABASE_URL", m))?;
        let read_database_url =
            database_url::read_replica(&database_url, get("MEDIATION_READ_DATABASE_URL"))
                .map_err(|m| config_error("MEDIATION_READ_DATABASE_URL", m))?;
        let bind = get("MEDIATION_BIND").unwrap_or("127.0.0.1:8080").to_owned();
        if bind.parse::<std::net::SocketAddr>().is_err() && !looks_like_host_port(&bind) {
            return Err(config_error(
                "MEDIATION_BIND",
                format!("`{bind}` is not host:port"),
            ));
        }
        let jwt_secret = match get("MEDIATION_JWT_SECRET") {
            Some(secret) if secret.len() < 32 => {
                return Err(config_error(
                    "MEDIATION_JWT_SECRET",
                    "must be at least 32 characters",
                ))
            }
            other => other.map(str::to_owned),
        };
        let data_key = get("MEDIATION_DATA_KEY").map(str::to_owned);
        if let Some(key) = &data_key {
            crate::domain::protect::PersonalData::from_base64_key(key)
                .map_err(|e| config_error("MEDIATION_DATA_KEY", e.to_string()))?;
        }
        let filter = get("MEDIATION_LOG").unwrap_or("info").to_owned();
        tracing_subscriber::EnvFilter::try_new(&filter)
            .map_err(|e| config_error("MEDIATION_LOG", format!("not a log filter: {e}")))?;
        let format = match get("MEDIATION_LOG_FORMAT").unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(config_error(
                    "MEDIATION_LOG_FORMAT",
                    format!("`{other}` is not one of text, json"),
                ))
            }
        };
        let body_limit_bytes = parse_number(
            &vars,
            "MEDIATION_BODY_LIMIT_BYTES",
            1024 * 1024,
            1..=1 << 30,
        )?;
        let db_pool_size = parse_number(
            &vars,
            "MEDIATION_DB_POOL_SIZE",
            database_url.default_pool_size(),
            1..=1000,
        )?;
        let db_timeout_seconds = parse_number(&vars, "MEDIATION_DB_TIMEOUT_SECONDS", 5, 1..=300)?;
        let workers = parse_number(&vars, "MEDIATION_WORKERS", 0, 0..=256)?;
        let auth = AuthSettings {
            access_token_ttl: chrono::Duration::minutes(parse_number(
                &vars,
                "MEDIATION_ACCESS_TOKEN_MINUTES",
                15,
                1..=1440,
            )?),
            refresh_token_ttl: chrono::Duration::days(parse_number(
                &vars,
                "MEDIATION_REFRESH_TOKEN_DAYS",
                14,
                1..=365,
            )?),
            max_failed_logins: parse_number(&vars, "MEDIATION_LOGIN_MAX_FAILURES", 5, 1..=100)?,
            lockout: chrono::Duration::minutes(parse_number(
                &vars,
                "MEDIATION_LOGIN_LOCK_MINUTES",
                15,
                1..=1440,
            )?),
        };
        let bootstrap_admin = match (
            get("MEDIATION_ADMIN_EMAIL"),
            get("MEDIATION_ADMIN_PASSWORD"),
        ) {
            (Some(email), Some(password)) => {
                crate::domain::Email::parse(email).map_err(|m| {
                    config_error(
                        "MEDIATION_ADMIN_EMAIL",
                        m.render(crate::i18n::Lang::English),
                    )
                })?;
                crate::auth::password::check_policy(password, Some(email)).map_err(|m| {
                    let m = m.render(crate::i18n::Lang::English);
                    config_error("MEDIATION_ADMIN_PASSWORD", format!("the password {m}"))
                })?;
                Some((email.to_owned(), password.to_owned()))
            }
            (None, None) => None,
            (Some(_), None) => {
                return Err(config_error(
                    "MEDIATION_ADMIN_PASSWORD",
                    "must be set with MEDIATION_ADMIN_EMAIL",
                ))
            }
            (None, Some(_)) => {
                return Err(config_error(
                    "MEDIATION_ADMIN_EMAIL",
                    "must be set with MEDIATION_ADMIN_PASSWORD",
                ))
            }
        };
        let referral_due_hours = parse_due_hours(get("MEDIATION_REFERRAL_DUE_HOURS").unwrap_or(""))
            .map_err(|m| config_error("MEDIATION_REFERRAL_DUE_HOURS", m))?;
        let transport = match (get("MEDIATION_SMTP_URL"), get("MEDIATION_MAIL_DIR")) {
            (Some(url), _) => crate::notify::mailer::MailTransport::Smtp(
                crate::notify::mailer::parse_smtp_url(url)
                    .map_err(|m| config_error("MEDIATION_SMTP_URL", m))?,
            ),
            (None, dir) => {
                crate::notify::mailer::MailTransport::Files(dir.unwrap_or("mail").to_owned())
            }
        };
        let from = get("MEDIATION_MAIL_FROM")
            .unwrap_or("mediation-tracker <noreply@localhost>")
            .to_owned();
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| config_error("MEDIATION_MAIL_FROM", format!("not a mailbox: {e}")))?;
        let worker_enabled = on_or_off(&vars, "MEDIATION_OUTBOX_WORKER", true)?;
        let mail = MailSettings {
            transport,
            from,
            max_attempts: parse_number(&vars, "MEDIATION_OUTBOX_MAX_ATTEMPTS", 8, 1..=100)?,
            backoff: Duration::from_secs(parse_number(
                &vars,
                "MEDIATION_OUTBOX_BACKOFF_SECONDS",
                30,
                1..=3600,
            )?),
            backoff_cap: Duration::from_secs(parse_number(
                &vars,
                "MEDIATION_OUTBOX_BACKOFF_CAP_SECONDS",
                3600,
                1..=86_400,
            )?),
            poll_interval: Duration::from_millis(parse_number(
                &vars,
                "MEDIATION_OUTBOX_POLL_MS",
                1000,
                10..=60_000,
            )?),
            lease: Duration::from_secs(parse_number(
                &vars,
                "MEDIATION_OUTBOX_LEASE_SECONDS",
                300,
                120..=86_400,
            )?),
            worker_enabled,
            reminder_interval: Duration::from_secs(parse_number(
                &vars,
                "MEDIATION_REMINDER_INTERVAL_SECONDS",
                300,
                1..=86_400,
            )?),
        };
        let storage = match (get("MEDIATION_STORAGE_URL"), get("MEDIATION_STORAGE_DIR")) {
            (Some(url), _) if url.starts_with("s3://") => {
                crate::documents::storage::StorageConfig::S3 {
                    url: url.to_owned(),
                    aws: crate::documents::storage::AwsVariables::from_vars(&vars.0),
                }
            }
            (Some(url), _) => {
                return Err(config_error(
                    "MEDIATION_STORAGE_URL",
                    format!("`{url}` is not s3://bucket"),
                ))
            }
            (None, dir) => crate::documents::storage::StorageConfig::Directory(
                dir.unwrap_or("storage").to_owned(),
            ),
        };
        let documents = DocumentSettings {
            storage,
            limit_bytes: parse_number(
                &vars,
                "MEDIATION_DOCUMENT_LIMIT_BYTES",
                20 * 1024 * 1024,
                1024..=1 << 31,
            )?,
            sweep_interval: Duration::from_secs(parse_number(
                &vars,
                "MEDIATION_STORAGE_SWEEP_SECONDS",
                3600,
                60..=86_400,
            )?),
            orphan_age: Duration::from_secs(3600),
        };
        let follow_up_days = parse_number(
            &vars,
            "MEDIATION_FOLLOW_UP_DAYS",
            crate::follow_ups::rules::DEFAULT_DAYS,
            1..=365,
        )?;
        let risk_due_days =
            crate::risks::rules::parse_due_days(get("MEDIATION_RISK_DUE_DAYS").unwrap_or(""))
                .map_err(|m| config_error("MEDIATION_RISK_DUE_DAYS", m))?;
        let public = public::from_vars(&vars, &bind)?;
        let sms = sms::from_vars(&vars)?;
        let session_cache = on_or_off(&vars, "MEDIATION_SESSION_CACHE", true)?;
        Ok(Self {
            session_cache,
            public,
            database_url,
            read_database_url,
            bind,
            jwt_secret,
            data_key,
            log: LogConfig { filter, format },
            body_limit_bytes,
            db_pool_size,
            db_timeout: Duration::from_secs(db_timeout_seconds),
            workers,
            auth,
            bootstrap_admin,
            referral_due_hours,
            mail,
            sms,
            documents,
            follow_up_days,
            risk_due_days,
        })
    }

    /// A configuration for tests and tools: the given database, a random port, quiet logs.
    pub fn for_database(database_url: DatabaseUrl) -> Self {
        let mut config = Self::from_vars(std::iter::empty()).expect("defaults are valid");
        config.database_url = database_url;
        config.bind = "127.0.0.1:0".into();
        config.workers = 1;
        config.db_pool_size = 4;
        config.mail.transport = crate::notify::mailer::MailTransport::Memory;
        config.sms.transport = crate::notify::sms_transport::SmsTransport::Memory;
        config.documents.storage = crate::documents::storage::StorageConfig::Directory(
            std::env::temp_dir()
                .join("mediation-tracker-storage")
                .to_string_lossy()
                .into_owned(),
        );
        config
    }
}

/// `locate_party=24,keep_order=2`: hours per referral kind.
fn parse_due_hours(raw: &str) -> Result<BTreeMap<String, i64>, String> {
    let mut hours = BTreeMap::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}` is not kind=hours"))?;
        let kind = kind.trim();
        if crate::referrals::rules::ReferralKind::parse(kind).is_none() {
            return Err(format!("`{kind}` is not a referral kind"));
        }
        let value: i64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a whole number of hours"))?;
        if !(1..=8760).contains(&value) {
            return Err(format!("{value} hours is outside 1..=8760"));
        }
        hours.insert(kind.to_owned(), value);
    }
    Ok(hours)
}

/// A switch: `on`/`true`/`1` or `off`/`false`/`0`, lower case; `default` when unset.
fn on_or_off(vars: &Vars, name: &str, default: bool) -> Result<bool, ConfigError> {
    match vars.get(name) {
        None => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(other) => Err(config_error(name, format!("`{other}` is not on or off"))),
    }
}

fn looks_like_host_port(value: &str) -> bool {
    value
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

/// The raw variables; blank values count as unset.
struct Vars(BTreeMap<String, String>);

impl Vars {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

fn parse_number<T>(
    vars: &Vars,
    name: &str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    let Some(raw) = vars.get(name) else {
        return Ok(default);
    };
    let value: T = raw
        .parse()
        .map_err(|_| config_error(name, format!("`{raw}` is not a whole number")))?;
    if !range.contains(&value) {
        return Err(config_error(
            name,
            format!("{value} is outside {}..={}", range.start(), range.end()),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
