//! Every error an operation can answer, documented the way it is served: status, description,
//! the `code` values it may carry, and `application/problem+json` with the `Problem` schema.
//!
//! A handler's annotation states what is particular to it (a 409 and when, a 403 and for whom).
//! This modifier adds what follows from the operation's shape, so that no annotation repeats it:
//!
//! - secured → 401 `unauthenticated`, and 403 `forbidden` unless every signed-in caller may call
//!   it ([`OPEN_TO_EVERY_CALLER`]);
//! - a path parameter, or being secured (a grid worker meets 404 elsewhere) → 404 `not_found`;
//! - a request body → 400 (`malformed_json`, `unreadable_body`), 413, 415, 422;
//! - query parameters → 400 `invalid_query` (and `invalid_cursor` where there is a cursor);
//! - an `If-Match` header → 400 `invalid_if_match` and 412 `version_conflict`;
//! - the database → 503 `database_unavailable`.
//!
//! Then every response of 400 or more, declared or added, is rewritten to the problem media
//! type, its codes listed in its description and, for machines, in `x-problem-codes`.

use std::collections::BTreeMap;

use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, Object, OpenApi, Ref, RefOr, Response, Type};
use utoipa::Modify;

use super::operations_mut;

/// The media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The extension listing, on an error response, the `code` values it may carry.
pub const CODES_EXTENSION: &str = "x-problem-codes";

/// Secured operations with no role check: every signed-in caller may call them, and what a
/// caller may not see answers 404, never 403.
pub const OPEN_TO_EVERY_CALLER: &[&str] = &[
    "me",
    "logout",
    "list_offices",
    "get_office",
    "list_cases",
    "get_case",
    "list_events",
    "verify_events",
    "list_parties",
    "list_case_referrals",
    "list_referrals",
    "get_referral",
    "list_sessions",
    "get_agreement",
    "list_payments",
    "list_follow_ups",
    "get_follow_up",
    "get_dossier",
    "list_papers",
    "get_paper",
    "list_documents",
    "download_document",
    "list_risks",
    "get_risk",
    "list_consultations",
    "get_consultation",
];

/// Operations that never touch the database, so never answer 503.
const WITHOUT_DATABASE: &[&str] = &["healthz", "metrics"];

/// The 409 codes of every operation that can answer 409 (docs/errors.md, "Codes").
const CONFLICTS: &[(&str, &[&str])] = &[
    ("update_case", &["case_closed"]),
    (
        "transition_case",
        &["invalid_transition", "agreement_unpaid"],
    ),
    ("add_party", &["case_closed"]),
    ("create_referral", &["case_closed"]),
    ("create_session", &["case_closed"]),
    (
        "create_agreement",
        &["agreement_exists", "invalid_transition"],
    ),
    ("record_payment", &["invalid_transition"]),
    ("create_follow_up", &["invalid_transition"]),
    ("get_paper", &["paper_not_available"]),
    ("accept_referral", &["invalid_transition"]),
    ("decline_referral", &["invalid_transition"]),
    ("complete_referral", &["invalid_transition"]),
    ("cancel_referral", &["invalid_transition"]),
    ("retry_notification", &["already_sent"]),
    ("update_user", &["last_admin"]),
    ("change_password", &["concurrent_change"]),
    ("answer_survey", &["already_answered"]),
    ("download_document", &["document_content_missing"]),
    ("update_risk", &["risk_concluded"]),
    ("transition_risk", &["invalid_transition"]),
    (
        "create_case_from_risk",
        &["risk_concluded", "risk_has_case"],
    ),
];

/// Operations that answer 412 without taking `If-Match`: their write is conditional on the
/// version they read, and a concurrent change wins.
const RACES: &[&str] = &[
    "create_agreement",
    "accept_referral",
    "decline_referral",
    "complete_referral",
    "cancel_referral",
];

/// Codes beyond those that follow from an operation's shape.
const EXTRA_CODES: &[(&str, u16, &[&str])] = &[
    ("client_token", 400, &["unsupported_grant_type"]),
    ("upload_document", 400, &["malformed_multipart"]),
    ("upload_document", 503, &["service_unavailable"]),
    ("download_document", 503, &["service_unavailable"]),
    ("login", 429, &["account_locked"]),
    ("change_password", 429, &["account_locked"]),
    ("request_verification", 429, &["too_many_requests"]),
    ("apply", 429, &["too_many_requests"]),
    ("track", 429, &["too_many_requests"]),
    ("answer_survey", 429, &["too_many_requests"]),
];

/// Adds the error responses that follow from each operation's shape and serves them all as
/// problem documents.
pub struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (_, operation) in operations_mut(item) {
                let codes = codes_of(path, operation);
                for (status, codes) in codes {
                    let response = operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(Response::new(default_description(status))));
                    if let RefOr::T(response) = response {
                        as_problem(response, status, &codes);
                    }
                }
            }
        }
    }
}

/// Error statuses and the codes each may carry.
type Codes = BTreeMap<u16, Vec<&'static str>>;

