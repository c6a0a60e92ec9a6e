//! Tabular sources: CSV and Excel workbooks, read one row at a time.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use chrono::NaiveDateTime;

use super::RejectReason;
use crate::error::{Error, Result};

/// One cell of a source row, owned (as read from a workbook).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty cell (or a field that is empty after trimming).
    Empty,
    /// Text.
    Text(String),
    /// A number stored as a number (Excel).
    Number(f64),
    /// A date or date-time stored as such (Excel); unambiguous.
    DateTime(NaiveDateTime),
}

/// A borrowed view of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CellRef<'r> {
    Empty,
    Text(&'r str),
    Number(f64),
    DateTime(NaiveDateTime),
}

impl<'r> CellRef<'r> {
    /// The cell as text, if it is not empty (borrowed for text cells).
    pub(crate) fn text(self) -> Option<Cow<'r, str>> {
        match self {
            CellRef::Empty => None,
            CellRef::Text(s) => Some(Cow::Borrowed(s)),
            CellRef::Number(x) => Some(Cow::Owned(format_number(x))),
            CellRef::DateTime(t) => Some(Cow::Owned(t.format("%Y-%m-%d %H:%M:%S").to_string())),
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

/// The fields of one row, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fields<'r> {
    Csv(&'r csv::StringRecord),
    Cells(&'r [Cell]),
}

impl<'r> Fields<'r> {
    /// Field `i`, trimmed; missing fields read as empty.
    pub(crate) fn get(self, i: usize) -> CellRef<'r> {
        match self {
            Fields::Csv(rec) => match rec.get(i).map(str::trim) {
                None | Some("") => CellRef::Empty,
                Some(s) => CellRef::Text(s),
            },
            Fields::Cells(cells) => match cells.get(i) {
                None | Some(Cell::Empty) => CellRef::Empty,
                Some(Cell::Text(s)) => CellRef::Text(s),
                Some(Cell::Number(x)) => CellRef::Number(*x),
                Some(Cell::DateTime(t)) => CellRef::DateTime(*t),
            },
        }
    }
}

/// A table: its header, and rows read on demand by [`SourceTable::for_each`].
pub(crate) enum SourceTable<'a> {
    /// A CSV stream: one record buffer is reused for every row, so a large
    /// export is never held in memory as text.
    Csv {
        header: Vec<String>,
        reader: csv::Reader<Box<dyn Read + 'a>>,
    },
    /// Rows already in memory (a workbook sheet); `Err` for unreadable rows.
    #[cfg_attr(not(feature = "xlsx"), allow(dead_code))]
    Cells {
        header: Vec<String>,
        rows: Vec<(u64, std::result::Result<Vec<Cell>, RejectReason>)>,
    },
}

impl std::fmt::Debug for SourceTable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceTable")
            .field("header", &self.header())
            .finish_non_exhaustive()
    }
}

impl SourceTable<'_> {
    pub(crate) fn header(&self) -> &[String] {
        match self {
            SourceTable::Csv { header, .. } | SourceTable::Cells { header, .. } => header,
        }
    }

    /// Call `f(row, fields)` for every data row, in order. `row` is the
    /// spreadsheet-style row number: the header is row 1, and a quoted field
    /// with a line break still sits in one row. Blank lines are not rows.
    /// A record with the wrong number of fields or invalid UTF-8 is passed as
    /// `Err(reason)`, not returned as an error.
    ///
    /// # Errors
    /// [`Error::Csv`] when the reader itself fails (I/O).
    pub(crate) fn for_each(self, mut f: impl FnMut(u64, std::result::Result<Fields<'_>, RejectReason>)) -> Result<()> {
        match self {
            SourceTable::Cells { rows, .. } => {
                for (row, cells) in &rows {
                    f(*row, cells.as_ref().map(|c| Fields::Cells(c)).map_err(Clone::clone));
                }
                Ok(())
            }
            SourceTable::Csv { header, mut reader } => {
                let width = header.len();
                let mut rec = csv::ByteRecord::new();
                let mut row = 1u64;
                while reader.read_byte_record(&mut rec).map_err(|e| csv_error(&e))? {
                    if rec.len() == 1 && rec.get(0).is_some_and(|x| x.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    row += 1;
                    if rec.len() != width {
                        f(
                            row,
                            Err(RejectReason::FieldCount {
                                expected: width,
                                found: rec.len(),
                            }),
                        );
                        continue;
                    }
                    rec = match csv::StringRecord::from_byte_record(std::mem::take(&mut rec)) {
                        Ok(text) => {
                            f(row, Ok(Fields::Csv(&text)));
                            text.into_byte_record()
                        }
                        Err(e) => {
                            f(row, Err(RejectReason::InvalidUtf8));
                            e.into_byte_record()
                        }
                    };
                }
                Ok(())
            }
        }
    }
}

/// Open a CSV from any reader and read its header. A UTF-8 byte-order mark
/// at the start is dropped; header names are trimmed.
pub(crate) fn read_csv<'a, R: Read + 'a>(reader: R, delimiter: u8) -> Result<SourceTable<'a>> {
    let boxed: Box<dyn Read + 'a> = Box::new(reader);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(1 << 16)
        .from_reader(boxed);
    let mut first = csv::ByteRecord::new();
    let header: Vec<String> = if reader.read_byte_record(&mut first).map_err(|e| csv_error(&e))? {
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
    Ok(SourceTable::Csv { header, reader })
}

fn csv_error(e: &csv::Error) -> Error {
    Error::Csv {
        row: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    }
}

/// Open a CSV file.
pub(crate) fn read_csv_path(path: &Path, delimiter: u8) -> Result<SourceTable<'static>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_csv(file, delimiter)
}

/// Read one sheet of an .xlsx workbook (the first sheet when `sheet` is `None`).
/// The first row of the sheet's used range is the header.
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
                Data::DateTime(d) => d.as_datetime().map(Cell::DateTime).ok_or(RejectReason::CellError),
                Data::Error(_) => Err(RejectReason::CellError),
            })
            .collect::<std::result::Result<Vec<_>, _>>();
        rows.push((row, converted));
    }
    Ok(SourceTable::Cells { header, rows })
}
