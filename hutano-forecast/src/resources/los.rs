//! Length-of-stay survival in midnights, learned from stays by Kaplan–Meier
//! with right-censoring, and the stay arithmetic shared with the census.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::error::{Error, Result};

/// Longest stay accepted, in midnights (200 years, hutano-core's longest
/// period).
const MAX_NIGHTS: i64 = 73_050;

/// A stay: admission and discharge (bed release), local wall-clock times as
/// in hutano-core's [`Encounter`](hutano_core::model::Encounter); `None`
/// while the patient is still in hospital. The stay occupies
/// `[admit, discharge)`.
pub type Stay = (NaiveDateTime, Option<NaiveDateTime>);

/// Day number of a date (days since 0001-01-01; only differences matter).
pub(crate) fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// The day number of the first midnight at or after `t`, counted as the
/// midnight that *starts* that day: `t`'s date when `t` is exactly 00:00,
/// the next date otherwise. Seconds are ignored, as in hutano-core's KPI
/// engine, which works in whole minutes.
fn ceil_day(t: NaiveDateTime) -> i64 {
    let at_midnight = t.hour() == 0 && t.minute() == 0;
    day_number(t.date()) + i64::from(!at_midnight)
}

/// The *arrival day* of an admission: the census day whose ending midnight
/// is the first one the patient can be present at. It is the admission
/// date, except for an admission at exactly 00:00, which is present at that
/// midnight and so belongs to the day before (hutano-core's midnight census
/// counts it there).
#[must_use]
pub fn arrival_day(admit: NaiveDateTime) -> NaiveDate {
    let d = admit.date();
    if admit.hour() == 0 && admit.minute() == 0 {
        d.pred_opt().unwrap_or(d)
    } else {
        d
    }
}

/// Midnights spanned by `[admit, discharge)`: the stay's length of stay in
/// the midnight-census convention (a same-day stay has 0).
fn nights(admit: NaiveDateTime, discharge: NaiveDateTime) -> i64 {
    ceil_day(discharge) - ceil_day(admit)
}

/// One stay as the census model sees it at the midnight ending `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Observed {
    /// Admitted after that midnight: unknown at the forecast origin.
    Future,
    /// Discharged at or before that midnight, after `nights` midnights.
    Complete { nights: usize },
    /// In hospital at that midnight, `days` after its arrival day (0 when
    /// it arrived on `as_of`): it has spanned at least `days + 1` midnights.
    Current { days: usize },
}

/// Classify stay `row` at the midnight ending `as_of`.
///
/// # Errors
/// [`Error::InvalidParameter`] for a discharge before admission or a stay
/// longer than 200 years.
pub(crate) fn observe(row: usize, stay: &Stay, as_of: NaiveDate) -> Result<Observed> {
    let (admit, discharge) = *stay;
    let bad = |problem: String| Error::InvalidParameter { name: "stays", problem };
    if discharge.is_some_and(|d| d < admit) {
        return Err(bad(format!("stay at row {row} is discharged before it is admitted")));
    }
    let origin = day_number(as_of);
    // The forecast is made at the instant c = 00:00 of as_of + 1.
    let arrival = ceil_day(admit) - 1;
    if arrival > origin {
        return Ok(Observed::Future);
    }
    let too_long = |n: i64| {
        if n > MAX_NIGHTS {
            Err(bad(format!("stay at row {row} spans more than {MAX_NIGHTS} midnights")))
        } else {
            Ok(usize::try_from(n).unwrap_or(0))
        }
    };
    match discharge {
        // discharge ≤ c: every midnight of the stay is known.
        Some(d) if ceil_day(d) <= origin + 1 => Ok(Observed::Complete {
            nights: too_long(nights(admit, d))?,
        }),
        _ => Ok(Observed::Current {
            days: too_long(origin - arrival)?,
        }),
    }
}

