//! A query string or form body as the search of `shape` repairs it: name/value pairs in the order
//! sent, parsed again through serde_urlencoded each time.

use serde::de::DeserializeOwned;

use super::{Candidate, Document, Failure, Step};

/// A query string or form body as its name/value pairs.
#[derive(Clone, Debug)]
pub(super) struct Pairs(pub(super) Vec<(String, String)>);

impl Pairs {
    fn name(path: &[Step]) -> Option<&str> {
        match path {
            [Step::Key(name)] => Some(name),
            _ => None,
        }
    }
}

impl Document for Pairs {
    fn parse<T: DeserializeOwned>(&self) -> Result<(), Failure> {
        let encoded = serde_urlencoded::to_string(&self.0).unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(deserializer)
            .map(drop)
            .map_err(|e| Failure::new(&e))
    }

    fn put(&mut self, path: &[Step], candidate: &Candidate) -> bool {
        let (Some(name), Some(value)) = (Self::name(path), candidate.text()) else {
            return false;
        };
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
        true
    }

    fn remove(&mut self, path: &[Step]) -> bool {
        let Some(name) = Self::name(path) else {
            return false;
        };
        let before = self.0.len();
        self.0.retain(|(n, _)| n != name);
        self.0.len() < before
    }

    fn dedupe(&mut self, path: &[Step]) -> bool {
        let Some(name) = Self::name(path) else {
            return false;
        };
        let mut seen = false;
        let before = self.0.len();
        self.0.retain(|(n, _)| {
            let keep = n != name || !seen;
            seen |= n == name;
            keep
        });
        self.0.len() < before
    }
}
