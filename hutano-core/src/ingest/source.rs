//! Tabular sources: CSV and Excel workbooks read into rows of cells.

use std::io::Read;
use std::path::Path;

use chrono::NaiveDateTime;

use crate::error::{Error, Result};

/// One cell of a source row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty cell (or a CSV field that is empty after trimming).
    Empty,
    /// Text.
    Text(String),
    /// A number stored as a number (Excel).
    Number(f64),
    /// A date or date-time stored as such (Excel); unambiguous.
    DateTime(NaiveDateTime),
}

impl Cell {
    /// The cell as text, if it is not empty.
    #[must_use]
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(s.clone()),
            Cell::Number(x) => Some(format_number(*x)),
            Cell::DateTime(t) => Some(t.format("%Y-%m-%d %H:%M:%S").to_string()),
        }
    }
}

fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

/// A row read from a source, or the reason the row could not be read at all.
#[derive(Debug, Clone)]
pub(crate) struct SourceRow {
    /// Spreadsheet-style row number: the header is row 1.
    pub(crate) row: u64,
    /// Cells in header order, or why the record is unreadable.
    pub(crate) cells: std::result::Result<Vec<Cell>, super::RejectReason>,
}

/// A table: header plus a stream of rows (a CSV is read one record at a
/// time, so a large export is never held as text in memory).
pub(crate) struct SourceTable<'a> {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Box<dyn Iterator<Item = Result<SourceRow>> + 'a>,
}

impl std::fmt::Debug for SourceTable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceTable")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// Read a CSV from any reader. Fields are trimmed; a UTF-8 byte-order mark at
/// the start is dropped; a record with the wrong number of fields or invalid
/// UTF-8 becomes a rejected row rather than an error for the whole file.
pub(crate) fn read_csv<'a, R: Read + 'a>(reader: R, delimiter: u8) -> Result<SourceTable<'a>> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(reader);
    let mut first = csv::ByteRecord::new();
    let header: Vec<String> = if rdr.read_byte_record(&mut first).map_err(|e| csv_error(&e))? {
        first
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let s = String::from_utf8_lossy(f);
                let s = if i == 0 { s.trim_start_matches('\u{feff}') } else { &s };
                s.trim().to_string()
            })
            .collect()
    } else {
        Vec::new()
    };
    let width = header.len();
    // Spreadsheet-style numbering counts records, not lines: a quoted field
    // with a line break still sits in one row. The header is row 1.
    let mut row = 1u64;
    let rows = rdr.into_byte_records().filter_map(move |rec| {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => return Some(Err(csv_error(&e))),
        };
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
            // A blank line: not a record, not counted as read.
            return None;
        }
        row += 1;
        let cells = if rec.len() == width {
            rec.iter()
                .map(|f| match std::str::from_utf8(f) {
                    Ok(s) => {
                        let s = s.trim();
                        Ok(if s.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(s.to_string())
                        })
                    }
                    Err(_) => Err(super::RejectReason::InvalidUtf8),
                })
                .collect::<std::result::Result<Vec<_>, _>>()
        } else {
            Err(super::RejectReason::FieldCount {
                expected: width,
                found: rec.len(),
            })
        };
        Some(Ok(SourceRow { row, cells }))
    });
    Ok(SourceTable {
        header,
        rows: Box::new(rows),
    })
}

fn csv_error(e: &csv::Error) -> Error {
    Error::Csv {
        row: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    }
}

/// Read a CSV file.
pub(crate) fn read_csv_path(path: &Path, delimiter: u8) -> Result<SourceTable<'static>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_csv(std::io::BufReader::new(file), delimiter)
}

/// Read one sheet of an .xlsx workbook (the first sheet when `sheet` is `None`).
/// The first non-empty row of the sheet's used range is the header.
#[cfg(feature = "xlsx")]
pub(crate) fn read_xlsx_path(path: &Path, sheet: Option<&str>) -> Result<SourceTable<'static>> {
    use calamine::{open_workbook, Data, Reader, Xlsx};

    let mut wb: Xlsx<_> =
        open_workbook(path).map_err(|e: calamine::XlsxError| Error::Workbook { message: e.to_string() })?;
    let name = match sheet {
        Some(s) => s.to_string(),
        None => wb.sheet_names().first().cloned().ok_or_else(|| Error::Workbook {
            message: "workbook has no sheet".into(),
        })?,
    };
    if !wb.sheet_names().contains(&name) {
        return Err(Error::SheetNotFound { sheet: name });
    }
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::Workbook { message: e.to_string() })?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut it = range.rows().enumerate();
    let header: Vec<String> = match it.next() {
        None => Vec::new(),
        Some((_, cells)) => cells.iter().map(|c| c.to_string().trim().to_string()).collect(),
    };
    let mut rows = Vec::new();
    for (i, cells) in it {
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let row = first_row + i as u64;
        let converted = cells
            .iter()
            .map(|c| match c {
                Data::Empty => Ok(Cell::Empty),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                    let s = s.trim();
                    Ok(if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    })
                }
                Data::Int(v) => Ok(Cell::Number(*v as f64)),
                Data::Float(v) => Ok(Cell::Number(*v)),
                Data::Bool(b) => Ok(Cell::Text(b.to_string())),
                Data::DateTime(d) => d
                    .as_datetime()
                    .map(Cell::DateTime)
                    .ok_or(super::RejectReason::CellError),
                Data::Error(_) => Err(super::RejectReason::CellError),
            })
            .collect::<std::result::Result<Vec<_>, _>>();
        rows.push(Ok(SourceRow { row, cells: converted }));
    }
    Ok(SourceTable {
        header,
        rows: Box::new(rows.into_iter()),
    })
}
