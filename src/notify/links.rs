//! Links in staff emails to the console page of the case or referral the email is about
//! (`{{console_url}}` in `templates/email/`), so a police officer opens the referral in the
//! console instead of reading an API path.
//!
//! The emails are written inside the transaction of the change that causes them, by use cases
//! that know nothing of how the service is reached. So a link is written with the
//! [`PUBLIC_URL`] mark where the origin goes (`{{public_url}}/console/referrals/…`), and the
//! outbox worker puts the sending server's `MEDIATION_PUBLIC_URL` in its place when the mail
//! leaves ([`complete`]): a mail queued before the address changed still links to the right
//! place. A person who types the mark into a form only gets that same origin printed.

/// Where the public origin goes in a stored email body.
pub const PUBLIC_URL: &str = "{{public_url}}";

/// The console page of a case: `{{public_url}}/console/cases/{id}`.
pub fn case_page(case_id: &str) -> String {
    format!("{PUBLIC_URL}/console/cases/{case_id}")
}

/// The console page of a referral: `{{public_url}}/console/referrals/{id}`.
pub fn referral_page(referral_id: &str) -> String {
    format!("{PUBLIC_URL}/console/referrals/{referral_id}")
}

/// `body` with every [`PUBLIC_URL`] mark replaced by `public_url` (`MEDIATION_PUBLIC_URL`,
/// without a trailing slash).
pub fn complete(body: &str, public_url: &str) -> String {
    body.replace(PUBLIC_URL, public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_link_becomes_the_console_page_under_the_public_origin() {
        let body = format!("请处理：{}\nOpen {}", referral_page("r1"), case_page("c1"));
        assert_eq!(
            complete(&body, "https://tiaojie.example.cn/"),
            "请处理：https://tiaojie.example.cn/console/referrals/r1\n\
             Open https://tiaojie.example.cn/console/cases/c1"
        );
        assert_eq!(complete("no link", "https://x"), "no link");
    }
}

#[cfg(test)]
mod every_email {
    use crate::notify::templates::{placeholders, Template};

    #[test]
    fn every_email_links_the_console_page_and_none_names_an_api_path() {
        for template in Template::ALL {
            assert!(
                placeholders(*template).contains(&"console_url".to_owned()),
                "{template} links its console page"
            );
        }
        for source in [
            include_str!("../../templates/email/referral_created/body.txt"),
            include_str!("../../templates/email/follow_up_due/body.txt"),
        ] {
            assert!(!source.contains("/api/v1"), "{source}");
        }
    }
}
