//! The KPI engine: standard hospital indicators over a half-open period,
//! grouped by any dimension and by day, week or month, with filters.
//!
//! # Conventions that hold for every KPI
//! - A [`Period`] is half-open, `[start, end)`, in branch-local dates: a
//!   one-day period for 3 March is `Period::new(d(3 March), d(4 March))`.
//! - A stay occupies the interval `[admit, discharge)`; a stay still open has
//!   no end. A patient is *present* at instant `t` when `admit <= t < discharge`.
//! - The **midnight census of day D** counts the patients present at the
//!   midnight that ends D (00:00 of D+1). A stay therefore counts one
//!   bed-day for each night it spans; a same-day stay counts none.
//!   Occupied bed-days over a period are the sum of its midnight censuses
//!   (WHO Europe HFA indicator 542: stays clipped at the period's edges).
//! - Events are dated by their local date: an admission belongs to the bucket
//!   of its admission date, a discharge (and everything computed per
//!   discharge: ALOS, mortality, cost per discharge, readmission index stays)
//!   to the bucket of its discharge date.
//! - Location dimensions (department, ward, bed type) are taken from the
//!   placement current at the event: the admitting placement for admissions,
//!   the discharging placement for discharge-based KPIs, and each placement
//!   for census and bed-days (so a transferred stay's nights are split
//!   between wards).
//! - Ratios with a zero denominator are `NaN`, never 0.
//!
//! ```
//! use hutano_core::generate::{generate, GeneratorConfig};
//! use hutano_core::kpi::{Dimension, Engine, Grain, Period, Query};
//! use chrono::NaiveDate;
//!
//! let net = generate(&GeneratorConfig::national(7).days(60))?;
//! let engine = Engine::new(&net)?;
//! let jan = Period::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 2, 1).unwrap())?;
//! let q = Query::new(jan).group_by([Dimension::Branch]).grain(Grain::Period);
//! let util = engine.bed_utilisation(&q)?;
//! assert_eq!(util.len(), net.branches.len());
//! # Ok::<(), hutano_core::Error>(())
//! ```

// Day, hour and bucket indices are offsets inside a period of at most
// `Period::MAX_DAYS` days, and dimension codes index tables addressed by `u32`
// ids, so the integer casts of this module cannot truncate or change sign.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]

mod catalog;
mod measures;

use rustc_hash::FxHashMap as HashMap;

pub use catalog::Kpi;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
pub use measures::{AlosVariant, MortalityRules, ReadmissionRules};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{AdmissionType, BedType, Network, Payer, Residence, Sex};

/// Minutes in a day.
pub(crate) const DAY: i64 = 1440;

/// A half-open range of local dates `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// The longest period accepted: 200 years.
    pub const MAX_DAYS: i64 = 73_050;

    /// The period `[start, end)`.
    ///
    /// # Errors
    /// [`Error::EmptyPeriod`] unless `start < end`; [`Error::InvalidParameter`]
    /// for a period longer than [`Period::MAX_DAYS`].
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if start >= end {
            return Err(Error::EmptyPeriod { start, end });
        }
        if (end - start).num_days() > Self::MAX_DAYS {
            return Err(Error::InvalidParameter {
                name: "period",
                problem: format!("longer than {} days", Self::MAX_DAYS),
            });
        }
        Ok(Self { start, end })
    }

    /// First day (inclusive).
    #[must_use]
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Day after the last day (exclusive).
    #[must_use]
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Number of days.
    #[must_use]
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// Whether `day` is in the period.
    #[must_use]
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }
}

/// Time buckets of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// One row per day.
    Day,
    /// One row per ISO week (Monday to Sunday), clipped to the period.
    Week,
    /// One row per calendar month, clipped to the period.
    Month,
    /// One row for the whole period.
    #[default]
    Period,
}

/// A dimension to group or filter by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Branch (hospital) code.
    Branch,
    /// Department code.
    Department,
    /// Ward code (`"unknown"` where not recorded).
    Ward,
    /// Bed type.
    BedType,
    /// Age band (see [`Query::age_bands`]).
    AgeBand,
    /// Sex.
    Sex,
    /// Payer.
    Payer,
    /// Diagnosis category.
    DiagnosisCategory,
    /// Admission type.
    AdmissionType,
    /// Rural or urban residence, where recorded.
    Residence,
}

