//! Reading serde's error text: which kind of failure it is, and the names it quotes. The text
//! is only read, never shown.

/// What a failure means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `missing field `x``, reported at the parent's path.
    Missing(String),
    /// `unknown field `x`, expected one of …`, reported at the field's path.
    UnknownField {
        known: Vec<String>,
    },
    UnknownVariant {
        value: String,
        allowed: Vec<String>,
    },
    /// `duplicate field `x``, reported at the parent's path.
    Duplicate(String),
    InvalidType,
    /// A value of the right type out of its range; `expected` is serde's name of the type.
    OutOfRange {
        expected: String,
    },
    /// A custom error: a date that does not parse, a number in a query that does not.
    Other,
}

/// The names in backticks: `a`, `b` or `c`.
pub(super) fn ticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

pub(super) fn classify(text: &str) -> Kind {
    let text = text.split(" at line ").next().unwrap_or(text);
    let name_and_rest = |rest: &str| -> (String, String) {
        let end = ["`, expected", "`, there are no"]
            .iter()
            .filter_map(|marker| rest.rfind(marker))
            .min()
            .unwrap_or_else(|| rest.rfind('`').unwrap_or(rest.len()));
        (rest[..end].to_owned(), rest[end..].to_owned())
    };
    if let Some(rest) = text.strip_prefix("missing field `") {
        return Kind::Missing(rest.trim_end_matches('`').to_owned());
    }
    if let Some(rest) = text.strip_prefix("duplicate field `") {
        return Kind::Duplicate(rest.trim_end_matches('`').to_owned());
    }
    if let Some(rest) = text.strip_prefix("unknown field `") {
        let (_, tail) = name_and_rest(rest);
        return Kind::UnknownField {
            known: ticked(tail.get(1..).unwrap_or("")),
        };
    }
    if let Some(rest) = text.strip_prefix("unknown variant `") {
        let (value, tail) = name_and_rest(rest);
        return Kind::UnknownVariant {
            value,
            allowed: ticked(tail.get(1..).unwrap_or("")),
        };
    }
    if text.starts_with("invalid type: ") {
        return Kind::InvalidType;
    }
    if let Some(rest) = text.strip_prefix("invalid value: integer `") {
        let expected = rest.rsplit_once(", expected ").map_or("", |(_, e)| e);
        return Kind::OutOfRange {
            expected: expected.to_owned(),
        };
    }
    if text.starts_with("number too large") || text.starts_with("number too small") {
        return Kind::OutOfRange {
            expected: String::new(),
        };
    }
    Kind::Other
}
