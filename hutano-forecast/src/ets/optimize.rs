//! statsforecast's bounded Nelder–Mead (`include/statsforecast/nelder_mead.h`,
//! `nm::NelderMead`, called by `ets::Optimize` with `init_step = 0.05`,
//! `zero_pert = 1e-4`, `tol_std = 1e-4`, `max_iter = 1000` and the adaptive
//! coefficients of Gao & Han, *Computational Optimization and Applications*
//! 51, 2012: `γ = 1 + 2/n`, `ρ = 0.75 − 1/(2n)`, `σ = 1 − 1/n`).
//!
//! Every trial point is clamped into the box `[lower, upper]`. The
//! reference's arithmetic is reproduced operation for operation, including
//! the summation orders of the Eigen 3.4 reductions it uses when compiled
//! for SSE2 (two-lane packets): the column sums of the simplex for the
//! centroid, the mean and standard deviation of the simplex values for the
//! stopping rule, and the sum of the seasonal states in the objective; and
//! libstdc++'s `std::sort` (introsort, not stable) for the ranking of the
//! vertices, which decides between equal values. So the optimiser visits
//! the reference's points and stops where it stops.

// A line-by-line port: the reference's names and exact float comparisons
// are kept so that the code can be read against it.
#![allow(
    clippy::float_cmp,
    clippy::many_single_char_names,
    clippy::similar_names,
    clippy::too_many_lines
)]

/// Eigen's vectorised sum (`redux_impl` with `LinearVectorizedTraversal`,
/// two-lane packets) of `x`, whose first element sits `offset` elements
/// after a 16-byte boundary.
pub(crate) fn eigen_segment_sum(x: &[f64], offset: usize) -> f64 {
    let size = x.len();
    if size == 0 {
        return 0.0;
    }
    let a = (offset % 2).min(size);
    let aligned_size2 = ((size - a) / 4) * 4;
    let aligned_size = ((size - a) / 2) * 2;
    let aligned_end2 = a + aligned_size2;
    let aligned_end = a + aligned_size;
    if aligned_size == 0 {
        let mut res = x[0];
        for v in &x[1..] {
            res += v;
        }
        return res;
    }
    let mut p0 = [x[a], x[a + 1]];
    if aligned_size > 2 {
        let mut p1 = [x[a + 2], x[a + 3]];
        let mut idx = a + 4;
        while idx < aligned_end2 {
            p0 = [p0[0] + x[idx], p0[1] + x[idx + 1]];
            p1 = [p1[0] + x[idx + 2], p1[1] + x[idx + 3]];
            idx += 4;
        }
        p0 = [p0[0] + p1[0], p0[1] + p1[1]];
        if aligned_end > aligned_end2 {
            p0 = [p0[0] + x[aligned_end2], p0[1] + x[aligned_end2 + 1]];
        }
    }
    let mut res = p0[0] + p0[1];
    for v in &x[..a] {
        res += v;
    }
    for v in &x[aligned_end..] {
        res += v;
    }
    res
}

/// Eigen's `StandardDeviation` of the simplex values: the population
/// standard deviation with both means by [`eigen_segment_sum`].
fn standard_deviation(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = eigen_segment_sum(x, 0) / n;
    let sq: Vec<f64> = x.iter().map(|v| (v - mean) * (v - mean)).collect();
    (eigen_segment_sum(&sq, 0) / n).sqrt()
}

/// `simplex.colwise().sum()` for a row-major `rows × cols` matrix: Eigen's
/// `packetwise_redux_impl` for pairs of columns (first row, then rows in
/// fours added as `(r₁ + r₂) + (r₃ + r₄)`, then the rest one by one), and a
/// plain sum down the last column when `cols` is odd.
fn eigen_colwise_sum(simplex: &[f64], rows: usize, cols: usize, out: &mut [f64]) {
    let size4 = (rows - 1) & !3;
    let paired = cols - cols % 2;
    for c in 0..cols {
        let at = |r: usize| simplex[r * cols + c];
        if c < paired {
            let mut p = at(0);
            let mut i = 1;
            while i < size4 {
                p += (at(i) + at(i + 1)) + (at(i + 2) + at(i + 3));
                i += 4;
            }
            while i < rows {
                p += at(i);
                i += 1;
            }
            out[c] = p;
        } else {
            let mut p = at(0);
            for r in 1..rows {
                p += at(r);
            }
            out[c] = p;
        }
    }
}

/// libstdc++'s `std::sort` of the indices `0..v.len()` by `v[i] < v[j]`
/// (introsort with a threshold of 16 and median-of-three pivots, then
/// insertion sort), so that ties are broken as in the reference.
fn argsort(v: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    let less = |a: usize, b: usize| v[a] < v[b];
    let n = idx.len();
    if n > 1 {
        let depth = 2 * (usize::BITS - 1 - n.leading_zeros()) as usize;
        introsort_loop(&mut idx, 0, n, depth, &less);
        final_insertion_sort(&mut idx, 0, n, &less);
    }
    idx
}