/// The patients in hospital at the midnight ending `as_of` (the midnight
/// census of `as_of`, as hutano-core's `Engine::census_daily` counts it),
/// each given as the number of days since its arrival day (0 = arrived on
/// `as_of`): the `s` of [`LosSurvival::conditional`].
///
/// # Errors
/// [`Error::InvalidParameter`] for a discharge before admission or a stay
/// longer than 200 years, naming the row.
pub fn current_patients(stays: &[Stay], as_of: NaiveDate) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for (row, stay) in stays.iter().enumerate() {
        if let Observed::Current { days } = observe(row, stay, as_of)? {
            out.push(days);
        }
    }
    Ok(out)
}

/// Arrivals per day over `[start, end)`, by [`arrival_day`]: the series
/// an arrivals forecast for [`crate::resources::forecast_census`] is fitted
/// on (stays of every length count, same-day ones included).
///
/// # Errors
/// [`Error::InvalidParameter`] when `end` is not after `start`.
pub fn daily_arrivals(stays: &[Stay], start: NaiveDate, end: NaiveDate) -> Result<Vec<f64>> {
    let (s, e) = (day_number(start), day_number(end));
    if e <= s {
        return Err(Error::InvalidParameter {
            name: "end",
            problem: format!("{end} is not after the start {start}"),
        });
    }
    let mut out = vec![0.0; usize::try_from(e - s).unwrap_or(0)];
    for (admit, _) in stays {
        let d = day_number(arrival_day(*admit)) - s;
        if let Some(v) = usize::try_from(d).ok().and_then(|d| out.get_mut(d)) {
            *v += 1.0;
        }
    }
    Ok(out)
}

/// Length-of-stay survival in the midnight-census convention: `L` is the
/// number of midnights a stay spans, and a patient who arrived on day `a`
/// is in the midnight census of day `a + k` exactly when `L > k`. So
/// [`LosSurvival::survival`]`(k) = P(L > k)` is the probability that an
/// arrival is still counted `k` days after its arrival day, `S(0)` is the
/// share of stays that are not same-day, and `Σ_k S(k) = E[L]`, the mean
/// number of bed-days per stay ([`LosSurvival::mean`]).
///
/// The survival is a product of discrete hazards `h_k = P(L = k | L ≥ k)`:
/// `S(k) = Π_{j ≤ k} (1 − h_j)`. Beyond the hazards given (or estimated)
/// a constant *tail hazard* applies, so that the survival is defined for
/// every `k` and a patient who has stayed longer than any stay seen still
/// has a remaining-stay distribution.
///
/// Grouping (by ward, bed type, ventilation, admission type) is the
/// caller's: learn one survival from each group's stays.
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_forecast::resources::LosSurvival;
///
/// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 3, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
/// // Three discharged stays (1, 2 and 0 midnights) and one still in hospital.
/// let stays = [(d(1, 9), Some(d(2, 11))), (d(1, 15), Some(d(3, 10))), (d(2, 8), Some(d(2, 17))), (d(3, 12), None)];
/// let los = LosSurvival::from_stays(&stays, NaiveDate::from_ymd_opt(2024, 3, 4).unwrap())?;
/// assert_eq!(los.survival(0), 0.75); // one of four stays is same-day
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LosSurvival {
    hazards: Vec<f64>,
    tail: f64,
    /// `S(k)` for `k < hazards.len()`.
    survival: Vec<f64>,
    completed: usize,
    censored: usize,
}

