//! Bodies as the service reads and writes them, where utoipa's reading of the annotations is
//! not exact:
//!
//! - a stored document is served with the content type detected when it was uploaded, one of
//!   `documents::kinds::ALLOWED`, so the download lists exactly those, each as binary;
//! - an optional request body (`request_body = Option<T>`) is a body that may be left out, not a
//!   JSON `null` (which the service refuses): `required: false` and the schema of `T`.

use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, SchemaType};
use utoipa::openapi::{Content, Object, OpenApi, RefOr, Required, Type};
use utoipa::Modify;

use super::operations_mut;
use crate::documents::kinds;

/// The operation that serves a document's bytes.
const DOWNLOAD: &str = "download_document";

/// A string of bytes: `{"type": "string", "format": "binary"}`.
pub fn binary() -> Object {
    let mut schema = Object::with_type(Type::String);
    schema.format = Some(SchemaFormat::KnownFormat(KnownFormat::Binary));
    schema
}

/// Lists every content type a download may have, each as binary.
pub struct DocumentContent;

impl Modify for DocumentContent {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                if operation.operation_id.as_deref() != Some(DOWNLOAD) {
                    continue;
                }
                if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
                    ok.content.clear();
                    for media in kinds::ALLOWED {
                        let essence = media.split(';').next().unwrap_or(media).trim();
                        ok.content
                            .insert(essence.to_owned(), RefOr::T(Content::new(Some(binary()))));
                    }
                }
            }
        }
    }
}

/// Turns each `oneOf: [T, null]` request body into an optional body of `T`.
pub struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                    make_optional(body);
                }
            }
        }
    }
}

fn make_optional(body: &mut RequestBody) {
    let mut optional = false;
    for content in body.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema else {
            continue;
        };
        let is_null = |schema: &RefOr<Schema>| {
            matches!(schema, RefOr::T(Schema::Object(object))
                if matches!(object.schema_type, SchemaType::Type(Type::Null)))
        };
        let value = match one_of.items.as_slice() {
            [first, second] if is_null(second) && !is_null(first) => first.clone(),
            [first, second] if is_null(first) && !is_null(second) => second.clone(),
            _ => continue,
        };
        content.schema = Some(value);
        optional = true;
    }
    if optional {
        body.required = Some(Required::False);
    }
}
