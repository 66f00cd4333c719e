//! How many characters each kind of text may hold.
//!
//! One list, because two readers need the same numbers: the validation that refuses a longer
//! value (`validation::text`, `free_text`), and the OpenAPI document that tells clients the limit
//! as `maxLength` (`openapi::text`). A limit changed here changes both.

/// A person's, an office's, an employer's, a payee's or a machine client's name.
pub const NAME: usize = 200;
/// What a partner office reports it did, in a few words ("located", "verified").
pub const OUTCOME: usize = 100;
/// A postal address or where a session is held.
pub const PLACE: usize = 500;
/// Why someone revealed a party's identity.
pub const PURPOSE: usize = 500;
/// A reason (decline, cancel, reject), a term of an agreement, a payment's or a follow-up's note.
pub const REASON: usize = 2000;
/// A case summary, a referral's request or its result.
pub const ACCOUNT: usize = 5000;
/// A note on the timeline.
pub const NOTE: usize = 10_000;
/// The minutes of a session.
pub const MINUTES: usize = 20_000;
/// An uploaded file's name.
pub const FILE_NAME: usize = 255;
