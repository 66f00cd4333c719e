//! Spreadsheet exports of `GET /cases` and `GET /stats` (docs/exports.md): the same use cases,
//! filters and visibility as the JSON answers, written as CSV or XLSX with Chinese headers and
//! words, amounts in yuan and dates in the office's time zone.
//!
//! What is here is below the front doors and knows no HTTP: which format a request asks for
//! ([`negotiate`], from the `format` parameter and the `Accept` header as plain strings), the
//! attachment's file name ([`disposition`]), the sheets themselves ([`cases`], [`stats`]) and
//! the two writers ([`csv`], [`xlsx`]). The REST handlers and the console stream what these
//! produce.

pub mod cases;
pub mod csv;
pub mod handlers;
pub mod stats;
pub mod table;
pub mod xlsx;

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// CSV, with its charset (the body starts with a UTF-8 byte-order mark).
pub const CSV: &str = "text/csv; charset=utf-8";

/// What a list or the figures are answered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The `Content-Type` of the answer.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => CSV,
            Format::Xlsx => XLSX,
        }
    }
}

/// The `format` parameter of `GET /cases` and `GET /stats`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx` for a spreadsheet download (the same as `Accept: text/csv` or the XLSX
    /// media type); `json`, the default, for the JSON answer. Wins over `Accept`.
    #[param(inline)]
    pub format: Option<Format>,
}

/// The format a request asks for: `format=` when given, otherwise the first media type of
/// `Accept` that the service serves (`q=0` refused ones skipped); JSON when neither says —
/// including `*/*` and an `Accept` naming nothing served, so no client of the JSON list sees a
/// change.
pub fn negotiate(format: Option<Format>, accept: Option<&str>) -> Format {
    if let Some(format) = format {
        return format;
    }
    for entry in accept.unwrap_or("").split(',') {
        let mut parts = entry.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        match media.as_str() {
            "text/csv" => return Format::Csv,
            XLSX => return Format::Xlsx,
            "application/json" | "application/*" | "*/*" => return Format::Json,
            _ => {}
        }
    }
    Format::Json
}

/// `Content-Disposition` for a download named `stem` (Chinese allowed) with `ascii_stem` for
/// clients that read only `filename` (RFC 6266): `attachment; filename="cases-2026-12-07.csv";
/// filename*=UTF-8''%E6%A1%88%E4%BB%B6-2026-12-07.csv` (RFC 5987).
pub fn disposition(stem: &str, ascii_stem: &str, format: Format) -> String {
    let extension = format.extension();
    let ascii: String = ascii_stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{}.{extension}",
        percent_encode(stem)
    )
}

/// RFC 5987 `value-chars`: attr-chars as they are, every other byte as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_parameter_wins_over_accept() {
        assert_eq!(
            negotiate(Some(Format::Xlsx), Some("text/csv")),
            Format::Xlsx
        );
        assert_eq!(
            negotiate(Some(Format::Json), Some("text/csv")),
            Format::Json
        );
    }

    #[test]
    fn accept_picks_the_first_served_media_type_and_json_stays_the_default() {
        assert_eq!(negotiate(None, Some("text/csv")), Format::Csv);
        assert_eq!(negotiate(None, Some(XLSX)), Format::Xlsx);
        assert_eq!(
            negotiate(None, Some("text/html, text/csv;q=0.5")),
            Format::Csv
        );
        assert_eq!(
            negotiate(None, Some("application/json, text/csv")),
            Format::Json
        );
        assert_eq!(negotiate(None, Some("text/csv;q=0, */*")), Format::Json);
        assert_eq!(negotiate(None, Some("*/*")), Format::Json);
        assert_eq!(negotiate(None, Some("text/html")), Format::Json);
        assert_eq!(negotiate(None, None), Format::Json);
    }

    #[test]
    fn the_file_name_has_an_ascii_fallback_and_a_utf8_name() {
        assert_eq!(
            disposition("案件-2026-12-07", "cases-2026-12-07", Format::Csv),
            "attachment; filename=\"cases-2026-12-07.csv\"; \
             filename*=UTF-8''%E6%A1%88%E4%BB%B6-2026-12-07.csv"
        );
        assert!(disposition("a b", "a \"b\"", Format::Xlsx).contains("filename=\"a__b_.xlsx\""));
    }
}
