//! Histogram-based regression trees, the base learner of
//! [`GradientBoosting`](super::GradientBoosting) and
//! [`RandomForest`](super::RandomForest).
//!
//! Each feature is binned once per fit into at most 255 quantile bins
//! (the histogram algorithm of `LightGBM`: Ke et al., "`LightGBM`: a highly
//! efficient gradient boosting decision tree", NIPS 2017). Cut points lie halfway
//! between consecutive distinct values, so tied values always share a bin and
//! a constant feature has a single bin (it is never split on). A node sums the
//! gradients `g` and hessians `h` of its rows per bin and scans the bins of
//! each feature for the split with the largest gain
//!
//! ```text
//! gain = G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ)
//! ```
//!
//! and leaves are `−G/(H + λ)` (the Newton step of Chen & Guestrin,
//! "`XGBoost`", KDD 2016, eq. 5–7, without their ½). Trees fitted here use the
//! squared loss, `g = prediction − y` and `h = 1` (so `H` is the row count);
//! with λ = 0 the gain is the decrease of the sum of squared errors and a
//! leaf is the mean of its targets (CART: Breiman, Friedman, Olshen & Stone
//! 1984).
//!
//! The split search sums gradients rounded to integers (`LightGBM`'s
//! quantised training: Shi, Zhang, Ke et al., "Quantized training of
//! gradient boosting decision trees", `NeurIPS` 2022): a tree of `n` rows
//! measures gradients in steps of `max|g| · n / (2³¹ − 1)` (15 bits of
//! precision for 80,000 rows), and a bin packs the sum of its steps and
//! its row count into one 64-bit integer. A histogram update is then one
//! integer addition, and sums and the subtraction below are exact. Leaf
//! values are computed from the exact gradients of the leaf's rows, so
//! only the choice among nearly equal splits can differ from
//! floating-point sums. A gradient below one step counts as zero in the
//! split search: a tree cannot isolate structure more than 2³¹/n times
//! smaller than its largest gradient. When every split sees every feature, a node's larger child gets
//! its histogram as the parent's minus the smaller child's (`LightGBM`'s
//! histogram subtraction), so each level reads at most half of the rows.
//! The bins are kept column by column: histograms are built one feature at
//! a time from its column (`LightGBM`'s column-wise mode: that feature's
//! bins stay in L1 cache), and a node's rows are partitioned on the split
//! feature's column without branches. With the `parallel` feature, a large
//! node's features are shared out among rayon's threads; each feature's
//! bins are still summed by one thread in row order, so the tree is the
//! same on any number of threads. A node's gradient sum comes from its
//! parent's split, not another pass over its rows.
//!
//! A row goes left at a split when its value is `≤` the split's threshold; a
//! NaN goes right. Ties between equally good splits go to the lower feature
//! index, then the lower bin, so a fit is deterministic.
//!
//! ```
//! use hutano_forecast::trees::RegressionTree;
//!
//! // y = 1 for x ≤ 2, else 5: one split fits it.
//! let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
//! let y = [1.0, 1.0, 1.0, 5.0, 5.0, 5.0];
//! let tree = RegressionTree::params().max_depth(2).fit(&x, 1, &y)?;
//! assert_eq!(tree.predict_row(&[1.5]), 1.0);
//! assert_eq!(tree.predict_row(&[4.5]), 5.0);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The largest number of bins per feature (bin indices fit in a `u8`).
pub const MAX_BINS: usize = 255;

/// The deepest tree accepted, which bounds the recursion of the learner.
pub const MAX_DEPTH: usize = 64;

/// A row index of the binned data. Four bytes rather than eight halve the
/// memory the learner's partitions and histograms stream through; a fit
/// takes at most `u32::MAX` rows ([`check_matrix`]).
pub(crate) type Row = u32;

/// The fewest bin updates (rows × features) for which a node's histogram
/// is built on several threads (`parallel` feature): below it, handing
/// features to rayon's pool costs more than it saves.
#[cfg(feature = "parallel")]
const PARALLEL_HISTOGRAM_WORK: usize = 1 << 16;

/// Entry point for a single regression tree: [`RegressionTree::params`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegressionTree;

impl RegressionTree {
    /// Default hyperparameters (see [`TreeParams`]).
    #[must_use]
    pub fn params() -> TreeParams {
        TreeParams::default()
    }
}

/// Checked hyperparameters of a regression tree (from [`TreeParams::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TreeValidParams {
    pub(crate) max_depth: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) min_gain: f64,
    pub(crate) max_features: f64,
    pub(crate) max_bins: usize,
    pub(crate) l2_regularization: f64,
    pub(crate) seed: u64,
    /// `Some(m)`: grow leaf-wise up to `m` leaves; `None`: depth-wise.
    #[serde(default)]
    pub(crate) max_leaves: Option<usize>,
}

impl TreeValidParams {
    /// Largest depth (a stump has depth 1).
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
    /// Share of features drawn at each split.
    #[must_use]
    pub fn max_features(&self) -> f64 {
        self.max_features
    }
    /// Most bins per feature.
    #[must_use]
    pub fn max_bins(&self) -> usize {
        self.max_bins
    }
    /// L2 penalty λ on leaf values.
    #[must_use]
    pub fn l2_regularization(&self) -> f64 {
        self.l2_regularization
    }
    /// Seed of the feature draws.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Most leaves of a leaf-wise tree (`None`: grown depth-wise).
    #[must_use]
    pub fn max_leaves(&self) -> Option<usize> {
        self.max_leaves
    }

    /// Fit a tree to the row-major matrix `x` (`y.len()` rows ×
    /// `n_features` columns) and targets `y`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the shapes disagree or there is no
    /// row or column; [`Error::NonFinite`] for a NaN or infinite value
    /// (`row` is the matrix row).
    pub fn fit(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<FittedTree> {
        let n = check_matrix(x, n_features, y)?;
        let data = Binned::new(x, n, n_features, self.max_bins);
        let grad: Vec<f64> = y.iter().map(|v| -v).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        Ok(grow(&data, &grad, all_rows(n), self, &mut rng))
    }
}

/// Hyperparameters of a regression tree: a consuming builder, validated by
/// [`TreeParams::check`] (the linfa pattern).
///
/// Defaults: `max_depth` 6, `min_samples_leaf` 1, `min_gain` 0,
/// `max_features` 1 (every feature at every split), `max_bins` 255,
/// `l2_regularization` 0, `seed` 0, `max_leaves` `None` (depth-wise).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TreeParams(TreeValidParams);

impl Default for TreeParams {
    fn default() -> Self {
        Self(TreeValidParams {
            max_depth: 6,
            min_samples_leaf: 1,
            min_gain: 0.0,
            max_features: 1.0,
            max_bins: MAX_BINS,
            l2_regularization: 0.0,
            seed: 0,
            max_leaves: None,
        })
    }
}

impl TreeParams {
    /// Largest depth, 1 ..= [`MAX_DEPTH`] (a stump has depth 1).
    #[must_use]
    pub fn max_depth(mut self, v: usize) -> Self {
        self.0.max_depth = v;
        self
    }
    /// Fewest rows in a leaf, at least 1.
    #[must_use]
    pub fn min_samples_leaf(mut self, v: usize) -> Self {
        self.0.min_samples_leaf = v;
        self
    }
    /// Smallest gain (decrease of the squared error) for a split; finite,
    /// non-negative. A split needs a gain strictly above it.
    #[must_use]
    pub fn min_gain(mut self, v: f64) -> Self {
        self.0.min_gain = v;
        self
    }
    /// Share of features drawn (without replacement) at each split, in
    /// (0, 1]; `⌊share · n_features⌋` features, at least one.
    #[must_use]
    pub fn max_features(mut self, v: f64) -> Self {
        self.0.max_features = v;
        self
    }
    /// Most bins per feature, 2 ..= [`MAX_BINS`].
    #[must_use]
    pub fn max_bins(mut self, v: usize) -> Self {
        self.0.max_bins = v;
        self
    }
    /// L2 penalty λ on leaf values; finite, non-negative.
    #[must_use]
    pub fn l2_regularization(mut self, v: f64) -> Self {
        self.0.l2_regularization = v;
        self
    }
    /// Seed of the feature draws (used only when `max_features` < 1).
    #[must_use]
    pub fn seed(mut self, v: u64) -> Self {
        self.0.seed = v;
        self
    }
    /// `Some(m)`: grow the tree leaf-wise, always splitting the leaf whose
    /// best split gains most, until it has `m` ≥ 2 leaves (`LightGBM`'s
    /// growth; `max_depth` still bounds it); `None` (the default): grow
    /// every node that can split, depth by depth, to `max_depth`.
    #[must_use]
    pub fn max_leaves(mut self, v: Option<usize>) -> Self {
        self.0.max_leaves = v;
        self
    }

