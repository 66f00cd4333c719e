//! Input of the wrong shape — a JSON body, a form body or a query string — reported field by
//! field, all at once, in no language yet.
//!
//! serde stops at the first thing it cannot read, and says it in its own words ("invalid type:
//! floating point `3000.5`, expected i64"). Here, once a parse has failed, the input is repaired
//! one problem at a time and parsed again, until it parses or nothing more can be learned:
//!
//! - a missing field is reported and filled with a stand-in value;
//! - an unknown field (on types that refuse them) is reported and removed;
//! - an unknown enum value is reported with the values allowed (serde names them) and replaced
//!   by the first of them;
//! - a value of the wrong type is replaced by stand-ins of each kind in turn (text, number,
//!   whole number, true/false, list, object, date and time, date, enum value); the first that
//!   the type accepts says what the field must be ("must be a whole number").
//!
//! The parser stays the type's own `Deserialize`, so nothing is reported that the type would
//! have accepted. serde's messages are read to tell these cases apart and never shown. The work
//! is bounded: at most [`MAX_FIELDS`] fields, and a number of parses that shrinks as the input
//! grows ([`budget`]).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::FieldError;
use crate::i18n::{List, Message};
use crate::msg;

mod pairs;
mod serde_text;
use self::pairs::Pairs;
use self::serde_text::{classify, Kind};

/// At most this many fields are reported in one answer.
pub const MAX_FIELDS: usize = 50;

/// How many parses the search may spend on an input of `length` bytes: many for a form-sized
/// body, a dozen for one near the 1 MiB limit.
pub fn budget(length: usize) -> usize {
    ((4 << 20) / length.max(1)).clamp(12, 256)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
    /// A map key that is not a string; nothing can be put there.
    Opaque,
}

/// Where a parse failed, and serde's own words for why (read here, never shown).
#[derive(Clone, Debug)]
pub struct Failure {
    path: Vec<Step>,
    text: String,
}

impl Failure {
    pub fn new<E: std::fmt::Display>(error: &serde_path_to_error::Error<E>) -> Self {
        use serde_path_to_error::Segment;
        let path = error
            .path()
            .iter()
            .map(|segment| match segment {
                Segment::Map { key } => Step::Key(key.clone()),
                Segment::Enum { variant } => Step::Key(variant.clone()),
                Segment::Seq { index } => Step::Index(*index),
                Segment::Unknown => Step::Opaque,
            })
            .collect();
        Self {
            path,
            text: error.inner().to_string(),
        }
    }
}

/// A stand-in value of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Candidate {
    Text,
    Fraction,
    Integer,
    Boolean,
    List,
    Object,
    DateTime,
    Date,
    LocalDateTime,
    Variant { allowed: Vec<String> },
}

const CANDIDATES: [Candidate; 9] = [
    Candidate::Text,
    Candidate::Fraction,
    Candidate::Integer,
    Candidate::Boolean,
    Candidate::List,
    Candidate::Object,
    Candidate::DateTime,
    Candidate::Date,
    Candidate::LocalDateTime,
];

impl Candidate {
    fn json(&self) -> Value {
        match self {
            Self::Text => Value::String(String::new()),
            Self::Fraction => serde_json::json!(0.5),
            Self::Integer => serde_json::json!(0),
            Self::Boolean => Value::Bool(false),
            Self::List => Value::Array(Vec::new()),
            Self::Object => Value::Object(serde_json::Map::new()),
            other => Value::String(other.text().unwrap_or_default()),
        }
    }

    /// The stand-in as a query or form value; lists and objects have none.
    fn text(&self) -> Option<String> {
        Some(
            match self {
                Self::Text => "x",
                Self::Fraction => "0.5",
                Self::Integer => "0",
                Self::Boolean => "true",
                Self::List | Self::Object => return None,
                Self::DateTime => "2000-01-01T00:00:00Z",
                Self::Date => "2000-01-01",
                Self::LocalDateTime => "2000-01-01T00:00:00",
                Self::Variant { allowed } => return allowed.first().cloned(),
            }
            .to_owned(),
        )
    }

    /// What a field that takes this kind of value must be.
    fn requirement(&self) -> Message {
        match self {
            Self::Text => msg!("field.expected_text"),
            Self::Fraction => msg!("field.expected_number"),
            Self::Integer => msg!("field.expected_integer"),
            Self::Boolean => msg!("field.expected_boolean"),
            Self::List => msg!("field.expected_list"),
            Self::Object => msg!("field.expected_object"),
            Self::DateTime => msg!("field.expected_date_time"),
            Self::Date => msg!("field.expected_date"),
            Self::LocalDateTime => msg!("field.expected_local_date_time"),
            Self::Variant { allowed } => msg!("field.one_of", allowed = List(allowed.clone())),
        }
    }
}

