//! HTTP plumbing shared by every endpoint: the error type, the JSON extractor, request ids,
//! metrics and the request middleware.

pub mod error;
pub mod etag;
pub mod guard;
pub mod hardening;
pub mod json;
pub mod limits;
pub mod metrics;
pub mod middleware;
pub mod request_id;
