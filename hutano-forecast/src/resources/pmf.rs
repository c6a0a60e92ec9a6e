//! Probability mass functions on the non-negative integers, truncated where
//! the tail mass falls below [`TAIL`], and their direct (FFT-free)
//! convolution.
//!
//! Every family is built from its mode outwards with the exact ratio of
//! consecutive probabilities, `P(k + 1) / P(k)`, then normalised: no
//! factorials or gamma functions, so nothing overflows or underflows
//! before the tail is cut.

use crate::error::{Error, Result};

/// Tail mass cut from each end of a pmf (and of every convolution).
pub(crate) const TAIL: f64 = 1e-12;

/// Largest support a pmf may have (entries); beyond it the inputs are not a
/// hospital's (a mean census in the millions) and the call is refused.
const MAX_SUPPORT: usize = 10_000_000;

/// A pmf on `offset, offset + 1, ..., offset + p.len() − 1`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pmf {
    pub(crate) offset: usize,
    pub(crate) p: Vec<f64>,
}

fn too_wide(what: &'static str) -> Error {
    Error::InvalidParameter {
        name: what,
        problem: format!("the distribution would need more than {MAX_SUPPORT} support points"),
    }
}

impl Pmf {
    /// All mass at `k`.
    pub(crate) fn point(k: usize) -> Self {
        Self {
            offset: k,
            p: vec![1.0],
        }
    }

    /// Build a pmf from its mode: `ratio(k) = P(k + 1) / P(k)`, `bound(k)` an
    /// upper bound of `ratio(j)` for every `j ≥ k` (below 1), `top` the
    /// largest support point, if finite. The walk stops on each side once
    /// the bound on the remaining tail is below [`TAIL`] times the mass
    /// collected so far (so below [`TAIL`] after normalisation). Downwards
    /// the ratios of the families used here (log-concave below the mode)
    /// shrink, so the current ratio bounds the rest.
    fn from_mode(
        mode: usize,
        top: Option<usize>,
        what: &'static str,
        ratio: impl Fn(usize) -> f64,
        bound: impl Fn(usize) -> f64,
    ) -> Result<Self> {
        let mut up = vec![1.0];
        let mut sum = 1.0;
        let mut k = mode;
        loop {
            if top.is_some_and(|t| k >= t) {
                break;
            }
            let next = up[up.len() - 1] * ratio(k);
            k += 1;
            up.push(next);
            sum += next;
            let b = if top.is_some_and(|t| k >= t) { 0.0 } else { bound(k) };
            if next * b / (1.0 - b) < TAIL * sum || next == 0.0 {
                break;
            }
            if up.len() > MAX_SUPPORT {
                return Err(too_wide(what));
            }
        }
        let mut down: Vec<f64> = Vec::new();
        let mut k = mode;
        let mut last = 1.0;
        while k > 0 {
            // P(k − 1) = P(k) / ratio(k − 1).
            let r = ratio(k - 1);
            let prev = last / r;
            k -= 1;
            down.push(prev);
            sum += prev;
            last = prev;
            // The next downward ratio P(k − 2)/P(k − 1) = 1/ratio(k − 2).
            let b = if k == 0 { 0.0 } else { 1.0 / ratio(k - 1) };
            if b < 1.0 && prev * b / (1.0 - b) < TAIL * sum || prev == 0.0 {
                break;
            }
            if down.len() > MAX_SUPPORT {
                return Err(too_wide(what));
            }
        }
        let offset = k;
        let mut p: Vec<f64> = down.into_iter().rev().chain(up).collect();
        for v in &mut p {
            *v /= sum;
        }
        let mut pmf = Self { offset, p };
        pmf.trim();
        Ok(pmf)
    }

    /// Poisson with mean `lambda ≥ 0` (finite).
    pub(crate) fn poisson(lambda: f64) -> Result<Self> {
        if lambda <= 0.0 {
            return Ok(Self::point(0));
        }
        let mode = floor_usize(lambda);
        Self::from_mode(
            mode,
            None,
            "arrivals",
            |k| lambda / (k as f64 + 1.0),
            |k| lambda / (k as f64 + 1.0),
        )
    }

    /// Binomial with `n` trials and success probability `p` in [0, 1].
    pub(crate) fn binomial(n: usize, p: f64) -> Result<Self> {
        if n == 0 || p <= 0.0 {
            return Ok(Self::point(0));
        }
        if p >= 1.0 {
            return Ok(Self::point(n));
        }
        let odds = p / (1.0 - p);
        let nf = n as f64;
        let mode = floor_usize((nf + 1.0) * p).min(n);
        let ratio = move |k: usize| (nf - k as f64) / (k as f64 + 1.0) * odds;
        Self::from_mode(mode, Some(n), "current", ratio, ratio)
    }

    /// Negative binomial with mean `mean ≥ 0` and shape `shape > 0`
    /// (variance `mean + mean² / shape`).
    pub(crate) fn neg_binomial(mean: f64, shape: f64) -> Result<Self> {
        if mean <= 0.0 {
            return Ok(Self::point(0));
        }
        let theta = mean / (shape + mean);
        let mode = if shape > 1.0 {
            floor_usize((shape - 1.0) * mean / shape)
        } else {
            0
        };
        let ratio = move |k: usize| (k as f64 + shape) / (k as f64 + 1.0) * theta;
        // For shape ≥ 1 the ratios decrease towards θ; below 1 they increase
        // towards it.
        let bound = move |k: usize| if shape >= 1.0 { ratio(k) } else { theta };
        Self::from_mode(mode, None, "arrivals", ratio, bound)
    }

