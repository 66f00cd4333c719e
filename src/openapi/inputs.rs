//! What the service accepts in a request, stated in the document where annotations cannot say
//! it: which characters text may carry, which text must show something, how long it may be, and
//! the bounds of numbers and lists.
//!
//! Why: a client generated from the document, or a fuzzer reading it, should send only what the
//! service accepts and know what it refuses. Before this, the document called a note "a string"
//! while the service refused an empty one, a tab in a name, or a NUL anywhere; schemathesis'
//! "positive data acceptance" check found each of those gaps (docs/contract.md).
//!
//! The numbers come from the constants the validation itself uses ([`lengths`], `intake`), so
//! the document and the service cannot disagree. The patterns are written with `\uXXXX` escapes
//! only, valid in ECMA-262 (JSON Schema), Python's `re` (schemathesis) and Rust's `regex`.

use std::collections::BTreeSet;

use serde_json::json;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType};
use utoipa::openapi::{Content, Object, OpenApi, RefOr, Type};
use utoipa::Modify;

use super::operations_mut;
use crate::cases::intake::{MAX_AMOUNT_FEN, MAX_WORKERS};
use crate::domain::lengths;
use crate::follow_ups::rules::SATISFACTION;

/// Characters refused in every string of a body: C0 controls except tab, newline and carriage
/// return, DEL, C1 controls, bidi embeddings, overrides and isolates (`domain::text::refusal`).
const REFUSED_ANYWHERE: &str =
    r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";

/// Characters refused in single-line text, query parameters and property names: the above plus
/// tab, newline and carriage return.
const REFUSED_IN_A_LINE: &str = r"\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";

/// Characters that print as nothing (`domain::text::is_invisible`): Unicode white space, zero-width
/// spaces and joiners, the word joiner and invisible operators, the soft hyphen, the Mongolian
/// vowel separator, the byte-order mark.
const INVISIBLE: &str =
    r"\t-\r \u0085\u00A0\u00AD\u1680\u180E\u2000-\u200F\u2028\u2029\u202F\u205F-\u2064\u3000\uFEFF";

/// An `If-Match` the service can read (`http::etag::if_match`): `*`, or a version as the ETag
/// the service sent, strong or weak, or the bare number (clients that drop the quotes).
const IF_MATCH: &str = r#"^(\*|(W/)?("[0-9]{1,9}"|[0-9]{1,9}))$"#;

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// What a text made only of invisible characters means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    /// It is refused: the field must show something (`validation::text`, `free_text`).
    Refused,
    /// It is the same as leaving the field out (an optional address, a cancel reason).
    MeansAbsent,
}

/// A text property of a request schema and the rules its validation applies.
pub struct TextField {
    pub schema: &'static str,
    pub property: &'static str,
    pub lines: Lines,
    pub blank: Blank,
    pub max_chars: usize,
}

const fn field(
    schema: &'static str,
    property: &'static str,
    lines: Lines,
    blank: Blank,
    max_chars: usize,
) -> TextField {
    TextField {
        schema,
        property,
        lines,
        blank,
        max_chars,
    }
}

use Blank::{MeansAbsent, Refused};
use Lines::{Many, One};

