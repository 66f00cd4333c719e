//! The staff console (issue 16): a server-rendered Chinese web console for mediators,
//! supervisors, partner offices, lawyers and admins, at `/console`, in the same binary and over
//! the same use cases as the REST API — a second front door, so no rule is written twice.
//!
//! - [`session`]: signing in with `auth::sign_in` (the same session rows as the API), the
//!   cookie, the form token every form carries, and the [`layout::ConsoleUser`] extractor.
//! - [`layout`]: the chrome (the navigation a role has), the Content-Security-Policy, the
//!   stylesheet, and the answers every handler gives (a page, a redirect, a failure page).
//! - one module per area of work, each only extracting, calling the use cases of the API and
//!   drawing a page (askama templates in `templates/console/`).
//!
//! Visibility is the API's: every page loads what it shows through the use cases, which read
//! through `cases::access`, so a case the person may not see is a 404 page here too.

pub mod admin_clients;
pub mod admin_kit;
pub mod admin_notifications;
pub mod admin_office_form;
pub mod admin_offices;
pub mod admin_users;
pub mod case_actions;
pub mod case_actions_input;
pub mod case_actions_records;
pub mod case_list;
pub mod case_page;
pub mod case_roster;
pub mod case_rows;
pub mod case_view;
pub mod case_view_actions;
pub mod case_view_forms;
pub mod case_view_page;
pub mod case_view_sections;
pub mod case_view_words;
pub mod charts;
pub mod documents;
pub mod exports;
pub mod figures;
pub mod figures_view;
pub mod files;
pub mod grant_actions;
pub mod grants;
pub mod home;
pub mod intake;
pub mod intake_fields;
pub mod intake_form;
pub mod intake_warnings;
pub mod layout;
pub mod papers;
pub mod password;
pub mod referral_inbox;
pub mod referral_view;
pub mod referrals;
pub mod session;
pub mod timeline_words;
pub mod words;
pub mod work;
