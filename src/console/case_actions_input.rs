//! Reading the case page's forms into the use cases' inputs: only what a form itself needs —
//! yuan typed as text into fen, a date or a local date and time into an instant in the case
//! office's time zone, several ticked checkboxes into a list. Everything the input must satisfy
//! is the use case's to check; a value the form cannot even read is reported on its field, and
//! then the use case is not asked.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{AppError, FieldError};
use crate::i18n::Message;
use crate::msg;
use crate::pages::forms::{yuan_to_fen, Values};

/// The fields a form could not read, gathered so every one is reported at once.
#[derive(Default)]
pub struct Reading {
    errors: Vec<FieldError>,
}

impl Reading {
    /// `read`'s value, or `None` with its error noted under `field`.
    pub fn take<T>(&mut self, field: &str, read: Result<T, Message>) -> Option<T> {
        read.map_err(|message| self.errors.push(FieldError::new(field, message)))
            .ok()
    }

    /// `value` (what was read, all of it `Some` when nothing failed), or 422 with every field
    /// that could not be read.
    pub fn done<T>(self, value: Option<T>) -> Result<T, AppError> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(AppError::Validation(self.errors)),
        }
    }
}

/// Yuan as typed, in fen; blank is "required".
pub fn required_yuan(typed: &str) -> Result<i64, Message> {
    yuan_to_fen(typed)?.ok_or_else(|| msg!("field.required"))
}

/// A date from a date input (`2026-12-01`).
pub fn day(typed: &str) -> Result<NaiveDate, Message> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(msg!("field.required"));
    }
    NaiveDate::parse_from_str(typed, "%Y-%m-%d").map_err(|_| msg!("field.expected_date"))
}

/// A date and time from a `datetime-local` input (`2026-12-01T09:30`), in `zone`.
pub fn local_moment(typed: &str, zone: Tz) -> Result<DateTime<Utc>, Message> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(msg!("field.required"));
    }
    let local = NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| msg!("field.expected_local_date_time"))?;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| msg!("field.expected_local_date_time"))
}

/// The instant a thing dated `day` (an agreement signed, a payment made) is recorded at: noon of
/// that day in `zone`, so it falls on that day in any calendar near it — or now, for today,
/// since noon may not have come yet.
pub fn on_day(day: NaiveDate, zone: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let noon = day
        .and_hms_opt(12, 0, 0)
        .and_then(|t| zone.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    noon.min(now)
}

/// Every value of the field `name` in a form body: the ticked boxes of a checkbox group (a form
/// sends one `name=value` pair per ticked box; [`Values`] keeps only the first).
pub fn all_of(body: &[u8], name: &str) -> Vec<String> {
    form_urlencoded::parse(body)
        .filter(|(key, value)| key == name && !value.trim().is_empty())
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// `values` with the checkbox group `name` set to all its ticked boxes, comma-separated, so
/// the form drawn again keeps them ticked.
pub fn with_all(values: Values, name: &str, ticked: &[String]) -> Values {
    values.with(name, &ticked.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_date_and_time_is_read_in_the_offices_zone() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let at = local_moment("2026-12-01T09:30", shanghai).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-01T01:30:00+00:00");
        assert_eq!(local_moment("", shanghai), Err(msg!("field.required")));
        assert_eq!(
            local_moment("tomorrow", shanghai),
            Err(msg!("field.expected_local_date_time"))
        );
    }

    #[test]
    fn a_day_is_recorded_at_its_local_noon_or_now_when_that_is_earlier() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let now = DateTime::parse_from_rfc3339("2026-12-01T01:00:00Z")
            .unwrap()
            .to_utc();
        let yesterday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            on_day(yesterday, shanghai, now).to_rfc3339(),
            "2026-11-30T04:00:00+00:00"
        );
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(on_day(today, shanghai, now), now);
        assert_eq!(day("2026-12-1x"), Err(msg!("field.expected_date")));
    }

    #[test]
    fn every_ticked_box_of_a_group_is_read() {
        let body = b"csrf=t&office_ids=a&office_ids=b&office_ids=&other=c";
        assert_eq!(all_of(body, "office_ids"), ["a", "b"]);
    }
}
