//! The answer check: every answer any API test receives (`TestApp::send`) must be one the OpenAPI
//! document describes — its status documented for its operation, an error a problem document
//! whose `code` the document lists for that status, a success in a documented content type
//! (docs/contract.md). The tests of the document itself are in `contract.rs`.

use std::sync::OnceLock;

use mediation_tracker::openapi::problems::{CODES_EXTENSION, PROBLEM_JSON};
use serde_json::Value;
use utoipa::OpenApi;

/// The document as the service generates it (a test below checks that it is the one served).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_json::to_value(mediation_tracker::openapi::ApiDoc::openapi()).expect("serializable")
    })
}

/// Statuses answered before a request is routed, for any operation (docs/contract.md).
const BEFORE_ROUTING: [u16; 2] = [414, 431];

/// The operation template `path` falls under, preferring the most literal one.
fn template_of<'a>(paths: &'a serde_json::Map<String, Value>, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.split('/').collect();
    paths
        .keys()
        .filter(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(part, segment)| {
                    part == segment || (part.starts_with('{') && !segment.is_empty())
                })
        })
        .max_by_key(|template| template.split('/').filter(|p| !p.starts_with('{')).count())
        .map(String::as_str)
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether the document describes this answer; `Err` says how it does not.
pub fn check_answer(
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), String> {
    let paths = document()["paths"].as_object().expect("paths");
    let Some(template) = template_of(paths, path) else {
        return Ok(()); // no operation: the 404 fallback
    };
    let Some(operation) = paths[template].get(method.to_ascii_lowercase()) else {
        return Ok(()); // not an operation of this path: 405
    };
    if BEFORE_ROUTING.contains(&status) {
        return Ok(());
    }
    // A query string with a control character is refused before routing, also where no query
    // is read (docs/contract.md).
    let reads_query = operation["parameters"]
        .as_array()
        .is_some_and(|parameters| parameters.iter().any(|p| p["in"] == "query"));
    if status == 400 && !reads_query {
        let problem: Value = serde_json::from_slice(body).unwrap_or_default();
        if problem["code"] == "invalid_query" {
            return Ok(());
        }
    }
    let Some(response) = operation["responses"].get(status.to_string()) else {
        return Err(format!(
            "{status} is not documented for {method} {template}"
        ));
    };
    let content = response["content"].as_object();
    if body.is_empty() && content_type.is_none() {
        return match content {
            None => Ok(()),
            Some(_) => Err(format!(
                "{status} of {method} {template} came without a body"
            )),
        };
    }
    let media = essence(content_type.unwrap_or(""));
    if !content.is_some_and(|content| content.contains_key(&media)) {
        return Err(format!(
            "{status} of {method} {template} came as `{media}`, documented: {:?}",
            content.map(|c| c.keys().collect::<Vec<_>>())
        ));
    }
    if status >= 400 {
        if media != PROBLEM_JSON {
            return Err(format!(
                "{status} of {method} {template} is not a problem document"
            ));
        }
        let problem: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let codes = &response[CODES_EXTENSION];
        if !codes
            .as_array()
            .is_some_and(|codes| codes.contains(&problem["code"]))
        {
            return Err(format!(
                "{status} of {method} {template} carried code {}, documented: {codes}",
                problem["code"]
            ));
        }
    }
    Ok(())
}
