//! The command line: `serve` (the default), `migrate`, and the admin commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::startup::{connect_and_migrate, Application};
use crate::telemetry;

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