/// Every text a person types into a request, as its use case validates it.
pub const TEXT_FIELDS: &[TextField] = &[
    field("CreateCase", "summary", Many, Refused, lengths::ACCOUNT),
    field("UpdateCase", "summary", Many, Refused, lengths::ACCOUNT),
    field("EmployerInput", "name", One, Refused, lengths::NAME),
    field("EmployerInput", "address", One, MeansAbsent, lengths::PLACE),
    field(
        "EmployerInput",
        "contact_name",
        One,
        MeansAbsent,
        lengths::NAME,
    ),
    field("WorkerInput", "name", One, Refused, lengths::NAME),
    field("PartyInput", "name", One, Refused, lengths::NAME),
    field("RevealRequest", "purpose", One, Refused, lengths::PURPOSE),
    field(
        "TransitionRequest",
        "reason",
        One,
        MeansAbsent,
        lengths::REASON,
    ),
    field("NoteInput", "body", Many, Refused, lengths::NOTE),
    field("CreateReferral", "request", Many, Refused, lengths::ACCOUNT),
    field("DeclineReferral", "reason", Many, Refused, lengths::REASON),
    field(
        "CompleteReferral",
        "outcome",
        One,
        Refused,
        lengths::OUTCOME,
    ),
    field(
        "CompleteReferral",
        "result",
        Many,
        Refused,
        lengths::ACCOUNT,
    ),
    field(
        "CancelReferral",
        "reason",
        Many,
        MeansAbsent,
        lengths::REASON,
    ),
    field("CreateSession", "location", One, Refused, lengths::PLACE),
    field("UpdateSession", "location", One, Refused, lengths::PLACE),
    field("UpdateSession", "minutes", Many, Refused, lengths::MINUTES),
    field(
        "TermInputBody",
        "description",
        Many,
        Refused,
        lengths::REASON,
    ),
    field("TermInputBody", "payee", One, Refused, lengths::NAME),
    field("CreatePayment", "note", Many, MeansAbsent, lengths::REASON),
    field("CreateFollowUp", "note", Many, Refused, lengths::REASON),
    field("CreateUser", "name", One, Refused, lengths::NAME),
    field("UpdateUser", "name", One, Refused, lengths::NAME),
    field("CreateOffice", "name", One, Refused, lengths::NAME),
    field("UpdateOffice", "name", One, Refused, lengths::NAME),
    field("CreateClient", "name", One, Refused, lengths::NAME),
    field("CreateOffice", "address", One, MeansAbsent, lengths::PLACE),
    field("UpdateOffice", "address", One, MeansAbsent, lengths::PLACE),
    field("CreateOffice", "area", One, MeansAbsent, lengths::NAME),
    field("UpdateOffice", "area", One, MeansAbsent, lengths::NAME),
    // Prevention (issue 17): risks, a case from a risk, consultations.
    field("CreateRisk", "summary", Many, Refused, lengths::ACCOUNT),
    field("UpdateRisk", "summary", Many, Refused, lengths::ACCOUNT),
    field("UpdateRisk", "notes", Many, Refused, lengths::NOTE),
    field("RiskEmployerInput", "name", One, Refused, lengths::NAME),
    field("RiskTransition", "note", Many, Refused, lengths::REASON),
    field("CaseFromRisk", "summary", Many, Refused, lengths::ACCOUNT),
    field(
        "CaseFromRisk",
        "employer_address",
        One,
        MeansAbsent,
        lengths::PLACE,
    ),
    field(
        "CaseFromRisk",
        "employer_contact_name",
        One,
        MeansAbsent,
        lengths::NAME,
    ),
    field(
        "CreateConsultation",
        "minutes",
        Many,
        Refused,
        lengths::MINUTES,
    ),
    field("ConsultationPerson", "name", One, Refused, lengths::NAME),
];

/// Bounds of a number (`minimum`/`maximum`) or a list (`minItems`/`maxItems`).
pub struct Bounds {
    pub schema: &'static str,
    pub property: &'static str,
    pub min: i64,
    pub max: i64,
}

