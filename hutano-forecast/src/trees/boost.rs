//! Gradient boosting of histogram trees with the squared loss.
//!
//! Friedman, "Greedy function approximation: a gradient boosting machine",
//! Annals of Statistics 29(5), 2001 (Algorithm 2, `LS_Boost`), with shrinkage
//! and row subsampling from Friedman, "Stochastic gradient boosting", CSDA
//! 38(4), 2002, and the second-order leaf values and L2 leaf penalty of Chen
//! & Guestrin, "`XGBoost`", KDD 2016. Splits are found on feature histograms as
//! in `LightGBM` (Ke et al., NIPS 2017); see [`super::tree`].
//!
//! The model starts from the mean of the targets. Tree `m` is fitted to the
//! gradients `g = F_{m−1}(x) − y` (hessians 1) of a subsample of the rows,
//! drawn without replacement (selection sampling, Knuth's Algorithm S) with
//! a generator seeded from `(seed, m)`, and
//! its leaves `−G/(H + λ)` are multiplied by the learning rate `ν`:
//! `F_m = F_{m−1} + ν·tree_m`. Without subsampling, and with `ν ≤ 1`, no tree
//! can increase the training squared error.
//!
//! ```
//! use hutano_forecast::trees::GradientBoosting;
//!
//! let x: Vec<f64> = (0..50).map(f64::from).collect();
//! let y: Vec<f64> = x.iter().map(|v| if *v < 25.0 { 0.0 } else { 10.0 }).collect();
//! let model = GradientBoosting::params().n_estimators(50).learning_rate(0.3).fit(&x, 1, &y)?;
//! assert!((model.predict_row(&[40.0]) - 10.0).abs() < 0.01);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::tree::{
    check_matrix, check_max_leaves, check_tree_fields, grow_with_leaves, invalid, predict_matrix, Binned, FittedTree,
    Row, TreeValidParams, Workspace,
};
use super::{stream_seed, RowModel};
use crate::error::Result;

/// Entry point for gradient boosting: [`GradientBoosting::params`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GradientBoosting;

impl GradientBoosting {
    /// Default hyperparameters (see [`BoostingParams`]).
    #[must_use]
    pub fn params() -> BoostingParams {
        BoostingParams::default()
    }
}

/// Checked hyperparameters of gradient boosting (from
/// [`BoostingParams::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoostingValidParams {
    n_estimators: usize,
    learning_rate: f64,
    max_depth: usize,
    min_samples_leaf: usize,
    min_gain: f64,
    subsample: f64,
    max_features: f64,
    #[serde(default = "one")]
    colsample_bytree: f64,
    l2_regularization: f64,
    max_bins: usize,
    seed: u64,
    #[serde(default)]
    max_leaves: Option<usize>,
}

fn one() -> f64 {
    1.0
}

impl BoostingValidParams {
    /// Number of trees.
    #[must_use]
    pub fn n_estimators(&self) -> usize {
        self.n_estimators
    }
    /// Learning rate (shrinkage) ν.
    #[must_use]
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    /// Largest tree depth.
    #[must_use]
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
    /// Fewest rows in a leaf.
    #[must_use]
    pub fn min_samples_leaf(&self) -> usize {
        self.min_samples_leaf
    }
    /// Smallest gain for a split.
    #[must_use]
    pub fn min_gain(&self) -> f64 {
        self.min_gain
    }
    /// Share of rows each tree sees.
    #[must_use]
    pub fn subsample(&self) -> f64 {
        self.subsample
    }
    /// Share of features drawn at each split.
    #[must_use]
    pub fn max_features(&self) -> f64 {
        self.max_features
    }
    /// Share of features each tree may use.
    #[must_use]
    pub fn colsample_bytree(&self) -> f64 {
        self.colsample_bytree
    }
    /// L2 penalty λ on leaf values.
    #[must_use]
    pub fn l2_regularization(&self) -> f64 {
        self.l2_regularization
    }
    /// Most bins per feature.
    #[must_use]
    pub fn max_bins(&self) -> usize {
        self.max_bins
    }
    /// Seed of the row and feature draws.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Most leaves of each leaf-wise tree (`None`: trees grown depth-wise).
    #[must_use]
    pub fn max_leaves(&self) -> Option<usize> {
        self.max_leaves
    }

