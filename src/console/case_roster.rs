//! The roster of a collective case on the console's case page (docs/cases.md "Collective
//! disputes"): one row per worker with what they claim, what was agreed for them, what has
//! reached them and whether they represent the others. Read-only: amounts are set through
//! `PUT /cases/{id}/roster/{party_id}` and paid amounts come from payments' allocations.

use crate::cases::page::CaseFile;
use crate::i18n::Lang;
use crate::pages::layout::texts;
use crate::roster::RosterEntryView;

texts! {
    /// The heading and column labels of the roster.
    RosterTexts {
        title = "console.roster.title",
        hint = "console.roster.hint",
        worker = "console.roster.worker",
        claimed = "console.roster.claimed",
        agreed = "console.roster.agreed",
        paid = "console.roster.paid",
        representative = "console.roster.representative",
        more = "console.roster.more",
    }
}

/// One worker as the table shows them: amounts in yuan.
pub struct RosterRow {
    pub name: String,
    pub claimed: String,
    pub agreed: String,
    pub paid: String,
    pub representative: bool,
    pub paid_in_full: bool,
}

/// The roster section: its words and rows; `more` when the case has more workers than shown.
pub struct RosterSection {
    pub t: RosterTexts,
    pub rows: Vec<RosterRow>,
    pub more: bool,
}

fn row(entry: &RosterEntryView) -> RosterRow {
    RosterRow {
        name: entry.name.clone(),
        claimed: crate::notify::yuan(entry.claimed_amount_fen),
        agreed: crate::notify::yuan(entry.agreed_amount_fen),
        paid: crate::notify::yuan(entry.paid_amount_fen),
        representative: entry.representative,
        paid_in_full: entry.paid_in_full,
    }
}

/// The section for a collective case; `None` for any other.
pub fn section(file: &CaseFile, lang: Lang) -> Option<RosterSection> {
    let entries = file.roster.as_ref()?;
    Some(RosterSection {
        t: RosterTexts::new(lang),
        rows: entries.iter().map(row).collect(),
        more: entries.len() as i64 >= crate::pagination::MAX_LIMIT,
    })
}
