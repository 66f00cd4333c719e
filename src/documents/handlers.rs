//! `/api/v1/cases/{id}/documents` (upload, list) and `/api/v1/documents/{id}/content` (download).
//! The handlers read the multipart body and move the bytes to and from the object store; every
//! check and every row is a use case in `documents::use_cases`. Storing an upload and serving a
//! download are shared with the console ([`store_upload`], [`attachment`]).

use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse};
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path as StorePath;
use object_store::{ObjectStoreExt, PutPayload};

use super::use_cases::Upload;
use super::{Document, DocumentView};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::cases::Case;
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::pagination::{PageQuery, Paginated};

fn multipart_error(error: MultipartError) -> AppError {
    match error {
        MultipartError::ContentTypeMissing | MultipartError::ContentTypeIncompatible => {
            AppError::UnsupportedMediaType(crate::msg!("detail.unsupported_media_type.multipart"))
        }
        other => {
            tracing::debug!(error = %other, "the multipart body is not readable");
            AppError::BadRequest {
                code: "malformed_multipart",
                detail: crate::msg!("detail.malformed_multipart"),
            }
        }
    }
}

/// Reads the `document_type` and `file` parts, refusing a file over `limit` bytes as it streams.
async fn read_upload(mut multipart: Multipart, limit: usize) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(multipart_error)?;
        match field.name().unwrap_or("") {
            "file" => {
                if !upload.bytes.is_empty() || upload.file_name.is_some() {
                    return Err(AppError::invalid("file", crate::msg!("field.file.several")));
                }
                upload.file_name = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .map(str::to_owned);
                upload.claimed_type = field.content_type().map(|m| m.essence_str().to_owned());
                while let Some(chunk) = field.try_next().await.map_err(multipart_error)? {
                    if upload.bytes.len() + chunk.len() > limit {
                        return Err(AppError::PayloadTooLarge { limit });
                    }
                    upload.bytes.extend_from_slice(&chunk);
                }
            }
            "document_type" => {
                let mut value = Vec::new();
                while let Some(chunk) = field.try_next().await.map_err(multipart_error)? {
                    if value.len() + chunk.len() > 100 {
                        return Err(AppError::invalid(
                            "document_type",
                            crate::msg!("field.too_long_bytes", max = 100),
                        ));
                    }
                    value.extend_from_slice(&chunk);
                }
                upload.document_type = Some(String::from_utf8_lossy(&value).trim().to_owned());
            }
            _ => while field.try_next().await.map_err(multipart_error)?.is_some() {},
        }
    }
    Ok(upload)
}

// The upload form as the OpenAPI document describes it; `read_upload` reads the parts.
/// A document to upload: what it is, and the file.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct DocumentUpload {
    /// What the document is.
    document_type: super::DocumentType,
    /// The file. Its part's `Content-Type` may be the type of its bytes or
    /// `application/octet-stream`; its `filename` is kept.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads a document (multipart form: `document_type`, `file`). The content type is detected
/// from the bytes: PDF, images, plain text and office documents are accepted, anything else is
/// a 415; over the size limit is a 413.
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "documents",
    params(("id" = String, Path, description = "The case's id")),
    request_body(content = DocumentUpload, content_type = "multipart/form-data",
        description = "Two parts: `document_type` (text) and `file` (the bytes)"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = DocumentView),
        (status = 404, description = "No such case, or not visible to you", body = Problem),
        (status = 413, description = "Larger than MEDIATION_DOCUMENT_LIMIT_BYTES", body = Problem),
        (status = 415, description = "Not a PDF, image, text or office document (or not multipart)", body = Problem),
        (status = 422, description = "Missing or unknown document_type, or no file", body = Problem),
    ))]
pub async fn upload_document(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    // The case must be visible before a byte is buffered or stored.
    let lookup = caller.clone();
    let case = state
        .db
        .run(move |connection| super::upload_target(connection, &lookup, &case_id))
        .await?;
    let upload = read_upload(multipart, state.config.documents.limit_bytes).await?;
    let view = store_upload(&state, &caller, &case, upload).await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", view.content_url.clone()))
        .json(view))
}