    /// Validate the hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first invalid one.
    pub fn check(self) -> Result<TreeValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }

    /// Validate the hyperparameters without consuming them.
    ///
    /// # Errors
    /// As [`TreeParams::check`].
    pub fn check_ref(&self) -> Result<&TreeValidParams> {
        let p = &self.0;
        check_tree_fields(p.max_depth, p.min_samples_leaf, p.min_gain, p.max_features, p.max_bins)?;
        check_max_leaves(p.max_leaves)?;
        if !(p.l2_regularization.is_finite() && p.l2_regularization >= 0.0) {
            return Err(invalid("l2_regularization", "must be finite and non-negative"));
        }
        Ok(p)
    }

    /// Check, then fit (see [`TreeValidParams::fit`]).
    ///
    /// # Errors
    /// As [`TreeParams::check`] and [`TreeValidParams::fit`].
    pub fn fit(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<FittedTree> {
        self.check_ref()?.fit(x, n_features, y)
    }
}

/// Validate the hyperparameters shared by every tree learner.
pub(crate) fn check_tree_fields(
    max_depth: usize,
    min_samples_leaf: usize,
    min_gain: f64,
    max_features: f64,
    max_bins: usize,
) -> Result<()> {
    if !(1..=MAX_DEPTH).contains(&max_depth) {
        return Err(invalid("max_depth", "must be between 1 and 64"));
    }
    if min_samples_leaf == 0 {
        return Err(invalid("min_samples_leaf", "must be at least 1"));
    }
    if !(min_gain.is_finite() && min_gain >= 0.0) {
        return Err(invalid("min_gain", "must be finite and non-negative"));
    }
    if !(max_features > 0.0 && max_features <= 1.0) {
        return Err(invalid("max_features", "must be in (0, 1]"));
    }
    if !(2..=MAX_BINS).contains(&max_bins) {
        return Err(invalid("max_bins", "must be between 2 and 255"));
    }
    Ok(())
}

/// Validate a leaf-wise tree's leaf budget.
pub(crate) fn check_max_leaves(max_leaves: Option<usize>) -> Result<()> {
    match max_leaves {
        Some(m) if m < 2 => Err(invalid("max_leaves", "must be at least 2")),
        _ => Ok(()),
    }
}

pub(crate) fn invalid(name: &'static str, problem: &str) -> Error {
    Error::InvalidParameter {
        name,
        problem: problem.into(),
    }
}

/// Check a row-major matrix and its targets; returns the number of rows.
pub(crate) fn check_matrix(x: &[f64], n_features: usize, y: &[f64]) -> Result<usize> {
    if n_features == 0 {
        return Err(invalid("n_features", "must be at least 1"));
    }
    if y.is_empty() {
        return Err(invalid("y", "no row to fit"));
    }
    if Row::try_from(y.len()).is_err() {
        return Err(Error::InvalidParameter {
            name: "y",
            problem: format!("{} rows is more than the {} a tree learns from", y.len(), Row::MAX),
        });
    }
    if y.len().checked_mul(n_features) != Some(x.len()) {
        return Err(Error::InvalidParameter {
            name: "x",
            problem: format!("{} values is not {} rows of {} features", x.len(), y.len(), n_features),
        });
    }
    let bad_x = x.iter().position(|v| !v.is_finite()).map(|i| i / n_features);
    let bad_y = y.iter().position(|v| !v.is_finite());
    if let Some(row) = match (bad_x, bad_y) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    } {
        return Err(Error::NonFinite {
            unique_id: String::new(),
            row,
        });
    }
    Ok(y.len())
}

/// A matrix binned once per fit, stored column by column (histograms and
/// partitions read one feature of many rows).
#[derive(Debug, Clone)]
pub(crate) struct Binned {
    /// `cols[f·n_rows + r]`: the bin of row `r`, feature `f`.
    cols: Vec<u8>,
    n_rows: usize,
    pub(crate) n_features: usize,
    /// Per feature, ascending cut points; bin `b` holds the values in
    /// `(cuts[b−1], cuts[b]]`.
    cuts: Vec<Vec<f64>>,
    /// Start of each feature's bins in a histogram; `offsets[n_features]` is
    /// the histogram's length.
    offsets: Vec<usize>,
}

impl Binned {
    /// Bin every feature of `x` (finite, `n_rows × n_features`, row-major).
    pub(crate) fn new(x: &[f64], n_rows: usize, n_features: usize, max_bins: usize) -> Self {
        let mut cuts = Vec::with_capacity(n_features);
        let mut col = Vec::with_capacity(n_rows);
        for f in 0..n_features {
            col.clear();
            col.extend((0..n_rows).map(|r| x[r * n_features + f]));
            col.sort_by(f64::total_cmp);
            cuts.push(quantile_cuts(&col, max_bins));
        }
        let mut cols = vec![0u8; n_rows * n_features];
        for r in 0..n_rows {
            for (f, c) in cuts.iter().enumerate() {
                cols[f * n_rows + r] = bin_of(c, x[r * n_features + f]);
            }
        }
        let mut offsets = Vec::with_capacity(n_features + 1);
        let mut acc = 0;
        offsets.push(0);
        for c in &cuts {
            acc += c.len() + 1;
            offsets.push(acc);
        }
        Self {
            cols,
            n_rows,
            n_features,
            cuts,
            offsets,
        }
    }

    /// Feature `f`'s bins of every row (column-major).
    fn column(&self, f: usize) -> &[u8] {
        &self.cols[f * self.n_rows..(f + 1) * self.n_rows]
    }

    /// The bin of row `r`, feature `f`.
    #[cfg(test)]
    fn bin(&self, r: usize, f: usize) -> u8 {
        self.column(f)[r]
    }
}

/// Rows `0..n` (`n` ≤ `u32::MAX`: [`check_matrix`]).
pub(crate) fn all_rows(n: usize) -> Vec<Row> {
    (0..Row::try_from(n).unwrap_or(Row::MAX)).collect()
}

/// The bin of `v`: the number of cut points below it.
fn bin_of(cuts: &[f64], v: f64) -> u8 {
    u8::try_from(cuts.partition_point(|&c| c < v)).unwrap_or(u8::MAX)
}