impl Dimension {
    /// Column name of the dimension in result tables.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Branch => "branch",
            Dimension::Department => "department",
            Dimension::Ward => "ward",
            Dimension::BedType => "bed_type",
            Dimension::AgeBand => "age_band",
            Dimension::Sex => "sex",
            Dimension::Payer => "payer",
            Dimension::DiagnosisCategory => "diagnosis_category",
            Dimension::AdmissionType => "admission_type",
            Dimension::Residence => "residence",
        }
    }

    /// Whether beds have this dimension (so capacity can be grouped by it).
    #[must_use]
    pub fn is_bed_dimension(self) -> bool {
        matches!(
            self,
            Dimension::Branch | Dimension::Department | Dimension::Ward | Dimension::BedType
        )
    }
}

/// What to compute over: period, time grain, grouping and filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// The period.
    pub period: Period,
    /// Time buckets.
    pub grain: Grain,
    /// Grouping dimensions, in output column order.
    pub group_by: Vec<Dimension>,
    /// Keep only records whose dimension value (label) is one of the listed values.
    pub filters: Vec<(Dimension, Vec<String>)>,
    /// Lower bounds of the age bands in years, ascending, first 0
    /// (default `[0, 15, 45, 65, 80]` gives 0-14, 15-44, 45-64, 65-79, 80+).
    pub age_bands: Vec<u16>,
}

impl Query {
    /// Whole-period totals, no grouping, no filter.
    #[must_use]
    pub fn new(period: Period) -> Self {
        Self {
            period,
            grain: Grain::Period,
            group_by: Vec::new(),
            filters: Vec::new(),
            age_bands: vec![0, 15, 45, 65, 80],
        }
    }

    /// Group by these dimensions.
    #[must_use]
    pub fn group_by(mut self, dims: impl IntoIterator<Item = Dimension>) -> Self {
        self.group_by = dims.into_iter().collect();
        self
    }

    /// Set the time grain.
    #[must_use]
    pub fn grain(mut self, grain: Grain) -> Self {
        self.grain = grain;
        self
    }

    /// Keep only records whose `dim` label is one of `values`.
    #[must_use]
    pub fn filter<I, S>(mut self, dim: Dimension, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.filters.push((dim, values.into_iter().map(Into::into).collect()));
        self
    }

    /// Set the age bands (lower bounds in years, ascending, starting at 0).
    #[must_use]
    pub fn age_bands(mut self, bounds: impl IntoIterator<Item = u16>) -> Self {
        self.age_bands = bounds.into_iter().collect();
        self
    }
}

/// Placement columns used for grouping by location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) dept: u32,
    pub(crate) ward: u32,
    pub(crate) bed: u32,
}

/// One placement of one encounter, in minutes since 1970-01-01 00:00 local.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pub(crate) enc: u32,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) loc: Loc,
}

/// Precomputed columns of a network for fast KPI evaluation.
///
/// Building it is linear in the number of encounters; every KPI then reads
/// these dense columns. The engine borrows the network, which must not change
/// while the engine is alive.
#[derive(Debug)]
pub struct Engine<'a> {
    pub(crate) net: &'a Network,
    pub(crate) admit: Vec<i64>,
    /// `i64::MAX` while in hospital.
    pub(crate) discharge: Vec<i64>,
    pub(crate) first: Vec<Loc>,
    pub(crate) last: Vec<Loc>,
    pub(crate) branch: Vec<u32>,
    pub(crate) sex: Vec<u32>,
    pub(crate) payer: Vec<u32>,
    pub(crate) residence: Vec<u32>,
    pub(crate) adm_type: Vec<u32>,
    pub(crate) diag: Vec<u32>,
    pub(crate) diag_labels: Vec<String>,
    pub(crate) segs: Vec<Seg>,
    pub(crate) patient: Vec<u32>,
    /// Code in `OUTCOMES`, or `OUTCOMES.len()` while in hospital.
    pub(crate) outcome: Vec<u8>,
    pub(crate) planned: Vec<bool>,
    /// Encounters ordered by (patient, admission, discharge, id), built on first use.
    pub(crate) patient_order: std::sync::OnceLock<Vec<u32>>,
}

/// Minutes since 1970-01-01 00:00 of a local date-time.
pub(crate) fn minutes(t: NaiveDateTime) -> i64 {
    day_number(t.date()) * DAY + i64::from(t.hour()) * 60 + i64::from(t.minute())
}

