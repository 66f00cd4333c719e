//! The document's input rules against the service's own checks.

use super::*;
use crate::domain::text::{is_blank, refusal};
use utoipa::OpenApi as _;

fn matches(pattern: &str, value: &str) -> bool {
    regex_lite::Regex::new(pattern)
        .expect("the pattern compiles")
        .is_match(value)
}

/// Every character of the Basic Multilingual Plane and a few beyond it.
fn sample_characters() -> impl Iterator<Item = char> {
    (0u32..=0xFFFF)
        .chain([0x1F600, 0x20000, 0xE0001, 0x10FFFF])
        .filter_map(char::from_u32)
}

#[test]
fn the_patterns_refuse_exactly_the_characters_the_service_refuses() {
    for lines in [Lines::One, Lines::Many] {
        let anything = text_pattern(lines, Blank::MeansAbsent);
        let something = text_pattern(lines, Blank::Refused);
        let anything = regex_lite::Regex::new(&anything).unwrap();
        let something = regex_lite::Regex::new(&something).unwrap();
        for c in sample_characters() {
            let accepted = refusal(&c.to_string(), lines == Lines::Many).is_none();
            let within = format!("a{c}b");
            assert_eq!(anything.is_match(&within), accepted, "{lines:?} {c:?}");
            assert_eq!(
                something.is_match(&c.to_string()),
                accepted && !is_blank(&c.to_string()),
                "{lines:?} alone {c:?}"
            );
        }
    }
}

#[test]
fn a_text_that_must_show_something_refuses_blank_and_accepts_text_around_spaces() {
    let pattern = text_pattern(Lines::Many, Blank::Refused);
    for blank in ["", " ", "\u{3000}\n\t", "\u{200b}\u{feff}"] {
        assert!(!matches(&pattern, blank), "{blank:?}");
    }
    for text in ["工资", "  欠薪  ", "第一行\n第二行", "\u{200b}x"] {
        assert!(matches(&pattern, text), "{text:?}");
    }
    assert!(!matches(
        &text_pattern(Lines::One, Blank::Refused),
        "一行\n两行"
    ));
}

#[test]
fn if_match_accepts_the_etags_the_service_reads() {
    for good in ["*", "\"3\"", "W/\"12\"", "3", "W/3"] {
        assert!(matches(IF_MATCH, good), "{good}");
    }
    for bad in ["", "\"\"", "\"D\", \"\"", "\"+S\"", "\"3", "1234567890"] {
        assert!(!matches(IF_MATCH, bad), "{bad}");
    }
}

/// The property's schema in the served document, or a panic naming what is missing: the
/// tables must not name a schema or property that a rename left behind.
fn property(document: &serde_json::Value, schema: &str, name: &str) -> serde_json::Value {
    document["components"]["schemas"][schema]["properties"][name].clone()
}

#[test]
fn every_rule_in_the_tables_reaches_the_served_document() {
    let document = serde_json::to_value(crate::openapi::ApiDoc::openapi()).unwrap();
    for text in TEXT_FIELDS {
        let schema = property(&document, text.schema, text.property);
        assert_eq!(
            schema["pattern"],
            json!(text_pattern(text.lines, text.blank)),
            "{}.{}: {schema}",
            text.schema,
            text.property
        );
        assert_eq!(schema["maxLength"], json!(text.max_chars));
    }
    for bounds in BOUNDS {
        let schema = property(&document, bounds.schema, bounds.property);
        let (min, max) = if schema.get("minItems").is_some() {
            (&schema["minItems"], &schema["maxItems"])
        } else {
            (&schema["minimum"], &schema["maximum"])
        };
        assert_eq!(
            (min, max),
            (&json!(bounds.min), &json!(bounds.max)),
            "{}.{}: {schema}",
            bounds.schema,
            bounds.property
        );
    }
    let grant = property(&document, "ClientCredentialsRequest", "grant_type");
    assert_eq!(grant["enum"], json!(["client_credentials"]));
}

#[test]
fn every_free_request_string_and_query_parameter_states_the_character_rule() {
    let document = serde_json::to_value(crate::openapi::ApiDoc::openapi()).unwrap();
    let password = property(&document, "LoginRequest", "password");
    assert_eq!(password["pattern"], json!(without(REFUSED_ANYWHERE)));
    let cases = &document["paths"]["/api/v1/cases"]["get"]["parameters"];
    let q = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .expect("GET /cases takes q");
    assert_eq!(q["schema"]["pattern"], json!(without(REFUSED_IN_A_LINE)));
}
