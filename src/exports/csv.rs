//! CSV as Excel on a Chinese Windows opens it: UTF-8 with a byte-order mark (without it Excel
//! reads the bytes as GBK and the Chinese turns to mojibake), CRLF line ends, RFC 4180 quoting,
//! and no cell that a spreadsheet would run as a formula.
//!
//! Written here rather than with the `csv` crate: the format is a dozen lines (quote a field
//! that holds `"`, `,`, CR or LF; double its quotes), and the two things the exports need beyond
//! it — the BOM and the formula guard — are ours to write either way. One crate fewer to build.

use super::table::Cell;

/// The UTF-8 byte-order mark, first in the file.
pub const BOM: &str = "\u{feff}";

/// Cells a spreadsheet reads as a formula start with one of these (OWASP "CSV injection"); the
/// tab and carriage return hide one from the eye.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One field of a line: guarded against formulas, then quoted when it must be.
pub fn field(text: &str) -> String {
    let guarded = if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains(['"', ',', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A number is written as it is: a negative amount is a number, not a formula, and a
/// spreadsheet must still read it as one.
fn cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => field(text),
        other => other.plain(),
    }
}

/// One line, ended by CRLF.
pub fn line<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> String {
    let mut out = cells.into_iter().map(cell).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// The header line, after the byte-order mark.
pub fn header(columns: &[String]) -> String {
    let cells: Vec<Cell> = columns.iter().cloned().map(Cell::Text).collect();
    format!("{BOM}{}", line(&cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_with_a_comma_a_quote_or_a_line_break_is_quoted_and_its_quotes_doubled() {
        assert_eq!(field("鹤山市某家具厂"), "鹤山市某家具厂");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_text_that_a_spreadsheet_would_run_as_a_formula_gets_a_leading_apostrophe() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+86 138"), "'+86 138");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("a=b"), "a=b");
    }

    #[test]
    fn numbers_are_not_guarded_and_lines_end_with_crlf() {
        let cells = [Cell::Yuan(-150), Cell::Int(3), Cell::Text("=1".into())];
        assert_eq!(line(&cells), "-1.50,3,'=1\r\n");
    }

    #[test]
    fn the_header_starts_with_the_byte_order_mark() {
        let header = header(&["案件编号".to_owned(), "状态".to_owned()]);
        assert!(header.starts_with('\u{feff}'));
        assert_eq!(&header[3..], "案件编号,状态\r\n");
    }
}