impl LosSurvival {
    /// Kaplan–Meier estimate from `stays` as known at the midnight ending
    /// `as_of` (Kaplan & Meier, JASA 53, 1958, 457–481, in discrete time).
    ///
    /// Stays admitted after that midnight are ignored (pass the whole
    /// history: nothing from the future leaks in). A stay discharged by then
    /// contributes its number of midnights `L`; a stay still in hospital
    /// then (discharge `None` or later) is right-censored: it is known to
    /// span at least the midnights up to `as_of`. The hazard at `k` is
    /// `d_k / n_k`, with `d_k` the completed stays of length `k` and `n_k`
    /// those at risk: completed stays of length `≥ k` and censored stays
    /// known to be longer than `k`. Beyond the last `k` with someone at
    /// risk, the tail hazard is the pooled hazard `Σ d_k / Σ n_k` over the
    /// `k` where the risk set has shrunk to a tenth of its start (over every
    /// `k` when that range has no completed stay).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a stay discharged before admission or
    /// longer than 200 years, or when no stay admitted by `as_of` has been
    /// discharged by then (nothing to estimate from).
    pub fn from_stays(stays: &[Stay], as_of: NaiveDate) -> Result<Self> {
        let mut completed = Vec::new();
        let mut censored = Vec::new();
        for (row, stay) in stays.iter().enumerate() {
            match observe(row, stay, as_of)? {
                Observed::Future => {}
                Observed::Complete { nights } => completed.push(nights),
                Observed::Current { days } => censored.push(days + 1),
            }
        }
        Self::from_nights(&completed, &censored)
    }

    /// Kaplan–Meier estimate from lengths of stay in midnights: `completed`
    /// stays with their length, and right-censored stays known to span *at
    /// least* `censored[i]` midnights (see [`LosSurvival::from_stays`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `completed` is empty or a length
    /// exceeds 200 years.
    pub fn from_nights(completed: &[usize], censored: &[usize]) -> Result<Self> {
        let limit = usize::try_from(MAX_NIGHTS).unwrap_or(usize::MAX);
        if completed.is_empty() {
            return Err(Error::InvalidParameter {
                name: "stays",
                problem: "no completed stay: the length of stay cannot be estimated".into(),
            });
        }
        if let Some(&n) = completed.iter().chain(censored).find(|&&n| n > limit) {
            return Err(Error::InvalidParameter {
                name: "stays",
                problem: format!("a stay of {n} midnights is longer than {limit}"),
            });
        }
        let kmax = completed.iter().chain(censored).copied().max().unwrap_or(0);
        let mut events = vec![0.0_f64; kmax + 2];
        let mut cens_at = vec![0.0_f64; kmax + 2];
        for &k in completed {
            events[k] += 1.0;
        }
        for &m in censored {
            cens_at[m] += 1.0;
        }
        // n_k = #{completed ≥ k} + #{censored m > k}, by reverse sums.
        let mut at_risk = vec![0.0_f64; kmax + 1];
        let (mut ge, mut gt) = (0.0, cens_at[kmax + 1]);
        for k in (0..=kmax).rev() {
            ge += events[k];
            at_risk[k] = ge + gt;
            gt += cens_at[k];
        }
        let last = at_risk.iter().rposition(|&n| n > 0.0).unwrap_or(0);
        let hazards: Vec<f64> = (0..=last)
            .map(|k| if at_risk[k] > 0.0 { events[k] / at_risk[k] } else { 0.0 })
            .collect();
        let start = at_risk[0] / 10.0;
        let from = at_risk.iter().position(|&n| n <= start).unwrap_or(last + 1);
        let pooled = |ks: std::ops::RangeInclusive<usize>| {
            let d: f64 = ks.clone().map(|k| events[k]).sum();
            let n: f64 = ks.map(|k| at_risk[k]).sum();
            (d > 0.0 && n > 0.0).then(|| d / n)
        };
        let tail = (from <= last)
            .then(|| pooled(from..=last))
            .flatten()
            .or_else(|| pooled(0..=last))
            .unwrap_or(1.0);
        let mut los = Self::from_hazards(hazards, tail)?;
        los.completed = completed.len();
        los.censored = censored.len();
        Ok(los)
    }