/// A point in `[a, b)` strictly below `b` (for `a < b`): the midpoint, or `a`
/// when the two are adjacent floats.
fn midpoint(a: f64, b: f64) -> f64 {
    let m = 0.5 * a + 0.5 * b;
    if a <= m && m < b {
        m
    } else {
        a
    }
}

/// Cut points of one feature from its sorted values: between every two
/// distinct values when there are at most `max_bins` of them, otherwise
/// after the first distinct value at which the cumulative count reaches each
/// multiple of `n / max_bins` (equal-frequency bins that never split a tie).
/// At most `max_bins − 1` cuts.
#[allow(clippy::float_cmp)] // exact ties are what is being detected
fn quantile_cuts(sorted: &[f64], max_bins: usize) -> Vec<f64> {
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for &v in sorted {
        match distinct.last_mut() {
            Some((d, c)) if *d == v => *c += 1,
            _ => distinct.push((v, 1)),
        }
    }
    let n = sorted.len();
    if distinct.len() <= max_bins {
        return distinct.windows(2).map(|w| midpoint(w[0].0, w[1].0)).collect();
    }
    let mut cuts = Vec::with_capacity(max_bins - 1);
    let mut cum = 0;
    for w in distinct.windows(2) {
        cum += w[0].1;
        // cum ≤ n − 1 here, so the k-th cut needs k < max_bins.
        if cum * max_bins >= (cuts.len() + 1) * n {
            cuts.push(midpoint(w[0].0, w[1].0));
        }
    }
    cuts
}

/// One node of a fitted tree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Node {
    Leaf {
        value: f64,
    },
    Split {
        feature: usize,
        /// Rows with a bin `≤ bin` go left (training data).
        bin: u8,
        /// Rows with a value `≤ threshold` go left (new data).
        threshold: f64,
        left: usize,
        right: usize,
    },
}

/// A fitted regression tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedTree {
    /// Nodes, root first.
    nodes: Vec<Node>,
    n_features: usize,
}

impl FittedTree {
    /// The prediction for one row of `n_features` values (a NaN goes right
    /// at every split on it).
    ///
    /// # Panics
    /// When `row` is shorter than the number of features fitted.
    #[must_use]
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            match self.nodes[i] {
                Node::Leaf { value } => return value,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                    ..
                } => i = if row[feature] <= threshold { left } else { right },
            }
        }
    }

    /// Predictions for every row of the row-major matrix `x`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `x.len()` is not a multiple of the
    /// number of features fitted.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>> {
        predict_matrix(x, self.n_features, |r| self.predict_row(r))
    }

    /// Add the tree's prediction for each of `rows` of the binned training
    /// data to `pred[row]`. The rows are routed down the tree a node at a
    /// time (each split partitions the node's rows on one column of bins)
    /// rather than a row at a time, which streams through the columns
    /// instead of chasing each row's bins. `rows` is reordered; `scratch`
    /// is working space.
    pub(crate) fn add_binned(&self, data: &Binned, rows: &mut [Row], scratch: &mut Vec<Row>, pred: &mut [f64]) {
        self.route(0, data, rows, scratch, pred);
    }

    fn route(&self, node: usize, data: &Binned, rows: &mut [Row], scratch: &mut Vec<Row>, pred: &mut [f64]) {
        match self.nodes[node] {
            Node::Leaf { value } => {
                for &r in rows.iter() {
                    pred[r as usize] += value;
                }
            }
            Node::Split {
                feature,
                bin,
                left,
                right,
                ..
            } => {
                let n_left = partition(data.column(feature), usize::from(bin), rows, scratch);
                let (l, r) = rows.split_at_mut(n_left);
                self.route(left, data, l, scratch, pred);
                self.route(right, data, r, scratch, pred);
            }
        }
    }

    /// The features split on, in node order (with repeats).
    #[cfg(test)]
    pub(crate) fn split_features(&self) -> Vec<usize> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Split { feature, .. } => Some(*feature),
                Node::Leaf { .. } => None,
            })
            .collect()
    }

    /// The value of leaf `node` (0 for a split node).
    pub(crate) fn leaf_value(&self, node: usize) -> f64 {
        match self.nodes[node] {
            Node::Leaf { value } => value,
            Node::Split { .. } => 0.0,
        }
    }

    /// Multiply every leaf by `factor` (boosting's learning rate).
    pub(crate) fn scale_leaves(&mut self, factor: f64) {
        for n in &mut self.nodes {
            if let Node::Leaf { value } = n {
                *value *= factor;
            }
        }
    }

    /// Number of features the tree was fitted on.
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of leaves.
    #[must_use]
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| matches!(n, Node::Leaf { .. })).count()
    }

    /// Depth: the number of splits on the longest root-to-leaf path.
    #[must_use]
    pub fn depth(&self) -> usize {
        fn walk(nodes: &[Node], i: usize) -> usize {
            match nodes[i] {
                Node::Leaf { .. } => 0,
                Node::Split { left, right, .. } => 1 + walk(nodes, left).max(walk(nodes, right)),
            }
        }
        walk(&self.nodes, 0)
    }
}

/// Apply `predict_row` to every row of `x`.
pub(crate) fn predict_matrix(x: &[f64], n_features: usize, predict_row: impl Fn(&[f64]) -> f64) -> Result<Vec<f64>> {
    if n_features == 0 || x.len() % n_features != 0 {
        return Err(Error::InvalidParameter {
            name: "x",
            problem: format!("{} values is not a whole number of rows of {n_features}", x.len()),
        });
    }
    Ok(x.chunks_exact(n_features).map(predict_row).collect())
}

/// Sums over the rows of a node or a bin, packed in one integer: the sum
/// of the rows' quantised gradients ([`Quantiser`]) in the high 32 bits and
/// their count in the low 32. The loss is squared error, whose hessian is 1
/// for every row, so the hessian sum is the count. Packed, a histogram
/// update is one integer addition, and sums and differences are exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Acc(i64);

impl Acc {
    /// One row of quantised gradient `q` (`|q|` ≤ [`QUANTISED_SUM_MAX`]).
    fn row(q: i64) -> Self {
        Self((q << 32) + 1)
    }

    fn add(&mut self, o: Acc) {
        self.0 += o.0;
    }

    fn sub(&mut self, o: Acc) {
        self.0 -= o.0;
    }

    /// The number of rows.
    fn n(self) -> usize {
        // The low 32 bits: a count below 2^32.
        usize::try_from(self.0 & 0xFFFF_FFFF).unwrap_or(usize::MAX)
    }

    /// The sum of the quantised gradients (the count never carries into
    /// the high bits, so the arithmetic shift floors it away).
    fn q(self) -> i64 {
        self.0 >> 32
    }

    /// The hessian sum.
    fn h(self) -> f64 {
        self.n() as f64
    }
}

/// The largest absolute sum of quantised gradients over a tree's rows: it
/// must fit in the 32 signed high bits of an [`Acc`].
const QUANTISED_SUM_MAX: i64 = (1 << 31) - 1;

/// Gradients rounded to integer multiples of one step, for the split
/// search (`LightGBM`'s quantised training: Shi, Zhang, Ke et al.,
/// "Quantized training of gradient boosting decision trees", `NeurIPS` 2022).
/// A tree of `n` rows gets `⌊(2³¹ − 1)/n⌋` steps on each side of zero
/// (26,843 for 80,000 rows, i.e. 15 bits), so that no sum over its rows
/// can overflow. Splits are chosen on these sums; leaf values are computed
/// from the exact gradients.
#[derive(Debug, Clone, Copy)]
struct Quantiser {
    /// The gradient one step stands for.
    step: f64,
    /// `1 / step`.
    inverse: f64,
}

