//! The layering rules, checked on the source itself: the HTTP adapter may depend on everything
//! below it, nothing below it may depend on the adapter, and no import cycle spans more than two
//! modules (docs/architecture.md). A change that breaks a rule fails `cargo test`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The HTTP adapter (and the command line, the other front door): routes, handlers, extractors,
/// OpenAPI, middleware, the server, the staff console (`console::…`, a front door of pages). Everything else is use cases, domain rules and the database.
fn is_adapter(module: &str) -> bool {
    let last = module.rsplit("::").next().unwrap_or(module);
    last == "handlers"
        || last == "client_handlers"
        || module == "http"
        || module.starts_with("http::")
        || module.starts_with("openapi::")
        || module == "console"
        || module.starts_with("console::")
        || matches!(
            module,
            "routes" | "startup" | "openapi" | "health" | "cli" | "main" | "auth::extract"
        )
}

/// Every module of `src/` with its source up to its first `#[cfg(test)]`.
fn modules() -> BTreeMap<String, String> {
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(&root).ok()?.with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).ok()?;
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
            Some((parts.join("::"), code))
        })
        .filter(|(name, _)| name != "architecture_tests")
        .map(|(name, code)| (if name == "lib" { String::new() } else { name }, code))
        .collect()
}

/// The code of `source` without comments, so that prose naming a module is not an import.
fn code_lines(source: &str) -> impl Iterator<Item = &str> {
    source
        .lines()
        .map(str::trim_start)
        .filter(|line| !line.starts_with("//"))
}

/// The modules that `module`'s `source` names through `crate::…` and `super::…` paths (and
/// `use crate::{a, b}` groups), resolved to the longest known module.
fn imports(module: &str, source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let own: Vec<&str> = module.split("::").filter(|p| !p.is_empty()).collect();
    let mut found = BTreeSet::new();
    // One line, so that a `use crate::{…}` group spanning lines reads as one path.
    let code = code_lines(source).collect::<Vec<_>>().join(" ");
    {
        let mut rest = code.as_str();
        loop {
            let next = ["crate::", "super::"]
                .iter()
                .filter_map(|anchor| rest.find(anchor).map(|at| (at, *anchor)))
                .min();
            let Some((at, anchor)) = next else { break };
            let preceded_by_ident = rest[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            rest = &rest[at + anchor.len()..];
            if preceded_by_ident {
                continue;
            }
            let mut base: Vec<&str> = if anchor == "crate::" {
                Vec::new()
            } else {
                own[..own.len().saturating_sub(1)].to_vec()
            };
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | ',' | ' '))
                .collect();
            let (prefix, group) = match path.split_once('{') {
                Some((prefix, group)) => (prefix.trim_end_matches("::").trim(), Some(group)),
                None => (path.trim(), None),
            };
            let mut candidates = vec![prefix.to_owned()];
            for item in group.into_iter().flat_map(|g| g.split(',')) {
                let item = item.trim().split("::").next().unwrap_or("").trim();
                if !item.is_empty() && item != "self" {
                    candidates.push(if prefix.is_empty() {
                        item.to_owned()
                    } else {
                        format!("{prefix}::{item}")
                    });
                }
            }
            for candidate in candidates {
                let mut parts = base.clone();
                parts.extend(
                    candidate
                        .split("::")
                        .map(str::trim)
                        .filter(|p| !p.is_empty()),
                );
                if let Some(target) = (1..=parts.len())
                    .rev()
                    .map(|k| parts[..k].join("::"))
                    .find(|m| known.contains(m))
                {
                    found.insert(target);
                }
            }
        }
    }
    found
}

#[test]
fn nothing_below_the_http_adapter_imports_actix_or_a_handler() {
    let modules = modules();
    let mut offenders = Vec::new();
    for (name, source) in modules.iter().filter(|(name, _)| !is_adapter(name)) {
        for line in code_lines(source) {
            let imports_actix = line.contains("actix_");
            let names_handlers = line.contains("handlers::") && !line.starts_with("pub mod");
            if imports_actix || names_handlers {
                offenders.push(format!("{name}: {line}"));
            }
        }
    }
    // Through the import graph too: no `crate::http::…` (the error type and pages live below
    // it), and no `AppState` (`app`), which is the adapter's bundle of shared state.
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    for (name, source) in modules
        .iter()
        .filter(|(name, _)| !is_adapter(name) && *name != "app")
    {
        for target in imports(name, source, &known) {
            if is_adapter(&target) || target == "app" {
                offenders.push(format!("{name} imports {target}"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "below the HTTP adapter:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_import_cycle_spans_more_than_two_modules() {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let edges: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(name, source)| {
            let mut targets = imports(name, source, &known);
            targets.remove(name);
            (name.as_str(), targets)
        })
        .collect();
    // A module is in a cycle with every module it reaches that also reaches it.
    let reach = |start: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.to_owned()];
        while let Some(module) = stack.pop() {
            for next in edges.get(module.as_str()).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<String>> =
        edges.keys().map(|m| (*m, reach(m))).collect();
    let mut too_large = Vec::new();
    for (module, reached) in &reachable {
        let cycle: Vec<&String> = reached
            .iter()
            .filter(|other| {
                reachable
                    .get(other.as_str())
                    .is_some_and(|back| back.contains(*module))
            })
            .collect();
        if cycle.len() > 2 {
            too_large.push(format!("{module}: {cycle:?}"));
        }
    }
    assert!(
        too_large.is_empty(),
        "import cycles of more than two modules:\n{}",
        too_large.join("\n")
    );
}

/// The longest body a handler may have: extract → call one use case → respond reads in about
/// thirty lines; more means a rule is being written in the adapter.
const MAX_HANDLER_BODY_LINES: usize = 30;

#[test]
fn every_handler_only_extracts_calls_one_use_case_and_responds() {
    let mut too_long = Vec::new();
    for (name, source) in modules()
        .iter()
        .filter(|(name, _)| name.ends_with("handlers"))
    {
        let lines: Vec<&str> = source.lines().collect();
        let mut at = 0;
        while at < lines.len() {
            if !lines[at].starts_with("pub async fn ") {
                at += 1;
                continue;
            }
            let function = lines[at]
                .trim_start_matches("pub async fn ")
                .split('(')
                .next()
                .unwrap_or("")
                .to_owned();
            // The body starts after the line that ends the signature (`{` at its end) and runs
            // to the `}` in the first column.
            let open = (at..lines.len())
                .find(|&i| lines[i].ends_with('{'))
                .unwrap_or(at);
            let close = (open..lines.len())
                .find(|&i| lines[i] == "}")
                .unwrap_or(lines.len());
            let body = close.saturating_sub(open + 1);
            if body > MAX_HANDLER_BODY_LINES {
                too_long.push(format!("{name}::{function}: {body} lines"));
            }
            at = close;
        }
    }
    assert!(
        too_long.is_empty(),
        "handlers longer than {MAX_HANDLER_BODY_LINES} lines:\n{}",
        too_long.join("\n")
    );
}