/// Days since 1970-01-01.
pub(crate) fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 719_163
}

/// The date of a day number.
pub(crate) fn date_of(day: i64) -> NaiveDate {
    i32::try_from(day + 719_163)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MAX)
}

fn enum_code<T: PartialEq + Copy>(all: &[T], v: Option<T>) -> u32 {
    v.and_then(|v| all.iter().position(|x| *x == v))
        .map_or(all.len() as u32, |p| p as u32)
}

pub(crate) const SEXES: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Other, Sex::Unknown];
pub(crate) const PAYERS: [Payer; 4] = [Payer::Government, Payer::Private, Payer::Corporate, Payer::SelfPay];
pub(crate) const RESIDENCES: [Residence; 2] = [Residence::Rural, Residence::Urban];
pub(crate) const OUTCOMES: [crate::model::Outcome; 5] = [
    crate::model::Outcome::Recovered,
    crate::model::Outcome::Improved,
    crate::model::Outcome::Transferred,
    crate::model::Outcome::LeftAgainstAdvice,
    crate::model::Outcome::Deceased,
];
pub(crate) const ADM_TYPES: [AdmissionType; 4] = [
    AdmissionType::Emergency,
    AdmissionType::Elective,
    AdmissionType::TransferIn,
    AdmissionType::DayCase,
];