    /// Fit to the row-major matrix `x` (`y.len()` rows × `n_features`) and
    /// targets `y`. The features are binned once for all trees.
    ///
    /// # Errors
    /// As [`super::TreeValidParams::fit`].
    pub fn fit(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<FittedBoosting> {
        Ok(self.fit_with_predictions(x, n_features, y)?.0)
    }

    /// As [`BoostingValidParams::fit`], also returning the model's
    /// prediction for every training row, kept up to date tree by tree
    /// (equal to [`FittedBoosting::predict`] on `x` up to the order of the
    /// sums).
    ///
    /// # Errors
    /// As [`BoostingValidParams::fit`].
    pub fn fit_with_predictions(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<(FittedBoosting, Vec<f64>)> {
        let n = check_matrix(x, n_features, y)?;
        let data = Binned::new(x, n, n_features, self.max_bins);
        let init = y.iter().sum::<f64>() / n as f64;
        let mut pred = vec![init; n];
        let mut grad = vec![0.0; n];
        let tree_params = TreeValidParams {
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            min_gain: self.min_gain,
            max_features: self.max_features,
            max_bins: self.max_bins,
            l2_regularization: self.l2_regularization,
            seed: self.seed,
            max_leaves: self.max_leaves,
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        // subsample ∈ (0, 1], so the product lies in [0, n].
        let n_sample = ((self.subsample * n as f64).round() as usize).clamp(1, n);
        let mut trees = Vec::with_capacity(self.n_estimators);
        let mut out_of_sample: Vec<Row> = Vec::with_capacity(n - n_sample);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        // colsample_bytree ∈ (0, 1], so the product lies in [0, n_features].
        let n_columns = ((self.colsample_bytree * n_features as f64).floor() as usize).clamp(1, n_features);
        let mut columns: Vec<usize> = (0..n_features).collect();
        let mut scratch = Vec::with_capacity(n - n_sample);
        // Buffers kept from tree to tree.
        let mut workspace = Workspace::default();
        let mut rows: Vec<Row> = Vec::with_capacity(n_sample);
        // n ≤ u32::MAX (`check_matrix`).
        let n_rows = Row::try_from(n).unwrap_or(Row::MAX);
        for m in 0..self.n_estimators {
            for ((g, p), t) in grad.iter_mut().zip(&pred).zip(y) {
                *g = p - t;
            }
            let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(self.seed, m as u64));
            rows.clear();
            out_of_sample.clear();
            if n_sample < n {
                // Selection sampling (Knuth's Algorithm S): row i is drawn
                // with probability (rows still needed) / (rows left), which
                // gives exactly n_sample rows, each n_sample-subset equally
                // likely, already in ascending order (sums then run in the
                // same order as without sampling). The draw is the high
                // word of a 64-bit random number times (rows left): a bias
                // below 2^-44 for any panel that fits in memory.
                // No branch on the draw: each row is written to both lists
                // and the one it belongs to advances (the draws are
                // unpredictable; the tests below are not).
                rows.resize(n_sample, 0);
                out_of_sample.resize(n - n_sample, 0);
                let (mut n_in, mut n_out) = (0, 0);
                for i in 0..n_rows {
                    let left = (n - i as usize) as u128;
                    let need = n_sample - n_in;
                    // No draw once the sample is full (a predictable test;
                    // the stream then goes on to the column draws).
                    let take = usize::from(need > 0 && ((u128::from(rng.next_u64()) * left) >> 64) < need as u128);
                    // A full list is never advanced again (both tests are
                    // predictable: they fail only once a list is full).
                    if n_in < n_sample {
                        rows[n_in] = i;
                    }
                    if n_out < n - n_sample {
                        out_of_sample[n_out] = i;
                    }
                    n_in += take;
                    n_out += 1 - take;
                }
                debug_assert_eq!((n_in, n_out), (n_sample, n - n_sample));
            } else {
                rows.extend(0..n_rows);
            }
            // Per-tree columns (drawn after the rows), ascending.
            let allowed = if n_columns < n_features {
                for (i, v) in columns.iter_mut().enumerate() {
                    *v = i;
                }
                for i in 0..n_columns {
                    let j = rng.random_range(i..n_features);
                    columns.swap(i, j);
                }
                let mut a = columns[..n_columns].to_vec();
                a.sort_unstable();
                Some(a)
            } else {
                None
            };
            let (mut tree, leaves) = grow_with_leaves(
                &data,
                &grad,
                std::mem::take(&mut rows),
                &tree_params,
                &mut rng,
                allowed.as_deref(),
                &mut workspace,
            );
            tree.scale_leaves(self.learning_rate);
            // Sampled rows take their leaf's value; the others walk the tree.
            for &(node, start, len) in &leaves.ranges {
                let value = tree.leaf_value(node);
                for &r in &leaves.rows[start..start + len] {
                    pred[r as usize] += value;
                }
            }
            tree.add_binned(&data, &mut out_of_sample, &mut scratch, &mut pred);
            trees.push(tree);
            rows = leaves.rows;
        }
        Ok((
            FittedBoosting {
                init,
                trees,
                n_features,
            },
            pred,
        ))
    }
}

/// Hyperparameters of gradient boosting: a consuming builder, validated by
/// [`BoostingParams::check`] (the linfa pattern).
///
/// Defaults (those of the bench-peers harness's `XGBoost` where they apply):
/// `n_estimators` 300, `learning_rate` 0.05, `max_depth` 6,
/// `min_samples_leaf` 1, `min_gain` 0, `subsample` 0.8, `max_features` 1,
/// `l2_regularization` 1, `max_bins` 255, `seed` 0, `max_leaves` `None`
/// (depth-wise trees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoostingParams(BoostingValidParams);

impl Default for BoostingParams {
    fn default() -> Self {
        Self(BoostingValidParams {
            n_estimators: 300,
            learning_rate: 0.05,
            max_depth: 6,
            min_samples_leaf: 1,
            min_gain: 0.0,
            subsample: 0.8,
            max_features: 1.0,
            colsample_bytree: 1.0,
            l2_regularization: 1.0,
            max_bins: super::tree::MAX_BINS,
            seed: 0,
            max_leaves: None,
        })
    }
}

impl BoostingParams {
    /// Number of trees (0 predicts the mean).
    #[must_use]
    pub fn n_estimators(mut self, v: usize) -> Self {
        self.0.n_estimators = v;
        self
    }
    /// Learning rate ν in [0, 1] (0 predicts the mean).
    #[must_use]
    pub fn learning_rate(mut self, v: f64) -> Self {
        self.0.learning_rate = v;
        self
    }
    /// Largest tree depth, 1 ..= 64.
    #[must_use]
    pub fn max_depth(mut self, v: usize) -> Self {
        self.0.max_depth = v;
        self
    }
    /// `Some(m)`: grow each tree leaf-wise to at most `m` ≥ 2 leaves
    /// (`LightGBM`'s `num_leaves`; `max_depth` still bounds the depth);
    /// `None` (the default): depth-wise to `max_depth`. See
    /// [`TreeParams::max_leaves`](super::TreeParams::max_leaves).
    #[must_use]
    pub fn max_leaves(mut self, v: Option<usize>) -> Self {
        self.0.max_leaves = v;
        self
    }
    /// Fewest rows in a leaf, at least 1.
    #[must_use]
    pub fn min_samples_leaf(mut self, v: usize) -> Self {
        self.0.min_samples_leaf = v;
        self
    }
    /// Smallest gain for a split; finite, non-negative.
    #[must_use]
    pub fn min_gain(mut self, v: f64) -> Self {
        self.0.min_gain = v;
        self
    }
    /// Share of rows, in (0, 1], drawn without replacement for each tree
    /// (`round(share · n)` rows, at least one).
    #[must_use]
    pub fn subsample(mut self, v: f64) -> Self {
        self.0.subsample = v;
        self
    }
    /// Share of features, in (0, 1], drawn at each split.
    #[must_use]
    pub fn max_features(mut self, v: f64) -> Self {
        self.0.max_features = v;
        self
    }
    /// Share of features, in (0, 1], each tree may use (drawn per tree, as
    /// `LightGBM`'s `feature_fraction` and `XGBoost`'s `colsample_bytree`);
    /// splits then draw `max_features` of those. Default 1.
    #[must_use]
    pub fn colsample_bytree(mut self, v: f64) -> Self {
        self.0.colsample_bytree = v;
        self
    }
    /// L2 penalty λ on leaf values; finite, non-negative.
    #[must_use]
    pub fn l2_regularization(mut self, v: f64) -> Self {
        self.0.l2_regularization = v;
        self
    }
    /// Most bins per feature, 2 ..= 255.
    #[must_use]
    pub fn max_bins(mut self, v: usize) -> Self {
        self.0.max_bins = v;
        self
    }
    /// Seed of the row and feature draws. Tree `m` draws from a generator
    /// seeded from `(seed, m)`.
    #[must_use]
    pub fn seed(mut self, v: u64) -> Self {
        self.0.seed = v;
        self
    }

    /// Validate the hyperparameters.
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] naming the first invalid one.
    pub fn check(self) -> Result<BoostingValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }

    /// Validate the hyperparameters without consuming them.
    ///
    /// # Errors
    /// As [`BoostingParams::check`].
    pub fn check_ref(&self) -> Result<&BoostingValidParams> {
        let p = &self.0;
        if !(0.0..=1.0).contains(&p.learning_rate) {
            return Err(invalid("learning_rate", "must be in [0, 1]"));
        }
        if !(p.subsample > 0.0 && p.subsample <= 1.0) {
            return Err(invalid("subsample", "must be in (0, 1]"));
        }
        if !(p.colsample_bytree > 0.0 && p.colsample_bytree <= 1.0) {
            return Err(invalid("colsample_bytree", "must be in (0, 1]"));
        }
        if !(p.l2_regularization.is_finite() && p.l2_regularization >= 0.0) {
            return Err(invalid("l2_regularization", "must be finite and non-negative"));
        }
        check_tree_fields(p.max_depth, p.min_samples_leaf, p.min_gain, p.max_features, p.max_bins)?;
        check_max_leaves(p.max_leaves)?;
        Ok(p)
    }

    /// Check, then fit (see [`BoostingValidParams::fit`]).
    ///
    /// # Errors
    /// As [`BoostingParams::check`] and [`BoostingValidParams::fit`].
    pub fn fit(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<FittedBoosting> {
        self.check_ref()?.fit(x, n_features, y)
    }
}

/// A fitted gradient-boosting model: the mean of the training targets plus
/// the sum of its (shrunk) trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBoosting {
    init: f64,
    trees: Vec<FittedTree>,
    n_features: usize,
}

