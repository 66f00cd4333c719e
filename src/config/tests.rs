//! Unit tests of the configuration rules.
use super::*;

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_to_embedded_sqlite_on_localhost() {
    let config = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(
        config.database_url,
        DatabaseUrl::Sqlite {
            path: "mediation.db".into()
        }
    );
    assert_eq!(config.bind, "127.0.0.1:8080");
    assert_eq!(config.jwt_secret, None);
    assert_eq!(config.log.format, LogFormat::Text);
    assert!(config.session_cache);
    let off = Config::from_vars(vars(&[("MEDIATION_SESSION_CACHE", "off")])).unwrap();
    assert!(!off.session_cache);
}

#[test]
fn sqlite_pools_four_connections_and_postgres_ten_unless_told() {
    let sqlite = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(sqlite.db_pool_size, 4);
    let postgres = Config::from_vars(vars(&[("DATABASE_URL", "postgres://db/mediation")])).unwrap();
    assert_eq!(postgres.db_pool_size, 10);
    let told = Config::from_vars(vars(&[("MEDIATION_DB_POOL_SIZE", "16")])).unwrap();
    assert_eq!(told.db_pool_size, 16);
}

#[test]
fn database_url_scheme_picks_the_backend() {
    assert_eq!(
        DatabaseUrl::parse("postgres://root@127.0.0.1/test")
            .unwrap()
            .backend_name(),
        "postgres"
    );
    assert_eq!(
        DatabaseUrl::parse("postgresql://h/db")
            .unwrap()
            .backend_name(),
        "postgres"
    );
    assert_eq!(
        DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
        DatabaseUrl::Sqlite {
            path: "/tmp/x.db".into()
        }
    );
    assert_eq!(
        DatabaseUrl::parse("data/m.db").unwrap(),
        DatabaseUrl::Sqlite {
            path: "data/m.db".into()
        }
    );
    assert!(DatabaseUrl::parse("mysql://x/y")
        .unwrap_err()
        .contains("mysql://"));
}

#[test]
fn unknown_mediation_variable_is_named_in_the_error() {
    let error = Config::from_vars(vars(&[("MEDIATION_BNID", "x")])).unwrap_err();
    assert_eq!(error.variable, "MEDIATION_BNID");
}

#[test]
fn malformed_values_name_their_variable() {
    for (name, value) in [
        ("MEDIATION_BIND", "nowhere"),
        ("MEDIATION_JWT_SECRET", "short"),
        ("MEDIATION_LOG", "info,[[["),
        ("MEDIATION_LOG_FORMAT", "xml"),
        ("MEDIATION_BODY_LIMIT_BYTES", "lots"),
        ("MEDIATION_DB_POOL_SIZE", "0"),
        ("DATABASE_URL", "mysql://x/y"),
        ("MEDIATION_REFERRAL_DUE_HOURS", "teleport=3"),
        ("MEDIATION_REFERRAL_DUE_HOURS", "locate_party=0"),
        ("MEDIATION_SMTP_URL", "http://mail"),
        ("MEDIATION_MAIL_FROM", "not a mailbox"),
        ("MEDIATION_OUTBOX_WORKER", "sometimes"),
        ("MEDIATION_SESSION_CACHE", "maybe"),
    ] {
        let error = Config::from_vars(vars(&[(name, value)])).unwrap_err();
        assert_eq!(error.variable, name, "{value} should be refused");
    }
}

#[test]
fn referral_due_hours_can_be_overridden_per_kind() {
    let config = Config::from_vars(vars(&[(
        "MEDIATION_REFERRAL_DUE_HOURS",
        "locate_party=24, keep_order=2",
    )]))
    .unwrap();
    assert_eq!(config.referral_due_hours.get("locate_party"), Some(&24));
    assert_eq!(config.referral_due_hours.get("keep_order"), Some(&2));
}

