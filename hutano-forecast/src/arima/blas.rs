//! The rounding of numpy's small dense products, so that the optimiser's
//! arithmetic is statsforecast's to the last bit.
//!
//! numpy 2.4 sends `dot` and `@` of `float64` arrays to `OpenBLAS` 0.3.31
//! (the `scipy-openblas` build, Haswell kernels), whose kernels use fused
//! multiply-adds in a fixed order:
//! - `ddot` (vector · vector): one accumulator, `s = fma(x_i, y_i, s)` from
//!   `s = 0`;
//! - `dgemm` (matrix · matrix): the same per output element, over the inner
//!   index in increasing order;
//! - `dgemv` (row-major matrix · vector, `OpenBLAS`'s `dgemv_t`): the inner
//!   index is split into blocks of four, accumulated lane by lane with
//!   fused multiply-adds (two interleaved accumulators for the last `n mod 4`
//!   outputs) and reduced as `(l₀ + l₂) + (l₁ + l₃)`; the last `k mod 4`
//!   terms are added by scalar code that GCC contracts into fused
//!   multiply-adds.
//!
//! These orders were measured against numpy on random matrices (all
//! products agree bit for bit for the square sizes 1–9 that BFGS meets and
//! for regression matrices with up to three columns); where they would
//! differ (larger sizes) the results differ by a rounding error only.

// A line-by-line port: the reference's index expressions, one-letter
// names (p, q, r, d, m) and exact float comparisons are kept so that the
// code can be read against it.
#![allow(
    clippy::many_single_char_names,
    clippy::similar_names,
    clippy::float_cmp,
    clippy::needless_range_loop,
    clippy::too_many_lines
)]

/// `numpy.dot(x, y)` for vectors.
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0_f64;
    for (a, b) in x.iter().zip(y) {
        s = a.mul_add(*b, s);
    }
    s
}

/// Row `j` of `numpy.dot(A, x)` for a row-major `A` with `n_out` rows:
/// `a` is the row, `x` the vector (same length).
pub(crate) fn gemv_row(a: &[f64], x: &[f64], j: usize, n_out: usize) -> f64 {
    let m = a.len();
    let m3 = m & 3;
    let m1 = m - m3;
    let mut y = 0.0_f64;
    if m1 > 0 {
        let r = if j < 4 * (n_out >> 2) {
            let mut acc = [0.0_f64; 4];
            for b in (0..m1).step_by(4) {
                for (l, v) in acc.iter_mut().enumerate() {
                    *v = a[b + l].mul_add(x[b + l], *v);
                }
            }
            (acc[0] + acc[2]) + (acc[1] + acc[3])
        } else {
            let mut lo = [0.0_f64; 4];
            let mut hi = [0.0_f64; 4];
            let mut b = 0;
            while b + 8 <= m1 {
                for l in 0..4 {
                    lo[l] = a[b + l].mul_add(x[b + l], lo[l]);
                    hi[l] = a[b + 4 + l].mul_add(x[b + 4 + l], hi[l]);
                }
                b += 8;
            }
            while b + 4 <= m1 {
                for l in 0..4 {
                    lo[l] = a[b + l].mul_add(x[b + l], lo[l]);
                }
                b += 4;
            }
            let c = [lo[0] + hi[0], lo[1] + hi[1], lo[2] + hi[2], lo[3] + hi[3]];
            (c[0] + c[2]) + (c[1] + c[3])
        };
        y = r.mul_add(1.0, y);
    }
    let s = m1;
    match m3 {
        1 => a[s].mul_add(x[s], y),
        2 => y + a[s].mul_add(x[s], a[s + 1] * x[s + 1]),
        3 => y + a[s + 2].mul_add(x[s + 2], a[s].mul_add(x[s], a[s + 1] * x[s + 1])),
        _ => y,
    }
}

/// Element `(i, j)` of `numpy.dot(A, B)` for row-major `n × n` matrices.
pub(crate) fn gemm_elem(a: &[f64], b: &[f64], n: usize, i: usize, j: usize) -> f64 {
    let mut s = 0.0_f64;
    for l in 0..n {
        s = a[i * n + l].mul_add(b[l * n + j], s);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_agree_with_plain_sums_to_rounding() {
        let a = [0.3, -1.7, 2.2, 0.9, -0.4, 1.1, 0.05];
        let x = [1.5, 0.25, -0.75, 2.0, 0.6, -1.3, 0.8];
        let plain: f64 = a.iter().zip(&x).map(|(p, q)| p * q).sum();
        assert!((dot(&a, &x) - plain).abs() < 1e-14);
        for n_out in [1, 4, 7] {
            for j in 0..n_out {
                assert!((gemv_row(&a, &x, j, n_out) - plain).abs() < 1e-14);
            }
        }
        // Two-term tail: fma(a0, x0, a1·x1).
        assert_eq!(gemv_row(&a[..2], &x[..2], 0, 1), 0.3_f64.mul_add(1.5, -1.7 * 0.25));
    }
}
