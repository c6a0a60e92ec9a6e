//! The census forecast: patients in hospital now, each with its remaining
//! stay, plus future arrivals thinned by the length-of-stay survival.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::los::LosSurvival;
use super::pmf::Pmf;
use crate::error::{Error, Result};
use crate::forecast::{check_levels, Forecast};
use crate::normal::norm_ppf;

/// Largest mean arrivals per day accepted (far above any hospital's).
const MAX_DAILY_ARRIVALS: f64 = 1e6;

/// How the arrivals of one day are distributed around the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArrivalModel {
    /// Poisson with the point forecast as mean, independent across days:
    /// the forecast's intervals are ignored. Thinning a Poisson count keeps
    /// it Poisson, so the arrivals' share of the census is Poisson too.
    Poisson,
    /// Negative binomial with the point forecast `μ` as mean and the
    /// variance `σ²` read off the forecast's interval at `level`: `σ = (hi −
    /// μ) / z`, with `z` the standard normal quantile at `0.5 + level/200`
    /// (the upper half-width, which survives clipping the lower bound at
    /// zero). The shape is `r = μ² / (σ² − μ)`; a day whose interval is no
    /// wider than Poisson's (`σ² ≤ μ`) stays Poisson. Days are independent.
    /// The negative binomial is a gamma mixture of Poissons, so thinning it
    /// by `q` gives a negative binomial with mean `μq` and the same shape;
    /// the census pmf is their exact convolution. Use this when the arrivals
    /// forecast carries its own uncertainty (a model's error beyond
    /// Poisson noise), which the Poisson model would drop.
    NegativeBinomial {
        /// Interval level (percent) of the arrivals forecast to match.
        level: f64,
    },
    /// Poisson given a rate `Λ_j` per day, the rates uncertain *and
    /// correlated across days*: a forecast that is too low today is likely
    /// too low tomorrow (its level is off), which independent days ignore
    /// and which dominates the census a week ahead, where a week of
    /// arrivals adds up. `Λ_j` has mean `μ_j` and variance `v_j = σ_j² −
    /// μ_j` (zero when not positive), `σ_j` read off the interval at
    /// `level` as for [`ArrivalModel::NegativeBinomial`]; two days' rates
    /// have correlation `correlation` in [0, 1]. The arrivals still in
    /// hospital on census day `t` are then Poisson given `M_t = Σ_j S(t −
    /// j) Λ_j`, whose mean `Σ q_j μ_j` and variance `(1 − ρ) Σ q_j² v_j +
    /// ρ (Σ q_j √v_j)²` (`q_j = S(t − j)`) are exact; `M_t` is taken as
    /// gamma with these two moments, so that the count is negative
    /// binomial. With `correlation = 1` and the same relative error every
    /// day this is exact: one gamma multiplier shared by all days.
    ///
    /// On the HDHI admissions (`tests/census_calibration.rs`), with `AutoEts`
    /// arrival forecasts, `correlation = 0.25` had the best CRPS on a tuning
    /// half-year; independent days (0) under-cover a week ahead, and 1
    /// over-covers, ETS's own intervals already widening with the horizon.
    GammaRate {
        /// Interval level (percent) of the arrivals forecast to match.
        level: f64,
        /// Correlation of the rates of two days, in [0, 1].
        correlation: f64,
    },
}

/// The distribution of the midnight census on one day, exact up to a tail
/// mass of 1e-12 cut at each end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CensusDistribution {
    offset: usize,
    pmf: Vec<f64>,
    mean: f64,
    variance: f64,
}

impl CensusDistribution {
    /// Mean census (exact, from the model's parameters, not the truncated pmf).
    #[must_use]
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Variance of the census (exact, as [`CensusDistribution::mean`]).
    #[must_use]
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// The smallest census with positive stored probability, and the pmf
    /// from there on: `pmf()[i] = P(census = support_start() + i)`.
    #[must_use]
    pub fn support_start(&self) -> usize {
        self.offset
    }

    /// See [`CensusDistribution::support_start`].
    #[must_use]
    pub fn pmf(&self) -> &[f64] {
        &self.pmf
    }

