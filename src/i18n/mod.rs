//! Messages in the user's language: Chinese by default, English on request.
//!
//! Code below the HTTP adapter never writes a sentence a person reads. It names a message by its
//! key and hands over the values to fill in ([`Message`], usually built with [`msg!`]); the
//! adapter renders it in the request's language (`http::language`, chosen from
//! `Accept-Language`). The sentences live in one catalogue per language, `locales/zh-CN.txt` and
//! `locales/en.txt`, compiled into the binary: one `key = text with {placeholders}` per line,
//! `#` starts a comment. A test keeps the two catalogues in step (same keys, same placeholders)
//! and checks every key the source names against them.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// A language the service answers in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese, for mediators and office staff: the default.
    #[default]
    Zh,
    English,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::English];

    /// The language tag sent in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::English => "en",
        }
    }

    /// Between the items of a list of values ("union、judicial" / "union, judicial").
    fn list_separator(self) -> &'static str {
        match self {
            Self::Zh => "、",
            Self::English => ", ",
        }
    }

    /// Between clauses, e.g. the fields of a validation detail.
    fn clause_separator(self) -> &'static str {
        match self {
            Self::Zh => "；",
            Self::English => "; ",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Self::Zh => include_str!("../../locales/zh-CN.txt"),
            Self::English => include_str!("../../locales/en.txt"),
        }
    }

    fn catalogue(self) -> &'static HashMap<&'static str, &'static str> {
        static ZH: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        let cell = match self {
            Self::Zh => &ZH,
            Self::English => &EN,
        };
        cell.get_or_init(|| parse_catalogue(self.source()))
    }

    /// The language an `Accept-Language` header asks for (RFC 9110 §12.5.4): the supported
    /// language with the highest `q`, earlier entries winning ties. `zh`, `zh-CN`, `zh-Hans`, …
    /// are Chinese; `en`, `en-US`, … English; `*` and anything unreadable, unsupported or
    /// refused (`q=0`) leave the default, Chinese.
    pub fn negotiate(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::default();
        };
        let mut best: Option<(u16, Lang)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut quality = Some(1000);
            for parameter in parts {
                let Some((name, value)) = parameter.split_once('=') else {
                    continue;
                };
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = parse_quality(value.trim());
                }
            }
            let Some(quality) = quality.filter(|q| *q > 0) else {
                continue;
            };
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "zh" => Lang::Zh,
                "en" => Lang::English,
                "*" => Lang::default(),
                _ => continue,
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map_or(Lang::default(), |(_, lang)| lang)
    }
}

/// A `q` value in thousandths: `0`, `0.5`, `1`, `1.000`; `None` if it is not one.
fn parse_quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// `key = text` lines; blank lines and `#` comments are skipped.
fn parse_catalogue(source: &'static str) -> HashMap<&'static str, &'static str> {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (key, text) = line.split_once('=')?;
            Some((key.trim(), text.trim()))
        })
        .collect()
}

/// A value to fill into a placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: a number, a field name, a code value such as `police`.
    Text(String),
    /// Values joined the language's way: "union、judicial" or "union, judicial".
    List(Vec<String>),
    /// Another message, rendered in the same language.
    Message(Box<Message>),
    /// Messages joined as clauses: "a；b" or "a; b".
    Clauses(Vec<Message>),
}

/// Anything that can fill a placeholder: whatever prints (`Display`), a [`List`], a
/// [`Message`] or [`Clauses`].
pub trait IntoArg {
    fn into_arg(self) -> Arg;
}

impl<T: fmt::Display> IntoArg for T {
    fn into_arg(self) -> Arg {
        Arg::Text(self.to_string())
    }
}

/// Values to show as a list, e.g. the values an enum allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List(pub Vec<String>);

impl List {
    pub fn of<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        Self(values.into_iter().map(Into::into).collect())
    }
}

impl IntoArg for List {
    fn into_arg(self) -> Arg {
        Arg::List(self.0)
    }
}

/// Messages to show one after the other as clauses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clauses(pub Vec<Message>);

impl IntoArg for Clauses {
    fn into_arg(self) -> Arg {
        Arg::Clauses(self.0)
    }
}

impl IntoArg for Message {
    fn into_arg(self) -> Arg {
        Arg::Message(Box::new(self))
    }
}

/// A sentence for a person, not yet in any language: a catalogue key and its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// Fills the placeholder `{name}` with `value`.
    pub fn arg(mut self, name: &'static str, value: impl IntoArg) -> Self {
        self.args.push((name, value.into_arg()));
        self
    }

    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The value given for `{name}`, if any.
    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }

    /// The text in `lang`. A key missing from that catalogue falls back to English, then to
    /// the key itself (the catalogue test keeps either from happening).
    pub fn render(&self, lang: Lang) -> String {
        let template = lookup(lang, self.key)
            .or_else(|| lookup(Lang::English, self.key))
            .unwrap_or(self.key);
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name_end = after.find('}');
            let filled = name_end.and_then(|end| {
                let name = &after[..end];
                self.get(name).map(|arg| (end, self.render_arg(arg, lang)))
            });
            match filled {
                Some((end, text)) => {
                    out.push_str(&text);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn render_arg(&self, arg: &Arg, lang: Lang) -> String {
        match arg {
            Arg::Text(text) => text.clone(),
            Arg::List(items) => items.join(lang.list_separator()),
            Arg::Message(message) => message.render(lang),
            Arg::Clauses(messages) => messages
                .iter()
                .map(|m| m.render(lang))
                .collect::<Vec<_>>()
                .join(lang.clause_separator()),
        }
    }
}

fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    lang.catalogue().get(key).copied()
}

/// Builds a [`Message`]: `msg!("field.too_long", max = 200)`.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Message::new($key)$(.arg(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests;
