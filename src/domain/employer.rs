//! Who an employer is, as a pure rule: the same company typed by different people at different
//! offices — full-width letters, spaces, brackets, "有限责任公司" or "有限公司" — must land on one
//! employer, so a mediator sees that it already owes wages to the workers of other cases
//! (docs/prevention.md, "A repeat employer found at intake").
//!
//! An employer is matched by its unified social credit code when the case (or risk) has one —
//! the code is unique per legal person, so two companies of the same name stay apart and a
//! renamed company stays one — and else by its normalised name. Its id in `/employers/{id}` is
//! [`employer_key`]: `cc-<credit code>` or `nm-<normalised name>`.

use unicode_normalization::UnicodeNormalization;

/// Company Law Art. 7: a limited liability company's name carries "有限责任公司" *or* "有限公司",
/// a joint-stock company's "股份有限公司" *or* "股份公司" — the law makes each pair the same
/// designation, so the long form is folded into the short one. Nothing else is dropped: "厂",
/// "店" or a branch's "分公司" name a different business.
const SUFFIX_VARIANTS: [(&str, &str); 2] =
    [("股份有限公司", "股份公司"), ("有限责任公司", "有限公司")];

/// The name an employer is matched by: Unicode NFKC (full-width letters, digits and brackets
/// become their ASCII forms), lower case, without spaces, punctuation or symbols, and with the
/// long company-form suffix folded into the short one. A name of only punctuation keeps its
/// NFKC text, trimmed, so it is never empty.
pub fn normalize_name(name: &str) -> String {
    let folded: String = name
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    if folded.is_empty() {
        return name.nfkc().collect::<String>().trim().to_owned();
    }
    for (long, short) in SUFFIX_VARIANTS {
        if let Some(stem) = folded.strip_suffix(long) {
            return format!("{stem}{short}");
        }
    }
    folded
}

/// The employer's id: `cc-<credit code>` when the code is known (already checked and normalised
/// by `identifiers::parse_credit_code`), else `nm-<normalised name>`.
pub fn employer_key(normalized_name: &str, credit_code: Option<&str>) -> String {
    match credit_code.filter(|c| !c.is_empty()) {
        Some(code) => format!("cc-{code}"),
        None => format!("nm-{normalized_name}"),
    }
}

/// What an employer id says to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmployerMatch {
    /// Cases and risks with this credit code.
    CreditCode(String),
    /// Cases and risks without a credit code and with this normalised name.
    Name(String),
}

impl EmployerMatch {
    /// Reads an id from `/employers/{id}`; a name part is normalised again, so a hand-typed
    /// `nm-宏达家具有限责任公司` finds the same employer. `None` for anything else (a 404).
    pub fn parse(id: &str) -> Option<Self> {
        if let Some(code) = id.strip_prefix("cc-") {
            let code = crate::domain::identifiers::parse_credit_code(code).ok()?;
            return Some(Self::CreditCode(code));
        }
        let name = normalize_name(id.strip_prefix("nm-")?);
        (!name.is_empty()).then_some(Self::Name(name))
    }

    /// The `employer_key` a case of this employer carries.
    pub fn key(&self) -> String {
        match self {
            Self::CreditCode(code) => employer_key("", Some(code)),
            Self::Name(name) => employer_key(name, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_letters_spaces_and_brackets_fold_to_one_name() {
        let typed = [
            "广州宏达家具有限公司",
            "  广州 宏达家具有限公司 ",
            "（广州）宏达家具有限公司",
            "广州宏达家具有限责任公司",
        ];
        for name in typed {
            assert_eq!(normalize_name(name), "广州宏达家具有限公司", "{name}");
        }
        assert_eq!(normalize_name("ＡＢＣ　Ｌｔｄ．"), "abcltd");
        assert_eq!(normalize_name("ABC Ltd."), "abcltd");
    }

    #[test]
    fn a_joint_stock_company_keeps_its_own_form() {
        assert_eq!(normalize_name("宏达股份有限公司"), "宏达股份公司");
        assert_eq!(normalize_name("宏达股份公司"), "宏达股份公司");
        assert_ne!(
            normalize_name("宏达股份有限公司"),
            normalize_name("宏达有限公司")
        );
    }

    #[test]
    fn a_branch_or_a_workshop_is_not_folded_into_the_company() {
        assert_ne!(
            normalize_name("宏达有限公司鹤山分公司"),
            normalize_name("宏达有限公司")
        );
        assert_ne!(
            normalize_name("宏达家具厂"),
            normalize_name("宏达家具有限公司")
        );
    }

    #[test]
    fn a_name_of_only_punctuation_is_never_empty() {
        assert_eq!(normalize_name(" ？？ "), "??");
    }

    #[test]
    fn the_credit_code_wins_over_the_name() {
        assert_eq!(
            employer_key("宏达", Some("91350100M000100Y43")),
            "cc-91350100M000100Y43"
        );
        assert_eq!(employer_key("宏达", None), "nm-宏达");
        assert_eq!(employer_key("宏达", Some("")), "nm-宏达");
    }

    #[test]
    fn an_id_is_read_back_into_what_to_match() {
        assert_eq!(
            EmployerMatch::parse("nm-宏达家具 有限责任公司"),
            Some(EmployerMatch::Name("宏达家具有限公司".into()))
        );
        assert_eq!(EmployerMatch::parse("nm-"), None);
        assert_eq!(EmployerMatch::parse("宏达"), None);
        assert_eq!(EmployerMatch::parse("cc-not a code"), None);
        let name = EmployerMatch::Name("宏达".into());
        assert_eq!(EmployerMatch::parse(&name.key()), Some(name));
    }
}