impl<'a> Engine<'a> {
    /// Build the engine's columns from a network.
    ///
    /// # Errors
    /// [`Error::Inconsistent`] if the network fails [`Network::validate`].
    pub fn new(net: &'a Network) -> Result<Self> {
        net.validate()?;
        let (diag_codes, diag_labels) = intern_diagnoses(net);
        let n = net.encounters.len();
        // Every placement becomes one segment (a zero-length one contributes
        // nothing), so each chunk's segments have a known place.
        let chunks = n.div_ceil(CHUNK);
        let mut seg_start = Vec::with_capacity(chunks + 1);
        seg_start.push(0usize);
        for c in 0..chunks {
            let count: usize = net.encounters[c * CHUNK..((c + 1) * CHUNK).min(n)]
                .iter()
                .map(|e| e.placements.len())
                .sum();
            seg_start.push(seg_start[c] + count);
        }
        let zero_loc = Loc {
            dept: 0,
            ward: 0,
            bed: 0,
        };
        let mut e = Engine {
            net,
            admit: vec![0; n],
            discharge: vec![0; n],
            first: vec![zero_loc; n],
            last: vec![zero_loc; n],
            branch: vec![0; n],
            sex: vec![0; n],
            payer: vec![0; n],
            residence: vec![0; n],
            adm_type: vec![0; n],
            diag: diag_codes,
            diag_labels,
            segs: vec![
                Seg {
                    enc: 0,
                    start: 0,
                    end: 0,
                    loc: zero_loc
                };
                seg_start[chunks]
            ],
            patient: vec![0; n],
            outcome: vec![0; n],
            planned: vec![false; n],
            patient_order: std::sync::OnceLock::new(),
        };
        // Fill the columns in place, chunk by chunk (in parallel with the
        // `parallel` feature): every page of the columns is written once.
        let mut views = Vec::with_capacity(chunks);
        {
            let mut admit = e.admit.chunks_mut(CHUNK);
            let mut discharge = e.discharge.chunks_mut(CHUNK);
            let mut first = e.first.chunks_mut(CHUNK);
            let mut last = e.last.chunks_mut(CHUNK);
            let mut branch = e.branch.chunks_mut(CHUNK);
            let mut sex = e.sex.chunks_mut(CHUNK);
            let mut payer = e.payer.chunks_mut(CHUNK);
            let mut residence = e.residence.chunks_mut(CHUNK);
            let mut adm_type = e.adm_type.chunks_mut(CHUNK);
            let mut patient = e.patient.chunks_mut(CHUNK);
            let mut outcome = e.outcome.chunks_mut(CHUNK);
            let mut planned = e.planned.chunks_mut(CHUNK);
            let mut segs: &mut [Seg] = &mut e.segs;
            for c in 0..chunks {
                let (mine, rest) = segs.split_at_mut(seg_start[c + 1] - seg_start[c]);
                segs = rest;
                views.push(ChunkView {
                    offset: c * CHUNK,
                    admit: admit.next().unwrap_or_default(),
                    discharge: discharge.next().unwrap_or_default(),
                    first: first.next().unwrap_or_default(),
                    last: last.next().unwrap_or_default(),
                    branch: branch.next().unwrap_or_default(),
                    sex: sex.next().unwrap_or_default(),
                    payer: payer.next().unwrap_or_default(),
                    residence: residence.next().unwrap_or_default(),
                    adm_type: adm_type.next().unwrap_or_default(),
                    patient: patient.next().unwrap_or_default(),
                    outcome: outcome.next().unwrap_or_default(),
                    planned: planned.next().unwrap_or_default(),
                    segs: mine,
                });
            }
        }
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            views.into_par_iter().for_each(|v| v.fill(net));
        }
        #[cfg(not(feature = "parallel"))]
        for v in views {
            v.fill(net);
        }
        Ok(e)
    }

    /// Encounters ordered by (patient, admission, discharge, id).
    pub(crate) fn patient_order(&self) -> &[u32] {
        self.patient_order.get_or_init(|| {
            let encs = &self.net.encounters;
            let mut order: Vec<u32> = (0..crate::model::u32_index(encs.len())).collect();
            let cmp = |a: &u32, b: &u32| {
                let (a, b) = (*a as usize, *b as usize);
                (self.patient[a], self.admit[a], self.discharge[a])
                    .cmp(&(self.patient[b], self.admit[b], self.discharge[b]))
                    .then_with(|| encs[a].id.cmp(&encs[b].id))
            };
            #[cfg(feature = "parallel")]
            rayon::slice::ParallelSliceMut::par_sort_unstable_by(&mut order[..], cmp);
            #[cfg(not(feature = "parallel"))]
            order.sort_unstable_by(cmp);
            order
        })
    }

    /// The network the engine reads.
    #[must_use]
    pub fn network(&self) -> &Network {
        self.net
    }

    /// Labels of every code of a dimension (the last is the "unknown" code where one exists).
    pub(crate) fn labels(&self, dim: Dimension, q: &Query) -> Vec<String> {
        use crate::model::snake_name as snake;
        let unknown = || "unknown".to_string();
        match dim {
            Dimension::Branch => self.net.branches.iter().map(|b| b.code.clone()).collect(),
            Dimension::Department => self.net.departments.iter().map(|d| d.code.clone()).collect(),
            Dimension::Ward => self
                .net
                .wards
                .iter()
                .map(|w| w.code.clone())
                .chain(std::iter::once(unknown()))
                .collect(),
            Dimension::BedType => BedType::ALL.iter().map(|b| b.label().to_string()).collect(),
            Dimension::AgeBand => {
                let b = &q.age_bands;
                let mut v: Vec<String> = b
                    .iter()
                    .enumerate()
                    .map(|(i, lo)| match b.get(i + 1) {
                        Some(hi) => format!("{lo}-{}", hi - 1),
                        None => format!("{lo}+"),
                    })
                    .collect();
                v.push(unknown());
                v
            }
            Dimension::Sex => SEXES.iter().map(snake).collect(),
            Dimension::Payer => PAYERS.iter().map(snake).chain(std::iter::once(unknown())).collect(),
            Dimension::Residence => RESIDENCES.iter().map(snake).chain(std::iter::once(unknown())).collect(),
            Dimension::AdmissionType => ADM_TYPES.iter().map(snake).collect(),
            Dimension::DiagnosisCategory => self
                .diag_labels
                .iter()
                .cloned()
                .chain(std::iter::once(unknown()))
                .collect(),
        }
    }

    /// Code of encounter `i` on `dim`, with location taken from `loc`.
    pub(crate) fn code(&self, dim: Dimension, i: usize, loc: Loc, q: &Query) -> u32 {
        match dim {
            Dimension::Branch => self.branch[i],
            Dimension::Department => loc.dept,
            Dimension::Ward => loc.ward,
            Dimension::BedType => loc.bed,
            Dimension::AgeBand => match self.net.encounters[i].age {
                None => q.age_bands.len() as u32,
                Some(a) => q
                    .age_bands
                    .iter()
                    .rposition(|lo| *lo <= a)
                    .map_or(q.age_bands.len() as u32, |p| p as u32),
            },
            Dimension::Sex => self.sex[i],
            Dimension::Payer => self.payer[i],
            Dimension::Residence => self.residence[i],
            Dimension::AdmissionType => self.adm_type[i],
            Dimension::DiagnosisCategory => self.diag[i],
        }
    }

    /// Compile a query into a grouper.
    pub(crate) fn grouper(&self, q: &Query, kpi: &'static str, bed_only: bool) -> Result<Grouper> {
        if q.age_bands.first() != Some(&0) || q.age_bands.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::InvalidParameter {
                name: "age_bands",
                problem: "must start at 0 and increase".into(),
            });
        }
        let mut dims = Vec::new();
        for &d in &q.group_by {
            if bed_only && !d.is_bed_dimension() {
                return Err(Error::DimensionNotApplicable {
                    kpi,
                    dimension: d.name(),
                });
            }
            let labels = self.labels(d, q);
            dims.push((d, labels));
        }
        let mut filters = Vec::new();
        for (d, values) in &q.filters {
            if bed_only && !d.is_bed_dimension() {
                return Err(Error::DimensionNotApplicable {
                    kpi,
                    dimension: d.name(),
                });
            }
            let labels = self.labels(*d, q);
            let mut allowed = vec![false; labels.len()];
            for v in values {
                let pos = labels
                    .iter()
                    .position(|l| l == v)
                    .ok_or_else(|| Error::UnknownFilterValue {
                        dimension: d.name(),
                        value: v.clone(),
                    })?;
                allowed[pos] = true;
            }
            filters.push((*d, allowed));
        }
        Ok(Grouper {
            dims,
            filters,
            buckets: Buckets::new(q.period, q.grain),
        })
    }
}