impl Quantiser {
    /// Steps for the gradients `grad[r]` of `rows` (with repeats).
    fn new(grad: &[f64], rows: &[Row]) -> Self {
        let n = i64::try_from(rows.len()).unwrap_or(i64::MAX).max(1);
        let steps = (QUANTISED_SUM_MAX / n).max(1);
        let max = rows.iter().fold(0.0_f64, |m, &r| m.max(grad[r as usize].abs()));
        let step = if max > 0.0 { max / steps as f64 } else { 1.0 };
        Self {
            step,
            inverse: 1.0 / step,
        }
    }

    /// The packed single-row sum of gradient `g`, rounded half away from
    /// zero (by adding ±½ and truncating: `f64::round` is a library call
    /// on the baseline x86-64 target).
    #[allow(clippy::cast_possible_truncation)] // |g/step| ≤ steps < 2^31
    fn row(self, g: f64) -> Acc {
        let x = g * self.inverse;
        Acc::row((x + 0.5_f64.copysign(x)) as i64)
    }

    /// The gradient sum a quantised sum stands for.
    fn gradient(self, a: Acc) -> f64 {
        a.q() as f64 * self.step
    }
}

#[derive(Debug, Clone, Copy)]
struct Split {
    feature: usize,
    bin: usize,
    gain: f64,
    /// Gradient sum and count of the rows going left.
    left: Acc,
}

/// A leaf of a tree grown leaf-wise, not yet split.
struct OpenLeaf {
    /// Its node.
    id: usize,
    /// Its rows: `len` of the tree's rows from `start`.
    start: usize,
    len: usize,
    depth: usize,
    /// Sums over its rows.
    total: Acc,
    /// Its histogram, kept while it has a split.
    hist: Option<Vec<Acc>>,
    /// Its best split.
    split: Option<Split>,
}

/// Grow a tree on `rows` (indices into `data`, repeats allowed: a bootstrap
/// sample) with per-row gradients (hessians are 1: squared loss).
pub(crate) fn grow(
    data: &Binned,
    grad: &[f64],
    rows: Vec<Row>,
    params: &TreeValidParams,
    rng: &mut ChaCha8Rng,
) -> FittedTree {
    grow_with_leaves(data, grad, rows, params, rng, None, &mut Workspace::default()).0
}

/// The leaves of a grown tree: `rows` reordered so that each leaf's rows
/// are contiguous, and per leaf `(node, start, len)` into `rows`.
pub(crate) struct Leaves {
    pub(crate) rows: Vec<Row>,
    pub(crate) ranges: Vec<(usize, usize, usize)>,
}

/// Working buffers of the learner, kept from one tree to the next (a
/// boosted model grows hundreds of trees on the same rows; fresh buffers
/// of that size cost a page fault per 4 KiB each time).
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Histogram buffers to reuse.
    spare: Vec<Vec<Acc>>,
    /// Partition scratch.
    scratch: Vec<Row>,
    /// The packed quantised gradient of each data row.
    row_acc: Vec<Acc>,
    /// The packed quantised gradients of a node's rows, in order.
    node_acc: Vec<Acc>,
}

/// As [`grow`], also returning which rows each leaf holds (boosting updates
/// the training predictions of the sampled rows from it without walking the
/// tree); `features` (ascending) restricts the tree to those features
/// (boosting's per-tree column sampling), `None` allows all. `workspace`
/// lends its buffers to the learner and gets them back.
pub(crate) fn grow_with_leaves(
    data: &Binned,
    grad: &[f64],
    mut rows: Vec<Row>,
    params: &TreeValidParams,
    rng: &mut ChaCha8Rng,
    features: Option<&[usize]>,
    workspace: &mut Workspace,
) -> (FittedTree, Leaves) {
    let p = data.n_features;
    let perm: Vec<usize> = features.map_or_else(|| (0..p).collect(), <[usize]>::to_vec);
    let allowed = perm.len().max(1);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    // max_features ∈ (0, 1], so the product lies in [0, allowed].
    let n_draw = ((params.max_features * allowed as f64).floor() as usize).clamp(1, allowed);
    let quantiser = Quantiser::new(grad, &rows);
    let mut row_acc = std::mem::take(&mut workspace.row_acc);
    row_acc.resize(data.n_rows, Acc::default());
    for &r in &rows {
        row_acc[r as usize] = quantiser.row(grad[r as usize]);
    }
    let mut grower = Grower {
        data,
        grad,
        params,
        rng,
        spare: std::mem::take(&mut workspace.spare),
        perm,
        chosen: Vec::with_capacity(p),
        n_draw,
        scratch: std::mem::take(&mut workspace.scratch),
        row_acc,
        node_acc: std::mem::take(&mut workspace.node_acc),
        quantiser,
        nodes: Vec::new(),
        leaves: Vec::new(),
    };
    match params.max_leaves {
        Some(m) => grower.grow_leafwise(&mut rows, m),
        None => {
            grower.grow(&mut rows, 0, 0, None, None);
        }
    }
    *workspace = Workspace {
        spare: grower.spare,
        scratch: grower.scratch,
        row_acc: grower.row_acc,
        node_acc: grower.node_acc,
    };
    let tree = FittedTree {
        nodes: grower.nodes,
        n_features: p,
    };
    let ranges = grower.leaves;
    (tree, Leaves { rows, ranges })
}

struct Grower<'a> {
    data: &'a Binned,
    grad: &'a [f64],
    params: &'a TreeValidParams,
    rng: &'a mut ChaCha8Rng,
    /// Histogram buffers to reuse (one live per level of the recursion).
    spare: Vec<Vec<Acc>>,
    perm: Vec<usize>,
    chosen: Vec<usize>,
    n_draw: usize,
    scratch: Vec<Row>,
    /// The packed quantised gradient of each data row in the tree.
    row_acc: Vec<Acc>,
    /// The packed quantised gradients of a node's rows, in order
    /// (histogram scratch).
    node_acc: Vec<Acc>,
    quantiser: Quantiser,
    nodes: Vec<Node>,
    /// `(node, start, len)` of each leaf in the reordered rows.
    leaves: Vec<(usize, usize, usize)>,
}

