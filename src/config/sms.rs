//! Where text messages go: the HTTP gateway (`MEDIATION_SMS_URL`, `MEDIATION_SMS_SECRET`,
//! `MEDIATION_SMS_TIMEOUT_SECONDS`) or `.sms` files (`MEDIATION_SMS_DIR`, the default).

use std::time::Duration;

use super::{config_error, parse_number, ConfigError, Vars};
use crate::notify::sms_transport::{GatewaySettings, SmsTransport};

/// The shortest accepted `MEDIATION_SMS_SECRET`, as for `MEDIATION_JWT_SECRET`.
pub const MIN_SECRET_CHARS: usize = 32;

/// How text messages leave the service.
#[derive(Clone, Debug)]
pub struct SmsSettings {
    pub transport: SmsTransport,
}

pub(super) fn from_vars(vars: &Vars) -> Result<SmsSettings, ConfigError> {
    let timeout = Duration::from_secs(parse_number(
        vars,
        "MEDIATION_SMS_TIMEOUT_SECONDS",
        10,
        1..=60,
    )?);
    let transport = match (vars.get("MEDIATION_SMS_URL"), vars.get("MEDIATION_SMS_SECRET")) {
        (Some(url), _) if !(url.starts_with("https://") || url.starts_with("http://")) => {
            return Err(config_error(
                "MEDIATION_SMS_URL",
                format!("`{url}` is not an http(s) URL"),
            ))
        }
        (Some(_), None) => {
            return Err(config_error(
                "MEDIATION_SMS_SECRET",
                "must be set with MEDIATION_SMS_URL: every request to the SMS gateway is signed with it",
            ))
        }
        (Some(_), Some(secret)) if secret.chars().count() < MIN_SECRET_CHARS => {
            return Err(config_error(
                "MEDIATION_SMS_SECRET",
                format!("must be at least {MIN_SECRET_CHARS} characters"),
            ))
        }
        (Some(url), Some(secret)) => SmsTransport::Gateway(GatewaySettings {
            url: url.to_owned(),
            secret: secret.to_owned(),
            timeout,
        }),
        (None, Some(_)) => {
            return Err(config_error(
                "MEDIATION_SMS_SECRET",
                "is set without MEDIATION_SMS_URL: texts would go to files, not to a gateway",
            ))
        }
        (None, None) => {
            SmsTransport::Files(vars.get("MEDIATION_SMS_DIR").unwrap_or("sms").to_owned())
        }
    };
    Ok(SmsSettings { transport })
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

    const SECRET: &str = "a-shared-secret-of-at-least-32-chars";

    #[test]
    fn texts_go_to_files_in_sms_unless_a_gateway_is_configured() {
        let settings = from_vars(&vars(&[])).unwrap();
        assert_eq!(settings.transport, SmsTransport::Files("sms".into()));
        let settings = from_vars(&vars(&[("MEDIATION_SMS_DIR", "/var/sms")])).unwrap();
        assert_eq!(settings.transport, SmsTransport::Files("/var/sms".into()));
        let settings = from_vars(&vars(&[
            ("MEDIATION_SMS_URL", "https://sms.example.cn/send"),
            ("MEDIATION_SMS_SECRET", SECRET),
            ("MEDIATION_SMS_DIR", "ignored"),
        ]))
        .unwrap();
        assert_eq!(
            settings.transport,
            SmsTransport::Gateway(GatewaySettings {
                url: "https://sms.example.cn/send".into(),
                secret: SECRET.into(),
                timeout: Duration::from_secs(10),
            })
        );
    }

    #[test]
    fn a_gateway_without_a_long_enough_secret_stops_the_service() {
        let url = ("MEDIATION_SMS_URL", "https://sms.example.cn/send");
        for (pairs, variable) in [
            (vec![url], "MEDIATION_SMS_SECRET"),
            (
                vec![url, ("MEDIATION_SMS_SECRET", "short")],
                "MEDIATION_SMS_SECRET",
            ),
            (
                vec![("MEDIATION_SMS_SECRET", SECRET)],
                "MEDIATION_SMS_SECRET",
            ),
            (
                vec![
                    ("MEDIATION_SMS_URL", "sms.example.cn"),
                    ("MEDIATION_SMS_SECRET", SECRET),
                ],
                "MEDIATION_SMS_URL",
            ),
            (
                vec![
                    url,
                    ("MEDIATION_SMS_SECRET", SECRET),
                    ("MEDIATION_SMS_TIMEOUT_SECONDS", "61"),
                ],
                "MEDIATION_SMS_TIMEOUT_SECONDS",
            ),
        ] {
            let error = from_vars(&vars(&pairs)).unwrap_err();
            assert_eq!(error.variable, variable, "{pairs:?}");
        }
    }
}