/// Diagnosis-category code of every encounter (labels sorted; the code
/// `labels.len()` means none), interned in one pass.
fn intern_diagnoses(net: &Network) -> (Vec<u32>, Vec<String>) {
    // Intern diagnosis categories in one pass (codes in order of first
    // appearance), then renumber them in label order.
    let mut interner: HashMap<&str, u32> = HashMap::default();
    let mut first_seen: Vec<&str> = Vec::new();
    let raw_diag: Vec<u32> = net
        .encounters
        .iter()
        .map(|enc| match enc.diagnosis_category.as_deref() {
            None => u32::MAX,
            Some(c) => *interner.entry(c).or_insert_with(|| {
                first_seen.push(c);
                (first_seen.len() - 1) as u32
            }),
        })
        .collect();
    let mut sorted: Vec<(&str, u32)> = first_seen.iter().enumerate().map(|(i, c)| (*c, i as u32)).collect();
    sorted.sort_unstable();
    let mut renumber = vec![0u32; sorted.len()];
    for (new, (_, old)) in sorted.iter().enumerate() {
        renumber[*old as usize] = new as u32;
    }
    let no_diag = sorted.len() as u32;
    let diag_labels: Vec<String> = sorted.iter().map(|(c, _)| (*c).to_string()).collect();
    let diag_codes: Vec<u32> = raw_diag
        .iter()
        .map(|&r| if r == u32::MAX { no_diag } else { renumber[r as usize] })
        .collect();
    (diag_codes, diag_labels)
}

/// Mutable slices of the engine's columns for one chunk of encounters.
struct ChunkView<'c> {
    offset: usize,
    admit: &'c mut [i64],
    discharge: &'c mut [i64],
    first: &'c mut [Loc],
    last: &'c mut [Loc],
    branch: &'c mut [u32],
    sex: &'c mut [u32],
    payer: &'c mut [u32],
    residence: &'c mut [u32],
    adm_type: &'c mut [u32],
    patient: &'c mut [u32],
    outcome: &'c mut [u8],
    planned: &'c mut [bool],
    segs: &'c mut [Seg],
}