const THRESHOLD: usize = 16;

fn introsort_loop(
    a: &mut [usize],
    first: usize,
    mut last: usize,
    mut depth: usize,
    less: &impl Fn(usize, usize) -> bool,
) {
    while last - first > THRESHOLD {
        if depth == 0 {
            heap_sort(a, first, last, less);
            return;
        }
        depth -= 1;
        let cut = unguarded_partition_pivot(a, first, last, less);
        introsort_loop(a, cut, last, depth, less);
        last = cut;
    }
}

fn unguarded_partition_pivot(
    a: &mut [usize],
    first: usize,
    last: usize,
    less: &impl Fn(usize, usize) -> bool,
) -> usize {
    let mid = first + (last - first) / 2;
    move_median_to_first(a, first, first + 1, mid, last - 1, less);
    unguarded_partition(a, first + 1, last, first, less)
}

fn move_median_to_first(
    arr: &mut [usize],
    result: usize,
    a: usize,
    b: usize,
    c: usize,
    less: &impl Fn(usize, usize) -> bool,
) {
    let (va, vb, vc) = (arr[a], arr[b], arr[c]);
    let pick = if less(va, vb) {
        if less(vb, vc) {
            b
        } else if less(va, vc) {
            c
        } else {
            a
        }
    } else if less(va, vc) {
        a
    } else if less(vb, vc) {
        c
    } else {
        b
    };
    arr.swap(result, pick);
}