/// "must be a whole number from 0 to 4294967295", for serde's name of an integer type.
fn range_message(expected: &str) -> Message {
    let range: Option<(i128, i128)> = match expected {
        "u8" => Some((0, u8::MAX.into())),
        "u16" => Some((0, u16::MAX.into())),
        "u32" => Some((0, u32::MAX.into())),
        "u64" => Some((0, u64::MAX.into())),
        "i8" => Some((i8::MIN.into(), i8::MAX.into())),
        "i16" => Some((i16::MIN.into(), i16::MAX.into())),
        "i32" => Some((i32::MIN.into(), i32::MAX.into())),
        "i64" => Some((i64::MIN.into(), i64::MAX.into())),
        _ => None,
    };
    match range {
        Some((min, max)) => msg!("field.integer_range", min = min, max = max),
        None => msg!("field.out_of_range"),
    }
}

/// Input that can be parsed, and repaired in place.
trait Document {
    fn parse<T: DeserializeOwned>(&self) -> Result<(), Failure>;
    /// Puts `candidate` at `path`, adding the last key if it is absent; `false` if it cannot.
    fn put(&mut self, path: &[Step], candidate: &Candidate) -> bool;
    /// Removes the member at `path`; `false` if it cannot.
    fn remove(&mut self, path: &[Step]) -> bool;
    /// Keeps only the first of several values at `path`.
    fn dedupe(&mut self, path: &[Step]) -> bool;
}

fn slot<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.as_object_mut()?.get_mut(key),
        Step::Index(index) => value.as_array_mut()?.get_mut(*index),
        Step::Opaque => None,
    })
}

impl Document for Value {
    fn parse<T: DeserializeOwned>(&self) -> Result<(), Failure> {
        serde_path_to_error::deserialize::<_, T>(self)
            .map(drop)
            .map_err(|e| Failure::new(&e))
    }

    fn put(&mut self, path: &[Step], candidate: &Candidate) -> bool {
        let Some((last, parent)) = path.split_last() else {
            *self = candidate.json();
            return true;
        };
        let Some(parent) = slot(self, parent) else {
            return false;
        };
        match (last, parent) {
            (Step::Key(key), Value::Object(members)) => {
                members.insert(key.clone(), candidate.json());
                true
            }
            (Step::Index(index), Value::Array(items)) if *index < items.len() => {
                items[*index] = candidate.json();
                true
            }
            _ => false,
        }
    }

    fn remove(&mut self, path: &[Step]) -> bool {
        let Some((Step::Key(key), parent)) = path.split_last() else {
            return false;
        };
        slot(self, parent)
            .and_then(Value::as_object_mut)
            .is_some_and(|members| members.remove(key).is_some())
    }

    fn dedupe(&mut self, _: &[Step]) -> bool {
        // A JSON object read into a Value keeps one member per key already.
        true
    }
}

/// The path as the API names fields: `workers[0].id_number`; `root` for the input itself.
fn display(path: &[Step], root: &str) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if out.is_empty() => out.push_str(key),
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(index) => out.push_str(&format!("[{index}]")),
            Step::Opaque => {}
        }
    }
    if out.is_empty() {
        root.to_owned()
    } else {
        out
    }
}

/// The path of the field a failure is about (a missing field is reported at its parent).
fn target(failure: &Failure, kind: &Kind) -> Vec<Step> {
    let mut path = failure.path.clone();
    if let Kind::Missing(name) | Kind::Duplicate(name) = kind {
        path.push(Step::Key(name.clone()));
    }
    path
}

/// True when a problem of `reported` already explains one of `field`: the same field, a field
/// inside it, or anything once the input as a whole (`root`) was reported.
fn covers(reported: &str, field: &str, root: &str) -> bool {
    reported == root
        || reported == field
        || field
            .strip_prefix(reported)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Shortens a value quoted back in a message.
fn quoted(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() > MAX {
        format!("{}…", value.chars().take(MAX).collect::<String>())
    } else {
        value.to_owned()
    }
}

struct Search<'a, D> {
    document: D,
    root: &'a str,
    attempts: usize,
    budget: usize,
}

