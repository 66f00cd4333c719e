//! XLSX with `rust_xlsxwriter` in its constant-memory mode: each row goes to a temporary file as
//! soon as the next one starts, so a sheet of 100,000 cases costs the memory of one row, not of
//! the sheet. An XLSX file is a ZIP archive whose directory comes last, so the whole workbook is
//! finished into an anonymous temporary file (unlinked at once: nothing is left on disk whatever
//! happens to the request) and then streamed from it.
//!
//! Texts are written as text cells, which Excel never runs as formulas: no apostrophe guard is
//! needed here (CSV has one, [`super::csv`]).

use std::fs::File;
use std::io::{Seek, SeekFrom};

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::table::Cell;
use crate::error::AppError;

/// Excel's rows per sheet, the header included.
pub const MAX_ROWS: u32 = 1_048_576;

/// A one-sheet workbook being written, row by row.
pub struct Sheet {
    workbook: Workbook,
    next_row: u32,
    yuan: Format,
}

fn failed(error: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing the XLSX export: {error}"))
}

impl Sheet {
    /// A sheet named `name` whose first row is `headers` (bold, frozen when scrolling).
    pub fn new(name: &str, headers: &[String]) -> Result<Self, AppError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(failed)?;
        sheet.set_name(name).map_err(failed)?;
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        for (column, header) in headers.iter().enumerate() {
            let column = column as u16;
            let width = (header.chars().count() as f64 * 2.2).clamp(10.0, 40.0);
            sheet.set_column_width(column, width).map_err(failed)?;
            sheet
                .write_string_with_format(0, column, header, &bold)
                .map_err(failed)?;
        }
        Ok(Self {
            workbook,
            next_row: 1,
            yuan: Format::new().set_num_format("#,##0.00"),
        })
    }

    /// Rows written so far, the header included.
    pub fn rows(&self) -> u32 {
        self.next_row
    }

    /// Appends one row: numbers as numbers (amounts with two decimals), texts as text.
    pub fn push(&mut self, cells: &[Cell]) -> Result<(), AppError> {
        let row = self.next_row;
        let sheet = self.workbook.worksheet_from_index(0).map_err(failed)?;
        for (column, cell) in cells.iter().enumerate() {
            let column = column as u16;
            let written = match cell {
                Cell::Text(text) => sheet.write_string(row, column, text).map(|_| ()),
                Cell::Int(n) => sheet.write_number(row, column, *n as f64).map(|_| ()),
                Cell::Yuan(fen) => sheet
                    .write_number_with_format(row, column, *fen as f64 / 100.0, &self.yuan)
                    .map(|_| ()),
                Cell::Decimal(x) => sheet.write_number(row, column, *x).map(|_| ()),
                Cell::Empty => Ok(()),
            };
            written.map_err(failed)?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// The finished workbook in an anonymous temporary file, read from its start.
    pub fn finish(mut self) -> Result<File, AppError> {
        let io = |e: std::io::Error| AppError::Internal(anyhow::anyhow!("XLSX temp file: {e}"));
        let mut file = tempfile::tempfile().map_err(io)?;
        self.workbook.save_to_writer(&mut file).map_err(failed)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_finished_sheet_is_a_zip_archive_with_the_texts_inline() {
        let mut sheet = Sheet::new("案件", &["案件编号".into(), "请求金额（元）".into()]).unwrap();
        sheet
            .push(&[Cell::Text("HS-2026-0001".into()), Cell::Yuan(123450)])
            .unwrap();
        assert_eq!(sheet.rows(), 2);
        let mut bytes = Vec::new();
        sheet.finish().unwrap().read_to_end(&mut bytes).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
