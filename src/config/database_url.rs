//! `DATABASE_URL`: which backend, and where; shown in logs without its password.

use std::fmt;

/// Where the data lives; the backend is chosen from the URL scheme.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An embedded SQLite file (`sqlite://path` or a bare path).
    Sqlite { path: String },
    /// A PostgreSQL server (`postgres://…` or `postgresql://…`).
    Postgres { url: String },
}

impl DatabaseUrl {
    /// Parses `DATABASE_URL`; anything that is neither PostgreSQL nor SQLite is refused.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("must not be empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres {
                url: raw.to_owned(),
            });
        }
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://mediation.db".into());
            }
            return Ok(Self::Sqlite {
                path: path.to_owned(),
            });
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!(
                "unsupported scheme `{scheme}://`; use sqlite://<path> or postgres://<user>@<host>/<db>"
            ));
        }
        Ok(Self::Sqlite {
            path: raw.to_owned(),
        })
    }

    /// `MEDIATION_DB_POOL_SIZE` when it is not set. SQLite has one writer and its readers run on
    /// the server's own cores, so connections beyond a few add memory (each keeps its own page
    /// cache and prepared statements) and no throughput; PostgreSQL's queries run in the database
    /// server (issue 19; docs/performance.md, "Memory").
    pub fn default_pool_size(&self) -> u32 {
        match self {
            Self::Sqlite { .. } => 4,
            Self::Postgres { .. } => 10,
        }
    }

    /// `"sqlite"` or `"postgres"`, for logs and `/readyz`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }
}

/// `MEDIATION_READ_DATABASE_URL` beside `DATABASE_URL`: a PostgreSQL standby that serves reads
/// allowed to lag (statistics, exports). Refused, not ignored, with SQLite and when it is not
/// PostgreSQL: an embedded file has no standby, and an operator who set it expects the primary
/// to be spared, so silently reading from the primary would hide the mistake.
pub fn read_replica(
    primary: &DatabaseUrl,
    raw: Option<&str>,
) -> Result<Option<DatabaseUrl>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if matches!(primary, DatabaseUrl::Sqlite { .. }) {
        return Err(
            "a read standby needs PostgreSQL; with SQLite (DATABASE_URL) leave it unset".into(),
        );
    }
    match DatabaseUrl::parse(raw)? {
        read @ DatabaseUrl::Postgres { .. } => Ok(Some(read)),
        DatabaseUrl::Sqlite { .. } => {
            Err("must be a postgres:// URL (a standby of DATABASE_URL)".into())
        }
    }
}

/// Passwords never reach a log line: only the scheme, host and database are shown.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "sqlite://{path}"),
            Self::Postgres { url } => {
                let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
                let host_and_db = after_scheme
                    .rsplit_once('@')
                    .map_or(after_scheme, |(_, h)| h);
                write!(f, "postgres://…@{host_and_db}")
            }
        }
    }
}
