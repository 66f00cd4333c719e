//! The words the console shows for the API's codes: they live below the console, in
//! [`crate::words`], so that the exports and the worker's pages say the same.

pub use crate::words::*;