impl Grower<'_> {
    fn score(&self, a: Acc) -> f64 {
        let d = a.h() + self.params.l2_regularization;
        if d > 0.0 {
            let g = self.quantiser.gradient(a);
            g * g / d
        } else {
            0.0
        }
    }

    /// The leaf value of `rows`, `−G/(H + λ)` from their exact gradients.
    fn leaf_value(&self, rows: &[Row]) -> f64 {
        let g: f64 = rows.iter().map(|&r| self.grad[r as usize]).sum();
        let d = rows.len() as f64 + self.params.l2_regularization;
        if d > 0.0 {
            -g / d
        } else {
            0.0
        }
    }

    /// Grow the subtree of `rows` at `depth`; returns its node index.
    /// `hist` is the node's histogram when the parent derived it.
    ///
    /// When every split sees every feature (boosting's default), a node's
    /// children get their histograms the way `LightGBM` does (Ke et al.
    /// 2017, §2): the smaller child's from its rows, the larger one's as
    /// the parent's minus the smaller's, so each level reads at most half
    /// of the rows. Forests draw features per split, so their nodes build
    /// their own.
    ///
    /// `total` is the node's gradient sum and count when the parent's split
    /// already knows it (the left side's sum over the histogram's bins).
    fn grow(
        &mut self,
        rows: &mut [Row],
        start: usize,
        depth: usize,
        hist: Option<Vec<Acc>>,
        total: Option<Acc>,
    ) -> usize {
        let total = total.unwrap_or_else(|| self.sums(rows));
        let id = self.nodes.len();
        self.nodes.push(Node::Leaf { value: 0.0 });
        if !self.splits(depth, rows.len()) {
            self.recycle(hist);
            self.make_leaf(id, rows, start);
            return id;
        }
        self.draw_features();
        let hist = match hist {
            Some(h) => h,
            None => self.histogram(rows),
        };
        let Some(split) = self.best_split(&hist, total) else {
            self.recycle(Some(hist));
            self.make_leaf(id, rows, start);
            return id;
        };
        let n_left = self.partition(rows, split.feature, split.bin);
        debug_assert_eq!(n_left, split.left.n());
        let (l, r) = rows.split_at_mut(n_left);
        let (left_hist, right_hist) = self.child_histograms(hist, l, r, depth + 1);
        let mut right_total = total;
        right_total.sub(split.left);
        let left = self.grow(l, start, depth + 1, left_hist, Some(split.left));
        let right = self.grow(r, start + n_left, depth + 1, right_hist, Some(right_total));
        self.nodes[id] = self.split_node(&split, left, right);
        id
    }

    /// Grow the tree of `rows` leaf-wise (`LightGBM`'s best-first growth:
    /// Shi, "Best-first decision tree learning", 2007): of the leaves that
    /// can split, always split the one whose best split gains most (ties:
    /// the earliest node), until there are `max_leaves` leaves or no leaf
    /// can split. Children's histograms come by subtraction as in
    /// [`Grower::grow`]; each open leaf keeps its histogram until it is
    /// split.
    fn grow_leafwise(&mut self, rows: &mut [Row], max_leaves: usize) {
        let total = self.sums(rows);
        self.nodes.push(Node::Leaf { value: 0.0 });
        let root = self.open_leaf(0, 0, rows.len(), 0, None, total, rows);
        let mut open = vec![root];
        let mut n_leaves = 1;
        while n_leaves < max_leaves {
            // The open leaf whose split gains most; ties to the lowest node.
            let best = open
                .iter()
                .enumerate()
                .filter_map(|(k, o)| o.split.map(|s| (k, s.gain, o.id)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)));
            let Some((k, _, _)) = best else { break };
            let leaf = open.swap_remove(k);
            let (Some(split), Some(hist)) = (leaf.split, leaf.hist) else {
                unreachable!("an open leaf with a split keeps its histogram")
            };
            let node_rows = &mut rows[leaf.start..leaf.start + leaf.len];
            let n_left = self.partition(node_rows, split.feature, split.bin);
            debug_assert_eq!(n_left, split.left.n());
            let (l, r) = node_rows.split_at_mut(n_left);
            n_leaves += 1;
            // After the last split the children stay leaves: no histogram.
            let (left_hist, right_hist, depth) = if n_leaves < max_leaves {
                let (lh, rh) = self.child_histograms(hist, l, r, leaf.depth + 1);
                (lh, rh, leaf.depth + 1)
            } else {
                self.recycle(Some(hist));
                (None, None, MAX_DEPTH)
            };
            let (left, right) = (self.nodes.len(), self.nodes.len() + 1);
            self.nodes.push(Node::Leaf { value: 0.0 });
            self.nodes.push(Node::Leaf { value: 0.0 });
            self.nodes[leaf.id] = self.split_node(&split, left, right);
            let mut right_total = leaf.total;
            right_total.sub(split.left);
            // (`depth` MAX_DEPTH: a leaf that may not split.)
            open.push(self.open_leaf(left, leaf.start, n_left, depth, left_hist, split.left, l));
            let right_start = leaf.start + n_left;
            open.push(self.open_leaf(right, right_start, leaf.len - n_left, depth, right_hist, right_total, r));
        }
        // Leaves in node order, as the depth-wise growth lists them.
        open.sort_unstable_by_key(|o| o.id);
        for o in open {
            self.recycle(o.hist);
            let leaf_rows = &rows[o.start..o.start + o.len];
            self.make_leaf(o.id, leaf_rows, o.start);
        }
    }

    /// A leaf of the leaf-wise growth with its best split (`None` when it
    /// cannot split); it keeps its histogram only while it has a split.
    #[allow(clippy::too_many_arguments)] // the leaf's place, rows and sums
    fn open_leaf(
        &mut self,
        id: usize,
        start: usize,
        len: usize,
        depth: usize,
        hist: Option<Vec<Acc>>,
        total: Acc,
        rows: &[Row],
    ) -> OpenLeaf {
        let mut leaf = OpenLeaf {
            id,
            start,
            len,
            depth,
            total,
            hist: None,
            split: None,
        };
        if !self.splits(depth, len) {
            self.recycle(hist);
            return leaf;
        }
        self.draw_features();
        let hist = match hist {
            Some(h) => h,
            None => self.histogram(rows),
        };
        leaf.split = self.best_split(&hist, total);
        if leaf.split.is_some() {
            leaf.hist = Some(hist);
        } else {
            self.recycle(Some(hist));
        }
        leaf
    }

    /// The packed sums over `rows`.
    fn sums(&self, rows: &[Row]) -> Acc {
        let mut total = Acc::default();
        for &r in rows {
            total.add(self.row_acc[r as usize]);
        }
        total
    }

    /// The node of `split` with children `left` and `right`.
    fn split_node(&self, split: &Split, left: usize, right: usize) -> Node {
        Node::Split {
            feature: split.feature,
            bin: u8::try_from(split.bin).unwrap_or(u8::MAX),
            threshold: self.data.cuts[split.feature][split.bin],
            left,
            right,
        }
    }

    /// Make node `id`, of `rows` starting at `start` in the tree's rows, a
    /// leaf.
    fn make_leaf(&mut self, id: usize, rows: &[Row], start: usize) {
        self.nodes[id] = Node::Leaf {
            value: self.leaf_value(rows),
        };
        self.leaves.push((id, start, rows.len()));
    }

    /// Whether a node of `n` rows at `depth` may be split.
    fn splits(&self, depth: usize, n: usize) -> bool {
        depth < self.params.max_depth && n >= 2 * self.params.min_samples_leaf
    }

    /// The histograms of the children (`None` where the child builds its
    /// own or is a leaf), from the parent's `hist` by subtraction.
    fn child_histograms(
        &mut self,
        mut hist: Vec<Acc>,
        left: &[Row],
        right: &[Row],
        depth: usize,
    ) -> (Option<Vec<Acc>>, Option<Vec<Acc>>) {
        let (split_left, split_right) = (self.splits(depth, left.len()), self.splits(depth, right.len()));
        if self.n_draw < self.perm.len() || !(split_left || split_right) {
            self.recycle(Some(hist));
            return (None, None);
        }
        let left_smaller = left.len() <= right.len();
        let small = self.histogram(if left_smaller { left } else { right });
        for (a, b) in hist.iter_mut().zip(&small) {
            a.sub(*b);
        }
        let (l, r) = if left_smaller { (small, hist) } else { (hist, small) };
        let keep = |h: Vec<Acc>, splits: bool, g: &mut Self| {
            if splits {
                Some(h)
            } else {
                g.recycle(Some(h));
                None
            }
        };
        let l = keep(l, split_left, self);
        let r = keep(r, split_right, self);
        (l, r)
    }

    fn recycle(&mut self, hist: Option<Vec<Acc>>) {
        if let Some(h) = hist {
            self.spare.push(h);
        }
    }

    /// The histogram of `rows` over the drawn features (other features'
    /// bins are zero).
    fn histogram(&mut self, rows: &[Row]) -> Vec<Acc> {
        let data = self.data;
        let mut hist = self.spare.pop().unwrap_or_default();
        hist.clear();
        hist.resize(data.offsets[data.n_features], Acc::default());
        // Feature by feature (`LightGBM`'s column-wise histograms), two
        // features a pass: their bins stay in L1 cache while the node's
        // rows and gradients stream by once for both.
        let mut acc = std::mem::take(&mut self.node_acc);
        acc.clear();
        acc.extend(rows.iter().map(|&r| self.row_acc[r as usize]));
        let mut slices = feature_slices(&mut hist, &data.offsets, &self.chosen);
        let fill = |features: &[usize], hists: &mut [&mut [Acc]]| match (features, hists) {
            ([f0, f1], [h0, h1]) => pair_histogram([data.column(*f0), data.column(*f1)], rows, &acc, [h0, h1]),
            (features, hists) => {
                for (&f, h) in features.iter().zip(hists) {
                    feature_histogram(data.column(f), rows, &acc, h);
                }
            }
        };
        #[cfg(feature = "parallel")]
        if rows.len() * self.chosen.len() >= PARALLEL_HISTOGRAM_WORK && rayon::current_num_threads() > 1 {
            use rayon::prelude::*;
            // Each pair of features has its own bins, summed by one thread
            // in row order: the same sums as the serial loop (and integer
            // sums are exact in any order).
            self.chosen
                .par_chunks(2)
                .zip(slices.par_chunks_mut(2))
                .for_each(|(f, h)| fill(f, h));
        } else {
            for (f, h) in self.chosen.chunks(2).zip(slices.chunks_mut(2)) {
                fill(f, h);
            }
        }
        #[cfg(not(feature = "parallel"))]
        for (f, h) in self.chosen.chunks(2).zip(slices.chunks_mut(2)) {
            fill(f, h);
        }
        drop(slices);
        self.node_acc = acc;
        hist
    }

    fn draw_features(&mut self) {
        let p = self.perm.len();
        self.chosen.clear();
        if self.n_draw >= p {
            // Every allowed feature (`perm` is never shuffled then: ascending).
            self.chosen.extend_from_slice(&self.perm);
            return;
        }
        // Partial Fisher–Yates; sorting keeps the tie-break by feature index.
        for i in 0..self.n_draw {
            let j = self.rng.random_range(i..p);
            self.perm.swap(i, j);
        }
        self.chosen.extend_from_slice(&self.perm[..self.n_draw]);
        self.chosen.sort_unstable();
    }

    /// The best split of a node with histogram `hist` over the drawn
    /// features.
    fn best_split(&self, hist: &[Acc], total: Acc) -> Option<Split> {
        let offsets = &self.data.offsets;
        let parent = self.score(total);
        let min_leaf = self.params.min_samples_leaf;
        let mut best: Option<Split> = None;
        let mut best_gain = self.params.min_gain;
        for &f in &self.chosen {
            let bins = &hist[offsets[f]..offsets[f + 1]];
            let mut left = Acc::default();
            for (b, a) in bins.iter().enumerate().take(bins.len().saturating_sub(1)) {
                if a.n() == 0 {
                    // Same split as the previous bin: nothing to score.
                    continue;
                }
                left.add(*a);
                if left.n() < min_leaf {
                    continue;
                }
                if total.n() - left.n() < min_leaf {
                    break;
                }
                let mut right = total;
                right.sub(left);
                let gain = self.score(left) + self.score(right) - parent;
                // The relative floor keeps rounding noise (a constant target)
                // from passing as a gain.
                if gain > best_gain && gain > 1e-12 * parent.abs() {
                    best_gain = gain;
                    best = Some(Split {
                        feature: f,
                        bin: b,
                        gain,
                        left,
                    });
                }
            }
        }
        debug_assert!(best.is_none_or(|s| s.gain > self.params.min_gain));
        best
    }

    /// Stable partition of `rows`: bins `≤ bin` of feature `f` first.
    /// Returns the number of left rows.
    fn partition(&mut self, rows: &mut [Row], f: usize, bin: usize) -> usize {
        partition(self.data.column(f), bin, rows, &mut self.scratch)
    }
}

