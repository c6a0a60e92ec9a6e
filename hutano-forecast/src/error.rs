//! The error type of hutano-forecast.

/// Errors returned by hutano-forecast. Messages are lowercase and name the
/// series and row (never a patient).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value is NaN or infinite.
    #[error("non-finite value in series {unique_id:?} at row {row}")]
    NonFinite {
        /// The series.
        unique_id: String,
        /// Zero-based position in the input rows.
        row: usize,
    },
    /// Two rows of one series share a timestamp.
    #[error("duplicate timestamp in series {unique_id:?} at row {row}")]
    DuplicateTimestamp {
        /// The series.
        unique_id: String,
        /// Zero-based position in the input rows.
        row: usize,
    },
    /// A timestamp is not on the series' frequency grid.
    #[error("timestamp off the {freq} grid in series {unique_id:?} at row {row}")]
    OffGrid {
        /// The series.
        unique_id: String,
        /// Zero-based position in the input rows.
        row: usize,
        /// The frequency.
        freq: &'static str,
    },
    /// Dates are missing and the fill rule is [`crate::panel::FillRule::Error`].
    #[error("series {unique_id:?} has {missing} missing timestamps (first after {after})")]
    Gaps {
        /// The series.
        unique_id: String,
        /// How many timestamps are missing.
        missing: usize,
        /// The last timestamp before the first gap.
        after: chrono::NaiveDateTime,
    },
    /// A series is too short for the model or the backtest.
    #[error("series {unique_id:?} has {got} observations, {needed} needed")]
    TooShort {
        /// The series.
        unique_id: String,
        /// Observations needed.
        needed: usize,
        /// Observations present.
        got: usize,
    },
    /// A model or backtest parameter is invalid.
    #[error("invalid parameter {name}: {problem}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A model's numerical routine (the ETS search, STL) failed on a
    /// valid series and parameters.
    #[error("{model} failed: {message}")]
    Model {
        /// The model (`"AutoETS"`, `"MSTL"`).
        model: &'static str,
        /// What the model reported.
        message: String,
    },
    /// Exogenous regressors missing, too short, non-finite or given to a
    /// model that takes none.
    #[error("regressors: {problem}")]
    Regressors {
        /// What is wrong (column and row).
        problem: String,
    },
    /// An error of one model of a [`crate::spec::PanelForecaster`], with the
    /// name the caller gave that model. [`Error::root`] is the model's own
    /// error.
    #[error("model {model:?}: {source}")]
    InModel {
        /// The model's name in the forecaster.
        model: String,
        /// The model's error.
        source: Box<Error>,
    },
    /// The call was cancelled through its [`crate::spec::Control`].
    #[error("cancelled")]
    Cancelled,
    /// An interval level outside (0, 100).
    #[error("invalid level {level}: levels are percentages strictly between 0 and 100")]
    InvalidLevel {
        /// The level.
        level: f64,
    },
    /// An observation passed to an alert rule is invalid (non-finite or
    /// negative value, subject listed twice).
    #[error("alert rule {rule}: observation of {subject}: {problem}")]
    InvalidObservation {
        /// The rule (`"occupancy"`).
        rule: &'static str,
        /// The subject (branch, department, ward or medicine code; never a patient).
        subject: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A hutano-core operation (KPI query, network validation) failed.
    #[error(transparent)]
    Core(#[from] hutano_core::Error),
    /// A medicine ledger could not be replayed or planned.
    #[error(transparent)]
    Medicine(#[from] Box<crate::medicines::MedicineError>),
    /// A report could not be serialised.
    #[error("cannot serialise the report: {message}")]
    Serialize {
        /// What the serialiser said.
        message: String,
    },
}

impl Error {
    /// The error itself, or for [`Error::InModel`] the model's own error:
    /// what to match on to tell a short series from a bad parameter.
    ///
    /// ```
    /// use hutano_forecast::Error;
    ///
    /// let short = Error::TooShort { unique_id: "ward 3".into(), needed: 55, got: 48 };
    /// let e = Error::InModel { model: "boosted".into(), source: Box::new(short) };
    /// assert_eq!(e.to_string(), r#"model "boosted": series "ward 3" has 48 observations, 55 needed"#);
    /// assert!(matches!(e.root(), Error::TooShort { needed: 55, .. }));
    /// ```
    #[must_use]
    pub fn root(&self) -> &Error {
        match self {
            Error::InModel { source, .. } => source.root(),
            other => other,
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
