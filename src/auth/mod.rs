//! Identity and access: who is calling, and what they may do.

pub mod signing_secret;