    /// `P(census ≤ x)`.
    #[must_use]
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let start = self.offset as f64;
        if x < start {
            return 0.0;
        }
        let upto = (x - start).floor();
        if upto >= self.pmf.len() as f64 {
            return self.pmf.iter().sum();
        }
        // upto is a whole number in [0, len).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let upto = upto as usize;
        self.pmf[..=upto].iter().sum()
    }

    /// `P(census > capacity)`: the probability that the census exceeds
    /// `capacity` beds.
    #[must_use]
    pub fn prob_above(&self, capacity: f64) -> f64 {
        (1.0 - self.cdf(capacity)).max(0.0)
    }

    /// The quantile at probability `p`: the smallest census `k` with
    /// `P(census ≤ k) ≥ p`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 < p < 1`.
    pub fn quantile(&self, p: f64) -> Result<f64> {
        if !(p > 0.0 && p < 1.0) {
            return Err(Error::InvalidParameter {
                name: "p",
                problem: format!("{p} is not strictly between 0 and 1"),
            });
        }
        Ok(self.quantile_unchecked(p))
    }

    fn quantile_unchecked(&self, p: f64) -> f64 {
        let mut acc = 0.0;
        for (i, v) in self.pmf.iter().enumerate() {
            acc += v;
            if acc >= p {
                return (self.offset + i) as f64;
            }
        }
        (self.offset + self.pmf.len() - 1) as f64
    }

    /// The continuous ranked probability score of the distribution against
    /// the observed census `y`, exactly: `∫ (F(x) − 1{x ≥ y})² dx` with the
    /// step cdf `F` (Gneiting & Raftery, JASA 2007, eq. 20); for an integer
    /// `y` it is `Σ_k (F(k) − 1{k ≥ y})²`. Lower is better; in census units.
    /// NaN for a non-finite `y`.
    #[must_use]
    pub fn crps(&self, y: f64) -> f64 {
        if !y.is_finite() {
            return f64::NAN;
        }
        let start = self.offset as f64;
        let end = start + self.pmf.len() as f64;
        // Below the support F = 0: the integrand is 1 on [y, start).
        let mut total = (start - y).max(0.0);
        // Above it F = 1: the integrand is 1 on [end, y).
        total += (y - end).max(0.0);
        let mut f = 0.0;
        for (i, v) in self.pmf.iter().enumerate() {
            f += v;
            let k = start + i as f64;
            total += if y <= k {
                (1.0 - f) * (1.0 - f)
            } else if y >= k + 1.0 {
                f * f
            } else {
                (y - k) * f * f + (k + 1.0 - y) * (1.0 - f) * (1.0 - f)
            };
        }
        total
    }
}

/// A census forecast: one distribution per day after the origin, and the
/// same as a [`Forecast`] (mean as the point, quantile intervals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CensusForecast {
    /// `days[t − 1]`: the midnight census of day `as_of + t`.
    pub days: Vec<CensusDistribution>,
    /// Point = mean; at each level `L`, the bounds are the quantiles at
    /// `(1 − L/100)/2` and `(1 + L/100)/2` (integers: the interval holds at
    /// least `L` % of the mass).
    pub forecast: Forecast,
}

impl CensusForecast {
    /// `P(census > capacity)` for each day.
    #[must_use]
    pub fn prob_above(&self, capacity: f64) -> Vec<f64> {
        self.days.iter().map(|d| d.prob_above(capacity)).collect()
    }

    /// CRPS of each day against the observed censuses (as many as given).
    #[must_use]
    pub fn crps(&self, actual: &[f64]) -> Vec<f64> {
        self.days.iter().zip(actual).map(|(d, &y)| d.crps(y)).collect()
    }
}

/// Each day's rate variance beyond Poisson (0 for the Poisson model), and
/// the correlation of the rates for [`ArrivalModel::GammaRate`].
fn overdispersion(model: ArrivalModel, arrivals: &Forecast, mu: &[f64]) -> Result<(Vec<f64>, Option<f64>)> {
    match model {
        ArrivalModel::Poisson => Ok((vec![0.0; mu.len()], None)),
        ArrivalModel::NegativeBinomial { level } => Ok((rate_variances(arrivals, mu, level)?, None)),
        ArrivalModel::GammaRate { level, correlation } => {
            if !(0.0..=1.0).contains(&correlation) {
                return Err(Error::InvalidParameter {
                    name: "correlation",
                    problem: format!("{correlation} is not in [0, 1]"),
                });
            }
            Ok((rate_variances(arrivals, mu, level)?, Some(correlation)))
        }
    }
}