/// Every error status the operation answers, with its codes: the declared ones and the ones
/// its shape implies.
fn codes_of(path: &str, operation: &Operation) -> Codes {
    let id = operation.operation_id.as_deref().unwrap_or("");
    let parameters = operation.parameters.as_deref().unwrap_or(&[]);
    let parameter = |wanted: &dyn Fn(&str, &ParameterIn) -> bool| {
        parameters.iter().any(|p| match p {
            RefOr::T(p) => wanted(&p.name, &p.parameter_in),
            RefOr::Ref(_) => false,
        })
    };
    let has_query = parameter(&|_, place| matches!(place, ParameterIn::Query));
    let has_cursor =
        parameter(&|name, place| matches!(place, ParameterIn::Query) && name == "cursor");
    let has_if_match = parameter(&|name, place| {
        matches!(place, ParameterIn::Header) && name.eq_ignore_ascii_case("if-match")
    });
    let json_body = matches!(&operation.request_body, Some(RefOr::T(body))
        if body.content.contains_key("application/json"));
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());

    let mut codes: Codes = BTreeMap::new();
    let add = |codes: &mut Codes, status: u16, new: &[&'static str]| {
        let list = codes.entry(status).or_default();
        for code in new {
            if !list.contains(code) {
                list.push(code);
            }
        }
    };
    if json_body {
        add(&mut codes, 400, &["malformed_json", "unreadable_body"]);
    }
    if has_query {
        add(&mut codes, 400, &["invalid_query"]);
    }
    if has_cursor {
        add(&mut codes, 400, &["invalid_cursor"]);
    }
    if has_if_match {
        add(&mut codes, 400, &["invalid_if_match"]);
        add(&mut codes, 412, &["version_conflict"]);
    }
    if secured {
        add(&mut codes, 401, &["unauthenticated"]);
        if !OPEN_TO_EVERY_CALLER.contains(&id) {
            add(&mut codes, 403, &["forbidden"]);
        }
    }
    // A grid worker meets 404 on everything but their risks and their account
    // (docs/prevention.md), so every secured operation may answer it.
    if path.contains('{') || secured {
        add(&mut codes, 404, &["not_found"]);
    }
    if let Some((_, conflicts)) = CONFLICTS.iter().find(|(op, _)| *op == id) {
        add(&mut codes, 409, conflicts);
    }
    if RACES.contains(&id) {
        add(&mut codes, 412, &["version_conflict"]);
    }
    if operation.request_body.is_some() {
        add(&mut codes, 413, &["payload_too_large"]);
        add(&mut codes, 415, &["unsupported_media_type"]);
        add(&mut codes, 422, &["validation_failed"]);
    }
    if !WITHOUT_DATABASE.contains(&id) {
        add(&mut codes, 503, &["database_unavailable"]);
    }
    for (_, status, extra) in EXTRA_CODES.iter().filter(|(op, _, _)| *op == id) {
        add(&mut codes, *status, extra);
    }
    // Statuses an annotation declares that nothing above implies keep the status's own code.
    for status in operation.responses.responses.keys() {
        if let Ok(status) = status.parse::<u16>() {
            if status >= 400 && !codes.contains_key(&status) {
                add(&mut codes, status, &[generic_code(status)]);
            }
        }
    }
    codes
}

/// The code a status carries when nothing more particular is known.
fn generic_code(status: u16) -> &'static str {
    match status {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        412 => "version_conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        503 => "database_unavailable",
        _ => "bad_request",
    }
}

fn default_description(status: u16) -> &'static str {
    match status {
        400 => "The request cannot be read",
        401 => "Not signed in, or the token is invalid, expired or revoked",
        403 => "Signed in, but your role may not do this",
        404 => "No such resource, or not visible to you",
        409 => "Conflicts with the resource's current state; nothing changed",
        412 => "The resource changed since you read it; read it again",
        413 => "The body is larger than the limit",
        415 => "The body's content type is not one this operation reads",
        422 => "Invalid fields; `errors` lists each",
        503 => "The database is unavailable right now; retry after `Retry-After` seconds",
        _ => "An error",
    }
}

/// Serves `response` as a problem document carrying `codes`.
fn as_problem(response: &mut Response, status: u16, codes: &[&str]) {
    response.content.clear();
    response.content.insert(
        PROBLEM_JSON.to_owned(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
    );
    let listed = codes
        .iter()
        .map(|code| format!("`{code}`"))
        .collect::<Vec<_>>()
        .join(", ");
    response.description = format!("{} (code: {listed})", response.description);
    let extensions = ExtensionsBuilder::new()
        .add(CODES_EXTENSION, serde_json::json!(codes))
        .build();
    match &mut response.extensions {
        Some(existing) => existing.merge(extensions),
        None => response.extensions = Some(extensions),
    }
    let header = match status {
        401 => Some(("WWW-Authenticate", "`Bearer`", Type::String)),
        429 | 503 => Some((
            "Retry-After",
            "Seconds to wait before retrying",
            Type::Integer,
        )),
        _ => None,
    };
    if let Some((name, description, kind)) = header {
        let mut header = Header::new(Object::with_type(kind));
        header.description = Some(description.to_owned());
        response.headers.insert(name.to_owned(), RefOr::T(header));
    }
}
