//! Lawyers' grants on the case page: the "授权律师查阅" form (a lawyer and the last day of the
//! grant) and, for each grant still running, a form that revokes it. Who may grant and revoke,
//! who may hold a grant, how long a grant may run and which case is visible are all
//! `grants::use_cases`'s: the page's `GrantDesk` (the live grants with their lawyers' names,
//! and the lawyers) is loaded by `cases::page` through `grants::use_cases::desk_of` only for
//! those `grants::use_cases::may_grant` lets grant, and the forms post to
//! [`super::grant_actions`].

use chrono::Days;

use super::case_view_actions::Drawing;
use super::case_view_forms::{ActionForm, Choice, Draft};
use super::case_view_words::local_time;
use crate::grants::use_cases::{LiveGrant, MAX_GRANT_DAYS};
use crate::i18n::Message;
use crate::msg;
use crate::pages::forms::Values;
use crate::users::Pickable;

/// How many days ahead the grant form proposes the grant to end: a month for a lawyer's review.
/// Only the form's default; the longest a grant may run is the use case's `MAX_GRANT_DAYS`.
pub const DEFAULT_GRANT_DAYS: u64 = 30;

/// The key of the revoke form of a grant is this and the grant's id: its notice, and the form
/// reopened on failure.
pub const REVOKE_PREFIX: &str = "revoke-grant-";

/// The grant form (when there is a lawyer to choose) and one revoke form per running grant, for
/// the actions of the case page.
pub fn forms(d: &Drawing) -> Vec<ActionForm> {
    let Some(desk) = d.file.grants.as_ref() else {
        return Vec::new();
    };
    let mut forms = Vec::new();
    if !desk.lawyers.is_empty() {
        forms.push(grant_form(d, &desk.lawyers));
    }
    forms.extend(desk.live.iter().map(|grant| revoke_form(d, grant)));
    forms
}

fn url(d: &Drawing, tail: &str) -> String {
    format!("/console/cases/{}/{tail}", d.file.case.id)
}

/// A lawyer as the select offers them: their name, and their office's to tell two apart.
fn lawyer_label(lawyer: &Pickable) -> String {
    match &lawyer.office {
        Some(office) => format!("{}（{office}）", lawyer.name),
        None => lawyer.name.clone(),
    }
}

/// Give a lawyer read access until the end of a day, [`DEFAULT_GRANT_DAYS`] ahead unless changed.
fn grant_form(d: &Drawing, lawyers: &[Pickable]) -> ActionForm {
    let today = d.now.with_timezone(&d.file.zone).date_naive();
    let until = today + Days::new(DEFAULT_GRANT_DAYS);
    let defaults = Values::default().with("expires_on", &until.format("%Y-%m-%d").to_string());
    let mut draft = Draft::new("grant", d.lang, d.failed, defaults);
    let choices = lawyers
        .iter()
        .map(|lawyer| Choice::new(lawyer.id.clone(), lawyer_label(lawyer)))
        .collect();
    draft.select(
        "user_id",
        msg!("console.grants.form.lawyer"),
        choices,
        Some(msg!("console.case.form.choose")),
    );
    let hint = msg!("console.grants.form.expires_hint", days = MAX_GRANT_DAYS);
    draft
        .input(
            "expires_on",
            msg!("console.grants.form.expires_on"),
            "date",
            true,
        )
        .hint = Some(hint.render(d.lang));
    draft
        .finish(
            msg!("console.grants.action.grant"),
            url(d, "grants"),
            msg!("console.grants.action.grant_submit"),
            Vec::new(),
        )
        .intro(msg!("console.grants.form.intro"), d.lang)
}

/// Take back a running grant: the lawyer loses the case at once.
fn revoke_form(d: &Drawing, grant: &LiveGrant) -> ActionForm {
    let key = format!("{REVOKE_PREFIX}{}", grant.id);
    let draft = Draft::new(&key, d.lang, d.failed, Values::default());
    let title = msg!(
        "console.grants.action.revoke",
        lawyer = grant.lawyer.clone(),
        until = local_time(&grant.expires_at, d.file.zone)
    );
    draft
        .finish(
            title,
            url(d, &format!("grants/{}/revoke", grant.id)),
            msg!("console.grants.action.revoke_submit"),
            Vec::new(),
        )
        .danger()
}

/// The notice of the case page after a grant form worked (`?notice=` is the form's key): for
/// `case_page::notice_of` to fall back to, since these forms' keys are not among its own.
pub fn notice_of(key: &str) -> Option<Message> {
    if key == "grant" {
        Some(msg!("console.grants.notice.grant"))
    } else if key.starts_with(REVOKE_PREFIX) {
        Some(msg!("console.grants.notice.revoke"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_grant_forms_have_a_notice_here() {
        assert!(notice_of("grant").is_some());
        assert!(notice_of("revoke-grant-01a1").is_some());
        assert!(notice_of("note").is_none());
    }
}
