//! Identity and access: who is calling, and what they may do.
//!
//! `policy` holds the rules as pure functions; `extract` turns a bearer token into a
//! [`extract::Caller`] (or a role-specific extractor); `tokens`, `sessions`, `throttle`,
//! `password` and `clients` implement sign-in; `handlers` serves `/auth/*` and `/me`.

pub mod bootstrap;
pub mod caller;
pub mod client_handlers;
pub mod clients;
pub mod extract;
pub mod handlers;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod throttle;
pub mod tokens;
