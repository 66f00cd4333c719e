//! The timeline's sentences live below the console, in [`crate::timeline_sentences`], so that
//! the printed case file (`dossier::case_file`) tells the timeline in the same words.

pub use crate::timeline_sentences::*;
