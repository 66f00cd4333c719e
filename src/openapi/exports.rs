//! The spreadsheet answers of `GET /cases` and `GET /stats` (docs/exports.md): beside the JSON,
//! a 200 may be `text/csv` (UTF-8 text) or an XLSX workbook (binary), chosen with the `format`
//! parameter or `Accept`. utoipa reads one body per response from the annotation; this adds the
//! other two media types.

use utoipa::openapi::{Content, Object, OpenApi, RefOr, Type};
use utoipa::Modify;

use super::media::binary;
use super::operations_mut;
use crate::exports::XLSX;

/// The operations that answer spreadsheets too.
const EXPORTING: [&str; 2] = ["list_cases", "get_stats"];

/// Adds `text/csv` and the XLSX media type to the 200 of each exporting operation.
pub struct ExportContent;

impl Modify for ExportContent {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                let id = operation.operation_id.as_deref().unwrap_or("");
                if !EXPORTING.contains(&id) {
                    continue;
                }
                if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
                    let text = Object::with_type(Type::String);
                    ok.content
                        .insert("text/csv".to_owned(), RefOr::T(Content::new(Some(text))));
                    ok.content
                        .insert(XLSX.to_owned(), RefOr::T(Content::new(Some(binary()))));
                }
            }
        }
    }
}