impl ChunkView<'_> {
    /// Fill the chunk's columns from the network's encounters.
    fn fill(self, net: &Network) {
        let no_ward = net.wards.len() as u32;
        let loc = |p: &crate::model::Placement| Loc {
            dept: p.department.0,
            ward: p.ward.map_or(no_ward, |w| w.0),
            bed: enum_code(&BedType::ALL, Some(p.bed_type)),
        };
        let mut next_seg = 0;
        for j in 0..self.admit.len() {
            let i = self.offset + j;
            let enc = &net.encounters[i];
            let a = minutes(enc.admit);
            let d = enc.discharge.map_or(i64::MAX, minutes);
            self.admit[j] = a;
            self.discharge[j] = d;
            self.first[j] = loc(enc.first_placement());
            self.last[j] = loc(enc.last_placement());
            self.branch[j] = enc.branch.0;
            self.sex[j] = enum_code(&SEXES, Some(enc.sex));
            self.payer[j] = enum_code(&PAYERS, enc.payer);
            self.residence[j] = enum_code(&RESIDENCES, enc.residence);
            self.adm_type[j] = enum_code(&ADM_TYPES, Some(enc.admission_type));
            self.patient[j] = enc.patient.0;
            self.outcome[j] = enum_code(&OUTCOMES, enc.outcome) as u8;
            self.planned[j] = enc.planned_readmission;
            for (k, p) in enc.placements.iter().enumerate() {
                let start = minutes(p.start);
                let end = enc.placements.get(k + 1).map_or(d, |q| minutes(q.start));
                self.segs[next_seg] = Seg {
                    enc: crate::model::u32_index(i),
                    start,
                    end: end.max(start),
                    loc: loc(p),
                };
                next_seg += 1;
            }
        }
    }
}

/// Time buckets of a query: which bucket each day of the period falls in.
#[derive(Debug, Clone)]
pub(crate) struct Buckets {
    pub(crate) first_day: i64,
    pub(crate) bucket_of: Vec<u32>,
    pub(crate) starts: Vec<NaiveDate>,
    pub(crate) days: Vec<i64>,
}

impl Buckets {
    fn new(period: Period, grain: Grain) -> Self {
        let first_day = day_number(period.start);
        let mut bucket_of = Vec::with_capacity(usize::try_from(period.days()).unwrap_or(0));
        let mut starts: Vec<NaiveDate> = Vec::new();
        let mut days: Vec<i64> = Vec::new();
        let mut key_prev = None;
        let mut d = period.start;
        while d < period.end {
            let key = match grain {
                Grain::Day => (d.year(), d.ordinal()),
                Grain::Week => {
                    let w = d.iso_week();
                    (w.year(), w.week())
                }
                Grain::Month => (d.year(), d.month()),
                Grain::Period => (0, 0),
            };
            if key_prev != Some(key) {
                starts.push(d);
                days.push(0);
                key_prev = Some(key);
            }
            if let Some(last) = days.last_mut() {
                *last += 1;
            }
            bucket_of.push((starts.len() - 1) as u32);
            d = d.succ_opt().unwrap_or(NaiveDate::MAX);
        }
        Self {
            first_day,
            bucket_of,
            starts,
            days,
        }
    }

    /// Bucket of a day number, if the day is in the period.
    pub(crate) fn of_day(&self, day: i64) -> Option<u32> {
        let i = usize::try_from(day - self.first_day).ok()?;
        self.bucket_of.get(i).copied()
    }

    /// Bucket of an instant in minutes.
    pub(crate) fn of_minute(&self, m: i64) -> Option<u32> {
        if m == i64::MAX {
            return None;
        }
        self.of_day(m.div_euclid(DAY))
    }

    pub(crate) fn ndays(&self) -> i64 {
        self.bucket_of.len() as i64
    }
}

/// A compiled grouping: dimension labels, filters and time buckets.
#[derive(Debug, Clone)]
pub(crate) struct Grouper {
    pub(crate) dims: Vec<(Dimension, Vec<String>)>,
    pub(crate) filters: Vec<(Dimension, Vec<bool>)>,
    pub(crate) buckets: Buckets,
}

impl Grouper {
    /// Group key of encounter `i` with location `loc`, or `None` if filtered out.
    pub(crate) fn key(&self, e: &Engine<'_>, i: usize, loc: Loc, q: &Query) -> Option<u64> {
        for (d, allowed) in &self.filters {
            if !allowed[e.code(*d, i, loc, q) as usize] {
                return None;
            }
        }
        let mut k = 0u64;
        for (d, labels) in &self.dims {
            k = k * labels.len() as u64 + u64::from(e.code(*d, i, loc, q));
        }
        Some(k)
    }

    /// Group key of a bed block (only bed dimensions).
    pub(crate) fn bed_key(&self, net: &Network, block: &crate::model::BedBlock) -> Option<u64> {
        let ward = block.ward;
        let dept = net.wards[ward.index()].department;
        let branch = net.departments[dept.index()].branch;
        let code = |d: Dimension| match d {
            Dimension::Branch => branch.0,
            Dimension::Department => dept.0,
            Dimension::Ward => ward.0,
            _ => enum_code(&BedType::ALL, Some(block.bed_type)),
        };
        for (d, allowed) in &self.filters {
            if !allowed[code(*d) as usize] {
                return None;
            }
        }
        let mut k = 0u64;
        for (d, labels) in &self.dims {
            k = k * labels.len() as u64 + u64::from(code(*d));
        }
        Some(k)
    }

