//! Documents on a case — pay slips, contracts, photos, signed agreements. The bytes live in an
//! object store (a local directory by default, an S3-compatible bucket by configuration, so
//! several servers can share them); the database keeps the type, uploader, size, detected
//! content type and SHA-256 checksum. What callers do with documents (upload, list, download)
//! is in [`use_cases`]; HTTP (multipart, streaming) in [`handlers`].

pub mod handlers;
pub mod kinds;
pub mod storage;
pub mod sweep;
pub mod use_cases;

pub use use_cases::{download, list, prepare_upload, record_upload, upload_target};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::documents;
use crate::text_enum;

text_enum! {
    /// What a document is.
    pub enum DocumentType {
        PaySlip = "pay_slip",
        Contract = "contract",
        Photo = "photo",
        Agreement = "agreement",
        Evidence = "evidence",
        Identity = "identity",
        Correspondence = "correspondence",
        Other = "other",
    }
}

/// A document as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub case_id: CaseId,
    pub document_type: DocumentType,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}

/// A document as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub case_id: String,
    pub document_type: DocumentType,
    pub file_name: String,
    /// Detected from the bytes, not taken from the upload.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes, to check a copy against.
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
    pub content_url: String,
}

impl From<Document> for DocumentView {
    fn from(d: Document) -> Self {
        Self {
            document_type: d.document_type,
            content_url: format!("/api/v1/documents/{}/content", d.id),
            id: d.id,
            case_id: d.case_id.into(),
            file_name: d.file_name,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_by: d.uploaded_by,
            created_at: d.created_at.and_utc(),
        }
    }
}

pub fn insert(connection: &mut DbConnection, document: &Document) -> QueryResult<usize> {
    diesel::insert_into(documents::table)
        .values(document)
        .execute(connection)
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Document> {
    documents::table
        .find(id)
        .select(Document::as_select())
        .first(connection)
}

/// A page of the documents of a case, oldest first.
pub fn page_for_case(
    connection: &mut DbConnection,
    case_id: &str,
    page: &PageRequest,
) -> QueryResult<Paginated<Document>> {
    let query = documents::table
        .filter(documents::case_id.eq(case_id.to_owned()))
        .select(Document::as_select())
        .into_boxed();
    let rows: Vec<Document> =
        crate::keyset_page_oldest_first!(query, documents, created_at, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |d| {
        (d.created_at, d.id.as_str())
    }))
}

pub fn for_case(connection: &mut DbConnection, case_id: &str) -> QueryResult<Vec<Document>> {
    documents::table
        .filter(documents::case_id.eq(case_id))
        .order((documents::created_at.asc(), documents::id.asc()))
        .select(Document::as_select())
        .load(connection)
}