impl<D: Document> Search<'_, D> {
    fn parse<T: DeserializeOwned>(&mut self) -> Result<(), Failure> {
        self.attempts += 1;
        self.document.parse::<T>()
    }

    /// Puts stand-ins at `path` until one makes the failure at `field` go away; that one.
    fn try_candidates<T: DeserializeOwned>(
        &mut self,
        path: &[Step],
        field: &str,
    ) -> Option<Candidate> {
        let mut queue = CANDIDATES.to_vec();
        let mut index = 0;
        while index < queue.len() && self.attempts < self.budget {
            let candidate = queue[index].clone();
            index += 1;
            if !self.document.put(path, &candidate) {
                continue;
            }
            match self.parse::<T>() {
                Ok(()) => return Some(candidate),
                Err(next) => {
                    let kind = classify(&next.text);
                    if display(&target(&next, &kind), self.root) != field {
                        return Some(candidate);
                    }
                    if let Kind::UnknownVariant { allowed, .. } = kind {
                        let variant = Candidate::Variant { allowed };
                        if !allowed_is_empty(&variant) && !queue.contains(&variant) {
                            queue.insert(index, variant);
                        }
                    }
                }
            }
        }
        None
    }

    /// The message for `failure` and whether the input could be repaired past it.
    fn resolve<T: DeserializeOwned>(&mut self, failure: &Failure, kind: &Kind) -> (Message, bool) {
        let path = target(failure, kind);
        let field = display(&path, self.root);
        match kind {
            Kind::Missing(_) => {
                let repaired = self.try_candidates::<T>(&path, &field).is_some();
                (msg!("field.required"), repaired)
            }
            Kind::Duplicate(_) => (msg!("field.duplicate"), self.document.dedupe(&path)),
            Kind::UnknownField { known } => {
                let message = if known.is_empty() {
                    msg!("field.unknown")
                } else {
                    msg!("field.unknown_known", known = List(known.clone()))
                };
                (message, self.document.remove(&path))
            }
            Kind::UnknownVariant { value, allowed } => {
                let variant = Candidate::Variant {
                    allowed: allowed.clone(),
                };
                let repaired = !allowed.is_empty() && self.document.put(&path, &variant);
                let message = msg!(
                    "field.not_one_of",
                    value = quoted(value),
                    allowed = List(allowed.clone())
                );
                (message, repaired)
            }
            Kind::InvalidType | Kind::OutOfRange { .. } | Kind::Other => {
                match (self.try_candidates::<T>(&path, &field), kind) {
                    (Some(Candidate::Integer), Kind::OutOfRange { expected }) => {
                        (range_message(expected), true)
                    }
                    (Some(candidate), _) => (candidate.requirement(), true),
                    (None, _) => {
                        let message = match kind {
                            Kind::InvalidType => msg!("field.invalid_type"),
                            _ => msg!("field.invalid_value"),
                        };
                        (message, self.document.remove(&path))
                    }
                }
            }
        }
    }

    /// Every field of the wrong shape, starting from the parse that failed with `first`.
    fn run<T: DeserializeOwned>(mut self, first: Failure) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = Vec::new();
        let mut given_up: Vec<String> = Vec::new();
        let mut failure = first;
        loop {
            let kind = classify(&failure.text);
            let field = display(&target(&failure, &kind), self.root);
            if given_up.contains(&field) || found.len() >= MAX_FIELDS {
                break;
            }
            let (message, repaired) = self.resolve::<T>(&failure, &kind);
            if !found
                .iter()
                .any(|reported| covers(&reported.field, &field, self.root))
            {
                found.push(FieldError::new(field.clone(), message));
            }
            if !repaired {
                given_up.push(field);
            }
            if self.attempts >= self.budget {
                break;
            }
            match self.parse::<T>() {
                Ok(()) => break,
                Err(next) => failure = next,
            }
        }
        found
    }
}

fn allowed_is_empty(candidate: &Candidate) -> bool {
    matches!(candidate, Candidate::Variant { allowed } if allowed.is_empty())
}

/// Every field of a JSON `value` that does not fit `T`, given the failure of the first parse.
/// Fields inside the body are named by path; the body itself is `body`.
pub fn json_errors<T: DeserializeOwned>(
    value: Value,
    first: Failure,
    budget: usize,
) -> Vec<FieldError> {
    Search {
        document: value,
        root: "body",
        attempts: 0,
        budget,
    }
    .run::<T>(first)
}

/// Parses a query string or form body as `T`, or reports every parameter that does not fit,
/// named as sent; the input as a whole is `root`.
pub fn parse_pairs<T: DeserializeOwned>(input: &[u8], root: &str) -> Result<T, Vec<FieldError>> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(input));
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(value) => Ok(value),
        Err(error) => {
            let pairs = form_urlencoded::parse(input).into_owned().collect();
            Err(Search {
                document: Pairs(pairs),
                root,
                attempts: 0,
                budget: budget(input.len()),
            }
            .run::<T>(Failure::new(&error)))
        }
    }
}

#[cfg(test)]
mod tests;
