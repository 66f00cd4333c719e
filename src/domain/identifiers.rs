//! Chinese identifiers the intake form carries, checked the way the standards define them, and
//! masked the way docs/cases.md ("Parties and personal data") shows them.
//!
//! - Resident ID numbers, GB 11643-1999: 17 digits (6 area, 8 birth date, 3 sequence) and a
//!   check character from ISO 7064 MOD 11-2.
//! - Unified social credit codes, GB 32100-2015: 17 characters from a 31-symbol alphabet and a
//!   check character (weights 3^i mod 31).
//! - Phone numbers: mainland mobiles (11 digits starting 1[3-9]) or landlines with area code.
//!
//! Each parser first takes the value as a Chinese keyboard may have typed it ([`normalize_typed`]):
//! full-width digits and letters (`４４０１…`, `１３８…`, `Ｘ`) become ASCII and spaces go, so
//! what is checked, stored, masked and search-hashed is always the plain form.

use chrono::NaiveDate;

use crate::i18n::Message;
use crate::msg;
use unicode_normalization::UnicodeNormalization;

/// A value as typed, in the plain form the checks read: Unicode NFKC folds full-width digits,
/// letters and signs (`４４０１`, `ｘ`, `＋８６`, `－`) and the ideographic space (U+3000) into
/// ASCII, then every space — ASCII, ideographic, no-break — is dropped wherever it stood
/// (`4401 0119 9001 0112 3X`).
pub fn normalize_typed(raw: &str) -> String {
    raw.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// A resident ID number that passed the GB 11643 check (upper-case `X`).
pub fn parse_resident_id(raw: &str) -> Result<String, Message> {
    let id: String = normalize_typed(raw).to_ascii_uppercase();
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
        return Err(msg!("field.id_number.format"));
    }
    let birth = &id[6..14];
    if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() || &birth[..4] < "1900" {
        return Err(msg!("field.id_number.birth_date"));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = chars[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    if CHECK[(sum % 11) as usize] != chars[17] {
        return Err(msg!("field.id_number.check_digit"));
    }
    Ok(id)
}

/// A unified social credit code that passed the GB 32100 check character.
pub fn parse_credit_code(raw: &str) -> Result<String, Message> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let code = normalize_typed(raw).to_ascii_uppercase();
    let values: Option<Vec<usize>> = code.chars().map(|c| ALPHABET.find(c)).collect();
    let Some(values) = values.filter(|v| v.len() == 18) else {
        return Err(msg!("field.credit_code.format"));
    };
    let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err(msg!("field.credit_code.check_character"));
    }
    Ok(code)
}

/// A phone number in a normal form: 11-digit mobile, or `0AA(A)-NNNNNNN(N)` landline. Spaces,
/// parentheses and hyphens or dashes between the digits are dropped (`(0750) 123-4567`,
/// `０７５０－１２３４５６７`, `138—1234—5678`).
pub fn parse_phone(raw: &str) -> Result<String, Message> {
    let compact: String = normalize_typed(raw)
        .chars()
        .filter(|c| !matches!(c, '-' | '(' | ')' | '\u{2010}'..='\u{2015}' | '\u{2212}'))
        .collect();
    let national = compact
        .strip_prefix("+86")
        .or_else(|| compact.strip_prefix("0086"))
        .unwrap_or(&compact);
    let digits_only = national.chars().all(|c| c.is_ascii_digit());
    let bytes = national.as_bytes();
    if digits_only && bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
        return Ok(national.to_owned());
    }
    if digits_only && bytes.first() == Some(&b'0') && (10..=12).contains(&bytes.len()) {
        let area_len = if matches!(bytes[1], b'1' | b'2') {
            3
        } else {
            4
        };
        return Ok(format!(
            "{}-{}",
            &national[..area_len],
            &national[area_len..]
        ));
    }
    Err(msg!("field.phone.format"))
}

/// `4401**********123X`: the first four and last four characters of an ID number.
pub fn mask_id_number(id: &str) -> String {
    mask(id, 4, 4)
}

/// `138****5678`: the first three and last four digits of a phone number.
pub fn mask_phone(phone: &str) -> String {
    mask(phone, 3, 4)
}

