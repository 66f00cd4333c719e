//! The command line: `serve` (the default), `migrate`, and the admin commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use actix_web::web;

use crate::config::Config;
use crate::demo::{self, DemoLogin};
use crate::error::AppError;
use crate::offices;
use crate::startup::{connect_and_migrate, Application};
use crate::telemetry;
use crate::users::registration::{register, Registration};
use crate::users::{Role, User};

/// Labour-dispute mediation tracker: one union, three offices.
///
/// Configuration comes from environment variables (and an optional .env file); see
/// docs/configuration.md. The database is chosen by DATABASE_URL (default sqlite://mediation.db).
#[derive(Parser, Debug)]
#[command(name = "mediation-tracker", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the REST API on MEDIATION_BIND (default 127.0.0.1:8080), migrating the database first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a user; the password is read from the first line of standard input.
    ///
    /// Example: echo 'a-long-password' | mediation-tracker create-user --email li@hs.cn
    ///          --name 李调解 --role union_mediator --office-code SP
    CreateUser {
        /// Sign-in email (unique, case-insensitive).
        #[arg(long)]
        email: String,
        /// admin, union_mediator, union_supervisor, police_officer, judicial_officer, hr_officer or lawyer.
        #[arg(long)]
        role: String,
        /// The code of the user's office (e.g. HS); optional only for admins.
        #[arg(long)]
        office_code: Option<String>,
        /// Display name; defaults to the email.
        #[arg(long)]
        name: Option<String>,
    },
    /// Load a demo data set (the offices of the Heshan story, one user per role and six cases
    /// in different states) and print the
    /// demo users' passwords.
    Demo,
}

/// Parses the command line, runs the command and turns failures into a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("mediation-tracker: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log);
    let outcome = actix_web::rt::System::new().block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => connect_and_migrate(&config).await.map(|_| ()),
            Command::CreateUser {
                email,
                role,
                office_code,
                name,
            } => create_user(config, email, role, office_code, name).await,
            Command::Demo => demo(config).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "stopped");
            eprintln!("mediation-tracker: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.bind.clone();
    let application = Application::build(config).await?;
    let host = bind
        .rsplit_once(':')
        .map_or(bind.as_str(), |(host, _)| host);
    tracing::info!(
        address = %format!("http://{host}:{}", application.port()),
        "serving; API docs at /docs/, OpenAPI at /api/v1/openapi.json"
    );
    application.run_until_stopped().await?;
    Ok(())
}

async fn create_user(
    config: Config,
    email: String,
    role: String,
    office_code: Option<String>,
    name: Option<String>,
) -> anyhow::Result<()> {
    let role = Role::parse(&role)
        .ok_or_else(|| anyhow::anyhow!("--role must be one of: {}", Role::allowed()))?;
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let db = connect_and_migrate(&config).await?;
    let now = crate::clock::Clock::system().now().naive_utc();
    let user = web::block(move || -> anyhow::Result<User> {
        let mut connection = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        let office_id = match office_code {
            Some(code) => Some(
                offices::find_by_code(&mut connection, &code.to_ascii_uppercase())
                    .map_err(|_| anyhow::anyhow!("no office has the code {code}"))?
                    .id,
            ),
            None => None,
        };
        let registration = Registration {
            name: name.unwrap_or_else(|| email.clone()),
            email,
            role,
            office_id: office_id.map(Into::into),
            password,
        };
        register(&mut connection, registration, now).map_err(describe)
    })
    .await??;
    println!("created {} ({}) with id {}", user.email, user.role, user.id);
    Ok(())
}

async fn demo(config: Config) -> anyhow::Result<()> {
    let db = connect_and_migrate(&config).await?;
    let data_key = config.data_key.clone();
    let now = crate::clock::Clock::system().now().naive_utc();
    let logins = web::block(move || -> anyhow::Result<Vec<DemoLogin>> {
        let mut connection = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        demo::load(&mut connection, now, data_key.as_deref()).map_err(describe)
    })
    .await??;
    println!("Demo data loaded. Sign in with POST /api/v1/auth/login:\n");
    println!("{:<24} {:<22} {:<18} office", "email", "password", "role");
    for login in logins {
        println!(
            "{:<24} {:<22} {:<18} {}",
            login.email,
            login.password,
            login.role.as_str(),
            login.office
        );
    }
    Ok(())
}

/// Turns an API error into a message for the terminal (422s list their fields).
fn describe(error: AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}