    /// Labels of a key, one per dimension.
    pub(crate) fn decode(&self, mut k: u64) -> Vec<&str> {
        let mut out = vec![""; self.dims.len()];
        for (j, (_, labels)) in self.dims.iter().enumerate().rev() {
            let n = labels.len() as u64;
            out[j] = labels[(k % n) as usize].as_str();
            k /= n;
        }
        out
    }

    /// Start a table with one text column per grouping dimension, one row
    /// per group key.
    pub(crate) fn dim_table(&self, keys: impl Iterator<Item = u64>) -> crate::table::Table {
        use crate::table::Values;
        let mut t = crate::table::Table::default();
        let decoded: Vec<Vec<&str>> = keys.map(|k| self.decode(k)).collect();
        for (j, (d, _)) in self.dims.iter().enumerate() {
            t.push(
                d.name(),
                Values::Text(decoded.iter().map(|v| v[j].to_string()).collect()),
            );
        }
        t
    }

    /// Start a table with the dimension and period columns for the given (key, bucket) rows.
    pub(crate) fn table(&self, rows: &[(u64, u32)]) -> crate::table::Table {
        use crate::table::Values;
        let mut t = self.dim_table(rows.iter().map(|r| r.0));
        t.push(
            "period_start",
            Values::Date(rows.iter().map(|(_, b)| self.buckets.starts[*b as usize]).collect()),
        );
        t.push(
            "days",
            Values::Int(rows.iter().map(|(_, b)| self.buckets.days[*b as usize]).collect()),
        );
        t
    }
}

/// Per-(group, bucket) accumulators.
///
/// Dense (a flat vector indexed by group key and bucket) when the product of
/// the grouping cardinalities and the number of buckets is small, which is
/// the usual case (e.g. 11 branches x 12 months); a hash map otherwise.
#[derive(Debug)]
pub(crate) struct Groups<V> {
    nb: u64,
    dense: Option<(Vec<V>, Vec<bool>)>,
    sparse: rustc_hash::FxHashMap<(u64, u32), V>,
}

/// Largest dense accumulator, in cells.
const DENSE_CELLS: u64 = 1 << 20;

impl<V: Default + Clone> Groups<V> {
    /// Accumulators for a grouper's keys and `nb` buckets.
    pub(crate) fn new(g: &Grouper, nb: usize) -> Self {
        let combos = g
            .dims
            .iter()
            .try_fold(1u64, |acc, (_, labels)| acc.checked_mul(labels.len() as u64));
        let nb = nb as u64;
        let dense = combos
            .and_then(|c| c.checked_mul(nb))
            .filter(|&cells| cells <= DENSE_CELLS)
            .map(|cells| (vec![V::default(); cells as usize], vec![false; cells as usize]));
        Self {
            nb,
            dense,
            sparse: rustc_hash::FxHashMap::default(),
        }
    }

    /// Accumulators keyed by arbitrary `u64` keys (always a hash map).
    pub(crate) fn sparse(nb: usize) -> Self {
        Self {
            nb: nb as u64,
            dense: None,
            sparse: rustc_hash::FxHashMap::default(),
        }
    }

    /// The accumulator of `(key, bucket)`, created on first use.
    pub(crate) fn entry(&mut self, k: u64, b: u32) -> &mut V {
        match &mut self.dense {
            Some((cells, touched)) => {
                let i = (k * self.nb + u64::from(b)) as usize;
                touched[i] = true;
                &mut cells[i]
            }
            None => self.sparse.entry((k, b)).or_default(),
        }
    }

    /// Keys in use, sorted by key then bucket.
    pub(crate) fn rows(&self) -> Vec<(u64, u32)> {
        if let Some((_, touched)) = &self.dense {
            touched
                .iter()
                .enumerate()
                .filter(|(_, t)| **t)
                .map(|(i, _)| (i as u64 / self.nb, (i as u64 % self.nb) as u32))
                .collect()
        } else {
            let mut rows: Vec<(u64, u32)> = self.sparse.keys().copied().collect();
            rows.sort_unstable();
            rows
        }
    }

