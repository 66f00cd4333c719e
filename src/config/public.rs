//! Settings of the worker's front door (the public pages and API without an account).

use std::net::IpAddr;

use super::{config_error, ConfigError, Vars};

/// Where workers reach the service, and whom to believe about a client's address.
#[derive(Clone, Debug)]
pub struct PublicSettings {
    /// The origin workers and staff open, for the links texted to workers (`track_url`, the
    /// survey link) and the console links in staff emails (`notify::links`), e.g.
    /// `https://tiaojie.example.cn`. `MEDIATION_PUBLIC_URL`; default `http://` + the bind
    /// address, right for a try on one machine and wrong behind a proxy, so set it there.
    pub base_url: String,
    /// Peers whose `X-Forwarded-For` is believed (`MEDIATION_TRUSTED_PROXIES`, comma-separated
    /// addresses). From anyone else the header is ignored: a client could write any address in
    /// it and slip past the per-address throttles.
    pub trusted_proxies: Vec<IpAddr>,
}

pub(super) fn from_vars(vars: &Vars, bind: &str) -> Result<PublicSettings, ConfigError> {
    let base_url = match vars.get("MEDIATION_PUBLIC_URL") {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            url.trim_end_matches('/').to_owned()
        }
        Some(url) => {
            return Err(config_error(
                "MEDIATION_PUBLIC_URL",
                format!("`{url}` is not an http(s) origin"),
            ))
        }
        None => format!("http://{bind}"),
    };
    let trusted_proxies = vars
        .get("MEDIATION_TRUSTED_PROXIES")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpAddr>().map_err(|_| {
                config_error(
                    "MEDIATION_TRUSTED_PROXIES",
                    format!("`{s}` is not an IP address"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PublicSettings {
        base_url,
        trusted_proxies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_public_url_defaults_to_the_bind_address_and_loses_a_trailing_slash() {
        let settings = from_vars(&vars(&[]), "127.0.0.1:8080").unwrap();
        assert_eq!(settings.base_url, "http://127.0.0.1:8080");
        let settings = from_vars(
            &vars(&[("MEDIATION_PUBLIC_URL", "https://tiaojie.example.cn/")]),
            "0.0.0.0:80",
        )
        .unwrap();
        assert_eq!(settings.base_url, "https://tiaojie.example.cn");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_the_service_does_not_start() {
        let settings = from_vars(
            &vars(&[("MEDIATION_TRUSTED_PROXIES", "10.0.0.1, ::1")]),
            "x",
        )
        .unwrap();
        assert_eq!(settings.trusted_proxies.len(), 2);
        let error =
            from_vars(&vars(&[("MEDIATION_TRUSTED_PROXIES", "proxy.local")]), "x").unwrap_err();
        assert_eq!(error.variable, "MEDIATION_TRUSTED_PROXIES");
        assert!(from_vars(&vars(&[("MEDIATION_PUBLIC_URL", "tiaojie.cn")]), "x").is_err());
    }
}
