//! What a caller can do with a case's documents, as functions any front door calls: upload,
//! list, download. The bytes travel between the front door and the object store (async); these
//! functions do everything else — who may, which case, what is accepted, the rows and the
//! timeline events — so that an upload is, for any front door (docs/case-files.md "Documents"):
//!
//! 1. [`upload_target`]: the case must be visible before a byte is buffered or stored;
//! 2. read the upload (the front door's format, e.g. multipart), refusing it past the size limit;
//! 3. [`prepare_upload`]: the type, the detected content type, the file name, the checksum;
//! 4. put the bytes in the store under `Document::storage_key`;
//! 5. [`record_upload`]: the row and its `document_uploaded` event, in one transaction — and
//!    when that fails, delete the stored bytes, so nothing unacknowledged stays behind (the sweep
//!    in `documents::sweep` catches what a crash leaves).

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::kinds::{claim_matches, detect};
use super::{Document, DocumentType, DocumentView};
use crate::auth::caller::Caller;
use crate::cases::access::find_for;
use crate::cases::Case;
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::new_id;
use crate::domain::validation::text;
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::timeline::{self, Actor};

/// What an upload carried, once read by the front door.
#[derive(Debug, Default)]
pub struct Upload {
    /// The `document_type` field, trimmed.
    pub document_type: Option<String>,
    /// The file's name as the uploader gave it.
    pub file_name: Option<String>,
    /// The content type the uploader claimed for the file, parameters dropped.
    pub claimed_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// An accepted upload: the row to record, and the bytes to store under its `storage_key`.
#[derive(Debug)]
pub struct PreparedUpload {
    pub document: Document,
    pub bytes: Vec<u8>,
}

/// The case an upload goes to: visible to the caller (else 404), checked before the upload is
/// read. Uploading is union work: anyone else is refused (403) here, as the API's front door
/// already refuses them before this.
pub fn upload_target(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
) -> Result<Case, AppError> {
    caller.require(crate::auth::policy::Action::WorkCases)?;
    find_for(connection, caller, case_id)
}

/// Checks an upload read for `case` and builds its document row: a known `document_type`
/// (422), a non-empty file (422), bytes of an accepted kind (415) that agree with the claimed
/// type (415), a file name of at most 255 characters (422) — in that order.
pub fn prepare_upload(
    caller: &Caller,
    case: &Case,
    upload: Upload,
    now: DateTime<Utc>,
) -> Result<PreparedUpload, AppError> {
    let document_type = upload
        .document_type
        .as_deref()
        .and_then(DocumentType::parse)
        .ok_or_else(|| {
            AppError::invalid(
                "document_type",
                crate::msg!(
                    "field.one_of",
                    allowed = crate::i18n::List::of(DocumentType::ALL.iter().map(|t| t.as_str()))
                ),
            )
        })?;
    if upload.bytes.is_empty() {
        return Err(AppError::invalid("file", crate::msg!("field.file.empty")));
    }
    let detected = detect(&upload.bytes).ok_or(AppError::UnsupportedMediaType(crate::msg!(
        "detail.unsupported_media_type.document_kind"
    )))?;
    if !claim_matches(upload.claimed_type.as_deref(), detected) {
        return Err(AppError::UnsupportedMediaType(crate::msg!(
            "detail.unsupported_media_type.document_mismatch"
        )));
    }
    let file_name = text(
        upload.file_name.as_deref().unwrap_or("document"),
        lengths::FILE_NAME,
    )
    .map_err(|m| AppError::invalid("file", m))?;
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
    Ok(PreparedUpload {
        document,
        bytes: upload.bytes,
    })
}

/// Records a stored document and its `document_uploaded` event in one transaction. The case is
/// loaded again through the caller's scope: access may have changed while the bytes streamed.
pub fn record_upload(
    connection: &mut DbConnection,
    caller: &Caller,
    document: Document,
    now: DateTime<Utc>,
) -> Result<DocumentView, AppError> {
    write_transaction(connection, |connection| {
        let case = find_for(connection, caller, &document.case_id)?;
        super::insert(connection, &document)?;
        let data = json!({"document_id": document.id, "document_type": document.document_type,
                          "file_name": document.file_name, "content_type": document.content_type,
                          "size_bytes": document.size_bytes, "sha256": document.sha256});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "document_uploaded",
            data,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(DocumentView::from(document))
}

/// A page of the documents of a visible case, oldest first, with their checksums.
pub fn list(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: &PageRequest,
) -> Result<Paginated<DocumentView>, AppError> {
    let case = find_for(connection, caller, case_id)?;
    Ok(super::page_for_case(connection, &case.id, page)?.map(DocumentView::from))
}

/// A document whose case the caller sees (else 404, whether the document or only the case is
/// out of sight), with the download recorded on the case timeline before a byte is served. The
/// front door then streams the bytes from the store under `storage_key`.
pub fn download(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Document, AppError> {
    write_transaction(connection, |connection| {
        let document = super::find(connection, id)?;
        let case = find_for(connection, caller, &document.case_id)?;
        let data = json!({"document_id": document.id, "file_name": document.file_name});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "document_downloaded",
            data,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(document)
    })
}