/// Every bounded number and list of a request, as its use case checks it.
pub const BOUNDS: &[Bounds] = &[
    Bounds {
        schema: "CreateRisk",
        property: "workers_affected",
        min: 1,
        max: MAX_WORKERS as i64,
    },
    Bounds {
        schema: "UpdateRisk",
        property: "workers_affected",
        min: 1,
        max: MAX_WORKERS as i64,
    },
    Bounds {
        schema: "CaseFromRisk",
        property: "workers_involved",
        min: 1,
        max: MAX_WORKERS as i64,
    },
    Bounds {
        schema: "CaseFromRisk",
        property: "claimed_amount_fen",
        min: 0,
        max: MAX_AMOUNT_FEN,
    },
    Bounds {
        schema: "RosterEntryInput",
        property: "claimed_amount_fen",
        min: 0,
        max: MAX_AMOUNT_FEN,
    },
    Bounds {
        schema: "RosterEntryInput",
        property: "agreed_amount_fen",
        min: 0,
        max: MAX_AMOUNT_FEN,
    },
    Bounds {
        schema: "CreateCase",
        property: "claimed_amount_fen",
        min: 0,
        max: MAX_AMOUNT_FEN,
    },
    Bounds {
        schema: "UpdateCase",
        property: "claimed_amount_fen",
        min: 0,
        max: MAX_AMOUNT_FEN,
    },
    Bounds {
        schema: "CreateCase",
        property: "workers_involved",
        min: 1,
        max: MAX_WORKERS as i64,
    },
    Bounds {
        schema: "UpdateCase",
        property: "workers_involved",
        min: 1,
        max: MAX_WORKERS as i64,
    },
    Bounds {
        schema: "TermInputBody",
        property: "amount_fen",
        min: 0,
        max: MAX_AMOUNT_FEN,
    },
    Bounds {
        schema: "CreatePayment",
        property: "amount_fen",
        min: 1,
        max: MAX_AMOUNT_FEN,
    },
    Bounds {
        schema: "CreateAgreement",
        property: "terms",
        min: 1,
        max: crate::agreements::use_cases::MAX_TERMS as i64,
    },
    Bounds {
        schema: "SurveyAnswer",
        property: "satisfaction",
        min: *SATISFACTION.start() as i64,
        max: *SATISFACTION.end() as i64,
    },
    Bounds {
        schema: "CreateFollowUp",
        property: "satisfaction",
        min: *SATISFACTION.start() as i64,
        max: *SATISFACTION.end() as i64,
    },
];

/// Values a string may only take, where the type is a plain `String` for a reason (RFC 6749
/// keeps `grant_type` a string the server compares).
const ONLY_VALUES: &[(&str, &str, &[&str])] = &[(
    "ClientCredentialsRequest",
    "grant_type",
    &[crate::auth::use_cases::CLIENT_CREDENTIALS],
)];

/// States the input rules in the document.
pub struct InputRules;

