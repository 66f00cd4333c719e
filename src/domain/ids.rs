//! Typed ids. Every id in the service is an opaque string (a UUIDv7), so without types a case id,
//! an office id and a user id are interchangeable to the compiler — and a swapped argument reads
//! the wrong row without any error. Each kind of id is its own type here: passing an office id
//! where a case id belongs does not compile.
//!
//! ```compile_fail,E0308
//! use mediation_tracker::auth::caller::Caller;
//! use mediation_tracker::cases::access::find_for;
//! use mediation_tracker::db::DbConnection;
//! use mediation_tracker::domain::ids::OfficeId;
//! fn misuse(connection: &mut DbConnection, caller: &Caller, office: &OfficeId) {
//!     // error[E0308]: expected `&CaseId`, found `&OfficeId`
//!     let _ = find_for(connection, caller, office);
//! }
//! ```
//!
//! The same call with a case id compiles (this twin keeps the test above honest: it fails for
//! the id's type, not for a typo):
//!
//! ```no_run
//! use mediation_tracker::auth::caller::Caller;
//! use mediation_tracker::cases::access::find_for;
//! use mediation_tracker::db::DbConnection;
//! use mediation_tracker::domain::ids::CaseId;
//! fn read(connection: &mut DbConnection, caller: &Caller, case: &CaseId) {
//!     let _ = find_for(connection, caller, case);
//! }
//! ```
//!
//! An id reads as `&str` (`Deref`), so formatting, logging and comparing with text need no
//! conversion; it is stored as TEXT on both backends and serialized as a plain string.

/// Defines an id type over `String`: diesel TEXT on both backends, serde as a plain string.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh id (UUIDv7: time-ordered, so index-friendly; not guessable).
            pub fn generate() -> Self {
                Self(super::new_id())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                Self(id.clone())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        $crate::text_sql_writes!($name);

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn from_sql(
                bytes: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    $crate::db::MultiBackend,
                >>::from_sql(bytes)
                .map(Self)
            }
        }
    };
}

id_type! {
    /// A case's id.
    CaseId
}

id_type! {
    /// An office's id (the union federation, a town union, a partner office).
    OfficeId
}

id_type! {
    /// A person's id (staff, partner officers, lawyers).
    UserId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_serializes_as_its_plain_string() {
        let id = CaseId::from("0194-a");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"0194-a\"");
        let back: CaseId = serde_json::from_str("\"0194-a\"").unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn generated_ids_are_distinct() {
        assert_ne!(OfficeId::generate(), OfficeId::generate());
    }
}
