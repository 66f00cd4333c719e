//! A case's documents in the console: the upload form of the case page (multipart: the form
//! token, `document_type`, the file, the confirmation) and the download link
//! `/console/documents/{id}`. Every check, row and audit event is a use case of
//! `documents::use_cases`, in the order the API keeps: the case must be visible before a byte is
//! stored; the download is on the timeline before a byte is served.

use std::collections::BTreeMap;

use actix_multipart::{Multipart, MultipartError};
use actix_web::{web, HttpResponse};
use futures_util::{StreamExt, TryStreamExt};

use super::case_page::{answer, Sent};
use super::case_view_forms::require_confirmation;
use super::layout::{failure, ConsoleUser};
use super::session::{lang, CSRF_FIELD};
use crate::app::AppState;
use crate::cases::Case;
use crate::documents::handlers::{attachment, store_upload};
use crate::documents::use_cases::Upload;
use crate::domain::ids::CaseId;
use crate::error::AppError;
use crate::msg;
use crate::pages::forms::Values;

/// The longest text part the upload form sends (the form token, the type, the confirmation).
const TEXT_PART_LIMIT: usize = 200;

/// The parts of the console's upload form: its text fields and the file.
#[derive(Default)]
struct UploadForm {
    fields: BTreeMap<String, String>,
    upload: Upload,
}

fn unreadable(error: MultipartError) -> AppError {
    tracing::debug!(error = %error, "a console upload is not readable");
    AppError::BadRequest {
        code: "malformed_multipart",
        detail: msg!("detail.malformed_multipart"),
    }
}

fn refused() -> AppError {
    AppError::Forbidden(msg!("console.csrf_refused"))
}

/// Reads the form, refusing a file over `limit` bytes as it streams. The form token comes
/// before the file in the form (`case_forms.html` draws it first), so a form without the right
/// token (`token_ok`) is refused when its file begins — not one byte of it is read.
async fn read_form(
    mut multipart: Multipart,
    limit: usize,
    token_ok: impl Fn(&str) -> bool,
) -> Result<UploadForm, AppError> {
    let mut form = UploadForm::default();
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(unreadable)?;
        let name = part.name().unwrap_or("").to_owned();
        if name == "file" {
            if !token_ok(form.fields.get(CSRF_FIELD).map_or("", String::as_str)) {
                return Err(refused());
            }
            form.upload.file_name = part
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(str::to_owned);
            form.upload.claimed_type = part.content_type().map(|m| m.essence_str().to_owned());
            while let Some(chunk) = part.try_next().await.map_err(unreadable)? {
                if form.upload.bytes.len() + chunk.len() > limit {
                    return Err(AppError::PayloadTooLarge { limit });
                }
                form.upload.bytes.extend_from_slice(&chunk);
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = part.try_next().await.map_err(unreadable)? {
            if value.len() + chunk.len() > TEXT_PART_LIMIT {
                return Err(AppError::invalid(
                    name,
                    msg!("field.too_long_bytes", max = TEXT_PART_LIMIT),
                ));
            }
            value.extend_from_slice(&chunk);
        }
        form.fields
            .entry(name)
            .or_insert_with(|| String::from_utf8_lossy(&value).trim().to_owned());
    }
    form.upload.document_type = form.fields.get("document_type").cloned();
    Ok(form)
}

/// The text fields of the form as [`Values`], for the token check and the form drawn again.
fn values_of(fields: &BTreeMap<String, String>) -> Values {
    fields
        .iter()
        .fold(Values::default(), |values, (name, value)| {
            values.with(name, value)
        })
}

/// `POST /console/cases/{id}/documents`: the upload form. The case must be visible to the
/// person before the file is read; the form token is checked before anything is stored.
pub async fn upload(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    multipart: Multipart,
) -> HttpResponse {
    let case_id = id.into_inner();
    let (case, form) = match receive(&state, &user, &case_id, multipart).await {
        Ok(received) => received,
        Err(error) => return failure(lang(), Some(&user), error),
    };
    let values = values_of(&form.fields);
    let done = match require_confirmation(&values) {
        Ok(()) => store_upload(&state, &user.caller, &case, form.upload)
            .await
            .map(drop),
        Err(error) => Err(error),
    };
    answer(Sent::new(&state, &user, case_id, "upload", values), done).await
}

/// The case the upload goes to (visible, else 404) and the form read (the file over the limit
/// is 413), its form token checked (403) before anything is stored.
async fn receive(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    multipart: Multipart,
) -> Result<(Case, UploadForm), AppError> {
    let (caller, id) = (user.caller.clone(), case_id.clone());
    let case = state
        .db
        .run(move |c| crate::documents::upload_target(c, &caller, &id))
        .await?;
    let token_ok = |token: &str| {
        state
            .browser_sessions
            .csrf_matches(&user.caller.session_id, token)
    };
    let form = read_form(multipart, state.config.documents.limit_bytes, token_ok).await?;
    if !token_ok(form.fields.get(CSRF_FIELD).map_or("", String::as_str)) {
        return Err(refused());
    }
    Ok((case, form))
}

/// `GET /console/documents/{id}`: the document's bytes, streamed from the store, visible exactly
/// like its case (404 page otherwise), the download recorded on the timeline first.
pub async fn download(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
) -> HttpResponse {
    let served = async {
        let (caller, now) = (user.caller.clone(), state.clock.now());
        let document = state
            .db
            .run(move |c| crate::documents::download(c, &caller, &id, now))
            .await?;
        attachment(&state, &document).await
    }
    .await;
    served.unwrap_or_else(|error| failure(lang(), Some(&user), error))
}
