//! Which files are accepted, judged by their bytes (magic numbers), never by the name or the
//! content type the uploader claims: PDF, images, plain text and office documents.

/// The content types accepted, as detected.
pub const ALLOWED: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/heif",
    "text/plain; charset=utf-8",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// The content type of `bytes` if it is one we accept; `None` otherwise.
pub fn detect(bytes: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(bytes) {
        let mime = kind.mime_type();
        return ALLOWED.iter().copied().find(|allowed| *allowed == mime);
    }
    let looks_like_text =
        !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok();
    looks_like_text.then_some("text/plain; charset=utf-8")
}

/// Whether a claimed content type is compatible with the detected one (a generic claim such as
/// `application/octet-stream` is fine; a PDF sent as `image/png` is not).
pub fn claim_matches(claimed: Option<&str>, detected: &str) -> bool {
    let Some(claimed) = claimed.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }) else {
        return true;
    };
    let detected = detected.split(';').next().unwrap_or("");
    claimed.is_empty() || claimed == "application/octet-stream" || claimed == detected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_images_and_text_are_recognised_from_their_bytes() {
        assert_eq!(detect(b"%PDF-1.7\n1 0 obj\n"), Some("application/pdf"));
        assert_eq!(
            detect(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]),
            Some("image/png")
        );
        assert_eq!(
            detect("工资条：三月 3000元".as_bytes()),
            Some("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn executables_and_binary_junk_are_refused() {
        assert_eq!(
            detect(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
            None
        );
        assert_eq!(detect(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]), None);
        assert_eq!(detect(&[0, 159, 146, 150]), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn a_claimed_type_must_agree_with_the_bytes() {
        assert!(claim_matches(Some("application/pdf"), "application/pdf"));
        assert!(claim_matches(
            Some("application/octet-stream"),
            "application/pdf"
        ));
        assert!(claim_matches(None, "image/png"));
        assert!(claim_matches(
            Some("text/plain"),
            "text/plain; charset=utf-8"
        ));
        assert!(!claim_matches(Some("image/png"), "application/pdf"));
    }
}
