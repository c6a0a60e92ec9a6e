//! Every KPI by name, with its options, as data: what the Python package,
//! the C library and the command line call (`"alos"`, `"readmissions"`).

use serde::{Deserialize, Serialize};

use super::{AlosVariant, Engine, MortalityRules, Query, ReadmissionRules};
use crate::error::{Error, Result};
use crate::table::Table;

/// A KPI with its options. Serialised with a `kpi` tag:
/// `{"kpi": "alos", "variant": "overnight_only"}`; options left out take
/// their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kpi", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Kpi {
    /// Midnight census per day ([`Engine::census_daily`]).
    CensusDaily,
    /// Census per hour ([`Engine::census_hourly`]).
    CensusHourly,
    /// Inpatient bed-days ([`Engine::bed_days`]).
    BedDays,
    /// Occupancy, turnover rate and interval ([`Engine::bed_utilisation`]).
    BedUtilisation,
    /// Average length of stay ([`Engine::alos`]).
    Alos {
        /// Which stays count.
        #[serde(default)]
        variant: AlosVariant,
    },
    /// Admissions, mix and flow ([`Engine::admissions`]).
    Admissions,
    /// Gross and net mortality ([`Engine::mortality`]).
    Mortality {
        /// Rules of the net rate.
        #[serde(default)]
        rules: MortalityRules,
    },
    /// 30-day readmissions ([`Engine::readmissions`]).
    Readmissions {
        /// CMS-style rules.
        #[serde(default)]
        rules: ReadmissionRules,
    },
    /// Discharge timing and bed turnaround ([`Engine::discharge_timing`]).
    DischargeTiming,
    /// ICU days ([`Engine::icu_days`]).
    IcuDays,
    /// Billing ([`Engine::finance`]).
    Finance,
    /// Procedures ([`Engine::procedures`]).
    Procedures,
    /// Doctor workload ([`Engine::doctor_workload`]).
    DoctorWorkload,
    /// Admissions and discharges by hour of day ([`Engine::peak_hours`]).
    PeakHours,
}

impl Kpi {
    /// The names accepted by [`Kpi::from_name`], in documentation order.
    pub const NAMES: [&'static str; 14] = [
        "census_daily",
        "census_hourly",
        "bed_days",
        "bed_utilisation",
        "alos",
        "admissions",
        "mortality",
        "readmissions",
        "discharge_timing",
        "icu_days",
        "finance",
        "procedures",
        "doctor_workload",
        "peak_hours",
    ];

    /// The KPI called `name`, with default options.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an unknown name (the message lists the
    /// known ones).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "census_daily" => Kpi::CensusDaily,
            "census_hourly" => Kpi::CensusHourly,
            "bed_days" => Kpi::BedDays,
            "bed_utilisation" => Kpi::BedUtilisation,
            "alos" => Kpi::Alos {
                variant: AlosVariant::default(),
            },
            "admissions" => Kpi::Admissions,
            "mortality" => Kpi::Mortality {
                rules: MortalityRules::default(),
            },
            "readmissions" => Kpi::Readmissions {
                rules: ReadmissionRules::default(),
            },
            "discharge_timing" => Kpi::DischargeTiming,
            "icu_days" => Kpi::IcuDays,
            "finance" => Kpi::Finance,
            "procedures" => Kpi::Procedures,
            "doctor_workload" => Kpi::DoctorWorkload,
            "peak_hours" => Kpi::PeakHours,
            other => {
                return Err(Error::InvalidParameter {
                    name: "kpi",
                    problem: format!("unknown KPI {other:?}; known: {}", Self::NAMES.join(", ")),
                })
            }
        })
    }

    /// Compute the KPI.
    ///
    /// # Errors
    /// As the engine method it calls.
    pub fn compute(&self, engine: &Engine<'_>, query: &Query) -> Result<Table> {
        match self {
            Kpi::CensusDaily => engine.census_daily(query),
            Kpi::CensusHourly => engine.census_hourly(query),
            Kpi::BedDays => engine.bed_days(query),
            Kpi::BedUtilisation => engine.bed_utilisation(query),
            Kpi::Alos { variant } => engine.alos(query, *variant),
            Kpi::Admissions => engine.admissions(query),
            Kpi::Mortality { rules } => engine.mortality(query, *rules),
            Kpi::Readmissions { rules } => engine.readmissions(query, rules),
            Kpi::DischargeTiming => engine.discharge_timing(query),
            Kpi::IcuDays => engine.icu_days(query),
            Kpi::Finance => engine.finance(query),
            Kpi::Procedures => engine.procedures(query),
            Kpi::DoctorWorkload => engine.doctor_workload(query),
            Kpi::PeakHours => engine.peak_hours(query),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_and_round_trips() {
        for name in Kpi::NAMES {
            let kpi = Kpi::from_name(name).unwrap();
            let json = serde_json::to_string(&kpi).unwrap();
            assert!(json.contains(&format!("\"kpi\":\"{name}\"")), "{json}");
            assert_eq!(serde_json::from_str::<Kpi>(&json).unwrap(), kpi);
        }
        let err = Kpi::from_name("occupancy").unwrap_err();
        assert!(err.to_string().contains("bed_utilisation"), "{err}");
        let alos: Kpi = serde_json::from_str(r#"{"kpi": "alos", "variant": "overnight_only"}"#).unwrap();
        assert_eq!(
            alos,
            Kpi::Alos {
                variant: AlosVariant::OvernightOnly
            }
        );
    }
}
