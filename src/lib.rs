//! mediation-tracker: labour-dispute mediation cases under "one union, three offices".
//!
//! Start at [`routes`] (every URL and its handler) and [`startup`] (how the app is assembled);
//! `docs/architecture.md` draws the module layout and the path of a request.

pub mod agreements;
pub mod app;
#[cfg(test)]
mod architecture_tests;
pub mod auth;
pub mod case_words;
pub mod cases;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod consultations;
pub mod db;
pub mod demo;
pub mod documents;
pub mod domain;
pub mod dossier;
pub mod employers;
pub mod error;
pub mod exports;
pub mod follow_ups;
pub mod grants;
pub mod health;
pub mod http;
pub mod i18n;
pub mod notify;
pub mod offices;
pub mod openapi;
pub mod outbound_tls;
pub mod pages;
pub mod pagination;
pub mod papers;
pub mod parties;
pub mod public;
pub mod referrals;
pub mod risks;
pub mod roster;
pub mod routes;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod startup;
pub mod stats;
pub mod telemetry;
pub mod timeline;
pub mod timeline_sentences;
pub mod users;
pub mod words;