fn unguarded_partition(
    a: &mut [usize],
    mut first: usize,
    mut last: usize,
    pivot: usize,
    less: &impl Fn(usize, usize) -> bool,
) -> usize {
    loop {
        while less(a[first], a[pivot]) {
            first += 1;
        }
        last -= 1;
        while less(a[pivot], a[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        a.swap(first, last);
        first += 1;
    }
}

/// `std::__partial_sort(first, last, last)`: heap sort (reached only for
/// degenerate inputs far larger than a simplex).
fn heap_sort(a: &mut [usize], first: usize, last: usize, less: &impl Fn(usize, usize) -> bool) {
    let s = &mut a[first..last];
    s.sort_by(|x, y| {
        if less(*x, *y) {
            std::cmp::Ordering::Less
        } else if less(*y, *x) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
}

fn insertion_sort(a: &mut [usize], first: usize, last: usize, less: &impl Fn(usize, usize) -> bool) {
    if first == last {
        return;
    }
    for i in first + 1..last {
        if less(a[i], a[first]) {
            let val = a[i];
            a.copy_within(first..i, first + 1);
            a[first] = val;
        } else {
            unguarded_linear_insert(a, i, less);
        }
    }
}

fn unguarded_linear_insert(a: &mut [usize], mut last: usize, less: &impl Fn(usize, usize) -> bool) {
    let val = a[last];
    let mut next = last - 1;
    while less(val, a[next]) {
        a[last] = a[next];
        last = next;
        next -= 1;
    }
    a[last] = val;
}

fn final_insertion_sort(a: &mut [usize], first: usize, last: usize, less: &impl Fn(usize, usize) -> bool) {
    if last - first > THRESHOLD {
        insertion_sort(a, first, first + THRESHOLD, less);
        for i in first + THRESHOLD..last {
            unguarded_linear_insert(a, i, less);
        }
    } else {
        insertion_sort(a, first, last, less);
    }
}

fn clamp_into(x: &mut [f64], lower: &[f64], upper: &[f64]) {
    for ((v, lo), hi) in x.iter_mut().zip(lower).zip(upper) {
        // Eigen's cwiseMax then cwiseMin (std::max, std::min).
        let a = if *v < *lo { *lo } else { *v };
        *v = if *hi < a { *hi } else { a };
    }
}

/// Minimise `f` from `x` within `[lower, upper]` (see the module
/// documentation) and return the best vertex; `tol_std` and `max_iter` are
/// the reference's.
pub(crate) fn nelder_mead(
    mut f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    lower: &[f64],
    upper: &[f64],
    tol_std: f64,
    max_iter: usize,
) -> Vec<f64> {
    let init_step = 0.05;
    let zero_pert = 1.0e-4;
    let alpha = 1.0;
    let n = x.len();
    let nf = n as f64;
    let gamma = 1.0 + 2.0 / nf;
    let rho = 0.75 - 1.0 / (2 * n) as f64;
    let sigma = 1.0 - 1.0 / nf;
    let mut x0 = x.to_vec();
    clamp_into(&mut x0, lower, upper);
    let rows = n + 1;
    let mut simplex = Vec::with_capacity(rows * n);
    for _ in 0..rows {
        simplex.extend_from_slice(&x0);
    }
    for i in 0..n {
        let mut val = simplex[i * n + i];
        if val == 0.0 {
            val = zero_pert;
        } else {
            val *= 1.0 + init_step;
        }
        // std::clamp(val, lo, hi).
        simplex[i * n + i] = if val < lower[i] {
            lower[i]
        } else if upper[i] < val {
            upper[i]
        } else {
            val
        };
    }
    let mut f_simplex: Vec<f64> = (0..rows).map(|r| f(&simplex[r * n..(r + 1) * n])).collect();
    let mut best_idx = 0;
    let mut colsum = vec![0.0; n];
    let mut x_o = vec![0.0; n];
    let mut x_r = vec![0.0; n];
    let mut x_t = vec![0.0; n];
    for _ in 0..max_iter {
        // statsforecast 2.1.1 ranks the vertices before the stopping test,
        // so a converged run returns the current best vertex (a run that
        // exhausts `max_iter` returns the best of the last ranking).
        let order = argsort(&f_simplex);
        best_idx = order[0];
        if standard_deviation(&f_simplex) < tol_std {
            break;
        }
        let worst_idx = order[n];
        let second_worst_idx = order[n - 1];
        eigen_colwise_sum(&simplex, rows, n, &mut colsum);
        for c in 0..n {
            x_o[c] = (colsum[c] - simplex[worst_idx * n + c]) / nf;
        }
        for c in 0..n {
            x_r[c] = x_o[c] + alpha * (x_o[c] - simplex[worst_idx * n + c]);
        }
        clamp_into(&mut x_r, lower, upper);
        let f_r = f(&x_r);
        if f_simplex[best_idx] <= f_r && f_r < f_simplex[second_worst_idx] {
            simplex[worst_idx * n..(worst_idx + 1) * n].copy_from_slice(&x_r);
            f_simplex[worst_idx] = f_r;
            continue;
        }
        if f_r < f_simplex[best_idx] {
            for c in 0..n {
                x_t[c] = x_o[c] + gamma * (x_r[c] - x_o[c]);
            }
            clamp_into(&mut x_t, lower, upper);
            let f_e = f(&x_t);
            if f_e < f_r {
                simplex[worst_idx * n..(worst_idx + 1) * n].copy_from_slice(&x_t);
                f_simplex[worst_idx] = f_e;
            } else {
                simplex[worst_idx * n..(worst_idx + 1) * n].copy_from_slice(&x_r);
                f_simplex[worst_idx] = f_r;
            }
            continue;
        }
        if f_simplex[second_worst_idx] <= f_r && f_r < f_simplex[worst_idx] {
            for c in 0..n {
                x_t[c] = x_o[c] + rho * (x_r[c] - x_o[c]);
            }
            clamp_into(&mut x_t, lower, upper);
            let f_oc = f(&x_t);
            if f_oc <= f_r {
                simplex[worst_idx * n..(worst_idx + 1) * n].copy_from_slice(&x_t);
                f_simplex[worst_idx] = f_oc;
                continue;
            }
        } else {
            for c in 0..n {
                x_t[c] = x_o[c] - rho * (x_r[c] - x_o[c]);
            }
            clamp_into(&mut x_t, lower, upper);
            let f_ic = f(&x_t);
            if f_ic < f_simplex[worst_idx] {
                simplex[worst_idx * n..(worst_idx + 1) * n].copy_from_slice(&x_t);
                f_simplex[worst_idx] = f_ic;
                continue;
            }
        }
        // Shrink towards the best vertex: rows 1.. (row 0 is left as it is
        // when it is not the best, as in the reference).
        for j in 1..rows {
            for c in 0..n {
                let b = simplex[best_idx * n + c];
                x_t[c] = b + sigma * (simplex[j * n + c] - b);
            }
            clamp_into(&mut x_t, lower, upper);
            simplex[j * n..(j + 1) * n].copy_from_slice(&x_t);
            f_simplex[j] = f(&x_t);
        }
    }
    simplex[best_idx * n..(best_idx + 1) * n].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argsort_orders_values_and_handles_long_inputs() {
        let v: Vec<f64> = (0..40).map(|i| f64::from((i * 17) % 23) - 5.0).collect();
        let idx = argsort(&v);
        for w in idx.windows(2) {
            assert!(v[w[0]] <= v[w[1]]);
        }
        let mut seen = idx.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
        // Below the threshold the sort is an insertion sort: stable.
        assert_eq!(argsort(&[1.0, 0.0, 1.0, 0.0]), vec![1, 3, 0, 2]);
    }

    #[test]
    fn eigen_sums_equal_plain_sums_on_integers() {
        let x: Vec<f64> = (1..=11).map(f64::from).collect();
        for off in 0..2 {
            for len in 0..=11 {
                assert_eq!(eigen_segment_sum(&x[..len], off), (len * (len + 1) / 2) as f64);
            }
        }
    }

    #[test]
    fn minimises_a_quadratic_inside_the_box() {
        let r = nelder_mead(
            |p| (p[0] - 0.3).powi(2) + (p[1] + 2.0).powi(2),
            &[0.5, 1.0],
            &[0.0, -1.0],
            &[1.0, 5.0],
            1e-12,
            1000,
        );
        assert!((r[0] - 0.3).abs() < 1e-4, "{r:?}");
        assert!((r[1] + 1.0).abs() < 1e-12, "{r:?}");
    }
}
