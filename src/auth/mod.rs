//! Identity and access: who is calling, and what they may do.
//!
//! `policy` holds the rules as pure functions; `extract` turns a bearer token into a
//! [`extract::Caller`] (or a role-specific extractor); `tokens`, `sessions`, `throttle`,
//! `password` and `clients` implement sign-in; `session_cache` keeps live sessions in memory
//! and hears other nodes revoke them; `use_cases` signs in and out and changes the caller's
//! password, `clients_use_cases` manages machine clients — for any front door;
//! `handlers` and `client_handlers` serve them over HTTP (`/auth/*`, `/me`, `/offices/{id}/clients`).

pub mod bootstrap;
pub mod browser_session;
pub mod caller;
pub mod client_handlers;
pub mod clients;
pub mod clients_use_cases;
pub mod extract;
pub mod handlers;
pub mod password;
pub mod policy;
pub mod session_cache;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod use_cases;

pub use clients_use_cases::{create_client, list_clients, revoke_client};
pub use use_cases::{
    change_password, password_owner, refresh_session, sign_in, sign_in_client, sign_out, who_am_i,
    SessionTokens,
};
