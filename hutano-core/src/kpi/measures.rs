//! The KPI formulas. Each function's documentation states the definition and
//! its source; see the module documentation of [`crate::kpi`] for the
//! conventions shared by all of them.

// The formulas read best in the notation of their definitions: `q` query,
// `g` grouper, `k` group key, `b` bucket, `i` encounter, `s` stay segment.
#![allow(clippy::many_single_char_names)]
// Indices are bounded as explained in the parent module.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]

use rustc_hash::FxHashMap as HashMap;

use chrono::{Datelike, Timelike};
use serde::{Deserialize, Serialize};

use super::{date_of, ratio, Engine, Groups, Query, Seg, DAY};
use crate::error::{Error, Result};
use crate::model::{AdmissionType, BedType, Outcome, StaffRole};
use crate::table::{Table, Values};

/// Which stays count in the average length of stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlosVariant {
    /// All discharges; a same-day stay counts 0 days (OECD: ALOS = inpatient
    /// bed-days / discharges).
    #[default]
    AllStays,
    /// All discharges; a same-day stay counts 1 day (AIHW `METeOR` 269982
    /// patient-days convention).
    AllStaysSameDayAsOne,
    /// Overnight stays only: stays with no midnight are excluded from numerator
    /// and denominator (OECD health statistics, Australia).
    OvernightOnly,
}

/// Rules of the 30-day readmission measure (CMS hospital-wide readmission measure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadmissionRules {
    /// Window after the index discharge, in days (default 30). A readmission
    /// on day `k` after the discharge date counts when `k <= window_days`.
    pub window_days: i64,
    /// Exclude index stays ending in left-against-advice (CMS: yes; default true).
    pub exclude_left_against_advice: bool,
    /// Exclude index stays with these diagnosis categories (CMS excludes
    /// psychiatric and rehabilitation stays; default `["psychiatric", "rehabilitation"]`).
    pub exclude_categories: Vec<String>,
    /// Exclude index stays of these admission types (default none).
    pub exclude_admission_types: Vec<AdmissionType>,
    /// Treat a stay ending in transfer followed by an admission on the same or
    /// next day as one stay (Maryland rule; default false).
    pub merge_transfers: bool,
    /// Only index stays whose whole window ends on or before this date
    /// (so that every index stay is fully observed); `None` for no limit.
    pub observed_until: Option<chrono::NaiveDate>,
}

impl Default for ReadmissionRules {
    fn default() -> Self {
        Self {
            window_days: 30,
            exclude_left_against_advice: true,
            exclude_categories: vec!["psychiatric".into(), "rehabilitation".into()],
            exclude_admission_types: Vec::new(),
            merge_transfers: false,
            observed_until: None,
        }
    }
}

/// Rules of the mortality measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MortalityRules {
    /// Deaths within this many hours of admission are left out of the net
    /// rate (default 48).
    pub net_exclusion_hours: i64,
}

impl Default for MortalityRules {
    fn default() -> Self {
        Self {
            net_exclusion_hours: 48,
        }
    }
}

/// `ceil(a / b)` for `b > 0`.
fn ceil_div(a: i64, b: i64) -> i64 {
    -((-a).div_euclid(b))
}

/// The first and last day numbers in `[p0, p1)` whose closing midnight a
/// stay `[start, end)` spans (present at `(d+1)·DAY`: `start <= (d+1)·DAY <
/// end`); `end == i64::MAX` means still in hospital. `None` when there is no
/// such day.
fn midnight_days(start: i64, end: i64, p0: i64, p1: i64) -> Option<(i64, i64)> {
    let first = (ceil_div(start, DAY) - 1).max(p0);
    let last = if end == i64::MAX {
        p1 - 1
    } else {
        (ceil_div(end, DAY) - 2).min(p1 - 1)
    };
    (first <= last).then_some((first, last))
}

/// Number of midnights a stay `[s, e)` spans (its bed-days).
pub(crate) fn nights(s: i64, e: i64) -> i64 {
    ceil_div(e, DAY) - ceil_div(s, DAY)
}

/// Linear-interpolation percentile (numpy's default, type 7) of sorted data.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_unstable_by(f64::total_cmp);
    v
}

fn floats<V>(rows: &[(u64, u32)], m: &Groups<V>, f: impl Fn(&V) -> f64) -> Values {
    Values::Float(rows.iter().map(|r| f(&m[r])).collect())
}

fn ints<V>(rows: &[(u64, u32)], m: &Groups<V>, f: impl Fn(&V) -> i64) -> Values {
    Values::Int(rows.iter().map(|r| f(&m[r])).collect())
}

