//! HTTP plumbing shared by every endpoint: the error type, the JSON extractor, request ids,
//! metrics and the request middleware.

pub mod client;
pub mod error;
pub mod etag;
pub mod guard;
pub mod hardening;
pub mod json;
pub mod language;
pub mod limits;
pub mod metrics;
pub mod middleware;
pub mod query;
pub mod request_id;
pub mod shape;