    /// A survival given by its discrete hazards `h_k = P(L = k | L ≥ k)` for
    /// `k < hazards.len()` and the constant `tail` hazard beyond.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a hazard outside [0, 1] or not finite.
    pub fn from_hazards(hazards: Vec<f64>, tail: f64) -> Result<Self> {
        if let Some(k) = hazards.iter().position(|h| !(0.0..=1.0).contains(h)) {
            return Err(Error::InvalidParameter {
                name: "hazards",
                problem: format!("hazard {k} is {}, not a probability", hazards[k]),
            });
        }
        if !(0.0..=1.0).contains(&tail) {
            return Err(Error::InvalidParameter {
                name: "tail",
                problem: format!("{tail} is not a probability"),
            });
        }
        let mut s = 1.0;
        let survival = hazards
            .iter()
            .map(|h| {
                s *= 1.0 - h;
                s
            })
            .collect();
        Ok(Self {
            hazards,
            tail,
            survival,
            completed: 0,
            censored: 0,
        })
    }

    /// The geometric length of stay `P(L = k) = p (1 − p)^k`, `k ≥ 0`: the
    /// constant hazard `p`, memoryless, mean `(1 − p) / p`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 < p ≤ 1`.
    pub fn geometric(p: f64) -> Result<Self> {
        if !(p > 0.0 && p <= 1.0) {
            return Err(Error::InvalidParameter {
                name: "p",
                problem: format!("{p} is not in (0, 1]"),
            });
        }
        Self::from_hazards(Vec::new(), p)
    }

    /// The hazard `h_k = P(L = k | L ≥ k)`.
    #[must_use]
    pub fn hazard(&self, k: usize) -> f64 {
        self.hazards.get(k).copied().unwrap_or(self.tail)
    }

    /// The tail hazard, used beyond the estimated hazards.
    #[must_use]
    pub fn tail_hazard(&self) -> f64 {
        self.tail
    }

    /// `S(k) = P(L > k)`: the probability that an arrival is still in the
    /// midnight census `k` days after its arrival day.
    #[must_use]
    pub fn survival(&self, k: usize) -> f64 {
        if let Some(&s) = self.survival.get(k) {
            return s;
        }
        let base = self.survival.last().copied().unwrap_or(1.0);
        let extra = k + 1 - self.survival.len();
        base * (1.0 - self.tail).powf(extra as f64)
    }

    /// `P(L > s + t | L > s)`: the probability that a patient in the census
    /// `s` days after arrival is still there `t` days later, `S(s + t) /
    /// S(s)`, computed as a product of hazards so that it is defined even
    /// where `S(s)` is 0.
    #[must_use]
    pub fn conditional(&self, s: usize, t: usize) -> f64 {
        (s + 1..=s + t).map(|j| 1.0 - self.hazard(j)).product()
    }

    /// Mean number of midnights per stay, `E[L] = Σ_k S(k)` (the tail summed
    /// in closed form; infinite when the tail hazard is 0 and the survival
    /// has not reached 0).
    #[must_use]
    pub fn mean(&self) -> f64 {
        let head: f64 = self.survival.iter().sum();
        let base = self.survival.last().copied().unwrap_or(1.0);
        if base == 0.0 {
            head
        } else if self.tail == 0.0 {
            f64::INFINITY
        } else {
            head + base * (1.0 - self.tail) / self.tail
        }
    }

    /// Number of completed stays the estimate used (0 when not estimated).
    #[must_use]
    pub fn completed(&self) -> usize {
        self.completed
    }

    /// Number of right-censored stays the estimate used.
    #[must_use]
    pub fn censored(&self) -> usize {
        self.censored
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn t(day: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 3, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, day).unwrap()
    }

    #[test]
    fn midnight_convention() {
        // Same-day stay: no midnight.
        assert_eq!(nights(t(1, 9, 0), t(1, 17, 0)), 0);
        // Overnight: one.
        assert_eq!(nights(t(1, 23, 0), t(2, 0, 30)), 1);
        // Discharged exactly at midnight: not present at it (half-open).
        assert_eq!(nights(t(1, 10, 0), t(2, 0, 0)), 0);
        // Admitted exactly at midnight: present at it, arrival day the day before.
        assert_eq!(nights(t(2, 0, 0), t(2, 9, 0)), 1);
        assert_eq!(arrival_day(t(2, 0, 0)), d(1));
        assert_eq!(arrival_day(t(2, 0, 1)), d(2));
    }

