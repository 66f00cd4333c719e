//! The worker's pages (issue 15): `/apply`, `/track` and `/survey/{token}`, server-rendered in
//! Chinese (English for `Accept-Language: en`) over the same use cases as the public API
//! (`public::use_cases`, `public::surveys`). They are written for a phone in a messaging app's
//! browser: mobile-first from 360 px, no JavaScript, no cookies, one stylesheet from the binary.
//!
//! - [`forms`]: what a submitted form says, read into the use case's input. Only the page's own
//!   concerns live here (yuan typed as `4800.50` becomes fen; a select's value becomes a
//!   category); every rule of the application is the use case's, and its field errors are shown
//!   next to the fields with the API's messages.
//! - [`fields`]: a form as drawn — each field with its label, hint, value typed and error.
//! - [`apply`] and [`views`]: the pages themselves (askama templates under `templates/public/`),
//!   filled with display strings in the request's language.
//! - [`layout`]: what every page shares: the stylesheet, the Content-Security-Policy, the chrome.
//! - [`handlers`]: the HTTP side — extract, call one use case, answer a page.
//!
//! A form that fails answers its status (422, 404, 429, …) with the form, the values typed and
//! the errors; `http::middleware` leaves such an HTML answer as it is.

pub mod apply;
pub mod fields;
pub mod forms;
pub mod handlers;
pub mod layout;
pub mod views;
