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

fn run_in(dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = binary()
        .current_dir(dir)
        .env("DATABASE_URL", "sqlite://cli.db")
        .env("MEDIATION_ADMIN_EMAIL", "root@cli.test")
        .env("MEDIATION_ADMIN_PASSWORD", "cli-bootstrap-passphrase")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[actix_web::test]
async fn demo_prints_working_sign_ins_and_create_user_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let demo = run_in(dir.path(), &["demo"], "");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let printed = String::from_utf8_lossy(&demo.stdout).into_owned();
    let mediator_line = printed
        .lines()
        .find(|l| l.starts_with("mediator@demo.local"))
        .expect(&printed);
    let mediator_password = mediator_line.split_whitespace().nth(1).unwrap().to_owned();
    for role in [
        "union_mediator",
        "union_supervisor",
        "police_officer",
        "judicial_officer",
        "hr_officer",
        "lawyer",
        "admin",
    ] {
        assert!(printed.contains(role), "the demo has a {role}:\n{printed}");
    }
    let again = run_in(dir.path(), &["demo"], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already loaded"));

    let args = [
        "create-user",
        "--email",
        "Li.Ming@HS.cn",
        "--role",
        "union_mediator",
        "--office-code",
        "sp",
        "--name",
        "李明",
    ];
    let created = run_in(dir.path(), &args, "a-long-passphrase-from-stdin\n");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let duplicate = run_in(dir.path(), &args, "a-long-passphrase-from-stdin\n");
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("email is already used"));
    let weak = run_in(
        dir.path(),
        &[
            "create-user",
            "--email",
            "w@hs.cn",
            "--role",
            "lawyer",
            "--office-code",
            "SP",
        ],
        "short\n",
    );
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password must be at least 12"));
    let misfit = run_in(
        dir.path(),
        &[
            "create-user",
            "--email",
            "p@hs.cn",
            "--role",
            "police_officer",
            "--office-code",
            "SP",
        ],
        "a-long-passphrase-x\n",
    );
    assert!(String::from_utf8_lossy(&misfit.stderr).contains("cannot belong to a union office"));

    // The printed credentials and the CLI-created user sign in to the service on that database.
    let path = dir.path().join("cli.db").to_string_lossy().into_owned();
    let mut config = mediation_tracker::config::Config::for_database(
        mediation_tracker::config::DatabaseUrl::Sqlite { path },
    );
    config.jwt_secret = Some("cli-test-secret-cli-test-secret-cli-test".into());
    let app = mediation_tracker::startup::Application::build(config)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::default();
    for (email, password) in [
        ("mediator@demo.local", mediator_password.as_str()),
        ("li.ming@hs.cn", "a-long-passphrase-from-stdin"),
    ] {
        let response = client
            .post(format!("{address}/api/v1/auth/login"))
            .send_json(&serde_json::json!({"email": email, "password": password}))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{email} signs in");
    }
    let mut login = client
        .post(format!("{address}/api/v1/auth/login"))
        .send_json(
            &serde_json::json!({"email": "mediator@demo.local", "password": mediator_password}),
        )
        .await
        .unwrap();
    let token = login.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut cases = client
        .get(format!("{address}/api/v1/cases"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let cases = cases.json::<serde_json::Value>().await.unwrap();
    let mut statuses: Vec<&str> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            "accepted",
            "escalated",
            "in_mediation",
            "intake",
            "rejected",
            "withdrawn"
        ]
    );
    let furniture = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claimed_amount_fen"] == 300000)
        .unwrap();
    assert_eq!(furniture["employer"]["name"], "鹤山市沙坪某家具厂");
}