impl FittedBoosting {
    /// The prediction for one row.
    ///
    /// # Panics
    /// When `row` is shorter than the number of features fitted.
    #[must_use]
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        self.init + self.trees.iter().map(|t| t.predict_row(row)).sum::<f64>()
    }

    /// Number of features fitted (the width of a row).
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Predictions for every row of the row-major matrix `x`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] when `x.len()` is not a multiple of
    /// the number of features fitted.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>> {
        predict_matrix(x, self.n_features, |r| self.predict_row(r))
    }

    /// The starting value (mean of the training targets).
    #[must_use]
    pub fn init(&self) -> f64 {
        self.init
    }

    /// The trees, leaves already multiplied by the learning rate.
    #[must_use]
    pub fn trees(&self) -> &[FittedTree] {
        &self.trees
    }
}

impl RowModel for FittedBoosting {
    fn predict_row(&self, row: &[f64]) -> f64 {
        FittedBoosting::predict_row(self, row)
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // x, y, a, b: the usual names in tests
mod tests {
    use super::*;
    use crate::trees::test_data::smooth as data;

    fn mse(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / a.len() as f64
    }

    #[test]
    fn training_error_falls_monotonically_with_more_trees() {
        let (x, y) = data(11, 300);
        let base = GradientBoosting::params()
            .learning_rate(0.2)
            .max_depth(3)
            .subsample(1.0)
            .l2_regularization(1.0);
        let mut last = f64::INFINITY;
        let mut errors = Vec::new();
        for n in [0, 1, 2, 3, 5, 10, 20, 40, 80] {
            let model = base.n_estimators(n).fit(&x, 3, &y).unwrap();
            let e = mse(&model.predict(&x).unwrap(), &y);
            assert!(e <= last + 1e-12, "{n} trees: mse {e} after {last}");
            last = e;
            errors.push(e);
        }
        // And it falls a lot: 80 trees leave a small part of the variance.
        assert!(errors[8] < 0.1 * errors[0], "{errors:?}");
    }

    #[test]
    fn learning_rate_zero_predicts_the_mean() {
        let (x, y) = data(3, 100);
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let model = GradientBoosting::params()
            .learning_rate(0.0)
            .n_estimators(20)
            .fit(&x, 3, &y)
            .unwrap();
        for p in model.predict(&x).unwrap() {
            assert!((p - mean).abs() < 1e-12);
        }
        let none = GradientBoosting::params().n_estimators(0).fit(&x, 3, &y).unwrap();
        assert!((none.predict_row(&x[..3]) - mean).abs() < 1e-12);
    }

    #[test]
    fn generalises_to_held_out_rows() {
        let (x, y) = data(5, 800);
        let model = GradientBoosting::params().fit(&x[..600 * 3], 3, &y[..600]).unwrap();
        let pred = model.predict(&x[600 * 3..]).unwrap();
        let test = &y[600..];
        let mean = test.iter().sum::<f64>() / test.len() as f64;
        let var = test.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / test.len() as f64;
        let e = mse(&pred, test);
        assert!(e < 0.1 * var, "held-out mse {e}, variance {var}");
    }

    #[test]
    fn training_predictions_equal_predicting_the_rows() {
        let (x, y) = data(8, 400);
        let p = GradientBoosting::params()
            .n_estimators(40)
            .subsample(0.6)
            .check()
            .unwrap();
        let (model, pred) = p.fit_with_predictions(&x, 3, &y).unwrap();
        let direct = model.predict(&x).unwrap();
        assert_eq!(pred.len(), y.len());
        for (a, b) in pred.iter().zip(&direct) {
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
        }
        assert_eq!(model, p.fit(&x, 3, &y).unwrap());
    }

    #[test]
    fn subsampling_is_seeded() {
        let (x, y) = data(9, 200);
        let p = GradientBoosting::params().n_estimators(30).subsample(0.5);
        let a = p.seed(1).fit(&x, 3, &y).unwrap();
        let b = p.seed(1).fit(&x, 3, &y).unwrap();
        let c = p.seed(2).fit(&x, 3, &y).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.predict(&x).unwrap(), c.predict(&x).unwrap());
    }

    #[test]
    fn each_tree_keeps_to_its_drawn_columns() {
        let (x, y) = data(4, 300);
        // One of the three features per tree (⌊3 · 0.4⌋ = 1).
        let model = GradientBoosting::params()
            .n_estimators(40)
            .max_depth(3)
            .colsample_bytree(0.4)
            .fit(&x, 3, &y)
            .unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for tree in model.trees() {
            let f = tree.split_features();
            assert!(f.windows(2).all(|w| w[0] == w[1]), "{f:?}");
            seen.extend(f);
        }
        assert!(seen.len() > 1, "{seen:?}");
        // All columns (the default) draws nothing: the same as before the
        // option existed, i.e. the same as an explicit 1.
        let all = GradientBoosting::params().n_estimators(20);
        assert_eq!(
            all.fit(&x, 3, &y).unwrap(),
            all.colsample_bytree(1.0).fit(&x, 3, &y).unwrap()
        );
    }

    #[test]
    fn invalid_parameters_are_errors() {
        for p in [
            GradientBoosting::params().colsample_bytree(0.0),
            GradientBoosting::params().colsample_bytree(1.5),
            GradientBoosting::params().learning_rate(-0.1),
            GradientBoosting::params().learning_rate(1.5),
            GradientBoosting::params().learning_rate(f64::NAN),
            GradientBoosting::params().subsample(0.0),
            GradientBoosting::params().subsample(1.1),
            GradientBoosting::params().l2_regularization(f64::INFINITY),
            GradientBoosting::params().max_depth(0),
            GradientBoosting::params().min_samples_leaf(0),
            GradientBoosting::params().max_bins(300),
        ] {
            assert!(matches!(p.check(), Err(crate::Error::InvalidParameter { .. })), "{p:?}");
        }
    }
}
