//! The authenticated caller: who is behind a request, with the role and office the database
//! gave them. A plain value, with no HTTP in it, so that use cases, access rules and the timeline
//! can take it from any front door; the actix extractors that build it live in `auth::extract`.

use super::policy::{self, Action};
use super::sessions::LiveSession;
use crate::domain::ids::{OfficeId, UserId};
use crate::error::AppError;
use crate::offices::OfficeKind;
use crate::users::Role;

/// Who is behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person who signed in with email and password.
    User { id: UserId },
    /// A partner office's own system, signed in with client credentials.
    Client { id: String },
}

/// The authenticated caller: identity, effective role, office, and the session in use.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub role: Role,
    pub office_id: Option<OfficeId>,
    pub office_kind: Option<OfficeKind>,
    pub session_id: String,
    /// The service clock's time when the request was authenticated: what "unexpired" means
    /// for this request (lawyers' grants).
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Caller {
    /// The user id, for handlers only people may call (`/me/password`).
    pub fn user_id(&self) -> Option<&str> {
        match &self.principal {
            Principal::User { id } => Some(id),
            Principal::Client { .. } => None,
        }
    }

    /// The id recorded as the actor of changes (user id or client id).
    pub fn actor_id(&self) -> &str {
        match &self.principal {
            Principal::User { id } => id.as_str(),
            Principal::Client { id } => id,
        }
    }

    /// The caller behind a live session whose token names `subject`: its user (or machine
    /// client) with the role and office they hold now. 401 when the token's subject is not the
    /// session's owner or the account has no role. The one place both front doors (bearer
    /// tokens, browser sessions) turn a session into a caller.
    pub fn from_live_session(
        live: LiveSession,
        subject: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, AppError> {
        let office_kind = live.office_kind;
        let (principal, role) = match (live.user_id, live.client_id) {
            (Some(id), _) if id == subject => (Principal::User { id: id.into() }, live.role),
            (None, Some(id)) if id == subject => (
                Principal::Client { id },
                office_kind.and_then(policy::partner_role_for),
            ),
            _ => {
                return Err(AppError::Unauthenticated(crate::msg!(
                    "detail.unauthenticated.token_mismatch"
                )))
            }
        };
        let role = role.ok_or_else(|| {
            AppError::Unauthenticated(crate::msg!("detail.unauthenticated.no_role"))
        })?;
        Ok(Self {
            principal,
            role,
            office_id: live.office_id.map(Into::into),
            office_kind,
            session_id: live.session_id,
            now,
        })
    }

    /// 403 unless the caller's role allows `action` (404 for a grid worker, to whom nothing but
    /// their risks exists).
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if policy::allows(self.role, action) {
            Ok(())
        } else if self.role == crate::users::Role::GridWorker {
            Err(AppError::NotFound)
        } else {
            Err(AppError::Forbidden(crate::msg!(
                "detail.forbidden.role",
                role = self.role
            )))
        }
    }
}
