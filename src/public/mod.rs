//! The worker's front door (issue 15): apply online, follow the case, rate the service — without
//! an account. The API (`/api/v1/public/…`) and the pages (`/apply`, `/track`, `/survey/…`) call
//! the same use cases; what a worker holds instead of a password is a texted code, an access
//! code and a survey link ([`codes`]), and what stops guessing is [`throttle`].

pub mod codes;
pub mod handlers;
pub mod surveys;
pub mod throttle;
pub mod track;
pub mod use_cases;
pub mod worker_view;
