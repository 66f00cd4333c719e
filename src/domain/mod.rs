//! Small domain types shared across modules: ids, emails, and enums stored as text.
//!
//! "Parse, don't validate": request fields become these types at the edge, so code further in
//! never sees an unchecked string.

pub mod employer;
pub mod identifiers;
pub mod ids;
pub mod lengths;
pub mod protect;
pub mod search_keys;
pub mod text;
pub mod validation;

/// A new opaque id: a UUIDv7 (time-ordered, so index-friendly; not guessable or sequential).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Writes `$name` as TEXT on both backends through its `as_str()`: the `ToSql` impls every
/// text-stored type needs (the enums of [`text_enum!`] and the ids of [`ids`]), written once.
#[macro_export]
macro_rules! text_sql_writes {
    ($name:ident) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self.as_str()));
                Ok(diesel::serialize::IsNull::No)
            }
        }

        // Inserts reach the backends' own types (diesel's multi-row insert dispatches per backend).
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                std::io::Write::write_all(out, self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.as_str());
                Ok(diesel::serialize::IsNull::No)
            }
        }
    };
}

/// Defines a closed set of values stored as TEXT (with a CHECK constraint in the migrations):
/// `as_str`, `parse`, `ALL`, serde as snake_case strings, an OpenAPI schema listing exactly those
/// strings (utoipa cannot read a `serde(rename)` whose value comes from a macro, so each variant
/// also carries `schema(rename)`; `tests/api/contract.rs` compares every enum of the served
/// document with `ALL`), and a diesel type:
/// a column of this type reads as the enum on both backends, and a value the enum does not know
/// is a deserialization error, never a silent default.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] #[schema(rename = $text)] $variant),+
        }

        $crate::text_sql_writes!($name);

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn from_sql(
                bytes: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    $crate::db::MultiBackend,
                >>::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| {
                    format!("`{text}` is not a {} the service knows", stringify!($name)).into()
                })
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialized form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value for its stored form; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// "a, b, c": for error messages that list the allowed values.
            pub fn allowed() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// An email address, trimmed; compared case-insensitively through [`Email::normalized`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld`-shaped addresses of sane length.
    pub fn parse(raw: &str) -> Result<Self, crate::i18n::Message> {
        let value = raw.trim();
        let valid = value.len() <= 254
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && (domain.contains('.') || domain == "localhost")
            })
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(crate::msg!("field.email"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form used for uniqueness and look-ups.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Optimistic locking: a client edits the version it read, and a stale one is refused with 412
/// instead of silently overwriting someone's change.
/// Refuses with 412 when the client's expected version is not the current one.
pub fn check_version(expected: Option<i32>, current: i32) -> Result<(), crate::error::AppError> {
    match expected {
        Some(expected) if expected != current => {
            Err(crate::error::AppError::PreconditionFailed(crate::msg!(
                "detail.version_conflict.version",
                expected = expected,
                current = current
            )))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_normalized() {
        assert_eq!(
            Email::parse(" Li.Ming@Union.GD.cn ").unwrap().normalized(),
            "li.ming@union.gd.cn"
        );
        assert!(Email::parse("admin@localhost").is_ok());
        for bad in [
            "",
            "no-at-sign",
            "@x.cn",
            "a@",
            "a b@x.cn",
            "a@.cn",
            "a@b@c.cn",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn new_ids_are_unique_and_time_ordered() {
        let first = new_id();
        let second = new_id();
        assert_ne!(first, second);
        assert!(first < second);
    }
}
