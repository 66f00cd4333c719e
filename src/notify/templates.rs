//! Email templates, kept as files under `templates/email/<name>/{subject,body}.txt` (Chinese
//! first, an English line below) and compiled into the binary. `{{name}}` placeholders are
//! filled from a map; a placeholder without a value is an error, never a silent blank.

use std::collections::BTreeMap;

use crate::text_enum;

text_enum! {
    /// Every message the service sends (docs/notifications.md says when).
    pub enum Template {
        ReferralCreated = "referral_created",
        ReferralAnswered = "referral_answered",
        SessionScheduled = "session_scheduled",
        MediationDeadlineSoon = "mediation_deadline_soon",
        MediationDeadlinePassed = "mediation_deadline_passed",
        ReferralDueSoon = "referral_due_soon",
        ReferralOverdue = "referral_overdue",
        PaymentDueTomorrow = "payment_due_tomorrow",
        PaymentMissed = "payment_missed",
        FollowUpDue = "follow_up_due",
        OnlineApplication = "online_application",
        RiskOverdue = "risk_overdue",
    }
}

macro_rules! template_files {
    ($($variant:ident => $dir:literal),+ $(,)?) => {
        /// The raw subject and body of a template.
        fn sources(template: Template) -> (&'static str, &'static str) {
            match template {
                $(Template::$variant => (
                    include_str!(concat!("../../templates/email/", $dir, "/subject.txt")),
                    include_str!(concat!("../../templates/email/", $dir, "/body.txt")),
                ),)+
            }
        }
    };
}

template_files! {
    ReferralCreated => "referral_created",
    ReferralAnswered => "referral_answered",
    SessionScheduled => "session_scheduled",
    MediationDeadlineSoon => "mediation_deadline_soon",
    MediationDeadlinePassed => "mediation_deadline_passed",
    ReferralDueSoon => "referral_due_soon",
    ReferralOverdue => "referral_overdue",
    PaymentDueTomorrow => "payment_due_tomorrow",
    PaymentMissed => "payment_missed",
    FollowUpDue => "follow_up_due",
    OnlineApplication => "online_application",
    RiskOverdue => "risk_overdue",
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// Fills `template` with `vars`.
pub fn render(template: Template, vars: &BTreeMap<&str, String>) -> anyhow::Result<Rendered> {
    let (subject, body) = sources(template);
    Ok(Rendered {
        subject: fill(subject.trim(), vars)
            .map_err(|name| anyhow::anyhow!("{template}: no value for {{{{{name}}}}}"))?,
        body: fill(body.trim_end(), vars)
            .map_err(|name| anyhow::anyhow!("{template}: no value for {{{{{name}}}}}"))?,
    })
}

fn fill(source: &str, vars: &BTreeMap<&str, String>) -> Result<String, String> {
    let mut out = String::with_capacity(source.len() + 64);
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| "unclosed placeholder".to_owned())?;
        let name = after[..end].trim();
        out.push_str(vars.get(name).ok_or_else(|| name.to_owned())?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The placeholders a template uses, for tests and docs.
pub fn placeholders(template: Template) -> Vec<String> {
    let (subject, body) = sources(template);
    let mut names: Vec<String> = format!("{subject}{body}")
        .split("{{")
        .skip(1)
        .filter_map(|part| {
            part.split_once("}}")
                .map(|(name, _)| name.trim().to_owned())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_when_given_its_placeholders() {
        for template in Template::ALL {
            let names = placeholders(*template);
            // A risk's reminder is about a risk, not yet a case (docs/prevention.md).
            let subject = if *template == Template::RiskOverdue {
                "risk <risk_id>"
            } else {
                "case <case_number>"
            };
            assert!(
                names.contains(&subject.split(['<', '>']).nth(1).unwrap_or("").to_owned()),
                "{template} names its case"
            );
            let vars: BTreeMap<&str, String> = names
                .iter()
                .map(|n| (n.as_str(), format!("<{n}>")))
                .collect();
            let rendered = render(*template, &vars).unwrap();
            assert!(
                !rendered.subject.contains("{{") && !rendered.body.contains("{{"),
                "{template}"
            );
            assert!(
                !rendered.subject.contains('\n'),
                "{template}: one-line subject"
            );
            assert!(
                rendered
                    .body
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{template}: Chinese text"
            );
            assert!(
                rendered.body.to_lowercase().contains(subject),
                "{template}: an English line"
            );
        }
    }

    #[test]
    fn a_missing_value_is_an_error_not_a_blank() {
        let error = render(Template::ReferralCreated, &BTreeMap::new()).unwrap_err();
        assert!(
            error.to_string().contains("case_number") || error.to_string().contains("no value")
        );
    }

    #[test]
    fn the_passed_deadline_mentions_arbitration_and_a_missed_payment_its_options() {
        assert!(sources(Template::MediationDeadlinePassed)
            .1
            .contains("arbitration"));
        assert!(placeholders(Template::PaymentMissed).contains(&"options".to_owned()));
    }
}
