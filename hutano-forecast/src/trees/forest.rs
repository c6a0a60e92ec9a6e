//! Random forests of histogram regression trees.
//!
//! Breiman, "Random forests", Machine Learning 45(1), 2001: each tree is
//! grown on a bootstrap sample of the rows (bagging: Breiman 1996), drawing a
//! random subset of the features at every split, and the forest predicts the
//! mean of its trees. Leaves are the mean target of their rows; splits
//! maximise the decrease of the squared error on feature histograms (Ke et
//! al., NIPS 2017; see [`super::tree`]).
//!
//! Tree `i` draws its rows and features from a `ChaCha8Rng` seeded from
//! `(seed, i)`, never from the thread that builds it, so with the crate's
//! `parallel` feature the trees are built on rayon's pool and the forest is
//! identical to a serial build on any number of threads.
//!
//! ```
//! use hutano_forecast::trees::RandomForest;
//!
//! let x: Vec<f64> = (0..60).map(f64::from).collect();
//! let y: Vec<f64> = x.iter().map(|v| if *v < 30.0 { 1.0 } else { 3.0 }).collect();
//! let forest = RandomForest::params().n_trees(20).seed(7).fit(&x, 1, &y)?;
//! assert!((forest.predict_row(&[5.0]) - 1.0).abs() < 0.2);
//! assert!((forest.predict_row(&[55.0]) - 3.0).abs() < 0.2);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::tree::{
    all_rows, check_matrix, check_tree_fields, grow, invalid, predict_matrix, Binned, FittedTree, Row, TreeValidParams,
};
use super::{stream_seed, RowModel};
use crate::error::Result;

/// Entry point for random forests: [`RandomForest::params`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RandomForest;

impl RandomForest {
    /// Default hyperparameters (see [`ForestParams`]).
    #[must_use]
    pub fn params() -> ForestParams {
        ForestParams::default()
    }
}

/// Checked hyperparameters of a random forest (from [`ForestParams::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForestValidParams {
    n_trees: usize,
    bootstrap: bool,
    sample_fraction: f64,
    max_features: f64,
    max_depth: usize,
    min_samples_leaf: usize,
    min_gain: f64,
    max_bins: usize,
    seed: u64,
}

