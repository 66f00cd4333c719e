//! Which characters text may carry: the rule every text field and search term shares.
//!
//! Why: a NUL byte was a 500 on PostgreSQL (which cannot store it) and silently accepted on
//! SQLite (`?q=%00` matched every case); control characters and bidirectional overrides make a
//! name print differently from what it is (an "RLO" turns `gpj.exe` around), and a name made of
//! zero-width spaces looks empty on paper. So every backend refuses the same things, with a 4xx.

/// Why a character is refused, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// C0 (U+0000–U+001F, newline and tab allowed only in free text), DEL and C1 (U+0080–U+009F).
    ControlCharacter,
    /// U+202A–U+202E and U+2066–U+2069: embeddings, overrides and isolates.
    BidiControl,
}

impl Refusal {
    /// What a field carrying the character must not do.
    pub fn message(self) -> crate::i18n::Message {
        match self {
            Self::ControlCharacter => crate::msg!("field.control_characters"),
            Self::BidiControl => crate::msg!("field.bidi_characters"),
        }
    }
}

/// The first refused character in `value`, if any. `multiline` allows newline, carriage return
/// and tab, as a summary or a note needs; names and codes allow none of them.
pub fn refusal(value: &str, multiline: bool) -> Option<Refusal> {
    value.chars().find_map(|c| refusal_of(c, multiline))
}

fn refusal_of(c: char, multiline: bool) -> Option<Refusal> {
    match c {
        '\n' | '\r' | '\t' if multiline => None,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(Refusal::ControlCharacter),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some(Refusal::BidiControl),
        _ => None,
    }
}

/// True for characters that print as nothing: white space, zero-width spaces and joiners, the
/// word joiner, the soft hyphen and the byte-order mark.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}' | '\u{180e}'
        )
}

/// True when nothing in `value` would be seen on screen or paper.
pub fn is_blank(value: &str) -> bool {
    value.chars().all(is_invisible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_control_characters_are_refused_everywhere() {
        for value in ["a\u{0}b", "\u{7}", "x\u{1b}[31m", "\u{85}", "\u{7f}"] {
            assert_eq!(
                refusal(value, true),
                Some(Refusal::ControlCharacter),
                "{value:?}"
            );
            assert_eq!(
                refusal(value, false),
                Some(Refusal::ControlCharacter),
                "{value:?}"
            );
        }
    }

    #[test]
    fn newline_and_tab_are_free_text_only() {
        assert_eq!(refusal("第一行\n第二行\t完", true), None);
        assert_eq!(refusal("第一行\r\n第二行", true), None);
        assert_eq!(refusal("张\n三", false), Some(Refusal::ControlCharacter));
        assert_eq!(refusal("张\t三", false), Some(Refusal::ControlCharacter));
    }

    #[test]
    fn bidi_overrides_and_isolates_are_refused() {
        for c in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}'] {
            let value = format!("invoice{c}fdp.exe");
            assert_eq!(refusal(&value, true), Some(Refusal::BidiControl));
        }
        assert_eq!(refusal("鹤山市沙坪街道工会 Heshan", false), None);
    }

    #[test]
    fn a_name_of_zero_width_characters_is_blank() {
        assert!(is_blank("\u{200b}\u{feff} \u{200d}"));
        assert!(is_blank(""));
        assert!(!is_blank("\u{200b}张"));
    }
}