    #[test]
    fn observe_at_origin() {
        let as_of = d(5);
        // In hospital at 00:00 of the 6th, arrived on the 3rd: 2 days stayed.
        assert_eq!(
            observe(0, &(t(3, 12, 0), Some(t(8, 12, 0))), as_of).unwrap(),
            Observed::Current { days: 2 }
        );
        assert_eq!(
            observe(0, &(t(3, 12, 0), None), as_of).unwrap(),
            Observed::Current { days: 2 }
        );
        // Discharged exactly at that midnight: complete after the midnights
        // ending the 3rd and the 4th (it is gone at 00:00 of the 6th).
        assert_eq!(
            observe(0, &(t(3, 12, 0), Some(t(6, 0, 0))), as_of).unwrap(),
            Observed::Complete { nights: 2 }
        );
        // Admitted at that midnight: current, arrival day the 5th.
        assert_eq!(
            observe(0, &(t(6, 0, 0), None), as_of).unwrap(),
            Observed::Current { days: 0 }
        );
        assert_eq!(observe(0, &(t(6, 0, 1), None), as_of).unwrap(), Observed::Future);
        assert!(observe(3, &(t(6, 12, 0), Some(t(5, 12, 0))), as_of).is_err());
    }

    #[test]
    fn kaplan_meier_by_hand() {
        // Completed 0, 1, 1, 3; censored at least 2 (in risk sets k = 0, 1).
        // n_0 = 5, d_0 = 1 → S(0) = 4/5
        // n_1 = 4, d_1 = 2 → S(1) = 4/5 · 1/2 = 2/5
        // n_2 = 1 (the 3), d_2 = 0 → S(2) = 2/5
        // n_3 = 1, d_3 = 1 → S(3) = 0.
        let los = LosSurvival::from_nights(&[0, 1, 1, 3], &[2]).unwrap();
        let expect = [0.8, 0.4, 0.4, 0.0];
        for (k, e) in expect.iter().enumerate() {
            assert!((los.survival(k) - e).abs() < 1e-15, "{k}: {}", los.survival(k));
        }
        assert!((los.mean() - 1.6).abs() < 1e-15);
        assert_eq!((los.completed(), los.censored()), (4, 1));
        // Without censoring KM is the empirical survival and the mean the
        // sample mean.
        let los = LosSurvival::from_nights(&[2, 5, 0, 1, 9, 3], &[]).unwrap();
        assert!((los.mean() - 20.0 / 6.0).abs() < 1e-14);
    }

    #[test]
    fn tail_and_conditional() {
        let los = LosSurvival::from_hazards(vec![0.1, 0.2], 0.5).unwrap();
        assert!((los.survival(1) - 0.9 * 0.8).abs() < 1e-15);
        assert!((los.survival(3) - 0.72 * 0.25).abs() < 1e-15);
        assert!((los.conditional(1, 2) - 0.25).abs() < 1e-15);
        assert!((los.mean() - (0.9 + 0.72 + 0.72)).abs() < 1e-14);
        // A survival that hits 0 still conditions through its hazards.
        let los = LosSurvival::from_hazards(vec![0.0, 1.0], 0.3).unwrap();
        assert_eq!(los.survival(1), 0.0);
        assert!((los.conditional(4, 1) - 0.7).abs() < 1e-15);
        assert!(LosSurvival::from_hazards(vec![1.5], 0.1).is_err());
        assert!(LosSurvival::geometric(0.0).is_err());
        assert!(LosSurvival::from_nights(&[], &[3]).is_err());
    }

    #[test]
    fn arrivals_by_day() {
        let stays = [
            (t(1, 9, 0), None),
            (t(1, 23, 0), None),
            (t(3, 0, 0), None),
            (t(3, 1, 0), None),
        ];
        let a = daily_arrivals(&stays, d(1), d(4)).unwrap();
        assert_eq!(a, vec![2.0, 1.0, 1.0]);
        assert!(daily_arrivals(&stays, d(4), d(4)).is_err());
    }
}