impl ForestValidParams {
    /// Number of trees.
    #[must_use]
    pub fn n_trees(&self) -> usize {
        self.n_trees
    }
    /// Whether rows are drawn with replacement.
    #[must_use]
    pub fn bootstrap(&self) -> bool {
        self.bootstrap
    }
    /// Rows drawn per tree as a share of the rows.
    #[must_use]
    pub fn sample_fraction(&self) -> f64 {
        self.sample_fraction
    }
    /// Share of features drawn at each split.
    #[must_use]
    pub fn max_features(&self) -> f64 {
        self.max_features
    }
    /// Largest tree depth.
    #[must_use]
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
    /// Fewest rows (draws) in a leaf.
    #[must_use]
    pub fn min_samples_leaf(&self) -> usize {
        self.min_samples_leaf
    }
    /// Smallest gain for a split.
    #[must_use]
    pub fn min_gain(&self) -> f64 {
        self.min_gain
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

    /// Fit to the row-major matrix `x` (`y.len()` rows × `n_features`) and
    /// targets `y`. The features are binned once for all trees; with the
    /// `parallel` feature the trees are grown on rayon's current pool.
    ///
    /// # Errors
    /// As [`super::TreeValidParams::fit`].
    pub fn fit(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<FittedForest> {
        let n = check_matrix(x, n_features, y)?;
        let data = Binned::new(x, n, n_features, self.max_bins);
        let grad: Vec<f64> = y.iter().map(|v| -v).collect();
        let tree_params = TreeValidParams {
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            min_gain: self.min_gain,
            max_features: self.max_features,
            max_bins: self.max_bins,
            l2_regularization: 0.0,
            seed: self.seed,
            max_leaves: None,
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        // sample_fraction ∈ (0, 1], so the product lies in [0, n].
        let n_sample = ((self.sample_fraction * n as f64).round() as usize).clamp(1, n);
        let build = |i: usize| -> FittedTree {
            let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(self.seed, i as u64));
            // Drawn as `usize` (the random streams of earlier versions),
            // stored as `Row` (n ≤ u32::MAX: `check_matrix`).
            let mut rows: Vec<Row> = if self.bootstrap {
                (0..n_sample)
                    .map(|_| Row::try_from(rng.random_range(0..n)).unwrap_or(Row::MAX))
                    .collect()
            } else if n_sample < n {
                let mut index: Vec<Row> = all_rows(n);
                for j in 0..n_sample {
                    let k = rng.random_range(j..n);
                    index.swap(j, k);
                }
                index.truncate(n_sample);
                index
            } else {
                all_rows(n)
            };
            // Ascending rows: sums run in the same order however drawn.
            rows.sort_unstable();
            grow(&data, &grad, rows, &tree_params, &mut rng)
        };
        #[cfg(feature = "parallel")]
        let trees: Vec<FittedTree> = {
            use rayon::prelude::*;
            (0..self.n_trees).into_par_iter().map(build).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let trees: Vec<FittedTree> = (0..self.n_trees).map(build).collect();
        Ok(FittedForest { trees, n_features })
    }
}

/// Hyperparameters of a random forest: a consuming builder, validated by
/// [`ForestParams::check`] (the linfa pattern).
///
/// Defaults: `n_trees` 100, `bootstrap` true, `sample_fraction` 1 (n draws
/// with replacement, Breiman's bootstrap), `max_features` 0.5 (as the
/// bench-peers harness), `max_depth` 16, `min_samples_leaf` 5, `min_gain` 0,
/// `max_bins` 255, `seed` 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForestParams(ForestValidParams);

impl Default for ForestParams {
    fn default() -> Self {
        Self(ForestValidParams {
            n_trees: 100,
            bootstrap: true,
            sample_fraction: 1.0,
            max_features: 0.5,
            max_depth: 16,
            min_samples_leaf: 5,
            min_gain: 0.0,
            max_bins: super::tree::MAX_BINS,
            seed: 0,
        })
    }
}

impl ForestParams {
    /// Number of trees, at least 1.
    #[must_use]
    pub fn n_trees(mut self, v: usize) -> Self {
        self.0.n_trees = v;
        self
    }
    /// Draw rows with replacement (bootstrap) or without.
    #[must_use]
    pub fn bootstrap(mut self, v: bool) -> Self {
        self.0.bootstrap = v;
        self
    }
    /// Rows drawn per tree as a share of the rows, in (0, 1]
    /// (`round(share · n)` draws, at least one). With `bootstrap` off and a
    /// share of 1 every tree sees every row.
    #[must_use]
    pub fn sample_fraction(mut self, v: f64) -> Self {
        self.0.sample_fraction = v;
        self
    }
    /// Share of features, in (0, 1], drawn at each split.
    #[must_use]
    pub fn max_features(mut self, v: f64) -> Self {
        self.0.max_features = v;
        self
    }
    /// Largest tree depth, 1 ..= 64.
    #[must_use]
    pub fn max_depth(mut self, v: usize) -> Self {
        self.0.max_depth = v;
        self
    }
    /// Fewest rows (bootstrap draws) in a leaf, at least 1.
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
    /// Most bins per feature, 2 ..= 255.
    #[must_use]
    pub fn max_bins(mut self, v: usize) -> Self {
        self.0.max_bins = v;
        self
    }
    /// Seed; tree `i` draws from a generator seeded from `(seed, i)`.
    #[must_use]
    pub fn seed(mut self, v: u64) -> Self {
        self.0.seed = v;
        self
    }

    /// Validate the hyperparameters.
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] naming the first invalid one.
    pub fn check(self) -> Result<ForestValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }

    /// Validate the hyperparameters without consuming them.
    ///
    /// # Errors
    /// As [`ForestParams::check`].
    pub fn check_ref(&self) -> Result<&ForestValidParams> {
        let p = &self.0;
        if p.n_trees == 0 {
            return Err(invalid("n_trees", "must be at least 1"));
        }
        if !(p.sample_fraction > 0.0 && p.sample_fraction <= 1.0) {
            return Err(invalid("sample_fraction", "must be in (0, 1]"));
        }
        check_tree_fields(p.max_depth, p.min_samples_leaf, p.min_gain, p.max_features, p.max_bins)?;
        Ok(p)
    }

    /// Check, then fit (see [`ForestValidParams::fit`]).
    ///
    /// # Errors
    /// As [`ForestParams::check`] and [`ForestValidParams::fit`].
    pub fn fit(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<FittedForest> {
        self.check_ref()?.fit(x, n_features, y)
    }
}

/// A fitted random forest: the mean of its trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedForest {
    trees: Vec<FittedTree>,
    n_features: usize,
}

impl FittedForest {
    /// The prediction for one row: the mean of the trees.
    ///
    /// # Panics
    /// When `row` is shorter than the number of features fitted.
    #[must_use]
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        self.trees.iter().map(|t| t.predict_row(row)).sum::<f64>() / self.trees.len() as f64
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

