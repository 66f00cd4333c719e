use super::*;
use crate::i18n::Lang;
use serde::Deserialize;

crate::text_enum! {
    pub enum Kind3 { Union = "union", Judicial = "judicial", Police = "police" }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Worker {
    name: String,
    age: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Body {
    summary: String,
    amount_fen: i64,
    kind: Kind3,
    received_at: Option<chrono::DateTime<chrono::Utc>>,
    due: Option<chrono::NaiveDate>,
    urgent: Option<bool>,
    workers: Vec<Worker>,
}

fn errors(body: &str) -> Vec<(String, String)> {
    let value: Value = serde_json::from_str(body).unwrap();
    let first = serde_path_to_error::deserialize::<_, Body>(&value).unwrap_err();
    json_errors::<Body>(value.clone(), Failure::new(&first), 256)
        .into_iter()
        .map(|e| (e.field, e.message.render(Lang::English)))
        .collect()
}

fn message_of<'a>(found: &'a [(String, String)], field: &str) -> &'a str {
    found
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
        .unwrap_or_else(|| panic!("{field} not reported: {found:?}"))
}

#[test]
fn two_missing_fields_and_a_wrong_type_are_reported_together() {
    let found = errors(r#"{"amount_fen": 3000.5, "workers": []}"#);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(message_of(&found, "summary"), "is required");
    assert_eq!(message_of(&found, "kind"), "is required");
    assert_eq!(message_of(&found, "amount_fen"), "must be a whole number");
}

#[test]
fn each_kind_of_value_is_named_in_words() {
    let found = errors(
        r#"{"summary": 5, "amount_fen": "x", "kind": "temple", "received_at": "soon",
            "due": "2026-13-01", "urgent": "yes", "workers": {}}"#,
    );
    assert_eq!(message_of(&found, "summary"), "must be text");
    assert_eq!(message_of(&found, "amount_fen"), "must be a whole number");
    assert_eq!(
        message_of(&found, "kind"),
        "`temple` is not allowed, must be one of: union, judicial, police"
    );
    assert!(message_of(&found, "received_at").contains("date and time"));
    assert!(message_of(&found, "due").contains("2026-12-01"));
    assert_eq!(message_of(&found, "urgent"), "must be true or false");
    assert_eq!(message_of(&found, "workers"), "must be a list");
    assert_eq!(found.len(), 7, "{found:?}");
}

#[test]
fn nested_fields_are_named_by_path_and_unknown_ones_list_the_known() {
    let found = errors(
        r#"{"summary": "s", "amount_fen": 1, "kind": "union",
            "workers": [{"name": "a", "age": -1}, {"age": 3, "nmae": "b"}], "extra": 1}"#,
    );
    assert_eq!(
        message_of(&found, "workers[0].age"),
        "must be a whole number from 0 to 4294967295"
    );
    assert_eq!(message_of(&found, "workers[1].name"), "is required");
    assert_eq!(
        message_of(&found, "workers[1].nmae"),
        "is not a known field (known fields: name, age)"
    );
    assert!(message_of(&found, "extra").starts_with("is not a known field"));
    assert_eq!(found.len(), 4, "{found:?}");
}

#[test]
fn a_missing_object_is_one_problem_not_one_per_member() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        employer: Worker,
        note: String,
    }
    let value = serde_json::json!({});
    let first = serde_path_to_error::deserialize::<_, Outer>(&value).unwrap_err();
    let found = json_errors::<Outer>(value.clone(), Failure::new(&first), 256);
    let fields: Vec<_> = found.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["employer", "note"]);
}

#[test]
fn a_body_that_is_not_an_object_is_one_problem() {
    let value = serde_json::json!("text");
    let first = serde_path_to_error::deserialize::<_, Body>(&value).unwrap_err();
    let found = json_errors::<Body>(value.clone(), Failure::new(&first), 256);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].field, "body");
    assert_eq!(found[0].message.render(Lang::English), "must be an object");
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Filter {
    kind: Option<Kind3>,
    active: Option<bool>,
    limit: Option<i64>,
    from: Option<chrono::NaiveDate>,
    q: Option<String>,
}

#[test]
fn every_bad_query_parameter_is_named_with_what_it_must_be() {
    let found = parse_pairs::<Filter>(
        b"kind=temple&active=maybe&limit=ten&from=2026-02-30&q=anything",
        "query",
    )
    .unwrap_err();
    let found: Vec<_> = found
        .into_iter()
        .map(|e| (e.field, e.message.render(Lang::English)))
        .collect();
    assert_eq!(
        message_of(&found, "kind"),
        "`temple` is not allowed, must be one of: union, judicial, police"
    );
    assert_eq!(message_of(&found, "active"), "must be true or false");
    assert_eq!(message_of(&found, "limit"), "must be a whole number");
    assert!(message_of(&found, "from").contains("2026-12-01"));
    assert_eq!(found.len(), 4, "{found:?}");
    let filter = parse_pairs::<Filter>(b"kind=police&limit=5", "query").unwrap();
    assert_eq!(filter.kind, Some(Kind3::Police));
}

#[test]
fn a_repeated_query_parameter_is_reported_once() {
    let found = parse_pairs::<Filter>(b"active=true&active=false", "query").unwrap_err();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].field, "active");
    assert_eq!(
        found[0].message.render(Lang::English),
        "appears more than once"
    );
}

#[test]
fn the_search_stops_within_its_budget() {
    let members: Vec<String> = (0..500).map(|i| format!("\"f{i}\": 1")).collect();
    let body = format!("{{{}}}", members.join(","));
    let value: Value = serde_json::from_str(&body).unwrap();
    let first = serde_path_to_error::deserialize::<_, Body>(&value).unwrap_err();
    let found = json_errors::<Body>(value.clone(), Failure::new(&first), 20);
    // The first failure comes with the first parse; each further parse finds one more.
    assert!(!found.is_empty() && found.len() <= 21, "{}", found.len());
}

#[test]
fn serde_messages_are_read_not_shown() {
    assert_eq!(
        classify("unknown variant `a`b`, expected one of `x`, `y` at line 1 column 9"),
        Kind::UnknownVariant {
            value: "a`b".into(),
            allowed: vec!["x".into(), "y".into()]
        }
    );
    assert_eq!(
        classify("unknown field `z`, there are no fields"),
        Kind::UnknownField { known: vec![] }
    );
    assert_eq!(
        classify("invalid value: integer `-1`, expected u32"),
        Kind::OutOfRange {
            expected: "u32".into()
        }
    );
    assert_eq!(classify("input contains invalid characters"), Kind::Other);
}