/// The bins of each of `features` (ascending) in `hist`, in that order.
fn feature_slices<'h>(hist: &'h mut [Acc], offsets: &[usize], features: &[usize]) -> Vec<&'h mut [Acc]> {
    let mut slices = Vec::with_capacity(features.len());
    let mut rest = hist;
    let mut base = 0;
    for &f in features {
        let tail = std::mem::take(&mut rest).split_at_mut(offsets[f] - base).1;
        let (mine, tail) = tail.split_at_mut(offsets[f + 1] - offsets[f]);
        slices.push(mine);
        rest = tail;
        base = offsets[f + 1];
    }
    slices
}

/// Add each of `rows` (with packed gradient `acc[i]` for `rows[i]`) to the
/// bin of `hist` that `column` gives it.
fn feature_histogram(column: &[u8], rows: &[Row], acc: &[Acc], hist: &mut [Acc]) {
    for (&r, &a) in rows.iter().zip(acc) {
        hist[usize::from(column[r as usize])].add(a);
    }
}

/// [`feature_histogram`] for two features in one pass over the rows.
fn pair_histogram(columns: [&[u8]; 2], rows: &[Row], acc: &[Acc], hists: [&mut [Acc]; 2]) {
    let [c0, c1] = columns;
    let [h0, h1] = hists;
    for (&r, &a) in rows.iter().zip(acc) {
        h0[usize::from(c0[r as usize])].add(a);
        h1[usize::from(c1[r as usize])].add(a);
    }
}

