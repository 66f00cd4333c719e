//! Extractors that make a handler's signature say who may call it.
//!
//! [`Caller`] means "signed in": a missing, malformed, forged, expired or revoked token is a
//! 401, never an anonymous caller. [`Admin`] and [`UnionStaff`] add a role requirement and
//! answer 403 to everyone else, using `auth::policy`.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

pub use super::caller::{Caller, Principal};
use super::policy::Action;
use super::session_cache::SessionCache;
use super::sessions::LiveSession;
use crate::app::AppState;
use crate::db::DbConnection;
use crate::error::AppError;

impl Caller {
    /// A session found in the cache needs no trip to the database at all; only a miss takes
    /// one (`auth::session_cache`).
    async fn authenticate(request: HttpRequest) -> Result<Self, AppError> {
        let state = app_state(&request)?;
        let pending = PendingCaller::from_token(&request, &state)?;
        let now = pending.now.naive_utc();
        if let Some(live) = state.session_cache.lookup(&pending.session_id, now) {
            return pending.accept(live);
        }
        // Checked in `confirm`, once the role is known.
        state
            .db
            .run(move |connection| pending.confirm(connection))
            .await
    }
}

fn app_state(request: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))
}

/// A caller whose access token is genuine and unexpired, but whose session has not been checked
/// yet: only [`PendingCaller::confirm`], run inside the handler's own database work, turns it
/// into a [`Caller`].
///
/// Why: [`Caller`] checks the session in a trip of its own to the blocking pool when the
/// session cache misses, and the handler then makes a second trip for its queries. The most
/// frequent requests (reading, listing and registering cases, the timeline) take a
/// `PendingCaller` instead and confirm it at the start of their single trip — the same check
/// (revoked sessions, deactivated users, changed roles take effect at once), one thread hop
/// fewer; on a cache hit `confirm` runs no query at all. A handler cannot reach the caller's
/// role or office without confirming, so it cannot forget to.
pub struct PendingCaller {
    subject: String,
    session_id: String,
    now: chrono::DateTime<chrono::Utc>,
    /// Whether a grid worker may reach the requested path (`policy::grid_worker_may_reach`).
    grid_worker_path: bool,
    cache: Arc<SessionCache>,
}

impl std::fmt::Debug for PendingCaller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingCaller")
            .field("subject", &self.subject)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

impl PendingCaller {
    fn from_token(request: &HttpRequest, state: &AppState) -> Result<Self, AppError> {
        let token = bearer_token(request)?;
        let now = state.clock.now();
        let claims = state.tokens.verify(&token, now)?;
        Ok(Self {
            subject: claims.sub,
            session_id: claims.sid,
            now,
            grid_worker_path: super::policy::grid_worker_may_reach(request.path()),
            cache: state.session_cache.clone(),
        })
    }

    /// Checks the session — in the session cache, else in the database (and caches it): live,
    /// unrevoked, its account active, and the token's subject its owner. 401 otherwise.
    pub fn confirm(self, connection: &mut DbConnection) -> Result<Caller, AppError> {
        let live = self
            .cache
            .live(connection, &self.session_id, self.now.naive_utc())?
            .ok_or_else(|| {
                AppError::Unauthenticated(crate::msg!("detail.unauthenticated.session_ended"))
            })?;
        self.accept(live)
    }

    /// The caller behind `live`, the session this token names, found live.
    fn accept(self, live: LiveSession) -> Result<Caller, AppError> {
        let caller = Caller::from_live_session(live, &self.subject, self.now)?;
        // A grid worker reports risks and reads their own; everything else does not exist for
        // them (404, not 403: they should not learn what is there).
        if caller.role == crate::users::Role::GridWorker && !self.grid_worker_path {
            return Err(AppError::NotFound);
        }
        Ok(caller)
    }
}

impl FromRequest for PendingCaller {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(app_state(request).and_then(|state| Self::from_token(request, &state)))
    }
}

fn bearer_token(request: &HttpRequest) -> Result<String, AppError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthenticated(crate::msg!("detail.unauthenticated.missing")))?
        .to_str()
        .map_err(|_| {
            AppError::Unauthenticated(crate::msg!("detail.unauthenticated.unreadable_header"))
        })?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        AppError::Unauthenticated(crate::msg!("detail.unauthenticated.not_bearer"))
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AppError::Unauthenticated(crate::msg!(
            "detail.unauthenticated.not_bearer"
        )));
    }
    Ok(token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(Self::authenticate(request.clone()))
    }
}

/// Defines an extractor for callers whose role allows `$action`.
macro_rules! role_extractor {
    ($(#[$meta:meta])* $name:ident, $action:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Caller);

        impl FromRequest for $name {
            type Error = AppError;
            type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

            fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
                let request = request.clone();
                Box::pin(async move {
                    let caller = Caller::authenticate(request).await?;
                    caller.require($action)?;
                    Ok($name(caller))
                })
            }
        }
    };
}

role_extractor!(
    /// An administrator: manages offices, users and machine credentials.
    Admin,
    Action::ManageDirectory
);
role_extractor!(
    /// Union staff (mediators and supervisors): register and work cases.
    UnionStaff,
    Action::WorkCases
);
role_extractor!(
    /// Someone who may read the reported figures: union staff and admins.
    StatisticsReader,
    Action::ViewStatistics
);
