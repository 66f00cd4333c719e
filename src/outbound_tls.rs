//! TLS for the service's own outbound HTTPS: the SMS gateway and S3.
//!
//! reqwest and object_store are built without a crypto provider of their own (their defaults
//! would compile aws-lc, a second crypto library beside the ring that lettre's SMTP TLS already
//! uses), so the process must name one before its first HTTPS client is built.

/// Installs ring as the process's rustls provider; a no-op when one is installed already.
pub fn ensure_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread that installed one first is fine: any provider will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_https_client_can_be_built_once_the_provider_is_installed() {
        super::ensure_tls_provider();
        super::ensure_tls_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        reqwest::Client::builder()
            .build()
            .expect("an HTTPS client builds with ring as the provider");
    }
}