/// Reorder `rows` stably so that those whose bin in `column` is at most
/// `bin` come first; returns their number. `scratch` is working space.
fn partition(column: &[u8], bin: usize, rows: &mut [Row], scratch: &mut Vec<Row>) -> usize {
    // Branch-free: each row is written to both sides and the side it
    // belongs to advances (a split sends rows either way unpredictably).
    let n = rows.len();
    // Every slot read below is written first: grown, never cleared.
    if scratch.len() < n {
        scratch.resize(n, 0);
    }
    // A local slice: the loop then keeps its bounds in registers.
    let scratch = &mut scratch[..n];
    let (mut n_left, mut n_right) = (0, 0);
    for i in 0..n {
        let r = rows[i];
        let left = usize::from(usize::from(column[r as usize]) <= bin);
        // n_left, n_right ≤ i < n: the indices stay in bounds.
        rows[n_left.min(n - 1)] = r;
        scratch[n_right.min(n - 1)] = r;
        n_left += left;
        n_right += 1 - left;
    }
    rows[n_left..].copy_from_slice(&scratch[..n_right]);
    n_left
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // x, y, a, b: the usual names in tests
mod tests {
    use super::*;

    /// Coefficient of determination.
    fn r2(actual: &[f64], pred: &[f64]) -> f64 {
        let mean = actual.iter().sum::<f64>() / actual.len() as f64;
        let ss_res: f64 = actual.iter().zip(pred).map(|(a, p)| (a - p).powi(2)).sum();
        let ss_tot: f64 = actual.iter().map(|a| (a - mean).powi(2)).sum();
        1.0 - ss_res / ss_tot
    }

    #[test]
    fn fits_a_step_function_exactly() {
        // Three levels over one feature, plus an irrelevant second feature.
        let n = 90;
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let v = f64::from(i) / 10.0;
            x.extend([f64::from(i * 7 % 13), v]);
            y.push(if v < 3.0 {
                -2.0
            } else if v < 6.0 {
                4.0
            } else {
                10.0
            });
        }
        let tree = RegressionTree::params().max_depth(3).fit(&x, 2, &y).unwrap();
        let pred = tree.predict(&x).unwrap();
        for (p, a) in pred.iter().zip(&y) {
            assert!((p - a).abs() < 1e-12, "{p} vs {a}");
        }
        // Two splits on feature 1 suffice; the pure leaves are not split.
        assert_eq!(tree.n_leaves(), 3);
        // Between training points the thresholds sit halfway: 2.95 → left.
        assert!((tree.predict_row(&[0.0, 2.95]) + 2.0).abs() < 1e-12);
        assert!((tree.predict_row(&[0.0, 6.5]) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn fits_a_noisy_linear_target_on_held_out_rows() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (n, p) = (600, 3);
        let mut x = Vec::with_capacity(n * p);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let row: Vec<f64> = (0..p).map(|_| rng.random_range(-1.0..1.0)).collect();
            let noise: f64 = rng.random_range(-0.1..0.1);
            y.push(3.0 * row[0] - 2.0 * row[1] + 0.5 * row[2] + noise);
            x.extend(row);
        }
        let n_train = 450;
        let tree = RegressionTree::params()
            .max_depth(10)
            .min_samples_leaf(3)
            .fit(&x[..n_train * p], p, &y[..n_train])
            .unwrap();
        let pred = tree.predict(&x[n_train * p..]).unwrap();
        let score = r2(&y[n_train..], &pred);
        assert!(score > 0.9, "held-out R² = {score}");
    }

    #[test]
    fn leafwise_growth_spends_its_leaves_where_the_error_is() {
        // Eight steps on [0, 1), flat on [1, 4): nine constant pieces, all
        // boundaries on bin cuts (100 distinct values).
        let x: Vec<f64> = (0..100).map(|k| f64::from(k) / 25.0).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|&v| if v < 1.0 { (8.0 * v).floor() } else { 0.0 })
            .collect();
        let params = RegressionTree::params().max_depth(MAX_DEPTH).max_leaves(Some(9));
        let tree = params.fit(&x, 1, &y).unwrap();
        assert_eq!(tree.n_leaves(), 9);
        for (v, t) in x.iter().zip(&y) {
            assert_eq!(tree.predict_row(&[*v]).to_bits(), t.to_bits(), "x = {v}");
        }
        // A smaller budget is kept to; a larger one is not spent on pieces
        // that are already constant.
        assert_eq!(params.max_leaves(Some(5)).fit(&x, 1, &y).unwrap().n_leaves(), 5);
        assert_eq!(params.max_leaves(Some(40)).fit(&x, 1, &y).unwrap().n_leaves(), 9);
        // Depth-wise, nine leaves need depth 4, whose 16 possible leaves
        // the flat part leaves unused: best-first reaches the same fit.
        let deep = RegressionTree::params().max_depth(4).fit(&x, 1, &y).unwrap();
        assert!(deep.n_leaves() >= 9);
    }

    #[test]
    fn leafwise_with_room_for_every_leaf_grows_the_depthwise_tree() {
        let (n, p) = (800, 3);
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let x: Vec<f64> = (0..n * p).map(|_| rng.random_range(-2.0..2.0)).collect();
        let y: Vec<f64> = (0..n).map(|r| x[r * p] * x[r * p + 1] + x[r * p + 2]).collect();
        let depthwise = RegressionTree::params().max_depth(4).min_samples_leaf(5);
        let a = depthwise.fit(&x, p, &y).unwrap();
        let b = depthwise.max_leaves(Some(16)).fit(&x, p, &y).unwrap();
        assert_eq!(a.n_leaves(), b.n_leaves());
        assert_eq!(a.predict(&x).unwrap(), b.predict(&x).unwrap());
        // With a budget below that, the tree is smaller but no worse than
        // its size allows: 8 leaves best-first beat depth 3's 8.
        let sse = |t: &FittedTree| -> f64 {
            t.predict(&x)
                .unwrap()
                .iter()
                .zip(&y)
                .map(|(f, v)| (f - v).powi(2))
                .sum()
        };
        let best_first = depthwise
            .max_depth(MAX_DEPTH)
            .max_leaves(Some(8))
            .fit(&x, p, &y)
            .unwrap();
        let depth3 = depthwise.max_depth(3).fit(&x, p, &y).unwrap();
        assert_eq!(best_first.n_leaves(), 8);
        assert!(
            sse(&best_first) <= sse(&depth3),
            "{} > {}",
            sse(&best_first),
            sse(&depth3)
        );
    }

    #[test]
    fn a_leaf_budget_below_two_is_refused() {
        let err = RegressionTree::params().max_leaves(Some(1)).check().unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { name: "max_leaves", .. }));
        assert!(RegressionTree::params().max_leaves(Some(2)).check().is_ok());
    }

    #[test]
    fn packed_sums_decode_to_the_sums_and_counts() {
        // Mixed signs, a difference, and sums at the bound of the high bits.
        let mut a = Acc::default();
        for q in [5, -7, 3, -1, 0] {
            a.add(Acc::row(q));
        }
        assert_eq!((a.q(), a.n()), (0, 5));
        let mut b = a;
        b.sub(Acc::row(-7));
        assert_eq!((b.q(), b.n()), (7, 4));
        let mut lo = Acc::default();
        let mut hi = Acc::default();
        for _ in 0..2 {
            lo.add(Acc::row(-QUANTISED_SUM_MAX / 2));
            hi.add(Acc::row(QUANTISED_SUM_MAX / 2));
        }
        assert_eq!((lo.q(), lo.n()), (-(QUANTISED_SUM_MAX / 2) * 2, 2));
        assert_eq!((hi.q(), hi.n()), ((QUANTISED_SUM_MAX / 2) * 2, 2));
    }

    #[test]
    fn quantised_gradients_keep_within_the_bound_and_half_a_step() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let grad: Vec<f64> = (0..1000).map(|_| rng.random_range(-3.0..2.0)).collect();
        let rows: Vec<Row> = (0..1000).chain(0..500).collect();
        let q = Quantiser::new(&grad, &rows);
        let mut total = Acc::default();
        for r in rows.iter().map(|&r| r as usize) {
            let a = q.row(grad[r]);
            assert!(
                (q.gradient(a) - grad[r]).abs() <= 0.5 * q.step * (1.0 + 1e-9),
                "row {r}"
            );
            total.add(a);
        }
        assert!(total.q().abs() <= QUANTISED_SUM_MAX);
        assert_eq!(total.n(), 1500);
        // All-zero gradients quantise to zero.
        let zero = Quantiser::new(&[0.0, 0.0], &[0, 1]);
        assert_eq!(zero.row(0.0), Acc::row(0));
    }

    #[test]
    fn leaves_are_exact_means_whatever_the_quantisation() {
        // Targets far apart in scale: leaves are the exact means of their
        // rows, not sums of rounded gradients.
        let x: Vec<f64> = (0..8).map(f64::from).collect();
        let y = [1e-3, 2e-3, 4e-3, 8e-3, 1e6, 1e6 + 1.0, 1e6 + 3.0, 1e6 + 7.0];
        let tree = RegressionTree::params().max_depth(1).fit(&x, 1, &y).unwrap();
        let low: f64 = -(-1e-3 - 2e-3 - 4e-3 - 8e-3) / 4.0;
        assert_eq!(tree.predict_row(&[0.0]).to_bits(), low.to_bits());
        assert_eq!(tree.predict_row(&[3.0]).to_bits(), low.to_bits());
        assert_eq!(tree.predict_row(&[7.0]).to_bits(), ((4e6 + 11.0) / 4.0_f64).to_bits());
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn histograms_on_several_threads_give_the_serial_tree() {
        // Enough rows × features for the parallel path.
        let (n, p) = (6000, 16);
        assert!(n * p >= PARALLEL_HISTOGRAM_WORK);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let x: Vec<f64> = (0..n * p).map(|_| rng.random_range(-2.0..2.0)).collect();
        let y: Vec<f64> = (0..n)
            .map(|r| x[r * p] * x[r * p + 1] + x[r * p + 5].sin() + 0.1 * x[r * p + 9])
            .collect();
        let fit = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| RegressionTree::params().max_depth(6).fit(&x, p, &y).unwrap())
        };
        let serial = fit(1);
        assert!(serial.n_leaves() > 30);
        assert_eq!(fit(2), serial);
        assert_eq!(fit(3), serial);
    }

    #[test]
    fn routing_binned_rows_gives_each_row_its_leaf() {
        // Training rows through the bins land where their values do.
        let (n, p) = (500, 4);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x: Vec<f64> = (0..n * p).map(|_| rng.random_range(-2.0..2.0)).collect();
        let y: Vec<f64> = (0..n).map(|r| x[r * p] * x[r * p + 1] + x[r * p + 2].sin()).collect();
        let data = Binned::new(&x, n, p, 32);
        let tree = grow(
            &data,
            &y,
            all_rows(n),
            &RegressionTree::params().max_depth(5).0,
            &mut rng,
        );
        assert!(tree.nodes.len() > 20);
        let mut rows: Vec<Row> = all_rows(n).into_iter().rev().filter(|r| r % 3 != 0).collect();
        let mut pred = vec![1.0; n];
        tree.add_binned(&data, &mut rows, &mut Vec::new(), &mut pred);
        for r in 0..n {
            let expected = if r % 3 == 0 {
                1.0
            } else {
                1.0 + tree.predict_row(&x[r * p..(r + 1) * p])
            };
            assert_eq!(pred[r].to_bits(), expected.to_bits(), "row {r}");
        }
    }

    #[test]
    fn binning_handles_constant_features_and_ties() {
        // Feature 0 constant; feature 1 takes 3 values with heavy ties.
        let x: Vec<f64> = (0..30).flat_map(|i| [5.0, f64::from(i % 3)]).collect();
        let data = Binned::new(&x, 30, 2, MAX_BINS);
        assert!(data.cuts[0].is_empty());
        assert_eq!(data.cuts[1], vec![0.5, 1.5]);
        for r in 0..30 {
            assert_eq!(data.bin(r, 0), 0);
            assert_eq!(usize::from(data.bin(r, 1)), r % 3);
        }
        // Many distinct values, few bins: ties stay together, bins are
        // roughly equal in size, and the cut count respects the limit.
        let col: Vec<f64> = (0..1000).map(|i| f64::from(i / 4)).collect(); // 250 values ×4
        let cuts = quantile_cuts(&col, 10);
        assert_eq!(cuts.len(), 9);
        for c in &cuts {
            assert!((c.fract() - 0.5).abs() < 1e-12, "cut {c} splits a tie");
        }
        let mut counts = [0usize; 10];
        for v in &col {
            counts[usize::from(bin_of(&cuts, *v))] += 1;
        }
        assert!(counts.iter().all(|&c| (96..=104).contains(&c)), "{counts:?}");
        // A single heavy tie cannot be split, whatever the limit.
        let mut skew = vec![1.0; 900];
        skew.extend((0..100).map(f64::from));
        skew.sort_by(f64::total_cmp);
        let cuts = quantile_cuts(&skew, 4);
        assert!(cuts.len() <= 3);
        assert!(cuts.iter().all(|c| (c.fract() - 0.5).abs() < 1e-12));
        // A constant target: no split at all.
        let y = vec![3.0; 30];
        let tree = RegressionTree::params().fit(&x, 2, &y).unwrap();
        assert_eq!(tree.n_leaves(), 1);
        assert!((tree.predict_row(&[5.0, 1.0]) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn respects_depth_leaf_size_and_min_gain() {
        let x: Vec<f64> = (0..64).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v * v).collect();
        let stump = RegressionTree::params().max_depth(1).fit(&x, 1, &y).unwrap();
        assert_eq!((stump.depth(), stump.n_leaves()), (1, 2));
        let big_leaves = RegressionTree::params()
            .max_depth(20)
            .min_samples_leaf(16)
            .fit(&x, 1, &y)
            .unwrap();
        assert!(big_leaves.n_leaves() <= 4);
        let no_split = RegressionTree::params().min_gain(1e12).fit(&x, 1, &y).unwrap();
        assert_eq!(no_split.n_leaves(), 1);
        // The root of an unconstrained tree is the mean.
        let mean = y.iter().sum::<f64>() / 64.0;
        assert!((no_split.predict_row(&[3.0]) - mean).abs() < 1e-9);
    }

    #[test]
    fn feature_subsampling_is_seeded() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x: Vec<f64> = (0..400).map(|_| rng.random_range(0.0..1.0)).collect();
        let y: Vec<f64> = x.chunks(4).map(|r| r[0] + r[1] * r[2] - r[3]).collect();
        let params = RegressionTree::params().max_features(0.5).max_depth(8);
        let a = params.seed(3).fit(&x, 4, &y).unwrap();
        let b = params.seed(3).fit(&x, 4, &y).unwrap();
        let c = params.seed(4).fit(&x, 4, &y).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn invalid_parameters_and_inputs_are_errors() {
        let x = [1.0, 2.0];
        let y = [1.0, 2.0];
        for params in [
            RegressionTree::params().max_depth(0),
            RegressionTree::params().max_depth(65),
            RegressionTree::params().min_samples_leaf(0),
            RegressionTree::params().min_gain(-1.0),
            RegressionTree::params().min_gain(f64::NAN),
            RegressionTree::params().max_features(0.0),
            RegressionTree::params().max_features(1.5),
            RegressionTree::params().max_bins(1),
            RegressionTree::params().max_bins(256),
            RegressionTree::params().l2_regularization(-0.1),
        ] {
            assert!(
                matches!(params.check(), Err(Error::InvalidParameter { .. })),
                "{params:?}"
            );
            assert!(params.fit(&x, 1, &y).is_err());
        }
        let p = RegressionTree::params();
        assert!(matches!(
            p.fit(&x, 1, &[1.0]),
            Err(Error::InvalidParameter { name: "x", .. })
        ));
        assert!(matches!(
            p.fit(&[], 1, &[]),
            Err(Error::InvalidParameter { name: "y", .. })
        ));
        assert!(matches!(p.fit(&x, 0, &y), Err(Error::InvalidParameter { .. })));
        assert!(matches!(
            p.fit(&[1.0, f64::NAN], 1, &y),
            Err(Error::NonFinite { row: 1, .. })
        ));
        assert!(matches!(
            p.fit(&x, 1, &[f64::INFINITY, 0.0]),
            Err(Error::NonFinite { row: 0, .. })
        ));
        let tree = p.fit(&x, 1, &y).unwrap();
        assert!(tree.predict(&[1.0, 2.0, 3.0]).is_ok());
        let two = RegressionTree::params().fit(&[1.0, 2.0, 3.0, 4.0], 2, &y).unwrap();
        assert!(two.predict(&[1.0, 2.0, 3.0]).is_err());
    }
}