/// Checks `upload` for `case`, puts its bytes in the store and records it. Shared with the
/// console's upload form, so both front doors keep the store and the rows in step.
pub async fn store_upload(
    state: &AppState,
    caller: &Caller,
    case: &Case,
    upload: Upload,
) -> Result<DocumentView, AppError> {
    let now = state.clock.now();
    let prepared = super::prepare_upload(caller, case, upload, now)?;
    let key = StorePath::from(prepared.document.storage_key.as_str());
    state
        .storage
        .put(&key, PutPayload::from(prepared.bytes))
        .await
        .map_err(|e| AppError::Unavailable(format!("the document store is unavailable: {e}")))?;
    let (caller, document) = (caller.clone(), prepared.document);
    let recorded = state
        .db
        .run(move |connection| super::record_upload(connection, &caller, document, now))
        .await;
    if recorded.is_err() {
        // Nothing acknowledged refers to the bytes: remove them rather than leave an orphan.
        let _ = state.storage.delete(&key).await;
    }
    recorded
}

/// The documents of a case, with their checksums.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", tag = "documents", params(("id" = String, Path, description = "The case's id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the documents, oldest first", body = Paginated<DocumentView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_documents(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<CaseId>,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let list = state
        .db
        .run(move |connection| super::list(connection, &caller, &case_id, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Downloads a document, streamed, visible exactly like its case; the download is on the
/// timeline.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content", tag = "documents",
    params(("id" = String, Path, description = "The document's id")), security(("bearer" = [])),
    // The 200's content types (every type an upload may be detected as) come from
    // `documents::kinds::ALLOWED`, added by `openapi::media`.
    responses((status = 200, description = "The bytes, as an attachment, with the content type detected at upload"),
              (status = 404, description = "No such document, or its case is not visible to you", body = Problem)))]
pub async fn download_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let document = state
        .db
        .run(move |connection| super::download(connection, &caller, &id, now))
        .await?;
    let mut response = attachment(&state, &document).await?;
    // The API's answer also names the bytes by the checksum its listing gives.
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", document.sha256)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// The bytes of `document` streamed from the store as an attachment, with the type detected at
/// upload, never sniffed, never cached. Shared with the console's download, which serves the
/// same bytes after the same use case (`documents::download`) has recorded it.
pub async fn attachment(state: &AppState, document: &Document) -> Result<HttpResponse, AppError> {
    let stored = state
        .storage
        .get(&StorePath::from(document.storage_key.as_str()))
        .await
        .map_err(|e| missing_or_unavailable(&document.id, e))?;
    let stream = stored
        .into_stream()
        .map(|chunk| chunk.map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string())));
    Ok(HttpResponse::Ok()
        .content_type(document.content_type.as_str())
        .insert_header(("content-length", document.size_bytes.to_string()))
        .insert_header((
            "content-disposition",
            content_disposition(&document.file_name),
        ))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "private, no-store"))
        .streaming(stream))
}

/// A document whose row exists but whose object is gone (a bucket restored from an older
/// backup, a lifecycle rule, a hand deletion) is data loss the caller cannot cure: 409
/// `document_content_missing`, logged as an error, never a 500. A store that cannot be reached is
/// 503 `service_unavailable`: retrying later can cure it.
fn missing_or_unavailable(document_id: &str, error: object_store::Error) -> AppError {
    match error {
        object_store::Error::NotFound { .. } => {
            tracing::error!(document = %document_id, %error, "a document's bytes are missing from the store");
            AppError::Conflict {
                code: "document_content_missing",
                detail: crate::msg!("detail.document_content_missing"),
            }
        }
        other => AppError::Unavailable(format!("document {document_id}: {other}")),
    }
}

/// `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987), so Chinese file
/// names survive.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn chinese_file_names_survive_in_content_disposition() {
        assert_eq!(
            super::content_disposition("工资条.pdf"),
            "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E5%B7%A5%E8%B5%84%E6%9D%A1.pdf"
        );
    }
}