    /// Keys in use with their accumulators, sorted.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ((u64, u32), &V)> + '_ {
        self.rows().into_iter().map(move |r| (r, &self[&r]))
    }
}

impl<V: Default + Clone + Merge> Groups<V> {
    /// Add another accumulator's values into this one.
    pub(crate) fn absorb(&mut self, other: &Groups<V>) {
        for ((k, b), v) in other.iter() {
            self.entry(k, b).merge(v);
        }
    }
}

/// Accumulated values that add up.
pub(crate) trait Merge {
    /// Add `other` into `self`.
    fn merge(&mut self, other: &Self);
}

impl Merge for i64 {
    fn merge(&mut self, other: &Self) {
        *self += other;
    }
}

impl Merge for (i64, i64) {
    fn merge(&mut self, other: &Self) {
        self.0 += other.0;
        self.1 += other.1;
    }
}

impl Merge for (i64, i64, i64) {
    fn merge(&mut self, other: &Self) {
        self.0 += other.0;
        self.1 += other.1;
        self.2 += other.2;
    }
}

impl<const N: usize> Merge for [i64; N] {
    fn merge(&mut self, other: &Self) {
        for (a, b) in self.iter_mut().zip(other) {
            *a += b;
        }
    }
}

impl Merge for (i64, [f64; 4]) {
    fn merge(&mut self, other: &Self) {
        self.0 += other.0;
        for (a, b) in self.1.iter_mut().zip(&other.1) {
            *a += b;
        }
    }
}

impl Merge for Vec<i64> {
    fn merge(&mut self, other: &Self) {
        if self.len() < other.len() {
            self.resize(other.len(), 0);
        }
        for (a, b) in self.iter_mut().zip(other) {
            *a += b;
        }
    }
}

/// Records per work unit of [`chunked`].
const CHUNK: usize = 1 << 16;

/// Run `f(acc, i)` for every `i` in `0..n`, in fixed chunks of [`CHUNK`]
/// records (on all cores with the `parallel` feature), then add the chunks'
/// accumulators together in chunk order. The chunking does not depend on the
/// number of threads, so floating-point sums are the same serial or parallel.
pub(crate) fn chunked<V, M, F>(n: usize, make: M, f: F) -> Groups<V>
where
    V: Default + Clone + Merge + Send,
    M: Fn() -> Groups<V> + Sync,
    F: Fn(&mut Groups<V>, usize) + Sync,
{
    let run = |c: usize| {
        let mut acc = make();
        for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
            f(&mut acc, i);
        }
        acc
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<Groups<V>> = {
        use rayon::prelude::*;
        (0..n.div_ceil(CHUNK)).into_par_iter().map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Groups<V>> = (0..n.div_ceil(CHUNK)).map(run).collect();
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_else(&make);
    for p in parts {
        out.absorb(&p);
    }
    out
}

impl<V> std::ops::Index<&(u64, u32)> for Groups<V> {
    type Output = V;

    fn index(&self, r: &(u64, u32)) -> &V {
        match &self.dense {
            Some((cells, _)) => &cells[(r.0 * self.nb + u64::from(r.1)) as usize],
            None => &self.sparse[r],
        }
    }
}

/// `a / b`, `NaN` when `b == 0`.
pub(crate) fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        f64::NAN
    } else {
        a / b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_half_open_and_nonempty() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        assert!(Period::new(d(3, 1), d(3, 1)).is_err());
        let p = Period::new(d(3, 1), d(3, 2)).unwrap();
        assert_eq!(p.days(), 1);
        assert!(p.contains(d(3, 1)));
        assert!(!p.contains(d(3, 2)));
    }

    #[test]
    fn weeks_and_months_are_clipped_to_the_period() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        // 2024-01-31 is a Wednesday.
        let b = Buckets::new(Period::new(d(1, 31), d(2, 12)).unwrap(), Grain::Week);
        assert_eq!(b.starts, vec![d(1, 31), d(2, 5)]);
        assert_eq!(b.days, vec![5, 7]);
        let b = Buckets::new(Period::new(d(1, 31), d(2, 12)).unwrap(), Grain::Month);
        assert_eq!(b.starts, vec![d(1, 31), d(2, 1)]);
        assert_eq!(b.days, vec![1, 11]);
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(day_number(d), 0);
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(date_of(day_number(d)), d);
    }
}
