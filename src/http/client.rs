//! Who a request without an account comes from, for the per-address throttles of the public
//! endpoints.
//!
//! The peer's address, unless the peer is a configured proxy (`MEDIATION_TRUSTED_PROXIES`):
//! then the address the proxy appended last to `X-Forwarded-For`. Only the last entry is the
//! proxy's own word; everything before it was written by the client and could be anything.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The client's address as the throttles count it.
pub fn client_address(request: &HttpRequest, trusted_proxies: &[IpAddr]) -> String {
    let peer = request.peer_addr().map(|addr| addr.ip());
    let forwarded = || {
        request
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .last()
            .and_then(|entry| entry.parse::<IpAddr>().ok())
    };
    let address = match peer {
        Some(peer) if trusted_proxies.contains(&peer) => forwarded().or(Some(peer)),
        other => other,
    };
    address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Whether the browser reached the service over HTTPS: the connection itself, or — only when
/// the peer is a configured proxy — the proxy's `X-Forwarded-Proto: https`. Decides the
/// `Secure` attribute of the console's cookies.
pub fn served_over_https(request: &HttpRequest, trusted_proxies: &[IpAddr]) -> bool {
    if request.app_config().secure() {
        return true;
    }
    let peer = request.peer_addr().map(|addr| addr.ip());
    peer.is_some_and(|peer| trusted_proxies.contains(&peer))
        && request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn request(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut request = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(value) = forwarded {
            request = request.insert_header(("x-forwarded-for", value));
        }
        request.to_http_request()
    }

    #[test]
    fn a_direct_client_is_its_peer_whatever_it_forwards() {
        let r = request("203.0.113.7:5000", Some("1.2.3.4"));
        assert_eq!(client_address(&r, &[]), "203.0.113.7");
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_proxys_last_entry() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let r = request("10.0.0.1:443", Some("6.6.6.6, 198.51.100.9"));
        assert_eq!(client_address(&r, &[proxy]), "198.51.100.9");
        let r = request("10.0.0.1:443", None);
        assert_eq!(client_address(&r, &[proxy]), "10.0.0.1");
    }

    #[test]
    fn only_a_trusted_proxy_can_say_the_browser_used_https() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let https = |peer: &str| {
            TestRequest::default()
                .peer_addr(peer.parse().unwrap())
                .insert_header(("x-forwarded-proto", "https"))
                .to_http_request()
        };
        assert!(served_over_https(&https("10.0.0.1:443"), &[proxy]));
        assert!(!served_over_https(&https("203.0.113.7:5000"), &[proxy]));
        assert!(!served_over_https(&request("10.0.0.1:443", None), &[proxy]));
    }
}