fn mask(value: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - keep_start - keep_end;
    let start: String = chars[..keep_start].iter().collect();
    let end: String = chars[chars.len() - keep_end..].iter().collect();
    format!("{start}{}{end}", "*".repeat(hidden))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn resident_ids_with_a_correct_check_digit_pass() {
        // The GB 11643 standard's own example, and one ending in X.
        assert_eq!(
            parse_resident_id("11010519491231002X").unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            parse_resident_id("11010519491231002x").unwrap(),
            "11010519491231002X"
        );
        assert!(parse_resident_id("440524198001010013").is_ok());
        assert!(
            parse_resident_id("440524188001010014")
                .unwrap_err()
                .render(Lang::English)
                .contains("birth date"),
            "born before 1900"
        );
    }

    #[test]
    fn resident_ids_with_a_wrong_check_digit_length_or_date_fail() {
        assert!(parse_resident_id("110105194912310021")
            .unwrap_err()
            .render(Lang::English)
            .contains("check digit"));
        assert!(parse_resident_id("1101051949123100").is_err());
        assert!(parse_resident_id("110105194913310025")
            .unwrap_err()
            .render(Lang::English)
            .contains("birth date"));
        assert!(parse_resident_id("11010519491231002Y").is_err());
    }

    #[test]
    fn credit_codes_are_checked_with_the_gb_32100_character() {
        assert_eq!(
            parse_credit_code("91350100M000100Y43").unwrap(),
            "91350100M000100Y43"
        );
        assert!(parse_credit_code("91350100M000100Y44")
            .unwrap_err()
            .render(Lang::English)
            .contains("check character"));
        assert!(parse_credit_code("91350100M000100Y4").is_err());
        assert!(
            parse_credit_code("91350100I000100Y43").is_err(),
            "I is not in the alphabet"
        );
    }

    #[test]
    fn phones_are_normalized_or_refused() {
        assert_eq!(parse_phone("138 1234 5678").unwrap(), "13812345678");
        assert_eq!(parse_phone("+86 13812345678").unwrap(), "13812345678");
        assert_eq!(parse_phone("0750-1234567").unwrap(), "0750-1234567");
        assert_eq!(parse_phone("02012345678").unwrap(), "020-12345678");
        for bad in ["12345", "12812345678", "138123456789", "phone"] {
            assert!(parse_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_full_width_id_number_with_spaces_and_the_x_check_digit_is_read_as_typed() {
        // 全角 digits and a full-width lower-case ｘ, grouped with ideographic and ASCII spaces.
        assert_eq!(
            parse_resident_id("１１０１０５\u{3000}１９４９１２３１ ００２ｘ").unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            parse_resident_id("１１０１０５１９４９１２３１００２Ｘ").unwrap(),
            "11010519491231002X"
        );
        assert!(
            parse_resident_id("１１０１０５１９４９１２３１００２１")
                .unwrap_err()
                .render(Lang::English)
                .contains("check digit"),
            "normalised first, then checked like any other number"
        );
    }

    #[test]
    fn a_full_width_phone_with_spaces_and_dashes_is_read_as_typed() {
        assert_eq!(
            parse_phone("１３８ １２３４\u{3000}５６７８").unwrap(),
            "13812345678"
        );
        assert_eq!(
            parse_phone("＋８６ １３８１２３４５６７８").unwrap(),
            "13812345678"
        );
        assert_eq!(
            parse_phone("（０７５０）１２３－４５６７").unwrap(),
            "0750-1234567"
        );
        assert_eq!(
            parse_phone("138\u{2014}1234\u{2014}5678").unwrap(),
            "13812345678"
        );
        assert!(
            parse_phone("１２８１２３４５６７８").is_err(),
            "still not a mobile"
        );
    }

    #[test]
    fn a_credit_code_with_a_full_width_letter_is_read_as_typed() {
        assert_eq!(
            parse_credit_code("91350100Ｍ000100Ｙ43").unwrap(),
            "91350100M000100Y43"
        );
        assert_eq!(
            parse_credit_code("９１３５ ０１００ ｍ０００ １００ｙ ４３").unwrap(),
            "91350100M000100Y43"
        );
        assert!(
            parse_credit_code("91350100Ｉ000100Y43").is_err(),
            "a full-width I is still not in the alphabet"
        );
    }

    #[test]
    fn normalising_keeps_plain_input_and_drops_every_kind_of_space() {
        assert_eq!(normalize_typed("440524198001010013"), "440524198001010013");
        assert_eq!(normalize_typed(" 4405\u{3000}24\u{a0}19\t8 "), "440524198");
        assert_eq!(normalize_typed("４４０５ＡＢｘ"), "4405ABx");
    }

    #[test]
    fn masks_match_the_api_examples() {
        assert_eq!(mask_id_number("44010119900101123X"), "4401**********123X");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0750-1234567"), "075*****4567");
        assert_eq!(mask_phone("123"), "***");
    }
}