impl Engine<'_> {
    fn period_days(q: &Query) -> (i64, i64) {
        let p0 = super::day_number(q.period.start());
        (p0, p0 + q.period.days())
    }

    /// Midnight census per group and day of the period (index 0 = first day).
    fn midnight_census(&self, g: &super::Grouper, q: &Query, keep: impl Fn(&Seg) -> bool + Sync) -> Groups<Vec<i64>> {
        let (p0, p1) = Self::period_days(q);
        let n = usize::try_from(p1 - p0).unwrap_or(0);
        let mut diff: Groups<Vec<i64>> = super::chunked(
            self.segs.len(),
            || Groups::<Vec<i64>>::new(g, 1),
            |diff, i| {
                let s = &self.segs[i];
                if !keep(s) {
                    return;
                }
                let Some((first, last)) = midnight_days(s.start, s.end, p0, p1) else {
                    return;
                };
                let Some(k) = g.key(self, s.enc as usize, s.loc, q) else {
                    return;
                };
                let v = diff.entry(k, 0);
                if v.is_empty() {
                    *v = vec![0; n + 1];
                }
                v[(first - p0) as usize] += 1;
                v[(last - p0 + 1) as usize] -= 1;
            },
        );
        for (k, _) in diff.rows() {
            let v = diff.entry(k, 0);
            let mut acc = 0;
            for x in v.iter_mut() {
                acc += *x;
                *x = acc;
            }
            v.pop();
        }
        diff
    }

    /// Daily census: for every group and day of the period, the **midnight
    /// census** (patients present at the midnight ending the day) and the
    /// **peak census** (the largest number present at any instant of the day,
    /// computed exactly from admission, transfer and discharge times).
    ///
    /// Source: Silver & Sweberg, Crit Care Med 2013 (midnight understates the
    /// daily peak). The time grain of the query is ignored: rows are daily.
    /// Columns: dimensions, `date`, `midnight_census`, `peak_census`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] or [`Error::UnknownFilterValue`] for a bad query.
    pub fn census_daily(&self, q: &Query) -> Result<Table> {
        let mut q = q.clone();
        q.grain = super::Grain::Day;
        let g = self.grouper(&q, "census_daily", false)?;
        let (p0, p1) = Self::period_days(&q);
        let n = usize::try_from(p1 - p0).unwrap_or(0);
        let midnight = self.midnight_census(&g, &q, |_| true);
        // Present at the start of each day: s <= d*DAY < e.
        let mut at_start: HashMap<u64, Vec<i64>> = HashMap::default();
        let mut events: HashMap<u64, Vec<(i64, i64)>> = HashMap::default();
        for s in &self.segs {
            if s.start >= p1 * DAY || s.end <= p0 * DAY {
                continue;
            }
            let Some(k) = g.key(self, s.enc as usize, s.loc, &q) else {
                continue;
            };
            let first = ceil_div(s.start, DAY).max(p0);
            let last = if s.end == i64::MAX {
                p1 - 1
            } else {
                (ceil_div(s.end, DAY) - 1).min(p1 - 1)
            };
            if first <= last {
                let v = at_start.entry(k).or_insert_with(|| vec![0; n + 1]);
                v[(first - p0) as usize] += 1;
                v[(last - p0 + 1) as usize] -= 1;
            }
            let ev = events.entry(k).or_default();
            if s.start % DAY != 0 && s.start > p0 * DAY {
                ev.push((s.start, 1));
            }
            if s.end != i64::MAX && s.end % DAY != 0 && s.end < p1 * DAY {
                ev.push((s.end, -1));
            }
        }
        let mid_rows = midnight.rows();
        let mut keys: Vec<u64> = mid_rows.iter().map(|r| r.0).chain(at_start.keys().copied()).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut rows = Vec::new();
        let mut mid_col = Vec::new();
        let mut peak_col = Vec::new();
        for k in keys {
            let mut start = at_start.remove(&k).unwrap_or_else(|| vec![0; n + 1]);
            let mut acc = 0;
            for x in &mut start {
                acc += *x;
                *x = acc;
            }
            let mut ev = events.remove(&k).unwrap_or_default();
            // Discharges before admissions at the same instant (half-open stays).
            ev.sort_unstable();
            let mid = mid_rows.binary_search(&(k, 0)).ok().map(|_| &midnight[&(k, 0)]);
            let mut j = 0;
            for d in 0..n {
                let day_end = (p0 + d as i64 + 1) * DAY;
                let mut cur = start[d];
                let mut peak = cur;
                while j < ev.len() && ev[j].0 < day_end {
                    cur += ev[j].1;
                    peak = peak.max(cur);
                    j += 1;
                }
                rows.push((k, d as u32));
                mid_col.push(mid.map_or(0, |m| m[d]));
                peak_col.push(peak);
            }
        }
        let mut t = g.dim_table(rows.iter().map(|r| r.0));
        t.push(
            "date",
            Values::Date(rows.iter().map(|(_, d)| date_of(p0 + i64::from(*d))).collect()),
        );
        t.push("midnight_census", Values::Int(mid_col));
        t.push("peak_census", Values::Int(peak_col));
        Ok(t)
    }

    /// Hourly census: patients present at the start of every hour of the
    /// period (Silver & Sweberg 2013). Columns: dimensions, `date`, `hour`, `census`.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn census_hourly(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(q, "census_hourly", false)?;
        let (p0, p1) = Self::period_days(q);
        let (h0, h1) = (p0 * 24, p1 * 24);
        let n = usize::try_from(h1 - h0).unwrap_or(0);
        let mut diff: HashMap<u64, Vec<i64>> = HashMap::default();
        for s in &self.segs {
            let first = ceil_div(s.start, 60).max(h0);
            let last = if s.end == i64::MAX {
                h1 - 1
            } else {
                (ceil_div(s.end, 60) - 1).min(h1 - 1)
            };
            if first > last {
                continue;
            }
            let Some(k) = g.key(self, s.enc as usize, s.loc, q) else {
                continue;
            };
            let v = diff.entry(k).or_insert_with(|| vec![0; n + 1]);
            v[(first - h0) as usize] += 1;
            v[(last - h0 + 1) as usize] -= 1;
        }
        let mut keys: Vec<u64> = diff.keys().copied().collect();
        keys.sort_unstable();
        let (mut dims, mut dates, mut hours, mut census) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for k in keys {
            let mut acc = 0;
            for (h, x) in diff[&k][..n].iter().enumerate() {
                acc += x;
                dims.push(k);
                let hour = h0 + h as i64;
                dates.push(date_of(hour.div_euclid(24)));
                hours.push(hour.rem_euclid(24));
                census.push(acc);
            }
        }
        let mut t = g.dim_table(dims.iter().copied());
        t.push("date", Values::Date(dates));
        t.push("hour", Values::Int(hours));
        t.push("census", Values::Int(census));
        Ok(t)
    }

    /// Occupied (inpatient) bed-days: the sum over the days of each bucket of
    /// the midnight census, i.e. each stay's nights clipped at the period's
    /// edges (WHO Europe HFA-DB indicator 542). Columns: dimensions,
    /// `period_start`, `days`, `occupied_bed_days`.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn bed_days(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(q, "bed_days", false)?;
        let census = self.midnight_census(&g, q, |_| true);
        let acc = Self::bucket_sums(&g, &census);
        let rows = acc.rows();
        let mut t = g.table(&rows);
        t.push("occupied_bed_days", ints(&rows, &acc, |v| *v));
        Ok(t)
    }

    fn bucket_sums(g: &super::Grouper, census: &Groups<Vec<i64>>) -> Groups<i64> {
        let mut acc: Groups<i64> = Groups::new(g, g.buckets.starts.len());
        for ((k, _), v) in census.iter() {
            for (d, c) in v.iter().enumerate() {
                *acc.entry(k, g.buckets.bucket_of[d]) += c;
            }
        }
        acc
    }

    /// Bed utilisation (Barber–Johnson variables) for groupings by branch,
    /// department, ward or bed type:
    /// - `available_bed_days`: Σ over days of beds in service;
    /// - `occupancy_rate` = occupied bed-days × 100 / available bed-days
    ///   (WHO Europe HFA-DB; AIHW `METeOR` 375696), derived from admissions and
    ///   discharges, never from a stored snapshot; can exceed 100;
    /// - `turnover_rate` = discharges (incl. deaths) / average available beds;
    /// - `turnover_interval_days` = (available − occupied bed-days) / discharges
    ///   (Barber & Johnson, 1973).
    ///
    /// # Errors
    /// [`Error::DimensionNotApplicable`] when grouped or filtered by a patient
    /// dimension (beds have no payer or age).
    pub fn bed_utilisation(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(q, "bed_utilisation", true)?;
        let census = self.midnight_census(&g, q, |_| true);
        let occ = Self::bucket_sums(&g, &census);
        let (p0, p1) = Self::period_days(q);
        let mut avail: Groups<i64> = Groups::new(&g, g.buckets.starts.len());
        for b in &self.net.beds {
            let Some(k) = g.bed_key(self.net, b) else { continue };
            let from = b.in_service_from.map_or(p0, |d| super::day_number(d).max(p0));
            let until = b.in_service_until.map_or(p1, |d| super::day_number(d).min(p1));
            for day in from..until {
                *avail.entry(k, g.buckets.bucket_of[(day - p0) as usize]) += i64::from(b.count);
            }
        }
        let disch: Groups<i64> = super::chunked(
            self.admit.len(),
            || Groups::<i64>::new(&g, g.buckets.starts.len()),
            |disch, i| {
                let Some(b) = g.buckets.of_minute(self.discharge[i]) else {
                    return;
                };
                let Some(k) = g.key(self, i, self.last[i], q) else {
                    return;
                };
                *disch.entry(k, b) += 1;
            },
        );
        let mut all: Groups<(i64, i64, i64)> = Groups::new(&g, g.buckets.starts.len());
        for ((k, b), v) in occ.iter() {
            all.entry(k, b).0 = *v;
        }
        for ((k, b), v) in avail.iter() {
            all.entry(k, b).1 = *v;
        }
        for ((k, b), v) in disch.iter() {
            all.entry(k, b).2 = *v;
        }
        let rows = all.rows();
        let mut t = g.table(&rows);
        let days = |r: &(u64, u32)| g.buckets.days[r.1 as usize] as f64;
        t.push("occupied_bed_days", ints(&rows, &all, |v| v.0));
        t.push("available_bed_days", ints(&rows, &all, |v| v.1));
        t.push(
            "average_available_beds",
            Values::Float(rows.iter().map(|r| all[r].1 as f64 / days(r)).collect()),
        );
        t.push(
            "occupancy_rate",
            floats(&rows, &all, |v| ratio(v.0 as f64 * 100.0, v.1 as f64)),
        );
        t.push("discharges", ints(&rows, &all, |v| v.2));
        t.push(
            "turnover_rate",
            Values::Float(
                rows.iter()
                    .map(|r| ratio(all[r].2 as f64, all[r].1 as f64 / days(r)))
                    .collect(),
            ),
        );
        t.push(
            "turnover_interval_days",
            floats(&rows, &all, |v| ratio((v.1 - v.0) as f64, v.2 as f64)),
        );
        Ok(t)
    }

    /// Average length of stay: bed-days of the stays discharged in the bucket
    /// divided by those discharges, deaths included; patients still in
    /// hospital are not discharges (OECD glossary ID 145). A stay's length is
    /// its number of midnights (whole stay, not clipped to the period).
    /// Columns: dimensions, `period_start`, `days`, `discharges`, `stay_days`, `alos`.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn alos(&self, q: &Query, variant: AlosVariant) -> Result<Table> {
        let g = self.grouper(q, "alos", false)?;
        let acc: Groups<(i64, i64)> = super::chunked(
            self.admit.len(),
            || Groups::<(i64, i64)>::new(&g, g.buckets.starts.len()),
            |acc, i| {
                let Some(b) = g.buckets.of_minute(self.discharge[i]) else {
                    return;
                };
                let Some(k) = g.key(self, i, self.last[i], q) else {
                    return;
                };
                let n = nights(self.admit[i], self.discharge[i]);
                let days = match variant {
                    AlosVariant::AllStaysSameDayAsOne => n.max(1),
                    AlosVariant::OvernightOnly if n == 0 => return,
                    AlosVariant::AllStays | AlosVariant::OvernightOnly => n,
                };
                let a = acc.entry(k, b);
                a.0 += 1;
                a.1 += days;
            },
        );
        let rows = acc.rows();
        let mut t = g.table(&rows);
        t.push("discharges", ints(&rows, &acc, |v| v.0));
        t.push("stay_days", ints(&rows, &acc, |v| v.1));
        t.push("alos", floats(&rows, &acc, |v| ratio(v.1 as f64, v.0 as f64)));
        Ok(t)
    }

    /// Admissions and discharges: admissions by type (emergency, elective,
    /// transfer-in, day-case) with the emergency and elective shares of all
    /// admissions, discharges, and `net_flow` = admissions − discharges.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn admissions(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(q, "admissions", false)?;
        // [emergency, elective, transfer-in, day-case, discharges]
        let acc: Groups<[i64; 5]> = super::chunked(
            self.admit.len(),
            || Groups::<[i64; 5]>::new(&g, g.buckets.starts.len()),
            |acc, i| {
                if let Some(b) = g.buckets.of_minute(self.admit[i]) {
                    if let Some(k) = g.key(self, i, self.first[i], q) {
                        acc.entry(k, b)[self.adm_type[i] as usize] += 1;
                    }
                }
                if let Some(b) = g.buckets.of_minute(self.discharge[i]) {
                    if let Some(k) = g.key(self, i, self.last[i], q) {
                        acc.entry(k, b)[4] += 1;
                    }
                }
            },
        );
        let rows = acc.rows();
        let mut t = g.table(&rows);
        let adm = |v: &[i64; 5]| v[..4].iter().sum::<i64>();
        t.push("admissions", ints(&rows, &acc, adm));
        t.push("emergency", ints(&rows, &acc, |v| v[0]));
        t.push("elective", ints(&rows, &acc, |v| v[1]));
        t.push("transfer_in", ints(&rows, &acc, |v| v[2]));
        t.push("day_case", ints(&rows, &acc, |v| v[3]));
        t.push(
            "emergency_share",
            floats(&rows, &acc, |v| ratio(v[0] as f64, adm(v) as f64)),
        );
        t.push(
            "elective_share",
            floats(&rows, &acc, |v| ratio(v[1] as f64, adm(v) as f64)),
        );
        t.push("discharges", ints(&rows, &acc, |v| v[4]));
        t.push("net_flow", ints(&rows, &acc, |v| adm(v) - v[4]));
        Ok(t)
    }

    /// In-hospital mortality = deaths / discharges (deaths included), and the
    /// net variant leaving out, from numerator and denominator, deaths within
    /// `net_exclusion_hours` of admission (common practice; no WHO or NABH
    /// formula). Columns: `discharges`, `deaths`, `mortality_rate`,
    /// `early_deaths`, `net_mortality_rate`.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn mortality(&self, q: &Query, rules: MortalityRules) -> Result<Table> {
        let g = self.grouper(q, "mortality", false)?;
        let acc: Groups<[i64; 3]> = super::chunked(
            self.admit.len(),
            || Groups::<[i64; 3]>::new(&g, g.buckets.starts.len()),
            |acc, i| {
                let enc = &self.net.encounters[i];
                let Some(b) = g.buckets.of_minute(self.discharge[i]) else {
                    return;
                };
                let Some(k) = g.key(self, i, self.last[i], q) else {
                    return;
                };
                let a = acc.entry(k, b);
                a[0] += 1;
                if enc.outcome == Some(Outcome::Deceased) {
                    a[1] += 1;
                    if self.discharge[i] - self.admit[i] <= rules.net_exclusion_hours * 60 {
                        a[2] += 1;
                    }
                }
            },
        );
        let rows = acc.rows();
        let mut t = g.table(&rows);
        t.push("discharges", ints(&rows, &acc, |v| v[0]));
        t.push("deaths", ints(&rows, &acc, |v| v[1]));
        t.push(
            "mortality_rate",
            floats(&rows, &acc, |v| ratio(v[1] as f64, v[0] as f64)),
        );
        t.push("early_deaths", ints(&rows, &acc, |v| v[2]));
        t.push(
            "net_mortality_rate",
            floats(&rows, &acc, |v| ratio((v[1] - v[2]) as f64, (v[0] - v[2]) as f64)),
        );
        Ok(t)
    }

    /// 30-day readmission rate computed from the encounters themselves, never
    /// from a stored flag (CMS hospital-wide readmission measure).
    ///
    /// Index stays: discharged in the bucket, alive, not transferred to another
    /// acute hospital, minus the configured exclusions. A readmission is the
    /// patient's next admission anywhere in the network within `window_days`
    /// of the discharge date, unless that admission is planned (a planned
    /// first readmission means the index stay is not counted as readmitted,
    /// as in CMS). Chains count at each link: A→B→C within windows makes A and
    /// B readmitted. With `merge_transfers`, a stay ending in transfer and
    /// followed by an admission on the same or next day is merged with it.
    /// Columns: `index_stays`, `readmissions`, `readmission_rate`.
    ///
    /// # Errors
    /// As [`Engine::census_daily`], plus [`Error::InvalidParameter`] for a
    /// negative window.
    pub fn readmissions(&self, q: &Query, rules: &ReadmissionRules) -> Result<Table> {
        if rules.window_days < 0 {
            return Err(Error::InvalidParameter {
                name: "window_days",
                problem: "must not be negative".into(),
            });
        }
        let g = self.grouper(q, "readmissions", false)?;
        let code = |o: Outcome| super::OUTCOMES.iter().position(|x| *x == o).unwrap_or(0) as u8;
        let (deceased, transferred, lama) = (
            code(Outcome::Deceased),
            code(Outcome::Transferred),
            code(Outcome::LeftAgainstAdvice),
        );
        let open = super::OUTCOMES.len() as u8;
        let excluded_diag: Vec<bool> = self
            .diag_labels
            .iter()
            .map(|l| rules.exclude_categories.iter().any(|x| x == l))
            .chain(std::iter::once(false))
            .collect();
        let excluded_type: Vec<bool> = super::ADM_TYPES
            .iter()
            .map(|t| rules.exclude_admission_types.contains(t))
            .collect();
        let observed_until = rules.observed_until.map(super::day_number);
        let day = |m: i64| m.div_euclid(DAY);
        let order = self.patient_order();
        let acc: Groups<[i64; 2]> = super::chunked(
            order.len(),
            || Groups::<[i64; 2]>::new(&g, g.buckets.starts.len()),
            |acc, i| {
                let (j, iu) = (i, order[i]);
                let i = iu as usize;
                if self.discharge[i] == i64::MAX {
                    return;
                }
                let disch_day = day(self.discharge[i]);
                let Some(b) = g.buckets.of_day(disch_day) else { return };
                let next = order
                    .get(j + 1)
                    .map(|&n| n as usize)
                    .filter(|&n| self.patient[n] == self.patient[i]);
                let outcome = self.outcome[i];
                // Part of a transfer chain: the chain's last stay is the index.
                if rules.merge_transfers
                    && outcome == transferred
                    && next.is_some_and(|n| day(self.admit[n]) - disch_day <= 1)
                {
                    return;
                }
                let eligible = outcome != open
                    && outcome != deceased
                    && outcome != transferred
                    && !(outcome == lama && rules.exclude_left_against_advice)
                    && !excluded_diag[self.diag[i] as usize]
                    && !excluded_type[self.adm_type[i] as usize]
                    && observed_until.is_none_or(|u| disch_day + rules.window_days <= u);
                if !eligible {
                    return;
                }
                let Some(k) = g.key(self, i, self.last[i], q) else {
                    return;
                };
                let readmitted =
                    next.is_some_and(|n| day(self.admit[n]) - disch_day <= rules.window_days && !self.planned[n]);
                let a = acc.entry(k, b);
                a[0] += 1;
                a[1] += i64::from(readmitted);
            },
        );
        let rows = acc.rows();
        let mut t = g.table(&rows);
        t.push("index_stays", ints(&rows, &acc, |v| v[0]));
        t.push("readmissions", ints(&rows, &acc, |v| v[1]));
        t.push(
            "readmission_rate",
            floats(&rows, &acc, |v| ratio(v[1] as f64, v[0] as f64)),
        );
        Ok(t)
    }

    /// Discharge timing: share of discharges before 12:00 local time and the
    /// median discharge hour (J Med Syst 2019, doi 10.1007/s10916-019-1496-x);
    /// discharge turnaround as median and 90th percentile hours from the
    /// discharge order to bed release, and from bed release to billing close
    /// (seed requirement, target < 24 h). Percentiles interpolate linearly.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn discharge_timing(&self, q: &Query) -> Result<Table> {
        #[derive(Default, Clone)]
        struct Acc {
            n: i64,
            before_noon: i64,
            hours: Vec<f64>,
            order: Vec<f64>,
            billing: Vec<f64>,
        }
        impl super::Merge for Acc {
            fn merge(&mut self, other: &Self) {
                self.n += other.n;
                self.before_noon += other.before_noon;
                self.hours.extend_from_slice(&other.hours);
                self.order.extend_from_slice(&other.order);
                self.billing.extend_from_slice(&other.billing);
            }
        }
        let g = self.grouper(q, "discharge_timing", false)?;
        let mut acc: Groups<Acc> = super::chunked(
            self.admit.len(),
            || Groups::<Acc>::new(&g, g.buckets.starts.len()),
            |acc, i| {
                let e = &self.net.encounters[i];
                let (Some(b), Some(d)) = (g.buckets.of_minute(self.discharge[i]), e.discharge) else {
                    return;
                };
                let Some(k) = g.key(self, i, self.last[i], q) else {
                    return;
                };
                let a = acc.entry(k, b);
                a.n += 1;
                a.before_noon += i64::from(d.hour() < 12);
                a.hours.push(f64::from(d.hour()) + f64::from(d.minute()) / 60.0);
                if let Some(o) = e.discharge_order.filter(|o| *o <= d) {
                    a.order.push((d - o).num_minutes() as f64 / 60.0);
                }
                if let Some(c) = e.billing_closed.filter(|c| *c >= d) {
                    a.billing.push((c - d).num_minutes() as f64 / 60.0);
                }
            },
        );
        for (k, b) in acc.rows() {
            let a = acc.entry(k, b);
            a.hours = sorted(std::mem::take(&mut a.hours));
            a.order = sorted(std::mem::take(&mut a.order));
            a.billing = sorted(std::mem::take(&mut a.billing));
        }
        let rows = acc.rows();
        let mut t = g.table(&rows);
        t.push("discharges", ints(&rows, &acc, |v| v.n));
        t.push("before_noon", ints(&rows, &acc, |v| v.before_noon));
        t.push(
            "before_noon_share",
            floats(&rows, &acc, |v| ratio(v.before_noon as f64, v.n as f64)),
        );
        t.push(
            "median_discharge_hour",
            floats(&rows, &acc, |v| percentile(&v.hours, 0.5)),
        );
        t.push(
            "order_to_discharge_median_h",
            floats(&rows, &acc, |v| percentile(&v.order, 0.5)),
        );
        t.push(
            "order_to_discharge_p90_h",
            floats(&rows, &acc, |v| percentile(&v.order, 0.9)),
        );
        t.push(
            "discharge_to_billing_median_h",
            floats(&rows, &acc, |v| percentile(&v.billing, 0.5)),
        );
        t.push(
            "discharge_to_billing_p90_h",
            floats(&rows, &acc, |v| percentile(&v.billing, 0.9)),
        );
        Ok(t)
    }

    /// ICU days: `icu_bed_days` = bed-days spent in ICU placements (midnight
    /// census of ICU beds, clipped to the period) and `stated_icu_days` = the
    /// sum of the source's stated ICU durations over the stays discharged in
    /// the bucket (for sources such as HDHI that record ICU time as a number).
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn icu_days(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(q, "icu_days", false)?;
        let icu = super::enum_code(&BedType::ALL, Some(BedType::Icu));
        let census = self.midnight_census(&g, q, |s| s.loc.bed == icu);
        let occ = Self::bucket_sums(&g, &census);
        let mut acc: Groups<(i64, f64, i64)> = Groups::new(&g, g.buckets.starts.len());
        for ((k, b), v) in occ.iter() {
            acc.entry(k, b).0 = *v;
        }
        for (i, e) in self.net.encounters.iter().enumerate() {
            let Some(stated) = e.icu_days else { continue };
            let Some(b) = g.buckets.of_minute(self.discharge[i]) else {
                continue;
            };
            let Some(k) = g.key(self, i, self.last[i], q) else {
                continue;
            };
            let a = acc.entry(k, b);
            a.1 += stated;
            a.2 += i64::from(stated > 0.0);
        }
        let rows = acc.rows();
        let mut t = g.table(&rows);
        t.push("icu_bed_days", ints(&rows, &acc, |v| v.0));
        t.push("stated_icu_days", floats(&rows, &acc, |v| v.1));
        t.push("stays_with_stated_icu", ints(&rows, &acc, |v| v.2));
        Ok(t)
    }

    /// Finance per discharge: bills are first summed per encounter (so a join
    /// can never multiply revenue), then attributed to the discharge bucket
    /// and discharging department. `billed` = charges − discount;
    /// `cost_per_discharge` = total cost (not charges) / discharges;
    /// `collection_rate` = paid / billed (seed requirement). Revenue by payer
    /// groups by the encounter's payer.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn finance(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(q, "finance", false)?;
        let mut per_enc = vec![[0.0f64; 4]; self.admit.len()];
        for b in &self.net.bills {
            let v = &mut per_enc[b.encounter.index()];
            v[0] += b.charges;
            v[1] += b.discount;
            v[2] += b.paid;
            v[3] += b.cost;
        }
        let acc: Groups<(i64, [f64; 4])> = super::chunked(
            per_enc.len(),
            || Groups::<(i64, [f64; 4])>::new(&g, g.buckets.starts.len()),
            |acc, i| {
                let v = &per_enc[i];
                let Some(b) = g.buckets.of_minute(self.discharge[i]) else {
                    return;
                };
                let Some(k) = g.key(self, i, self.last[i], q) else {
                    return;
                };
                let a = acc.entry(k, b);
                a.0 += 1;
                for (sum, x) in a.1.iter_mut().zip(v) {
                    *sum += x;
                }
            },
        );
        let rows = acc.rows();
        let mut t = g.table(&rows);
        t.push("discharges", ints(&rows, &acc, |v| v.0));
        t.push("charges", floats(&rows, &acc, |v| v.1[0]));
        t.push("discount", floats(&rows, &acc, |v| v.1[1]));
        t.push("billed", floats(&rows, &acc, |v| v.1[0] - v.1[1]));
        t.push("paid", floats(&rows, &acc, |v| v.1[2]));
        t.push("cost", floats(&rows, &acc, |v| v.1[3]));
        t.push("cost_per_discharge", floats(&rows, &acc, |v| ratio(v.1[3], v.0 as f64)));
        t.push(
            "collection_rate",
            floats(&rows, &acc, |v| ratio(v.1[2], v.1[0] - v.1[1])),
        );
        Ok(t)
    }

    /// Procedures by code: count (each procedure performed, not distinct
    /// types), charges and cost, dated by when performed, with the
    /// department of the placement current at that time.
    /// Columns: dimensions, `period_start`, `days`, `procedure`, `procedures`, `charges`, `cost`.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn procedures(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(q, "procedures", false)?;
        let mut codes: Vec<&str> = self.net.procedures.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let code_of: HashMap<&str, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let mut acc: HashMap<(u64, u32, usize), (i64, f64, f64)> = HashMap::default();
        for p in &self.net.procedures {
            let i = p.encounter.index();
            let t = super::minutes(p.performed_at);
            let Some(b) = g.buckets.of_minute(t) else { continue };
            let loc = self
                .segs
                .iter()
                .find(|s| s.enc as usize == i && s.start <= t && t < s.end)
                .map_or(self.last[i], |s| s.loc);
            let Some(k) = g.key(self, i, loc, q) else { continue };
            let a = acc.entry((k, b, code_of[p.code.as_str()])).or_default();
            a.0 += 1;
            a.1 += p.charge;
            a.2 += p.cost;
        }
        let mut keys: Vec<(u64, u32, usize)> = acc.keys().copied().collect();
        keys.sort_unstable();
        let rows: Vec<(u64, u32)> = keys.iter().map(|(k, b, _)| (*k, *b)).collect();
        let mut t = g.table(&rows);
        t.push(
            "procedure",
            Values::Text(keys.iter().map(|k| codes[k.2].to_string()).collect()),
        );
        t.push("procedures", Values::Int(keys.iter().map(|k| acc[k].0).collect()));
        t.push("charges", Values::Float(keys.iter().map(|k| acc[k].1).collect()));
        t.push("cost", Values::Float(keys.iter().map(|k| acc[k].2).collect()));
        Ok(t)
    }

    /// Doctor workload over the **same** period for numerator and
    /// denominator (seed requirement): per doctor and bucket, `duty_days`
    /// (days with a scheduled shift), `scheduled_hours`, `booked_hours`
    /// (procedure time performed), `utilisation` = booked / scheduled,
    /// `patient_days` (inpatients under the doctor at each midnight) and
    /// `patients_per_duty_day`. Only branch and department filters apply
    /// (to the doctor's home branch and department); grouping dimensions are
    /// not used.
    ///
    /// # Errors
    /// [`Error::DimensionNotApplicable`] when grouped or filtered by another dimension.
    pub fn doctor_workload(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(
            &Query {
                group_by: Vec::new(),
                ..q.clone()
            },
            "doctor_workload",
            true,
        )?;
        if let Some(d) = q
            .group_by
            .iter()
            .chain(q.filters.iter().map(|(d, _)| d))
            .find(|d| !matches!(d, super::Dimension::Branch | super::Dimension::Department))
        {
            return Err(Error::DimensionNotApplicable {
                kpi: "doctor_workload",
                dimension: d.name(),
            });
        }
        let net = self.net;
        let doctor_ok = |s: &crate::model::Staff| {
            s.role == StaffRole::Doctor
                && q.filters.iter().all(|(d, vals)| match d {
                    super::Dimension::Branch => vals.iter().any(|v| *v == net.branches[s.branch.index()].code),
                    _ => s
                        .department
                        .is_some_and(|dep| vals.iter().any(|v| *v == net.departments[dep.index()].code)),
                })
        };
        // [duty_days, scheduled_min, booked_min, patient_days]
        let mut acc: Groups<[f64; 4]> = Groups::sparse(g.buckets.starts.len());
        let mut duty: std::collections::HashSet<(u32, i64)> = std::collections::HashSet::new();
        for s in &net.shifts {
            let staff = &net.staff[s.staff.index()];
            if !doctor_ok(staff) {
                continue;
            }
            let start = super::minutes(s.start);
            let Some(b) = g.buckets.of_minute(start) else { continue };
            let a = acc.entry(u64::from(s.staff.0), b);
            a[1] += (s.end - s.start).num_minutes() as f64;
            if duty.insert((s.staff.0, start.div_euclid(DAY))) {
                a[0] += 1.0;
            }
        }
        for p in &net.procedures {
            let Some(doc) = p.performer else { continue };
            if !doctor_ok(&net.staff[doc.index()]) {
                continue;
            }
            let Some(b) = g.buckets.of_minute(super::minutes(p.performed_at)) else {
                continue;
            };
            acc.entry(u64::from(doc.0), b)[2] += p.duration_minutes;
        }
        let (p0, p1) = Self::period_days(q);
        for (i, e) in net.encounters.iter().enumerate() {
            let Some(doc) = e.attending else { continue };
            if !doctor_ok(&net.staff[doc.index()]) {
                continue;
            }
            let Some((first, last)) = midnight_days(self.admit[i], self.discharge[i], p0, p1) else {
                continue;
            };
            for d in first..=last {
                let b = g.buckets.bucket_of[(d - p0) as usize];
                acc.entry(u64::from(doc.0), b)[3] += 1.0;
            }
        }
        let rows = acc.rows();
        let mut t = self.doctor_columns(&g, &rows);
        t.push("duty_days", floats(&rows, &acc, |v| v[0]));
        t.push("scheduled_hours", floats(&rows, &acc, |v| v[1] / 60.0));
        t.push("booked_hours", floats(&rows, &acc, |v| v[2] / 60.0));
        t.push("utilisation", floats(&rows, &acc, |v| ratio(v[2], v[1])));
        t.push("patient_days", floats(&rows, &acc, |v| v[3]));
        t.push("patients_per_duty_day", floats(&rows, &acc, |v| ratio(v[3], v[0])));
        Ok(t)
    }

    /// The doctor, branch, department, period and days columns of the workload table.
    fn doctor_columns(&self, g: &super::Grouper, rows: &[(u64, u32)]) -> Table {
        let net = self.net;
        let mut t = Table::default();
        let staff = |r: &(u64, u32)| &net.staff[r.0 as usize];
        t.push(
            "doctor",
            Values::Text(rows.iter().map(|r| staff(r).code.clone()).collect()),
        );
        t.push(
            "branch",
            Values::Text(
                rows.iter()
                    .map(|r| net.branches[staff(r).branch.index()].code.clone())
                    .collect(),
            ),
        );
        t.push(
            "department",
            Values::Text(
                rows.iter()
                    .map(|r| {
                        staff(r)
                            .department
                            .map_or_else(String::new, |d| net.departments[d.index()].code.clone())
                    })
                    .collect(),
            ),
        );
        t.push(
            "period_start",
            Values::Date(rows.iter().map(|r| g.buckets.starts[r.1 as usize]).collect()),
        );
        t.push(
            "days",
            Values::Int(rows.iter().map(|r| g.buckets.days[r.1 as usize]).collect()),
        );
        t
    }

    /// Peak hours: admissions by weekday × hour of admission (local time),
    /// and the mean per such weekday in the period. Only meaningful with real
    /// admission timestamps. Columns: dimensions, `weekday` (1 = Monday),
    /// `hour`, `admissions`, `mean_per_day`.
    ///
    /// # Errors
    /// As [`Engine::census_daily`].
    pub fn peak_hours(&self, q: &Query) -> Result<Table> {
        let g = self.grouper(
            &Query {
                grain: super::Grain::Period,
                ..q.clone()
            },
            "peak_hours",
            false,
        )?;
        let acc: Groups<i64> = super::chunked(
            self.admit.len(),
            || Groups::<i64>::new(&g, 7 * 24),
            |acc, i| {
                if g.buckets.of_minute(self.admit[i]).is_none() {
                    return;
                }
                let Some(k) = g.key(self, i, self.first[i], q) else {
                    return;
                };
                let day = self.admit[i].div_euclid(DAY);
                let wd = date_of(day).weekday().num_days_from_monday();
                let hour = self.admit[i].rem_euclid(DAY) / 60;
                *acc.entry(k, wd * 24 + hour as u32) += 1;
            },
        );
        let mut weekdays = [0i64; 7];
        for d in 0..g.buckets.ndays() {
            weekdays[date_of(g.buckets.first_day + d).weekday().num_days_from_monday() as usize] += 1;
        }
        let rows = acc.rows();
        let mut t = g.dim_table(rows.iter().map(|r| r.0));
        t.push(
            "weekday",
            Values::Int(rows.iter().map(|r| i64::from(r.1 / 24 + 1)).collect()),
        );
        t.push("hour", Values::Int(rows.iter().map(|r| i64::from(r.1 % 24)).collect()));
        t.push("admissions", ints(&rows, &acc, |v| *v));
        t.push(
            "mean_per_day",
            Values::Float(
                rows.iter()
                    .map(|r| ratio(acc[r] as f64, weekdays[(r.1 / 24) as usize] as f64))
                    .collect(),
            ),
        );
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nights_follow_the_midnight_rule() {
        let h = 60;
        // Noon to noon next day: one night.
        assert_eq!(nights(12 * h, DAY + 12 * h), 1);
        // Same day: none.
        assert_eq!(nights(9 * h, 17 * h), 0);
        // Admitted exactly at midnight: present at that midnight.
        assert_eq!(nights(DAY, DAY + 10 * h), 1);
        // Discharged exactly at midnight: not present at it.
        assert_eq!(nights(12 * h, DAY), 0);
    }

    #[test]
    fn percentile_interpolates_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((percentile(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((percentile(&v, 0.9) - 3.7).abs() < 1e-12);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