    /// The pmf of the sum of two independent variables, by direct
    /// convolution, truncated at [`TAIL`] on each side.
    pub(crate) fn convolve(&self, other: &Pmf) -> Pmf {
        // A single support point shifts (and scales) the other pmf.
        if let [w] = self.p[..] {
            return Pmf {
                offset: self.offset + other.offset,
                p: other.p.iter().map(|v| v * w).collect(),
            };
        }
        if let [w] = other.p[..] {
            return Pmf {
                offset: self.offset + other.offset,
                p: self.p.iter().map(|v| v * w).collect(),
            };
        }
        let mut p = vec![0.0; self.p.len() + other.p.len() - 1];
        for (i, a) in self.p.iter().enumerate() {
            for (j, b) in other.p.iter().enumerate() {
                p[i + j] += a * b;
            }
        }
        let mut out = Pmf {
            offset: self.offset + other.offset,
            p,
        };
        out.trim();
        out
    }

    /// Drop leading and trailing entries whose cumulated mass is below
    /// [`TAIL`] (always keeping at least one entry).
    fn trim(&mut self) {
        let mut lo = 0;
        let mut acc = 0.0;
        while lo + 1 < self.p.len() && acc + self.p[lo] < TAIL {
            acc += self.p[lo];
            lo += 1;
        }
        let mut hi = self.p.len();
        let mut acc = 0.0;
        while hi > lo + 1 && acc + self.p[hi - 1] < TAIL {
            acc += self.p[hi - 1];
            hi -= 1;
        }
        self.p.truncate(hi);
        self.p.drain(..lo);
        self.offset += lo;
    }
}

/// `⌊x⌋` of a finite non-negative `x` as usize (saturating).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn floor_usize(x: f64) -> usize {
    if x >= usize::MAX as f64 {
        usize::MAX
    } else {
        x.floor().max(0.0) as usize
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)]
mod tests {
    use super::Pmf;

    fn mean_var(p: &Pmf) -> (f64, f64, f64) {
        let mass: f64 = p.p.iter().sum();
        let m: f64 =
            p.p.iter()
                .enumerate()
                .map(|(i, v)| (p.offset + i) as f64 * v)
                .sum::<f64>()
                / mass;
        let v: f64 =
            p.p.iter()
                .enumerate()
                .map(|(i, v)| ((p.offset + i) as f64 - m).powi(2) * v)
                .sum::<f64>()
                / mass;
        (mass, m, v)
    }

    #[test]
    fn families_have_their_moments() {
        // Truncation removes at most 2e-12 of mass, so the moments agree to
        // about 1e-9 relative even for a mean of 5000.
        for lambda in [0.3, 4.0, 37.5, 5000.0] {
            let (mass, m, v) = mean_var(&Pmf::poisson(lambda).unwrap());
            assert!((mass - 1.0).abs() < 3e-12, "{lambda}: {mass}");
            assert!((m - lambda).abs() < 1e-9 * lambda.max(1.0), "{lambda}: {m}");
            assert!((v - lambda).abs() < 1e-8 * lambda.max(1.0), "{lambda}: {v}");
        }
        for (n, q) in [(1, 0.5), (10, 0.01), (300, 0.7), (20, 0.999)] {
            let (_, m, v) = mean_var(&Pmf::binomial(n, q).unwrap());
            let nf = n as f64;
            assert!((m - nf * q).abs() < 1e-9 * nf, "{n} {q}: {m}");
            assert!((v - nf * q * (1.0 - q)).abs() < 1e-8 * nf, "{n} {q}: {v}");
        }
        for (mean, shape) in [(3.0, 0.5), (20.0, 2.0), (150.0, 40.0), (10.0, 1e9)] {
            let (_, m, v) = mean_var(&Pmf::neg_binomial(mean, shape).unwrap());
            assert!((m - mean).abs() < 1e-8 * mean, "{mean} {shape}: {m}");
            let var = mean + mean * mean / shape;
            assert!((v - var).abs() < 1e-7 * var, "{mean} {shape}: {v} vs {var}");
        }
    }

    #[test]
    fn poisson_matches_direct_formula() {
        // P(k) = e^−λ λ^k / k!, computed term by term from P(0).
        let lambda = 6.5;
        let p = Pmf::poisson(lambda).unwrap();
        let mut direct = (-lambda).exp();
        for k in 0..30 {
            let ours = if k >= p.offset && k < p.offset + p.p.len() {
                p.p[k - p.offset]
            } else {
                0.0
            };
            // Normalising by the truncated mass scales by at most 1 + 2e-12.
            assert!(
                (ours - direct).abs() <= 2e-12 * direct + 1e-300,
                "{k}: {ours} vs {direct}"
            );
            direct *= lambda / (k as f64 + 1.0);
        }
    }

    #[test]
    fn convolution_of_poissons_is_poisson() {
        let a = Pmf::poisson(12.0).unwrap();
        let b = Pmf::poisson(30.5).unwrap();
        let c = a.convolve(&b);
        let d = Pmf::poisson(42.5).unwrap();
        let lo = c.offset.max(d.offset);
        let hi = (c.offset + c.p.len()).min(d.offset + d.p.len());
        for k in lo..hi {
            let (x, y) = (c.p[k - c.offset], d.p[k - d.offset]);
            // Each side may lose up to 1e-12 of mass per truncation (three
            // of them), which bounds the absolute error of every entry.
            assert!((x - y).abs() <= 1e-11 * y + 5e-12, "{k}: {x} vs {y}");
        }
    }
}
