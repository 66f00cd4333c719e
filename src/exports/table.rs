//! A spreadsheet as plain values: column headers and rows of cells, written out as CSV
//! ([`super::csv`]) or XLSX ([`super::xlsx`]). Both writers read the same cells, so a figure is
//! formatted once.

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// An amount in fen, shown in yuan with two decimals.
    Yuan(i64),
    /// A share or a median, as computed.
    Decimal(f64),
    Empty,
}

impl Cell {
    /// The cell as CSV writes it (a text is guarded by the CSV writer, not here).
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Yuan(fen) => yuan(*fen),
            Cell::Decimal(x) => x.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<Option<String>> for Cell {
    fn from(text: Option<String>) -> Self {
        text.map_or(Cell::Empty, Cell::Text)
    }
}

/// Fen as yuan with two decimals, exactly (integer arithmetic, no float): 123450 → "1234.50".
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A whole sheet, small enough to hold: the figures. (The case export is never held whole; it
/// goes through the writers page by page.)
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_are_shown_as_yuan_with_two_decimals() {
        assert_eq!(yuan(123450), "1234.50");
        assert_eq!(yuan(300000), "3000.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(-150), "-1.50");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
    }
}
