//! Chinese identifiers the intake form carries, checked the way the standards define them, and
//! masked the way docs/cases.md ("Parties and personal data") shows them.
//!
//! - Resident ID numbers, GB 11643-1999: 17 digits (6 area, 8 birth date, 3 sequence) and a
//!   check character from ISO 7064 MOD 11-2.
//! - Unified social credit codes, GB 32100-2015: 17 characters from a 31-symbol alphabet and a
//!   check character (weights 3^i mod 31).
//! - Phone numbers: mainland mobiles (11 digits starting 1[3-9]) or landlines with area code.

use chrono::NaiveDate;

/// A resident ID number that passed the GB 11643 check (upper-case `X`).
pub fn parse_resident_id(raw: &str) -> Result<String, String> {
    let id: String = raw.trim().to_ascii_uppercase();
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
        return Err(
            "must be an 18-character resident ID number (17 digits and a check digit or X)".into(),
        );
    }
    let birth = &id[6..14];
    if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() || &birth[..4] < "1900" {
        return Err("contains an impossible birth date".into());
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = chars[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    if CHECK[(sum % 11) as usize] != chars[17] {
        return Err("fails the GB 11643 check digit: please re-check the number".into());
    }
    Ok(id)
}

/// A unified social credit code that passed the GB 32100 check character.
pub fn parse_credit_code(raw: &str) -> Result<String, String> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let code = raw.trim().to_ascii_uppercase();
    let values: Option<Vec<usize>> = code.chars().map(|c| ALPHABET.find(c)).collect();
    let Some(values) = values.filter(|v| v.len() == 18) else {
        return Err("must be an 18-character unified social credit code (digits and capital letters except I, O, Z, S, V)".into());
    };
    let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err("fails the GB 32100 check character: please re-check the code".into());
    }
    Ok(code)
}

/// A phone number in a normal form: 11-digit mobile, or `0AA(A)-NNNNNNN(N)` landline.
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
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
    Err("must be a mainland mobile (e.g. 13812345678) or a landline with area code (e.g. 0750-1234567)".into())
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
                .contains("birth date"),
            "born before 1900"
        );
    }

    #[test]
    fn resident_ids_with_a_wrong_check_digit_length_or_date_fail() {
        assert!(parse_resident_id("110105194912310021")
            .unwrap_err()
            .contains("check digit"));
        assert!(parse_resident_id("1101051949123100").is_err());
        assert!(parse_resident_id("110105194913310025")
            .unwrap_err()
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
    fn masks_match_the_api_examples() {
        assert_eq!(mask_id_number("44010119900101123X"), "4401**********123X");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0750-1234567"), "075*****4567");
        assert_eq!(mask_phone("123"), "***");
    }
}