impl Modify for InputRules {
    fn modify(&self, openapi: &mut OpenApi) {
        let bodies = request_schemas(openapi);
        if let Some(components) = openapi.components.as_mut() {
            for name in &bodies {
                if let Some(RefOr::T(schema)) = components.schemas.get_mut(name) {
                    describe_schema(name, schema);
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                describe_parameters(operation);
            }
        }
    }
}

/// `^[^R]*$`: no refused character.
fn without(refused: &str) -> String {
    format!("^[^{refused}]*$")
}

/// `^[^R]*[^RI][^R]*$`: no refused character, and at least one that shows.
fn showing_something(refused: &str) -> String {
    format!("^[^{refused}]*[^{refused}{INVISIBLE}][^{refused}]*$")
}

/// The pattern of a text field under its rules.
pub fn text_pattern(lines: Lines, blank: Blank) -> String {
    let refused = match lines {
        Lines::One => REFUSED_IN_A_LINE,
        Lines::Many => REFUSED_ANYWHERE,
    };
    match blank {
        Blank::Refused => showing_something(refused),
        Blank::MeansAbsent => without(refused),
    }
}

/// The names of the component schemas a request body uses, directly or nested.
fn request_schemas(openapi: &OpenApi) -> BTreeSet<String> {
    let mut pending: Vec<String> = Vec::new();
    for item in openapi.paths.paths.values() {
        let operations = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
        for operation in operations.into_iter().flatten() {
            let bodies = operation.request_body.iter().filter_map(|body| match body {
                RefOr::T(body) => Some(body),
                RefOr::Ref(_) => None,
            });
            let contents = bodies.flat_map(|body| body.content.values());
            for content in contents {
                if let RefOr::T(Content {
                    schema: Some(schema),
                    ..
                }) = content
                {
                    refs_in(schema, &mut pending);
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !found.insert(name.clone()) {
            continue;
        }
        let nested = openapi
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(&name));
        if let Some(schema) = nested {
            refs_in(schema, &mut pending);
        }
    }
    found
}

/// Adds the component names `schema` refers to.
fn refs_in(schema: &RefOr<Schema>, names: &mut Vec<String>) {
    match schema {
        RefOr::Ref(reference) => {
            let name = reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default();
            names.push(name.to_owned());
        }
        RefOr::T(Schema::Object(object)) => {
            for property in object.properties.values() {
                refs_in(property, names);
            }
        }
        RefOr::T(Schema::Array(array)) => {
            if let ArrayItems::RefOrSchema(items) = &array.items {
                refs_in(items, names);
            }
        }
        RefOr::T(Schema::OneOf(one_of)) => one_of.items.iter().for_each(|s| refs_in(s, names)),
        RefOr::T(Schema::AllOf(all_of)) => all_of.items.iter().for_each(|s| refs_in(s, names)),
        RefOr::T(Schema::AnyOf(any_of)) => any_of.items.iter().for_each(|s| refs_in(s, names)),
        RefOr::T(_) => {}
    }
}

fn describe_schema(name: &str, schema: &mut Schema) {
    let Schema::Object(object) = schema else {
        return;
    };
    for (property, value) in object.properties.iter_mut() {
        let RefOr::T(value) = value else { continue };
        let text = TEXT_FIELDS
            .iter()
            .find(|f| f.schema == name && f.property == property);
        let bounds = BOUNDS
            .iter()
            .find(|b| b.schema == name && b.property == property);
        let only = ONLY_VALUES
            .iter()
            .find(|(schema, field, _)| *schema == name && field == property);
        match value {
            Schema::Object(value) => {
                if let Some((_, _, values)) = only {
                    value.enum_values = Some(values.iter().map(|v| json!(v)).collect());
                } else if let Some(text) = text {
                    value.pattern = Some(text_pattern(text.lines, text.blank));
                    value.max_length = Some(text.max_chars);
                } else if is_free_string(value) {
                    value.pattern = Some(without(REFUSED_ANYWHERE));
                }
                if let Some(bounds) = bounds {
                    value.minimum = Some(bounds.min.into());
                    value.maximum = Some(bounds.max.into());
                }
            }
            Schema::Array(list) => {
                if let Some(bounds) = bounds {
                    list.min_items = usize::try_from(bounds.min).ok();
                    list.max_items = usize::try_from(bounds.max).ok();
                }
                if let ArrayItems::RefOrSchema(items) = &mut list.items {
                    if let RefOr::T(Schema::Object(item)) = items.as_mut() {
                        if is_free_string(item) {
                            item.pattern = Some(without(REFUSED_ANYWHERE));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// A string (or a string-or-null) with nothing that already constrains its characters.
fn is_free_string(object: &Object) -> bool {
    let is_string = match &object.schema_type {
        SchemaType::Type(kind) => *kind == Type::String,
        SchemaType::Array(kinds) => kinds.contains(&Type::String),
        SchemaType::AnyValue => false,
    };
    is_string && object.format.is_none() && object.enum_values.is_none() && object.pattern.is_none()
}

/// Query strings refuse what single-line text refuses (`http::hardening`); `If-Match` must be an
/// ETag the service sent.
fn describe_parameters(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        let pattern = match parameter.parameter_in {
            ParameterIn::Query => without(REFUSED_IN_A_LINE),
            ParameterIn::Header if parameter.name.eq_ignore_ascii_case("if-match") => {
                IF_MATCH.to_owned()
            }
            _ => continue,
        };
        constrain(parameter, pattern);
    }
}

fn constrain(parameter: &mut Parameter, pattern: String) {
    if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
        if is_free_string(object) {
            object.pattern = Some(pattern);
        }
    }
}

#[cfg(test)]
mod tests;
