//! The API test binary: every test boots the real application over real HTTP with a fresh
//! database, on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

mod browser;
mod console_support;
mod helpers;
mod personas;
mod sms_gateway;
mod smtp_sink;

mod access_matrix;
mod auth;
mod case_files;
mod case_lists;
mod case_page_queries;
mod cases_intake;
mod cases_lifecycle;
mod cases_visibility;
mod cli;
mod concurrency;
mod console;
mod console_admin;
mod console_browser;
mod console_case;
mod console_figures;
mod console_more;
mod console_partner;
mod console_work;
mod contract;
mod contract_answers;
mod directory;
mod follow_ups;
mod foundation;
mod hostile_input;
mod notifications;
mod orphans;
mod pages;
mod problem_language;
mod public;
mod resilience;
mod sms;
mod three_offices;
