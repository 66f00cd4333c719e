//! What every worker's page shares: the stylesheet served from the binary, the
//! Content-Security-Policy, and the chrome (title bar, navigation, footer) in the reader's
//! language.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::i18n::Lang;

/// The pages' Content-Security-Policy: nothing but this origin's stylesheet, forms that post
/// only here, never framed. No script of any kind, inline styles included: a page that needs
/// one is a bug.
pub const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; \
                       frame-ancestors 'none'; base-uri 'none'";

/// Where the stylesheet is served.
pub const STYLESHEET_PATH: &str = "/static/public.css";

/// The one stylesheet of the pages, compiled into the binary.
pub const STYLESHEET: &str = include_str!("../../templates/public/public.css");

/// A digest of [`STYLESHEET`]: its ETag and the `v` of the URL the pages link, so a browser
/// keeps it for a year and still fetches a changed one at once.
pub fn stylesheet_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| hex::encode(&Sha256::digest(STYLESHEET.as_bytes())[..6]))
}

/// The stylesheet's URL as the pages link it.
pub fn stylesheet_href() -> String {
    format!("{STYLESHEET_PATH}?v={}", stylesheet_version())
}

/// Declares a page's words: a struct of display strings, each read from the message catalogue
/// (`locales/`) in the reader's language, and the list of their keys (checked by a test to
/// exist in every catalogue).
macro_rules! texts {
    ($(#[$meta:meta])* $name:ident { $($field:ident = $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        pub struct $name {
            $(pub $field: String,)+
        }

        impl $name {
            /// The catalogue keys of these words.
            #[allow(dead_code)]
            pub const KEYS: &'static [&'static str] = &[$($key),+];

            pub fn new(lang: $crate::i18n::Lang) -> Self {
                Self {
                    $($field: $crate::i18n::Message::new($key).render(lang),)+
                }
            }
        }
    };
}
pub(crate) use texts;

texts! {
    /// The words of the title bar, the navigation and the footer.
    ChromeTexts {
        site = "page.site",
        nav_apply = "page.nav.apply",
        nav_track = "page.nav.track",
        footer = "page.footer",
    }
}

/// Which navigation entry is the current page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Apply,
    Track,
    /// A page that is neither (the survey, an error).
    Other,
}

/// What the base template (`templates/public/base.html`) needs of every page.
pub struct Chrome {
    /// The `lang` of the document: `zh-CN` or `en`.
    pub lang: &'static str,
    pub stylesheet: String,
    pub t: ChromeTexts,
    pub apply_current: bool,
    pub track_current: bool,
}

impl Chrome {
    pub fn new(lang: Lang, section: Section) -> Self {
        Self {
            lang: lang.tag(),
            stylesheet: stylesheet_href(),
            t: ChromeTexts::new(lang),
            apply_current: section == Section::Apply,
            track_current: section == Section::Track,
        }
    }
}
