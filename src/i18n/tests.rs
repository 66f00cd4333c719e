//! The catalogues kept in step with each other and with the source.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;

fn placeholders(template: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
            {
                found.insert(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

fn source_files() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    files
        .into_iter()
        .filter_map(|path| Some((path.clone(), std::fs::read_to_string(&path).ok()?)))
        .collect()
}

/// The text of a macro call's parentheses starting at `from` (just after `msg!(`), skipping
/// string literals; `None` if it does not close.
fn call_arguments(source: &str, from: usize) -> Option<&str> {
    let bytes = source.as_bytes();
    let (mut depth, mut index, mut in_string) = (1usize, from, false);
    while index < bytes.len() {
        match (in_string, bytes[index]) {
            (true, b'\\') => index += 1,
            (true, b'"') => in_string = false,
            (false, b'"') => in_string = true,
            (false, b'(' | b'[' | b'{') => depth += 1,
            (false, b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(&source[from..index]);
                }
            }
            _ => {}
        }
        index += 1;
    }
    None
}

/// Splits at the commas outside brackets and strings.
fn top_level_parts(arguments: &str) -> Vec<&str> {
    let bytes = arguments.as_bytes();
    let (mut parts, mut start, mut depth, mut in_string) = (Vec::new(), 0, 0usize, false);
    let mut index = 0;
    while index < bytes.len() {
        match (in_string, bytes[index]) {
            (true, b'\\') => index += 1,
            (true, b'"') => in_string = false,
            (false, b'"') => in_string = true,
            (false, b'(' | b'[' | b'{') => depth += 1,
            (false, b')' | b']' | b'}') => depth -= 1,
            (false, b',') if depth == 0 => {
                parts.push(arguments[start..index].trim());
                start = index + 1;
            }
            _ => {}
        }
        index += 1;
    }
    parts.push(arguments[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Every `msg!("key", name = …)` in the source: (where, key, argument names).
fn message_calls() -> Vec<(String, String, BTreeSet<String>)> {
    let mut calls = Vec::new();
    for (path, source) in source_files() {
        // This file names the macro in its own code and prose.
        if path.ends_with("i18n/tests.rs") {
            continue;
        }
        let mut from = 0;
        while let Some(at) = source[from..].find("msg!(") {
            let start = from + at + "msg!(".len();
            from = start;
            let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
            if source[line_start..start].trim_start().starts_with("//") {
                continue;
            }
            let Some(arguments) = call_arguments(&source, start) else {
                continue;
            };
            let parts = top_level_parts(arguments);
            let Some(key) = parts
                .first()
                .and_then(|k| k.strip_prefix('"'))
                .and_then(|k| k.strip_suffix('"'))
            else {
                continue;
            };
            let names = parts[1..]
                .iter()
                .filter_map(|p| p.split_once('=').map(|(name, _)| name.trim().to_owned()))
                .collect();
            let line = source[..start].lines().count();
            calls.push((format!("{}:{line}", path.display()), key.to_owned(), names));
        }
    }
    calls
}

#[test]
fn both_catalogues_have_the_same_keys_with_the_same_placeholders() {
    let zh = Lang::Zh.catalogue();
    let en = Lang::English.catalogue();
    let zh_keys: BTreeSet<_> = zh.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    assert_eq!(
        zh_keys.difference(&en_keys).collect::<Vec<_>>(),
        Vec::<&&&str>::new(),
        "in zh-CN.txt only"
    );
    assert_eq!(
        en_keys.difference(&zh_keys).collect::<Vec<_>>(),
        Vec::<&&&str>::new(),
        "in en.txt only"
    );
    for key in zh.keys() {
        assert_eq!(
            placeholders(zh[key]),
            placeholders(en[key]),
            "the placeholders of {key} differ"
        );
        assert!(!zh[key].is_empty() && !en[key].is_empty(), "{key} is empty");
    }
}

#[test]
fn no_key_is_written_twice_in_a_catalogue() {
    for lang in Lang::ALL {
        let mut seen = BTreeMap::new();
        for line in lang.source().lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, _) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{}: not `key = text`: {line}", lang.tag()));
            *seen.entry(key.trim()).or_insert(0) += 1;
        }
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{}: {twice:?}", lang.tag());
    }
}

#[test]
fn every_message_the_source_names_exists_with_exactly_its_placeholders() {
    let calls = message_calls();
    assert!(
        calls.len() > 100,
        "the scan found the calls: {}",
        calls.len()
    );
    for (place, key, names) in calls {
        for lang in Lang::ALL {
            let template = lang
                .catalogue()
                .get(key.as_str())
                .unwrap_or_else(|| panic!("{place}: `{key}` is not in {}", lang.tag()));
            assert_eq!(
                placeholders(template),
                names,
                "{place}: `{key}` is given other values than its {} text names",
                lang.tag()
            );
        }
    }
}

#[test]
fn every_catalogue_key_is_used_by_the_source() {
    let sources: String = source_files()
        .into_iter()
        .map(|(_, s)| s)
        .collect::<Vec<_>>()
        .join("\n");
    let unused: Vec<_> = Lang::Zh
        .catalogue()
        .keys()
        .filter(|key| !sources.contains(&format!("\"{key}\"")))
        .collect();
    assert!(unused.is_empty(), "keys no code names: {unused:?}");
}

#[test]
fn accept_language_is_negotiated_with_q_values_and_defaults_to_chinese() {
    assert_eq!(Lang::negotiate(None), Lang::Zh);
    assert_eq!(Lang::negotiate(Some("")), Lang::Zh);
    assert_eq!(Lang::negotiate(Some("en")), Lang::English);
    assert_eq!(Lang::negotiate(Some("en-US")), Lang::English);
    assert_eq!(Lang::negotiate(Some("EN-gb")), Lang::English);
    assert_eq!(Lang::negotiate(Some("zh-CN")), Lang::Zh);
    assert_eq!(Lang::negotiate(Some("zh-Hans-CN, en;q=0.8")), Lang::Zh);
    assert_eq!(
        Lang::negotiate(Some("zh-CN;q=0.5, en;q=0.9")),
        Lang::English
    );
    assert_eq!(
        Lang::negotiate(Some("en;q=0.9, zh;q=0.9")),
        Lang::English,
        "ties: first wins"
    );
    assert_eq!(Lang::negotiate(Some("fr-FR, en;q=0.1")), Lang::English);
    assert_eq!(
        Lang::negotiate(Some("fr-FR, de")),
        Lang::Zh,
        "nothing supported"
    );
    assert_eq!(Lang::negotiate(Some("*")), Lang::Zh);
    assert_eq!(
        Lang::negotiate(Some("en;q=0")),
        Lang::Zh,
        "q=0 refuses English"
    );
    assert_eq!(Lang::negotiate(Some("*;q=0.5, en")), Lang::English);
    assert_eq!(
        Lang::negotiate(Some("en;q=abc")),
        Lang::Zh,
        "an unreadable q is ignored"
    );
    assert_eq!(Lang::negotiate(Some("en;q=1.0001")), Lang::Zh);
    assert_eq!(
        Lang::negotiate(Some("en ; q=0.3 , zh;q=0.2")),
        Lang::English
    );
}

#[test]
fn placeholders_are_filled_in_each_language_s_way() {
    let message = crate::msg!(
        "field.one_of",
        allowed = List::of(["union", "judicial", "hr"])
    );
    assert_eq!(
        message.render(Lang::English),
        "must be one of: union, judicial, hr"
    );
    assert!(
        message.render(Lang::Zh).contains("union、judicial、hr"),
        "{}",
        message.render(Lang::Zh)
    );
    let nested = crate::msg!("problem.field_item", field = "code", message = message);
    assert_eq!(
        nested.render(Lang::English),
        "code must be one of: union, judicial, hr"
    );
}

#[test]
fn an_unknown_key_renders_as_itself_instead_of_failing() {
    assert_eq!(Message::new("no.such.key").render(Lang::Zh), "no.such.key");
}