/// The point forecasts as mean arrivals, negative ones clipped to 0 (counts).
fn arrival_means(arrivals: &Forecast) -> Result<Vec<f64>> {
    arrivals
        .point
        .iter()
        .enumerate()
        .map(|(j, &m)| {
            if m.is_finite() && m <= MAX_DAILY_ARRIVALS {
                Ok(m.max(0.0))
            } else {
                Err(Error::InvalidParameter {
                    name: "arrivals",
                    problem: format!("point forecast at step {j} is {m}, not a finite count below 1e6"),
                })
            }
        })
        .collect()
}

/// Variance of each day's arrival rate beyond Poisson, `max(σ² − μ, 0)`,
/// with `σ = (hi − point) / z` from the interval at `level`.
fn rate_variances(arrivals: &Forecast, mu: &[f64], level: f64) -> Result<Vec<f64>> {
    check_levels(&[level])?;
    let (_, hi) = arrivals.interval(level).ok_or_else(|| Error::InvalidParameter {
        name: "arrivals",
        problem: format!("the arrivals forecast has no {level}% interval"),
    })?;
    let z = norm_ppf(0.5 + level / 200.0);
    mu.iter()
        .zip(hi)
        .enumerate()
        .map(|(j, (&m, &h))| {
            let sd = (h - arrivals.point[j]) / z;
            if !sd.is_finite() || sd < 0.0 {
                return Err(Error::InvalidParameter {
                    name: "arrivals",
                    problem: format!("upper bound at step {j} is {h}, below the point forecast or not finite"),
                });
            }
            Ok((sd * sd - m).max(0.0))
        })
        .collect()
}

