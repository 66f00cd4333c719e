//! The binary's command line, run as a user would run it.

use std::process::Command;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mediation-tracker"));
    for (name, _) in std::env::vars() {
        if name.starts_with("MEDIATION_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command
}

#[test]
fn help_explains_each_command() {
    let output = binary().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["serve", "migrate"] {
        assert!(help.contains(command), "--help mentions {command}:\n{help}");
    }
    assert!(help.contains("DATABASE_URL"));
}

#[test]
fn migrate_creates_the_schema_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cli.db");
    for _ in 0..2 {
        let output = binary()
            .current_dir(dir.path())
            .env("DATABASE_URL", format!("sqlite://{}", path.display()))
            .arg("migrate")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(path.exists());
}

#[test]
fn a_misspelt_variable_stops_the_service_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary()
        .current_dir(dir.path())
        .env("MEDIATION_BNID", "127.0.0.1:9")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("MEDIATION_BNID"));
}

#[test]
fn an_unreachable_postgres_url_fails_at_start_with_the_driver_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary()
        .current_dir(dir.path())
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert!(stderr.contains("127.0.0.1"), "{stderr}");
}
