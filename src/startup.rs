//! Building and running the application: what `serve` does, and what every API test boots.

use std::net::TcpListener;
use std::sync::Arc;

use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::from_fn;
use actix_web::{web, App};

use crate::auth::tokens::TokenSigner;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{migrations, Db};
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::http::guard::ScreenedStream;
use crate::http::json::BodyLimit;
use crate::http::metrics::Metrics;
use crate::http::middleware::observe_request;
use crate::notify::{self, mailer::Mailer};
use crate::{auth, routes, secrets};

pub use crate::app::AppState;

/// A built, bound, not-yet-running server. Tests read [`Application::port`] to reach it.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Connects to the database, applies pending migrations, binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Clock::system()).await
    }

    /// As [`Application::build`], with a clock the caller controls (tests move it forward).
    pub async fn build_with_clock(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let config = Arc::new(config);
        let db = connect_and_migrate(&config).await?;
        let (jwt_secret, data_key) = {
            let (db, config, now) = (db.clone(), config.clone(), clock.now().naive_utc());
            web::block(move || prepare_first_start(&db, &config, now)).await??
        };
        let tokens = TokenSigner::new(&jwt_secret, config.auth.access_token_ttl);
        let personal_data = PersonalData::from_base64_key(&data_key)?;
        let browser_sessions = crate::auth::browser_session::BrowserSessions::new(&jwt_secret);
        let read_db = connect_read_standby(&config, &db).await?;
        let session_cache = crate::auth::session_cache::SessionCache::new(config.session_cache);
        crate::auth::session_cache::listen::start(
            &session_cache,
            &config.database_url,
            clock.clone(),
        )?;
        let state = web::Data::new(AppState {
            db,
            read_db,
            config: config.clone(),
            clock,
            jwt_secret,
            tokens,
            session_cache,
            browser_sessions,
            personal_data,
            mailer: Mailer::new(&config.mail.transport)?,
            sms: crate::notify::sms_transport::SmsSender::new(&config.sms.transport)?,
            storage: crate::documents::storage::open(&config.documents.storage)?,
        });
        if config.mail.worker_enabled {
            actix_web::rt::spawn(state.outbox_worker().run());
            actix_web::rt::spawn(notify::reminders::run(
                state.db.clone(),
                state.clock.clone(),
                state.personal_data.clone(),
                config.mail.reminder_interval,
                config.follow_up_days,
            ));
        }
        // On every server, whatever MEDIATION_OUTBOX_WORKER says: it needs only the store and the
        // database, and two servers sweeping at once delete nothing twice.
        actix_web::rt::spawn(crate::documents::sweep::run(state.sweeper()));
        let metrics = web::Data::new(Metrics::new());
        let body_limit = web::Data::new(BodyLimit::new(config.body_limit_bytes));

        let listener = TcpListener::bind(&config.bind).map_err(|e| {
            anyhow::anyhow!("cannot listen on {} (MEDIATION_BIND): {e}", config.bind)
        })?;
        let port = listener.local_addr()?.port();
        let app_state = state.clone();
        let make_app = move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(metrics.clone())
                .app_data(body_limit.clone())
                .app_data(web::PayloadConfig::new(body_limit.0))
                // Only a handler still on actix's `web::Query` lands here; the lists use
                // `http::query::Query`, which names each parameter that does not fit.
                .app_data(web::QueryConfig::default().error_handler(|error, _| {
                    tracing::debug!(%error, "the query string does not fit");
                    AppError::BadRequest {
                        code: "invalid_query",
                        detail: crate::msg!("detail.invalid_query.unreadable"),
                    }
                    .into()
                }))
                .app_data(
                    web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()),
                )
                .wrap(from_fn(crate::http::hardening::harden))
                .wrap(from_fn(observe_request))
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
        };
        let local = listener.local_addr()?;
        // What actix-web's HttpServer::listen assembles, with each connection's stream wrapped
        // so that its first request head is screened before the parser sees it.
        let mut builder = actix_server::Server::build()
            .worker_max_blocking_threads(blocking_threads_per_worker(
                config.db_pool_size,
                config.workers,
            ))
            .listen("mediation-tracker", listener, move || {
                let application = make_app()
                    .into_factory()
                    .map_err(|error: actix_web::Error| error.error_response());
                // AppConfig's host is used only for requests without a Host header and for
                // url_for, which the service does not use; its constructor is not public.
                let http = actix_http::HttpService::build()
                    .local_addr(local)
                    // HttpServer's default, which HttpService's builder does not share.
                    .client_disconnect_timeout(std::time::Duration::from_secs(1))
                    .h1(map_config(application, |_| AppConfig::default()));
                fn_service(|stream: actix_web::rt::net::TcpStream| {
                    let peer = stream.peer_addr().ok();
                    std::future::ready(Ok::<_, actix_http::error::DispatchError>((
                        ScreenedStream::new(stream),
                        peer,
                    )))
                })
                .and_then(http)
            })?;
        if config.workers > 0 {
            builder = builder.workers(config.workers);
        }
        let server = builder.run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The port actually bound (useful with `MEDIATION_BIND=127.0.0.1:0`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state, for tests that need the clock or the database directly.
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until the process is asked to stop (SIGINT/SIGTERM), then drains gracefully.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Opens the pool and applies pending migrations; shared by `serve` and `migrate`.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<Db> {
    let (url, size, timeout) = (
        config.database_url.clone(),
        config.db_pool_size,
        config.db_timeout,
    );
    web::block(move || -> anyhow::Result<Db> {
        let db = Db::connect(&url, size, timeout)?;
        let mut connection = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        let applied = migrations::run_pending(&mut connection)?;
        for name in &applied {
            tracing::info!(migration = %name, "migration applied");
        }
        // Cases registered before employers were keyed (issue 17 B): NFKC is Rust's, not SQL's.
        let keyed = crate::employers::backfill_keys(&mut connection)?;
        if keyed > 0 {
            tracing::info!(cases = keyed, "employers keyed");
        }
        // Cases without search keys (issue 19): older than the index, or copied in by SQL.
        let indexed = crate::cases::search_index::index_missing(&mut connection)?;
        if indexed > 0 {
            tracing::info!(cases = indexed, "search keys written");
        }
        tracing::info!(database = ?url, applied = applied.len(), "database ready");
        Ok(db)
    })
    .await?
}

/// The pool for reads that may lag ([`AppState::read_db`]): the standby of
/// `MEDIATION_READ_DATABASE_URL`, or the primary's own pool when it is unset. No migrations run
/// there: a standby replays the primary's.
async fn connect_read_standby(config: &Config, primary: &Db) -> anyhow::Result<Db> {
    let Some(url) = config.read_database_url.clone() else {
        return Ok(primary.clone());
    };
    let (size, timeout) = (config.db_pool_size, config.db_timeout);
    let db = web::block(move || Db::connect(&url, size, timeout)).await??;
    tracing::info!(database = ?config.read_database_url, "statistics and exports read from this standby");
    Ok(db)
}

/// Resolves the token-signing secret and creates the first admin if there are no users.
fn prepare_first_start(
    db: &Db,
    config: &Config,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<(String, String)> {
    let mut connection = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    // Built now, not on the first unknown-email sign-in, so that one is not slower either.
    auth::password::dummy_hash();
    let secret = secrets::resolve(
        &mut connection,
        secrets::JWT_SECRET,
        config.jwt_secret.as_deref(),
        "MEDIATION_JWT_SECRET",
    )?;
    let data_key = secrets::resolve(
        &mut connection,
        secrets::DATA_KEY,
        config.data_key.as_deref(),
        "MEDIATION_DATA_KEY",
    )?;
    let generated =
        auth::bootstrap::ensure_admin(&mut connection, config.bootstrap_admin.as_ref(), now)
            .map_err(|e| anyhow::anyhow!("creating the first admin failed: {e}"))?;
    if let Some((email, password)) = generated {
        println!(
            "\nCreated the first admin.\n  email:    {email}\n  password: {password}\n\
             This password is shown only once: sign in and change it (PUT /api/v1/me/password).\n"
        );
    }
    Ok((secret, data_key))
}

/// Each worker's blocking pool (where database work runs) gets its share of the connection
/// pool, plus one thread for file storage, instead of actix's default of 512 threads in all:
/// a thread without a connection would only wait for one, and the extra threads cost context
/// switches and memory (each keeps its own malloc arena) under load.
fn blocking_threads_per_worker(db_pool_size: u32, workers: usize) -> usize {
    let workers = if workers > 0 {
        workers
    } else {
        std::thread::available_parallelism().map_or(1, usize::from)
    };
    (db_pool_size as usize).div_ceil(workers) + 1
}

#[cfg(test)]
mod tests {
    use super::blocking_threads_per_worker;

    #[test]
    fn the_connection_pool_is_shared_out_among_the_workers_blocking_pools() {
        assert_eq!(blocking_threads_per_worker(16, 2), 9);
        assert_eq!(blocking_threads_per_worker(10, 4), 4);
        assert_eq!(blocking_threads_per_worker(1, 8), 2);
    }
}
