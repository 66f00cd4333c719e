//! The first request head of every connection, screened before the HTTP parser sees it.
//!
//! Why: actix's parser answers a head it cannot take — a request target over 64 KiB (the `http`
//! crate's limit), a head over 128 KiB, more than 96 headers — itself, with an empty 400 or 431
//! and no problem document, before any middleware runs. This wrapper reads the head first. When
//! it is within [`MAX_HEAD_BYTES`] and [`MAX_HEAD_LINES`], the bytes pass through unchanged and
//! the connection is left alone from then on. When it is not, the rest of the head is discarded
//! and a tiny stand-in request is handed to the application instead, to a path that answers the
//! 414 or 431 problem document (with a request id, logged and counted like any answer), and the
//! connection is closed after it.
//!
//! Only the first head of a connection is screened: later heads on a kept-alive connection could
//! only be found by following every body's framing. A client that sends an oversized head after
//! a normal request on one connection still gets actix's bare answer.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The largest first head passed through; far below actix's own 128 KiB, above every limit the
/// application sets itself (`limits::MAX_URI_BYTES`, `MAX_HEADER_BYTES`).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most lines a head may have (request line and headers); actix takes at most 96 headers.
pub const MAX_HEAD_LINES: usize = 90;

/// The path of the stand-in request for a request target too long to read.
pub const URI_TOO_LONG_PATH: &str = "/.well-known/oversized/uri";
/// The path of the stand-in request for a header section too large to read.
pub const HEADERS_TOO_LARGE_PATH: &str = "/.well-known/oversized/headers";

enum Phase {
    /// Collecting the first head.
    Screening(Vec<u8>),
    /// Handing over what was read: the head as it came, or a stand-in. `close_after`: then the
    /// connection reads as ended (the stand-in's client is not listened to any more).
    Replaying {
        bytes: Vec<u8>,
        offset: usize,
        close_after: bool,
    },
    /// Everything else, straight from the socket.
    PassThrough,
    /// The oversized head's connection: what the client still sends is read and dropped.
    Draining,
}

/// A TCP stream whose first request head is screened; see the module documentation.
pub struct ScreenedStream {
    inner: TcpStream,
    phase: Phase,
}

impl ScreenedStream {
    pub fn new(inner: TcpStream) -> Self {
        Self {
            inner,
            phase: Phase::Screening(Vec::with_capacity(1024)),
        }
    }
}

/// What the collected bytes say about the head.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Not complete yet, and not too large.
    Incomplete,
    /// Complete and within the limits.
    Acceptable,
    /// Too large: the stand-in path to answer it.
    Oversized(&'static str),
}

fn judge(head: &[u8]) -> Verdict {
    let complete = head.windows(4).position(|w| w == b"\r\n\r\n");
    let examined = complete.map_or(head, |end| &head[..end]);
    let lines = examined.windows(2).filter(|w| w == b"\r\n").count() + 1;
    let request_line = examined
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(examined.len());
    if request_line > MAX_HEAD_BYTES {
        return Verdict::Oversized(URI_TOO_LONG_PATH);
    }
    if examined.len() > MAX_HEAD_BYTES || lines > MAX_HEAD_LINES {
        return Verdict::Oversized(HEADERS_TOO_LARGE_PATH);
    }
    if complete.is_some() {
        Verdict::Acceptable
    } else {
        Verdict::Incomplete
    }
}

fn stand_in(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: oversized\r\nConnection: close\r\n\r\n").into_bytes()
}

impl AsyncRead for ScreenedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match &mut this.phase {
                Phase::PassThrough => return Pin::new(&mut this.inner).poll_read(cx, buf),
                Phase::Replaying {
                    bytes,
                    offset,
                    close_after,
                } => {
                    let rest = &bytes[*offset..];
                    let taken = rest.len().min(buf.remaining());
                    buf.put_slice(&rest[..taken]);
                    *offset += taken;
                    if *offset == bytes.len() {
                        this.phase = if *close_after {
                            Phase::Draining
                        } else {
                            Phase::PassThrough
                        };
                    }
                    return Poll::Ready(Ok(()));
                }
                Phase::Draining => {
                    let mut scratch = [0u8; 8192];
                    let mut discard = ReadBuf::new(&mut scratch);
                    match Pin::new(&mut this.inner).poll_read(cx, &mut discard) {
                        Poll::Ready(Ok(())) if !discard.filled().is_empty() => continue,
                        other => return other,
                    }
                }
                Phase::Screening(head) => {
                    let mut chunk = [0u8; 8192];
                    let mut read = ReadBuf::new(&mut chunk);
                    match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                        Poll::Ready(Ok(())) if read.filled().is_empty() => {
                            // The client closed before finishing a head: hand over what came.
                            let bytes = std::mem::take(head);
                            if bytes.is_empty() {
                                return Poll::Ready(Ok(()));
                            }
                            this.phase = Phase::Replaying {
                                bytes,
                                offset: 0,
                                close_after: false,
                            };
                        }
                        Poll::Ready(Ok(())) => {
                            head.extend_from_slice(read.filled());
                            match judge(head) {
                                Verdict::Incomplete => continue,
                                Verdict::Acceptable => {
                                    this.phase = Phase::Replaying {
                                        bytes: std::mem::take(head),
                                        offset: 0,
                                        close_after: false,
                                    };
                                }
                                Verdict::Oversized(path) => {
                                    this.phase = Phase::Replaying {
                                        bytes: stand_in(path),
                                        offset: 0,
                                        close_after: true,
                                    };
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

impl AsyncWrite for ScreenedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_head_is_acceptable_once_complete() {
        let head = b"GET /api/v1/cases HTTP/1.1\r\nHost: x\r\n\r\n{\"body\":1}";
        assert_eq!(judge(head), Verdict::Acceptable);
        assert_eq!(judge(&head[..20]), Verdict::Incomplete);
    }

    #[test]
    fn a_request_line_over_the_limit_is_a_long_uri() {
        let mut head = b"GET /?q=".to_vec();
        head.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES + 10));
        assert_eq!(judge(&head), Verdict::Oversized(URI_TOO_LONG_PATH));
    }

    #[test]
    fn too_many_or_too_large_headers_are_a_large_header_section() {
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for index in 0..MAX_HEAD_LINES {
            many.extend(format!("x-h{index}: v\r\n").bytes());
        }
        assert_eq!(judge(&many), Verdict::Oversized(HEADERS_TOO_LARGE_PATH));
        let mut large = b"GET / HTTP/1.1\r\nx-big: ".to_vec();
        large.extend(std::iter::repeat_n(b'b', MAX_HEAD_BYTES));
        assert_eq!(judge(&large), Verdict::Oversized(HEADERS_TOO_LARGE_PATH));
    }
}
