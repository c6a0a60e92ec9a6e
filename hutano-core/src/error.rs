//! The error type of hutano-core.

/// Errors returned by hutano-core.
///
/// Messages are lowercase and never contain a patient identifier: rows are
/// referred to by number.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV reader failed on a malformed record.
    #[error("malformed csv at row {row}: {message}")]
    Csv {
        /// Spreadsheet-style row number (the header is row 1).
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// The workbook could not be read.
    #[error("cannot read workbook: {message}")]
    Workbook {
        /// What the workbook reader said.
        message: String,
    },
    /// A sheet named by the mapping is not in the workbook.
    #[error("sheet {sheet:?} not found in the workbook")]
    SheetNotFound {
        /// The sheet name.
        sheet: String,
    },
    /// A column named by the mapping is not in the file's header.
    #[error("column {column:?} named by the mapping is not in the header")]
    MissingColumn {
        /// The column name.
        column: String,
    },
    /// The mapping itself is invalid.
    #[error("invalid mapping: field {field}: {problem}")]
    InvalidMapping {
        /// The mapping field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A mapping file could not be parsed.
    #[error("cannot parse mapping: {message}")]
    MappingSyntax {
        /// The parser's message.
        message: String,
    },
    /// A KPI parameter is invalid.
    #[error("invalid parameter {name}: {problem}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A period whose end is not after its start.
    #[error("empty period: end {end} is not after start {start}")]
    EmptyPeriod {
        /// Start (inclusive).
        start: chrono::NaiveDate,
        /// End (exclusive).
        end: chrono::NaiveDate,
    },
    /// A KPI cannot be grouped by a dimension (e.g. bed occupancy by payer:
    /// beds have no payer).
    #[error("kpi {kpi} cannot be grouped or filtered by {dimension}")]
    DimensionNotApplicable {
        /// The KPI.
        kpi: &'static str,
        /// The dimension.
        dimension: &'static str,
    },
    /// A filter names a value the dimension never takes.
    #[error("filter on {dimension}: unknown value {value:?}")]
    UnknownFilterValue {
        /// The dimension.
        dimension: &'static str,
        /// The value.
        value: String,
    },
    /// The network's tables contradict each other.
    #[error("inconsistent network: {table} row {row}: {problem}")]
    Inconsistent {
        /// The table.
        table: &'static str,
        /// Zero-based position in the table.
        row: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// A local time that does not exist in the branch's zone.
    #[error("local time does not exist in time zone {timezone} (daylight-saving gap)")]
    NonexistentLocalTime {
        /// The zone.
        timezone: String,
    },
    /// The generator's configuration is invalid.
    #[error("invalid generator configuration: {problem}")]
    InvalidGenerator {
        /// What is wrong.
        problem: String,
    },
    /// Serialising a table or network failed.
    #[error("cannot write output: {message}")]
    Write {
        /// The writer's message.
        message: String,
    },
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