/// Forecast the midnight census for the days after a forecast origin, as
/// Worthington, Utley & Suen (JORS 71(8), 2020, "Infinite-server queueing
/// models of demand in healthcare") describe it: the census of day
/// `as_of + t` is
///
/// - the patients in hospital at the midnight ending `as_of` who are still
///   there: one who arrived `s` days before `as_of` (`current[i] = s`, see
///   [`current_patients`](super::current_patients)) stays with probability
///   `S(s + t) / S(s)` ([`LosSurvival::conditional`]), independently of the
///   others, so their count is Poisson-binomial (computed as a convolution
///   of binomials, one per distinct `s`);
/// - plus the arrivals of days `as_of + j`, `1 ≤ j ≤ t` (`arrivals.point[j −
///   1]`), each still in hospital at the midnight ending `as_of + t` with
///   probability `S(t − j)`. **Same-day convention:** an arrival counts in
///   the census of its own arrival day (`t = j`) when it stays past that
///   day's midnight, with probability `S(0)`; arrivals of `as_of` itself
///   are already among the current patients.
///
/// So `E[census(t)] = Σ_i S(s_i + t)/S(s_i) + Σ_j μ_j S(t − j)`, and with
/// constant Poisson arrivals `λ` and no one in hospital the census tends to
/// Poisson(`λ Σ_k S(k)`) = Poisson(`λ E[L]`), the M/G/∞ steady state. The
/// horizon is `arrivals.len()`. Arrivals per day follow `model`; the parts
/// are independent and their pmfs are convolved directly (no FFT, no
/// simulation), cutting tails below 1e-12, so the result is deterministic.
/// Days are computed in parallel with the `parallel` feature, with results
/// identical to serial ones.
///
/// ```
/// use hutano_forecast::forecast::Forecast;
/// use hutano_forecast::resources::{forecast_census, ArrivalModel, LosSurvival};
///
/// let los = LosSurvival::geometric(0.2)?; // mean 4 midnights
/// let arrivals = Forecast::normal(vec![10.0; 7], &[4.0; 7], &[80.0])?;
/// let current = [0, 0, 1, 3, 8]; // days since arrival of those in hospital
/// let f = forecast_census(&los, &current, &arrivals, ArrivalModel::NegativeBinomial { level: 80.0 }, &[80.0, 95.0])?;
/// assert_eq!(f.days.len(), 7);
/// let p_full = f.prob_above(40.0); // risk of more than 40 patients, per day
/// assert!(p_full[6] > p_full[0]);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidLevel`] for a level outside (0, 100) (in `levels` or in
/// the arrival model); [`Error::InvalidParameter`] for a non-finite
/// arrivals forecast or a mean above a million arrivals a day, an arrival
/// model whose level the arrivals forecast has no interval for or whose
/// upper bound lies below the point, or a correlation outside [0, 1].
pub fn forecast_census(
    los: &LosSurvival,
    current: &[usize],
    arrivals: &Forecast,
    model: ArrivalModel,
    levels: &[f64],
) -> Result<CensusForecast> {
    check_levels(levels)?;
    let horizon = arrivals.len();
    let mu = arrival_means(arrivals)?;
    let (excess, correlation) = overdispersion(model, arrivals, &mu)?;
    // Shape of each day's negative binomial (independent days); None = Poisson.
    let shapes: Vec<Option<f64>> = mu
        .iter()
        .zip(&excess)
        .map(|(&m, &v)| (correlation.is_none() && m > 0.0 && v > 0.0).then(|| m * m / v))
        .collect();
    let mut groups: BTreeMap<usize, usize> = BTreeMap::new();
    for &s in current {
        *groups.entry(s).or_default() += 1;
    }
    let day = |t: usize| -> Result<CensusDistribution> {
        let mut pmf = Pmf::point(0);
        let (mut mean, mut variance) = (0.0, 0.0);
        for (&s, &n) in &groups {
            let p = los.conditional(s, t);
            let nf = n as f64;
            mean += nf * p;
            variance += nf * p * (1.0 - p);
            pmf = pmf.convolve(&Pmf::binomial(n, p)?);
        }
        let mut lambda = 0.0;
        let (mut indep, mut shared) = (0.0, 0.0);
        for j in 1..=t {
            let q = los.survival(t - j);
            let m = mu[j - 1] * q;
            mean += m;
            indep += q * q * excess[j - 1];
            shared += q * excess[j - 1].sqrt();
            match shapes[j - 1] {
                None => lambda += m,
                Some(r) => {
                    variance += m + m * m / r;
                    pmf = pmf.convolve(&Pmf::neg_binomial(m, r)?);
                }
            }
        }
        variance += lambda;
        match correlation {
            Some(rho) => {
                // Poisson given a gamma M_t: negative binomial.
                let v = (1.0 - rho) * indep + rho * shared * shared;
                variance += v;
                if v > 0.0 && lambda > 0.0 {
                    pmf = pmf.convolve(&Pmf::neg_binomial(lambda, lambda * lambda / v)?);
                } else {
                    pmf = pmf.convolve(&Pmf::poisson(lambda)?);
                }
            }
            None => pmf = pmf.convolve(&Pmf::poisson(lambda)?),
        }
        Ok(CensusDistribution {
            offset: pmf.offset,
            pmf: pmf.p,
            mean,
            variance,
        })
    };
    #[cfg(feature = "parallel")]
    let days: Vec<Result<CensusDistribution>> = {
        use rayon::prelude::*;
        (1..=horizon).into_par_iter().map(day).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let days: Vec<Result<CensusDistribution>> = (1..=horizon).map(day).collect();
    let days = days.into_iter().collect::<Result<Vec<_>>>()?;
    let point = days.iter().map(CensusDistribution::mean).collect();
    let mut lower = Vec::with_capacity(levels.len());
    let mut upper = Vec::with_capacity(levels.len());
    for &level in levels {
        let alpha = 1.0 - level / 100.0;
        lower.push(days.iter().map(|d| d.quantile_unchecked(alpha / 2.0)).collect());
        upper.push(days.iter().map(|d| d.quantile_unchecked(1.0 - alpha / 2.0)).collect());
    }
    Ok(CensusForecast {
        days,
        forecast: Forecast {
            point,
            levels: levels.to_vec(),
            lower,
            upper,
        },
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp, clippy::many_single_char_names, clippy::needless_range_loop)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn flat(point: Vec<f64>) -> Forecast {
        Forecast {
            point,
            levels: Vec::new(),
            lower: Vec::new(),
            upper: Vec::new(),
        }
    }

    /// Poisson(m) pmf from P(0) = e^−m upwards (another route than `Pmf`).
    fn poisson_pmf(m: f64, n: usize) -> Vec<f64> {
        let mut p = vec![(-m).exp()];
        for k in 1..n {
            let prev = p[k - 1];
            p.push(prev * m / k as f64);
        }
        p
    }

    fn quantile_of(pmf: &[f64], q: f64) -> f64 {
        let mut acc = 0.0;
        for (k, v) in pmf.iter().enumerate() {
            acc += v;
            if acc >= q {
                return k as f64;
            }
        }
        f64::NAN
    }

    #[test]
    fn steady_state_is_poisson_with_mean_lambda_times_mean_los() {
        // M/G/∞ with Poisson arrivals λ a day and no one in hospital at the
        // origin: census(t) ~ Poisson(λ Σ_{k<t} S(k)), → Poisson(λ E[L]).
        let lambda = 12.0;
        let geometric = LosSurvival::geometric(0.2).unwrap();
        let shaped = LosSurvival::from_hazards(vec![0.3, 0.05, 0.1, 0.2, 0.3, 0.5], 0.6).unwrap();
        for los in [geometric, shaped] {
            let h = 120;
            let f = forecast_census(&los, &[], &flat(vec![lambda; h]), ArrivalModel::Poisson, &[80.0, 95.0]).unwrap();
            let mut partial = 0.0;
            for t in 1..=h {
                partial += los.survival(t - 1);
                assert!((f.days[t - 1].mean() - lambda * partial).abs() < 1e-9);
            }
            let last = &f.days[h - 1];
            let m = lambda * los.mean();
            // S(119) < 1e-11 for both curves: the steady state to 1e-9.
            assert!((last.mean() - m).abs() < 1e-9 * m, "{} vs {m}", last.mean());
            assert!((last.variance() - m).abs() < 1e-9 * m);
            // Census(h) is exactly Poisson with the partial sum as its mean.
            let direct = poisson_pmf(last.mean(), 400);
            let start = last.support_start();
            for (i, v) in last.pmf().iter().enumerate() {
                // Relative 1e-11 from the two truncations; absolute 1e-14
                // where both are deep in the tail.
                let e = direct[start + i];
                assert!((v - e).abs() <= 1e-11 * e + 1e-14, "{}: {v} vs {e}", start + i);
            }
            for (level, lo, hi) in [(80.0, 0.1, 0.9), (95.0, 0.025, 0.975)] {
                let (l, u) = f.forecast.interval(level).unwrap();
                assert_eq!(l[h - 1], quantile_of(&direct, lo));
                assert_eq!(u[h - 1], quantile_of(&direct, hi));
            }
            assert_eq!(last.quantile(0.5).unwrap(), quantile_of(&direct, 0.5));
        }
        // The geometric mean LOS is (1 − p)/p = 4 midnights.
        assert!((LosSurvival::geometric(0.2).unwrap().mean() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn geometric_stay_is_memoryless() {
        let los = LosSurvival::geometric(0.15).unwrap();
        let arrivals = flat(vec![0.0; 10]);
        let fresh = forecast_census(&los, &[0], &arrivals, ArrivalModel::Poisson, &[80.0]).unwrap();
        for s in [1, 3, 7, 30, 400] {
            let f = forecast_census(&los, &[s], &arrivals, ArrivalModel::Poisson, &[80.0]).unwrap();
            for t in 0..10 {
                let (a, b) = (f.days[t].mean(), fresh.days[t].mean());
                assert!((a - b).abs() < 1e-14, "s = {s}, t = {t}");
                assert!((a - 0.85_f64.powi(i32::try_from(t).unwrap() + 1)).abs() < 1e-14);
            }
        }
        // Increasing hazards (a stay that has lasted longer is nearer its
        // end): the remaining stay depends on s.
        let aging = LosSurvival::from_hazards(vec![0.05, 0.1, 0.2, 0.3, 0.45, 0.6], 0.7).unwrap();
        let p = |s| aging.conditional(s, 2);
        assert!(p(0) > p(2) && p(2) > p(4) && p(4) > p(8));
        assert!((p(8) - 0.09).abs() < 1e-15);
        let f0 = forecast_census(&aging, &[0], &arrivals, ArrivalModel::Poisson, &[80.0]).unwrap();
        let f4 = forecast_census(&aging, &[4], &arrivals, ArrivalModel::Poisson, &[80.0]).unwrap();
        assert!(f0.days[1].mean() > f4.days[1].mean() + 0.3);
        assert!((f4.days[1].mean() - aging.survival(6) / aging.survival(4)).abs() < 1e-15);
    }

    /// Negative binomial by inverse cdf from P(0) = (r/(r+m))^r upwards.
    fn draw_nb(rng: &mut ChaCha8Rng, m: f64, r: Option<f64>) -> usize {
        let u: f64 = rng.random();
        let (mut p, ratio): (f64, Box<dyn Fn(usize) -> f64>) = match r {
            None => ((-m).exp(), Box::new(move |k| m / (k as f64 + 1.0))),
            Some(r) => {
                let theta = m / (r + m);
                (
                    (1.0 - theta).powf(r),
                    Box::new(move |k| (k as f64 + r) / (k as f64 + 1.0) * theta),
                )
            }
        };
        let mut acc = p;
        let mut k = 0;
        while acc < u && k < 100_000 {
            p *= ratio(k);
            k += 1;
            acc += p;
        }
        k
    }

    #[test]
    fn exact_distribution_matches_seeded_simulation() {
        // Patients in hospital with various days stayed, and overdispersed
        // arrivals from a forecast with normal intervals; the exact census
        // distribution against 100,000 seeded simulations of the patients
        // themselves (each stay walked day by day through the hazards).
        let los = LosSurvival::from_hazards(vec![0.25, 0.1, 0.12, 0.15, 0.2, 0.2, 0.25, 0.3], 0.35).unwrap();
        let current: Vec<usize> = (0..60).map(|i| i % 11).collect();
        let point = vec![14.0, 15.0, 13.0, 9.0, 8.0, 14.0, 16.0];
        let sd = vec![5.0, 5.5, 6.0, 6.0, 6.0, 6.5, 7.0];
        let arrivals = Forecast::normal(point.clone(), &sd, &[80.0]).unwrap();
        let model = ArrivalModel::NegativeBinomial { level: 80.0 };
        let f = forecast_census(&los, &current, &arrivals, model, &[50.0, 90.0]).unwrap();
        let shapes: Vec<Option<f64>> = point
            .iter()
            .zip(&sd)
            .map(|(m, s)| (s * s > *m).then(|| m * m / (s * s - m)))
            .collect();
        let h = point.len();
        let draws = 100_000;
        let mut rng = ChaCha8Rng::seed_from_u64(20_240_301);
        let mut counts = vec![vec![0_u32; 400]; h];
        let stays_past = |rng: &mut ChaCha8Rng, from: usize| -> usize {
            // Days the stay continues after being present at day `from`.
            let mut k = from + 1;
            while rng.random::<f64>() >= los.hazard(k) {
                k += 1;
            }
            k - from - 1
        };
        for _ in 0..draws {
            let mut census = vec![0_usize; h];
            for &s in &current {
                let more = stays_past(&mut rng, s);
                for c in census.iter_mut().take(more.min(h)) {
                    *c += 1;
                }
            }
            for j in 1..=h {
                let n = draw_nb(&mut rng, point[j - 1], shapes[j - 1]);
                for _ in 0..n {
                    // Present on its arrival day's census when L > 0.
                    if rng.random::<f64>() < los.hazard(0) {
                        continue;
                    }
                    let more = stays_past(&mut rng, 0);
                    for c in census.iter_mut().skip(j - 1).take(more + 1) {
                        *c += 1;
                    }
                }
            }
            for (t, c) in census.iter().enumerate() {
                counts[t][(*c).min(399)] += 1;
            }
        }
        for t in 0..h {
            let n = f64::from(draws);
            let mean: f64 = counts[t]
                .iter()
                .enumerate()
                .map(|(k, c)| k as f64 * f64::from(*c))
                .sum::<f64>()
                / n;
            let var: f64 = counts[t]
                .iter()
                .enumerate()
                .map(|(k, c)| (k as f64 - mean).powi(2) * f64::from(*c))
                .sum::<f64>()
                / n;
            let d = &f.days[t];
            // Monte Carlo standard error of the mean is sd/√n ≈ 0.03; allow 5.
            assert!(
                (mean - d.mean()).abs() < 5.0 * (d.variance() / n).sqrt(),
                "t={t}: {mean} vs {}",
                d.mean()
            );
            // ... and of the variance about var·√(2/n) ≈ 0.45 %; allow 3 %.
            assert!(
                (var - d.variance()).abs() < 0.03 * d.variance(),
                "t={t}: {var} vs {}",
                d.variance()
            );
            // The pmf's moments are the exact ones.
            let pm: f64 = d
                .pmf()
                .iter()
                .enumerate()
                .map(|(i, p)| (d.support_start() + i) as f64 * p)
                .sum();
            assert!((pm - d.mean()).abs() < 1e-8);
            // Tail probability and quantiles: within 0.01 of the simulation
            // (the binomial standard error is at most 0.0016).
            let cap = d.quantile(0.9).unwrap();
            let above = counts[t]
                .iter()
                .enumerate()
                .filter(|(k, _)| *k as f64 > cap)
                .map(|(_, c)| f64::from(*c))
                .sum::<f64>()
                / n;
            assert!(
                (above - d.prob_above(cap)).abs() < 0.01,
                "t={t}: {above} vs {}",
                d.prob_above(cap)
            );
        }
    }

    #[test]
    fn crps_matches_expectation_formula() {
        // CRPS = E|X − y| − E|X − X'|/2 (Gneiting & Raftery 2007, eq. 21),
        // summed over the pmf: another route than the integral of (F − 1)².
        let los = LosSurvival::geometric(0.3).unwrap();
        let f = forecast_census(
            &los,
            &[0, 1, 2, 2, 5],
            &flat(vec![4.0; 3]),
            ArrivalModel::Poisson,
            &[80.0],
        )
        .unwrap();
        let d = &f.days[2];
        let xs: Vec<(f64, f64)> = d
            .pmf()
            .iter()
            .enumerate()
            .map(|(i, p)| ((d.support_start() + i) as f64, *p))
            .collect();
        let spread: f64 = xs
            .iter()
            .flat_map(|(a, p)| xs.iter().map(move |(b, q)| p * q * (a - b).abs()))
            .sum();
        for y in [0.0, 3.0, 7.0, 8.5, 25.0, 100.0] {
            let e: f64 = xs.iter().map(|(x, p)| p * (x - y).abs()).sum();
            let expected = e - spread / 2.0;
            assert!((d.crps(y) - expected).abs() < 1e-10, "{y}: {} vs {expected}", d.crps(y));
        }
        assert!(d.crps(f64::NAN).is_nan());
    }

    #[test]
    fn bounds_nest_and_capacity_risk_is_monotone() {
        let los = LosSurvival::from_hazards(vec![0.2, 0.1, 0.15], 0.25).unwrap();
        let arrivals = Forecast::normal(vec![20.0; 14], &[7.0; 14], &[80.0, 95.0]).unwrap();
        let current: Vec<usize> = (0..80).map(|i| i % 9).collect();
        let f = forecast_census(
            &los,
            &current,
            &arrivals,
            ArrivalModel::NegativeBinomial { level: 95.0 },
            &[50.0, 80.0, 95.0],
        )
        .unwrap();
        for t in 0..14 {
            let b = |j: usize| (f.forecast.lower[j][t], f.forecast.upper[j][t]);
            assert!(b(2).0 <= b(1).0 && b(1).0 <= b(0).0 && b(0).1 <= b(1).1 && b(1).1 <= b(2).1);
            assert!(b(2).0 <= f.forecast.point[t] && f.forecast.point[t] <= b(2).1);
            let mass: f64 = f.days[t].pmf().iter().sum();
            assert!((mass - 1.0).abs() < 1e-9);
        }
        let p = |c: f64| f.prob_above(c)[5];
        assert!(p(60.0) >= p(80.0) && p(80.0) >= p(100.0) && p(100.0) > 0.0);
        // The NB model is wider than the Poisson one on the same forecast.
        let pois = forecast_census(&los, &current, &arrivals, ArrivalModel::Poisson, &[80.0]).unwrap();
        assert!(f.days[13].variance() > pois.days[13].variance() + 10.0);
        assert!((f.days[13].mean() - pois.days[13].mean()).abs() < 1e-9);
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let los = LosSurvival::geometric(0.3).unwrap();
        let good = Forecast::normal(vec![5.0; 3], &[2.0; 3], &[80.0]).unwrap();
        assert!(matches!(
            forecast_census(&los, &[], &good, ArrivalModel::Poisson, &[100.0]),
            Err(Error::InvalidLevel { .. })
        ));
        assert!(matches!(
            forecast_census(
                &los,
                &[],
                &good,
                ArrivalModel::NegativeBinomial { level: 95.0 },
                &[80.0]
            ),
            Err(Error::InvalidParameter { name: "arrivals", .. })
        ));
        assert!(matches!(
            forecast_census(&los, &[], &flat(vec![1.0, f64::NAN]), ArrivalModel::Poisson, &[80.0]),
            Err(Error::InvalidParameter { name: "arrivals", .. })
        ));
        assert!(matches!(
            forecast_census(&los, &[], &flat(vec![1e9]), ArrivalModel::Poisson, &[80.0]),
            Err(Error::InvalidParameter { name: "arrivals", .. })
        ));
        let d = &forecast_census(&los, &[1], &good, ArrivalModel::Poisson, &[80.0])
            .unwrap()
            .days[0];
        assert!(d.quantile(1.0).is_err());
        // An empty horizon is an empty forecast, not an error.
        assert!(
            forecast_census(&los, &[1, 2], &flat(Vec::new()), ArrivalModel::Poisson, &[80.0])
                .unwrap()
                .days
                .is_empty()
        );
    }

    #[test]
    fn gamma_rate_moments_and_shared_multiplier() {
        let los = LosSurvival::from_hazards(vec![0.1, 0.2, 0.3], 0.4).unwrap();
        // Same relative error every day (sd of the rate 30 % of the mean).
        let point = vec![20.0, 10.0, 30.0, 25.0];
        let sd: Vec<f64> = point.iter().map(|m: &f64| (m + 0.09 * m * m).sqrt()).collect();
        let arrivals = Forecast::normal(point.clone(), &sd, &[80.0]).unwrap();
        let run = |model| forecast_census(&los, &[], &arrivals, model, &[80.0]).unwrap();
        let shared = run(ArrivalModel::GammaRate {
            level: 80.0,
            correlation: 1.0,
        });
        let none = run(ArrivalModel::GammaRate {
            level: 80.0,
            correlation: 0.0,
        });
        let independent = run(ArrivalModel::NegativeBinomial { level: 80.0 });
        for t in 0..4 {
            let q: Vec<f64> = (0..=t).map(|j| los.survival(t - j)).collect();
            let m: f64 = (0..=t).map(|j| q[j] * point[j]).sum();
            let v_ind: f64 = (0..=t).map(|j| (0.3 * q[j] * point[j]).powi(2)).sum();
            let v_shared = (0.3 * m).powi(2);
            // Interval bounds are rounded by `Forecast::normal`'s z: 1e-9.
            assert!((shared.days[t].variance() - (m + v_shared)).abs() < 1e-9 * m * m);
            assert!((none.days[t].variance() - (m + v_ind)).abs() < 1e-9 * m * m);
            assert!((independent.days[t].variance() - (m + v_ind)).abs() < 1e-9 * m * m);
            // One gamma multiplier G with sd 0.3: the count is NB(m, 1/0.09),
            // P(k) from P(0) = (r/(r + m))^r upwards.
            let r = 1.0 / 0.09;
            let theta = m / (r + m);
            let mut p = (1.0 - theta).powf(r);
            let d = &shared.days[t];
            for k in 0..200_usize {
                let ours = k
                    .checked_sub(d.support_start())
                    .and_then(|i| d.pmf().get(i))
                    .copied()
                    .unwrap_or(0.0);
                assert!((ours - p).abs() < 1e-9 * p + 1e-12, "t={t} k={k}: {ours} vs {p}");
                p *= (k as f64 + r) / (k as f64 + 1.0) * theta;
            }
        }
        assert!(matches!(
            forecast_census(
                &los,
                &[],
                &arrivals,
                ArrivalModel::GammaRate {
                    level: 80.0,
                    correlation: 1.5
                },
                &[80.0]
            ),
            Err(Error::InvalidParameter {
                name: "correlation",
                ..
            })
        ));
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn parallel_equals_serial() {
        let los = LosSurvival::from_hazards(vec![0.2, 0.1, 0.15, 0.2], 0.3).unwrap();
        let arrivals = Forecast::normal(vec![30.0; 21], &[9.0; 21], &[80.0]).unwrap();
        let current: Vec<usize> = (0..150).map(|i| (i * 7) % 23).collect();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    forecast_census(
                        &los,
                        &current,
                        &arrivals,
                        ArrivalModel::NegativeBinomial { level: 80.0 },
                        &[80.0, 95.0],
                    )
                    .unwrap()
                })
        };
        assert_eq!(run(1), run(2));
    }
}