    /// The trees, in the order of their seeds.
    #[must_use]
    pub fn trees(&self) -> &[FittedTree] {
        &self.trees
    }
}

impl RowModel for FittedForest {
    fn predict_row(&self, row: &[f64]) -> f64 {
        FittedForest::predict_row(self, row)
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // x, y, a, b: the usual names in tests
mod tests {
    use super::*;

    fn data(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Vec::with_capacity(4 * n);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let r: [f64; 4] = [rng.random(), rng.random(), rng.random(), rng.random()];
            y.push(10.0 * r[0] + 5.0 * f64::from(u8::from(r[1] > 0.5)) + rng.random::<f64>());
            x.extend(r);
        }
        (x, y)
    }

    #[test]
    fn same_seed_same_forest_different_seed_different() {
        let (x, y) = data(1, 300);
        let p = RandomForest::params().n_trees(30);
        let a = p.seed(42).fit(&x, 4, &y).unwrap();
        let b = p.seed(42).fit(&x, 4, &y).unwrap();
        let c = p.seed(43).fit(&x, 4, &y).unwrap();
        assert_eq!(a.predict(&x).unwrap(), b.predict(&x).unwrap());
        assert_eq!(a, b);
        assert_ne!(a.predict(&x).unwrap(), c.predict(&x).unwrap());
    }

    #[test]
    fn one_thread_and_two_threads_build_the_same_forest() {
        let (x, y) = data(2, 300);
        let p = RandomForest::params().n_trees(40).seed(9);
        let fit_on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| p.fit(&x, 4, &y).unwrap())
        };
        let one = fit_on(1);
        let two = fit_on(2);
        assert_eq!(one, two);
        assert_eq!(one.predict(&x).unwrap(), two.predict(&x).unwrap());
    }

    #[test]
    fn averaging_beats_a_single_deep_tree_on_held_out_rows() {
        let (x, y) = data(3, 700);
        let (train, test) = (500, 200);
        let forest = RandomForest::params()
            .n_trees(50)
            .min_samples_leaf(1)
            .max_depth(30)
            .fit(&x[..train * 4], 4, &y[..train])
            .unwrap();
        let tree = RandomForest::params()
            .n_trees(1)
            .bootstrap(false)
            .max_features(1.0)
            .min_samples_leaf(1)
            .max_depth(30)
            .fit(&x[..train * 4], 4, &y[..train])
            .unwrap();
        let mse = |m: &FittedForest| {
            let p = m.predict(&x[train * 4..]).unwrap();
            p.iter().zip(&y[train..]).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / f64::from(test)
        };
        let (f, t) = (mse(&forest), mse(&tree));
        assert!(f < t, "forest {f} vs tree {t}");
        // Noise is uniform on [0, 1) (variance 1/12); the forest is within a
        // small multiple of it.
        assert!(f < 0.5, "forest mse {f}");
    }

    #[test]
    fn without_bootstrap_or_feature_draws_every_tree_is_the_same() {
        let (x, y) = data(4, 100);
        let f = RandomForest::params()
            .n_trees(3)
            .bootstrap(false)
            .max_features(1.0)
            .fit(&x, 4, &y)
            .unwrap();
        assert_eq!(f.trees()[0], f.trees()[1]);
        assert_eq!(f.trees()[1], f.trees()[2]);
    }

    #[test]
    fn invalid_parameters_are_errors() {
        for p in [
            RandomForest::params().n_trees(0),
            RandomForest::params().sample_fraction(0.0),
            RandomForest::params().sample_fraction(2.0),
            RandomForest::params().max_features(0.0),
            RandomForest::params().max_depth(0),
            RandomForest::params().min_samples_leaf(0),
            RandomForest::params().min_gain(-1.0),
        ] {
            assert!(matches!(p.check(), Err(crate::Error::InvalidParameter { .. })), "{p:?}");
        }
    }
}
