//! The case page's words live below the console, in [`crate::case_words`], so that the printed
//! case file (`dossier::case_file`) says the same.

pub use crate::case_words::*;
