//! `/api/v1/cases/{id}/documents` (upload, list) and `/api/v1/documents/{id}/content` (download).

use actix_multipart::{Multipart, MultipartError};
use actix_web::{web, HttpResponse};
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path as StorePath;
use object_store::{ObjectStoreExt, PutPayload};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::kinds::{claim_matches, detect};
use super::{Document, DocumentType, DocumentView};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::cases::visibility::find_for;
use crate::db::write_transaction;
use crate::domain::new_id;
use crate::domain::validation::text;
use crate::http::error::{AppError, Problem};
use crate::timeline::{self, Actor};

/// What an upload carried, once read.
struct Upload {
    document_type: Option<String>,
    file_name: Option<String>,
    claimed_type: Option<String>,
    bytes: Vec<u8>,
}

fn multipart_error(error: MultipartError) -> AppError {
    match error {
        MultipartError::ContentTypeMissing | MultipartError::ContentTypeIncompatible => {
            AppError::UnsupportedMediaType {
                expected: "multipart/form-data",
            }
        }
        other => AppError::BadRequest {
            code: "malformed_multipart",
            detail: format!("the multipart body is not readable: {other}"),
        },
    }
}

/// Reads the `document_type` and `file` parts, refusing a file over `limit` bytes as it streams.
async fn read_upload(mut multipart: Multipart, limit: usize) -> Result<Upload, AppError> {
    let mut upload = Upload {
        document_type: None,
        file_name: None,
        claimed_type: None,
        bytes: Vec::new(),
    };
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(multipart_error)?;
        match field.name().unwrap_or("") {
            "file" => {
                if !upload.bytes.is_empty() || upload.file_name.is_some() {
                    return Err(AppError::invalid("file", "send one file per upload"));
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
                        return Err(AppError::invalid("document_type", "is too long"));
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

/// Uploads a document (multipart form: `document_type`, `file`). The content type is detected
/// from the bytes: PDF, images, plain text and office documents are accepted, anything else is
/// a 415; over the size limit is a 413.
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "documents",
    request_body(content_type = "multipart/form-data", description = "Parts: document_type (text), file (the bytes)"),
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
    case_id: web::Path<String>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    // The case must be visible before a byte is buffered or stored.
    let lookup = (caller.clone(), case_id.clone());
    let case = state
        .db
        .run(move |connection| find_for(connection, &lookup.0, &lookup.1))
        .await?;
    let upload = read_upload(multipart, state.config.documents.limit_bytes).await?;
    let document_type = upload
        .document_type
        .as_deref()
        .and_then(DocumentType::parse)
        .ok_or_else(|| {
            AppError::invalid(
                "document_type",
                format!("must be one of: {}", DocumentType::allowed()),
            )
        })?;
    if upload.bytes.is_empty() {
        return Err(AppError::invalid(
            "file",
            "a non-empty file part is required",
        ));
    }
    let detected = detect(&upload.bytes).ok_or(AppError::UnsupportedMediaType {
        expected: "a PDF, an image, plain text or an office document",
    })?;
    if !claim_matches(upload.claimed_type.as_deref(), detected) {
        return Err(AppError::UnsupportedMediaType {
            expected: "a file whose bytes match its declared content type",
        });
    }
    let file_name = text(upload.file_name.as_deref().unwrap_or("document"), 255)
        .map_err(|m| AppError::invalid("file", m))?;
    let now = state.clock.now();
    let id = new_id();
    let document = Document {
        storage_key: format!("cases/{}/{id}", case.id),
        id,
        case_id: case.id.clone(),
        document_type,
        file_name,
        content_type: detected.to_owned(),
        size_bytes: upload.bytes.len() as i64,
        sha256: hex::encode(Sha256::digest(&upload.bytes)),
        uploaded_by: caller.actor_id().to_owned(),
        created_at: now.naive_utc(),
    };
    let key = StorePath::from(document.storage_key.as_str());
    state
        .storage
        .put(&key, PutPayload::from(upload.bytes))
        .await
        .map_err(|e| AppError::Unavailable(format!("the document store is unavailable: {e}")))?;
    let row = document.clone();
    let recorded = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &row.case_id)?;
                super::insert(connection, &row)?;
                let data = json!({"document_id": row.id, "document_type": row.document_type, "file_name": row.file_name,
                                  "content_type": row.content_type, "size_bytes": row.size_bytes, "sha256": row.sha256});
                timeline::append(connection, &case.id, &Actor::from(&caller), "document_uploaded", data, now.naive_utc())?;
                Ok::<_, AppError>(())
            })
        })
        .await;
    if let Err(error) = recorded {
        // Nothing acknowledged refers to the bytes: remove them rather than leave an orphan.
        let _ = state.storage.delete(&key).await;
        return Err(error);
    }
    Ok(HttpResponse::Created()
        .insert_header((
            "location",
            format!("/api/v1/documents/{}/content", document.id),
        ))
        .json(DocumentView::from(document)))
}

/// The documents of a case, with their checksums.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", tag = "documents", security(("bearer" = [])),
    responses((status = 200, description = "The documents", body = [DocumentView]),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_documents(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &case_id)?;
            Ok(super::for_case(connection, &case.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(DocumentView::from).collect::<Vec<_>>()))
}

/// Downloads a document, streamed, visible exactly like its case; the download is on the
/// timeline.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content", tag = "documents", security(("bearer" = [])),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream"),
              (status = 404, description = "No such document, or its case is not visible to you", body = Problem)))]
pub async fn download_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now().naive_utc();
    let document = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let document = super::find(connection, &id)?;
                let case = find_for(connection, &caller, &document.case_id)?;
                let data = json!({"document_id": document.id, "file_name": document.file_name});
                timeline::append(
                    connection,
                    &case.id,
                    &Actor::from(&caller),
                    "document_downloaded",
                    data,
                    now,
                )?;
                Ok::<_, AppError>(document)
            })
        })
        .await?;
    let stored = state
        .storage
        .get(&StorePath::from(document.storage_key.as_str()))
        .await
        .map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "document {} missing from the store: {e}",
                document.id
            ))
        })?;
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
        .insert_header(("etag", format!("\"{}\"", document.sha256)))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "private, no-store"))
        .streaming(stream))
}

/// `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987), so Chinese file
/// names survive.
fn content_disposition(name: &str) -> String {
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