#[test]
fn database_url_debug_hides_the_password() {
    let url = DatabaseUrl::parse("postgres://app:s3cret@db.local:5432/prod").unwrap();
    let shown = format!("{url:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("db.local:5432/prod"));
}

#[test]
fn the_outbox_lease_defaults_to_five_minutes_and_must_outlive_one_send() {
    let defaults = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(defaults.mail.lease, Duration::from_secs(300));
    assert!(defaults.mail.lease > 2 * crate::notify::mailer::SEND_DEADLINE);
    let set = Config::from_vars(vars(&[("MEDIATION_OUTBOX_LEASE_SECONDS", "900")])).unwrap();
    assert_eq!(set.mail.lease, Duration::from_secs(900));
    for short in ["60", "119", "0", "soon"] {
        let error =
            Config::from_vars(vars(&[("MEDIATION_OUTBOX_LEASE_SECONDS", short)])).unwrap_err();
        assert_eq!(error.variable, "MEDIATION_OUTBOX_LEASE_SECONDS", "{short}");
    }
}

#[test]
fn a_follow_up_falls_due_seven_days_after_a_case_concludes_unless_configured() {
    assert_eq!(Config::from_vars(vars(&[])).unwrap().follow_up_days, 7);
    let set = Config::from_vars(vars(&[("MEDIATION_FOLLOW_UP_DAYS", "14")])).unwrap();
    assert_eq!(set.follow_up_days, 14);
    for wrong in ["0", "366", "a week"] {
        let error = Config::from_vars(vars(&[("MEDIATION_FOLLOW_UP_DAYS", wrong)])).unwrap_err();
        assert_eq!(error.variable, "MEDIATION_FOLLOW_UP_DAYS", "{wrong}");
    }
}

#[test]
fn orphaned_documents_are_swept_hourly_once_an_hour_old() {
    let defaults = Config::from_vars(vars(&[])).unwrap();
    assert_eq!(defaults.documents.sweep_interval, Duration::from_secs(3600));
    assert_eq!(defaults.documents.orphan_age, Duration::from_secs(3600));
    let set = Config::from_vars(vars(&[("MEDIATION_STORAGE_SWEEP_SECONDS", "600")])).unwrap();
    assert_eq!(set.documents.sweep_interval, Duration::from_secs(600));
    let error = Config::from_vars(vars(&[("MEDIATION_STORAGE_SWEEP_SECONDS", "5")])).unwrap_err();
    assert_eq!(error.variable, "MEDIATION_STORAGE_SWEEP_SECONDS");
}

#[test]
fn a_multi_host_postgres_url_is_taken_as_libpq_reads_it() {
    let raw = "postgres://root@127.0.0.1:16501,127.0.0.1:16502/mediation\
               ?target_session_attrs=read-write&connect_timeout=2";
    let config = Config::from_vars(vars(&[("DATABASE_URL", raw)])).unwrap();
    assert_eq!(
        config.database_url,
        DatabaseUrl::Postgres { url: raw.into() }
    );
    assert_eq!(
        format!("{:?}", config.database_url),
        "postgres://…@127.0.0.1:16501,127.0.0.1:16502/mediation\
         ?target_session_attrs=read-write&connect_timeout=2"
    );
}

#[test]
fn a_read_standby_is_taken_with_postgres_and_refused_with_sqlite() {
    let read = "postgres://root@standby/mediation";
    let config = Config::from_vars(vars(&[
        ("DATABASE_URL", "postgres://root@primary/mediation"),
        ("MEDIATION_READ_DATABASE_URL", read),
    ]))
    .unwrap();
    assert_eq!(
        config.read_database_url,
        Some(DatabaseUrl::Postgres { url: read.into() })
    );
    assert_eq!(
        Config::from_vars(vars(&[])).unwrap().read_database_url,
        None
    );
    let error = Config::from_vars(vars(&[("MEDIATION_READ_DATABASE_URL", read)])).unwrap_err();
    assert_eq!(error.variable, "MEDIATION_READ_DATABASE_URL");
    assert!(error.message.contains("SQLite"), "{}", error.message);
    let error = Config::from_vars(vars(&[
        ("DATABASE_URL", "postgres://root@primary/mediation"),
        ("MEDIATION_READ_DATABASE_URL", "sqlite://copy.db"),
    ]))
    .unwrap_err();
    assert!(error.message.contains("postgres://"), "{}", error.message);
}
