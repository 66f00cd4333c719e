//! The sizes the service reads, in one place that imports nothing else of the app, so that the
//! error type, the body extractor and the request screening can all name them without depending
//! on each other.

/// The longest request target (path and query) read: far above any link the service makes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The largest header section read (names and values); a bearer token is under 1 KiB.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The largest body the service accepts, in bytes; registered as app data at start.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

static CONFIGURED_LIMIT: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(1024 * 1024);

impl BodyLimit {
    /// Registers the limit, also for problem documents actix produces on its own.
    pub fn new(bytes: usize) -> Self {
        CONFIGURED_LIMIT.store(bytes, std::sync::atomic::Ordering::Relaxed);
        Self(bytes)
    }
}

/// The body limit in force, for messages.
pub fn configured_limit() -> usize {
    CONFIGURED_LIMIT.load(std::sync::atomic::Ordering::Relaxed)
}
