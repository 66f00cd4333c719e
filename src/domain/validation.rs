//! Collecting every invalid field of a request before answering, so one 422 lists them all.
//! Messages are [`Message`]s (catalogue keys with values), written in the caller's language by
//! the front door.

use crate::error::{AppError, FieldError};
use crate::i18n::{List, Message};
use crate::msg;

/// Gathers field errors while a request is parsed into domain types.
#[derive(Default, Debug)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records `field`'s error and returns `None`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Message>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.errors.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Records an error when `condition` is false.
    pub fn require(&mut self, condition: bool, field: &str, message: Message) {
        if !condition {
            self.errors.push(FieldError::new(field, message));
        }
    }

    /// Records an error for `field`.
    pub fn add(&mut self, field: &str, message: Message) {
        self.errors.push(FieldError::new(field, message));
    }

    /// `Ok` when nothing was recorded, else the 422 listing every field.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }

    /// Finishes and hands back a value built only when everything was valid.
    pub fn finish_with<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, AppError> {
        self.finish()?;
        build().ok_or_else(|| AppError::Internal(anyhow::anyhow!("validated value missing")))
    }
}

/// A required, single-line text (a name, a code, an outcome) of at most `max` characters,
/// trimmed of invisible characters at both ends.
pub fn text(raw: &str, max: usize) -> Result<String, Message> {
    checked_text(raw, max, false)
}

/// A required free text (a summary, a note, a reason) that may span lines, of at most `max`
/// characters, trimmed of invisible characters at both ends.
pub fn free_text(raw: &str, max: usize) -> Result<String, Message> {
    checked_text(raw, max, true)
}

fn checked_text(raw: &str, max: usize, multiline: bool) -> Result<String, Message> {
    if let Some(refusal) = crate::domain::text::refusal(raw, multiline) {
        return Err(refusal.message());
    }
    let value = raw.trim_matches(crate::domain::text::is_invisible);
    if value.is_empty() {
        Err(msg!("field.empty"))
    } else if value.chars().count() > max {
        Err(msg!("field.too_long", max = max))
    } else {
        Ok(value.to_owned())
    }
}

/// An enum field given as text, with the allowed values in the message.
pub fn one_of<T>(
    raw: &str,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<T, Message> {
    parse(raw).ok_or_else(|| msg!("field.one_of", allowed = List::of(allowed.iter().copied())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invalid_field_is_reported_together() {
        let mut v = Validator::new();
        let name = v.check("name", text("  ", 10));
        let code = v.check("code", text("HS", 10));
        v.require(false, "kind", msg!("field.required"));
        assert!(name.is_none());
        assert_eq!(code.as_deref(), Some("HS"));
        match v.finish() {
            Err(AppError::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["name", "kind"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_refuse_line_breaks_and_invisible_only_values_but_free_text_keeps_lines() {
        assert_eq!(text("\u{200b}\u{feff}", 10), Err(msg!("field.empty")));
        assert_eq!(text("\u{200b}张三\u{200b}", 10), Ok("张三".into()));
        assert!(text("张\n三", 10).is_err());
        assert!(text("张\u{202e}三", 10).is_err());
        assert_eq!(
            free_text(" 第一行\n第二行 ", 20),
            Ok("第一行\n第二行".into())
        );
        assert!(free_text("a\u{0}b", 20).is_err());
    }

    #[test]
    fn text_limits_count_characters_not_bytes() {
        assert!(text("广东省江门市总工会", 9).is_ok());
        assert!(text("广东省江门市总工会", 8).is_err());
    }
}
