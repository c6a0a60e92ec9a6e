//! The tree learners as [linfa](https://github.com/rust-ml/linfa) models
//! (feature `linfa`), so that they plug into linfa's datasets,
//! cross-validation and metrics.
//!
//! - [`TreeParams`], [`BoostingParams`] and [`ForestParams`] implement
//!   [`ParamGuard`], checked into [`TreeValidParams`],
//!   [`BoostingValidParams`] and [`ForestValidParams`], which implement
//!   [`Fit`] on a [`DatasetBase`] of `f64` records (`ArrayBase<_, Ix2>`,
//!   any layout, owned or a view) and single `f64` targets (e.g. an
//!   `Array1<f64>`: `Dataset<f64, f64, Ix1>`), returning [`FittedTree`],
//!   [`FittedBoosting`] and [`FittedForest`]. Through linfa's blanket
//!   implementation the unchecked params fit too, checking first.
//! - The fitted models implement [`PredictInplace`] from `ArrayBase<_, Ix2>`
//!   records into an `Array1<f64>`, and so linfa's `Predict` on arrays and
//!   datasets.
//!
//! A fit through linfa copies the records into the row-major layout of the
//! native API and calls it: same bins, same seeds, the same model.
//!
//! The error type is [`crate::Error`]; linfa's own errors (raised by its
//! dataset helpers and metrics) convert into it (`From<linfa::Error>`:
//! parameter, shape and sample-count errors become
//! [`Error::InvalidParameter`], anything else [`Error::Model`] with model
//! `"linfa"`).
//!
//! **Method syntax.** The params and fitted types have inherent `fit(x,
//! n_features, y)` and `predict(x)` methods on row-major slices, which
//! method-call syntax finds before the traits' methods; call linfa's as
//! `Fit::fit(&params, &dataset)` and `Predict::predict(&model, &records)`.
//! Generic linfa code (cross-validation, pipelines) goes through the traits
//! and needs nothing else.
//!
//! ```
//! use hutano_forecast::trees::GradientBoosting;
//! use linfa::metrics::SingleTargetRegression;
//! use linfa::traits::{Fit, Predict};
//! use linfa::Dataset;
//! use ndarray::{Array1, Array2};
//!
//! // y = 1 where x0 < 50, else 3; x1 is noise.
//! let x = Array2::from_shape_fn((100, 2), |(i, j)| if j == 0 { i as f64 } else { (i * 7 % 11) as f64 });
//! let y = x.column(0).mapv(|v| if v < 50.0 { 1.0 } else { 3.0 });
//! let data = Dataset::new(x, y);
//! let params = GradientBoosting::params().n_estimators(50).learning_rate(0.3);
//! let model = Fit::fit(&params, &data)?;
//! let predicted: Array1<f64> = Predict::predict(&model, &data);
//! assert!(predicted.r2(&data)? > 0.99);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```
//!
//! linfa-trees is not used: it fits classification trees only (Gini or
//! entropy splits on labels), not the regression trees, boosting and
//! forests that the forecasters need.

use ::linfa::dataset::{AsSingleTargets, DatasetBase};
use ::linfa::traits::{Fit, PredictInplace};
use ::linfa::ParamGuard;
use ndarray::{Array1, ArrayBase, Data, Ix2};

use super::{
    BoostingParams, BoostingValidParams, FittedBoosting, FittedForest, FittedTree, ForestParams, ForestValidParams,
    TreeParams, TreeValidParams,
};
use crate::error::{Error, Result};

impl From<::linfa::Error> for Error {
    fn from(e: ::linfa::Error) -> Self {
        match e {
            ::linfa::Error::Parameters(problem) => Error::InvalidParameter { name: "linfa", problem },
            e @ (::linfa::Error::NdShape(_)
            | ::linfa::Error::NotEnoughSamples
            | ::linfa::Error::MismatchedShapes(..)) => Error::InvalidParameter {
                name: "dataset",
                problem: e.to_string(),
            },
            e => Error::Model {
                model: "linfa",
                message: e.to_string(),
            },
        }
    }
}

/// The records of `dataset` row-major, their number of columns, and the
/// targets.
fn row_major<D, T>(dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> (Vec<f64>, usize, Vec<f64>)
where
    D: Data<Elem = f64>,
    T: AsSingleTargets<Elem = f64>,
{
    let records = dataset.records();
    // `iter` walks an array in logical (row-major) order whatever its
    // memory layout.
    let x = records.iter().copied().collect();
    let y = dataset.as_single_targets().iter().copied().collect();
    (x, records.ncols(), y)
}

/// Predict every row of `x` into `y` with `predict_row`. Records whose
/// width is not `n_features` give NaN predictions (the trait cannot return
/// an error; the native `predict` does). A `y` of the wrong length is
/// replaced by one of the right length.
fn predict_rows<D>(x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>, n_features: usize, predict_row: impl Fn(&[f64]) -> f64)
where
    D: Data<Elem = f64>,
{
    let predictions: Vec<f64> = if x.ncols() == n_features {
        let mut row = Vec::with_capacity(n_features);
        x.rows()
            .into_iter()
            .map(|r| {
                row.clear();
                row.extend(r.iter().copied());
                predict_row(&row)
            })
            .collect()
    } else {
        vec![f64::NAN; x.nrows()]
    };
    if y.len() == predictions.len() {
        for (t, p) in y.iter_mut().zip(predictions) {
            *t = p;
        }
    } else {
        *y = Array1::from(predictions);
    }
}

macro_rules! linfa_model {
    ($params:ty, $valid:ty, $fitted:ty) => {
        impl ParamGuard for $params {
            type Checked = $valid;
            type Error = Error;

            fn check_ref(&self) -> Result<&$valid> {
                <$params>::check_ref(self)
            }

            fn check(self) -> Result<$valid> {
                <$params>::check(self)
            }
        }

        /// # Errors
        /// As the native `fit`: [`Error::InvalidParameter`] for a dataset
        /// without rows or columns, or whose targets are not one per row;
        /// [`Error::NonFinite`] for a NaN or infinite value.
        impl<D, T> Fit<ArrayBase<D, Ix2>, T, Error> for $valid
        where
            D: Data<Elem = f64>,
            T: AsSingleTargets<Elem = f64>,
        {
            type Object = $fitted;

            fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<$fitted> {
                let (x, n_features, y) = row_major(dataset);
                <$valid>::fit(self, &x, n_features, &y)
            }
        }

        /// Records of another width than the fit give NaN predictions.
        impl<D> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for $fitted
        where
            D: Data<Elem = f64>,
        {
            fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
                predict_rows(x, y, self.n_features(), |r| self.predict_row(r));
            }

            fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
                Array1::zeros(x.nrows())
            }
        }
    };
}

linfa_model!(TreeParams, TreeValidParams, FittedTree);
linfa_model!(BoostingParams, BoostingValidParams, FittedBoosting);
linfa_model!(ForestParams, ForestValidParams, FittedForest);

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // x, y, m, p: the usual names in tests
mod tests {
    use ::linfa::metrics::SingleTargetRegression;
    use ::linfa::traits::Predict;
    use ::linfa::Dataset;
    use ndarray::{Array2, Ix1, ShapeBuilder};

    use super::*;
    // 3 features in [0, 1); `y = sin(6·x0) + 2·x1·x2 + noise`. Row-major.
    use crate::trees::test_data::smooth as data;
    use crate::trees::{GradientBoosting, RandomForest, RegressionTree};

    fn dataset(x: &[f64], y: &[f64]) -> Dataset<f64, f64, Ix1> {
        Dataset::new(
            Array2::from_shape_vec((y.len(), 3), x.to_vec()).unwrap(),
            Array1::from(y.to_vec()),
        )
    }

    #[test]
    fn fitting_through_linfa_gives_exactly_the_native_model() {
        let (x, y) = data(1, 300);
        let (x_test, _) = data(2, 50);
        let train = dataset(&x, &y);
        let test = Array2::from_shape_vec((50, 3), x_test.clone()).unwrap();

        let tree = RegressionTree::params().max_depth(5).max_features(0.7).seed(3);
        let native = tree.fit(&x, 3, &y).unwrap();
        let via: FittedTree = Fit::fit(&tree, &train).unwrap();
        assert_eq!(via, native);
        let p: Array1<f64> = Predict::predict(&via, &test);
        assert_eq!(p.to_vec(), native.predict(&x_test).unwrap());

        let boost = GradientBoosting::params().n_estimators(40).subsample(0.7).seed(5);
        let native = boost.fit(&x, 3, &y).unwrap();
        let via: FittedBoosting = Fit::fit(&boost, &train).unwrap();
        assert_eq!(via, native);
        let p: Array1<f64> = Predict::predict(&via, &test);
        assert_eq!(p.to_vec(), native.predict(&x_test).unwrap());

        let forest = RandomForest::params().n_trees(20).seed(7);
        let native = forest.fit(&x, 3, &y).unwrap();
        // The checked params fit as well as the builder.
        let via: FittedForest = Fit::fit(&forest.check().unwrap(), &train).unwrap();
        assert_eq!(via, native);
        let p: Array1<f64> = Predict::predict(&via, &test);
        assert_eq!(p.to_vec(), native.predict(&x_test).unwrap());
        // Predicting a dataset fills its targets.
        let predicted = Predict::predict(&via, Dataset::new(test.clone(), Array1::<f64>::zeros(50)));
        assert_eq!(predicted.targets().to_vec(), native.predict(&x_test).unwrap());
    }

    #[test]
    fn column_major_records_and_views_fit_the_same_model() {
        let (x, y) = data(3, 200);
        let row_major = dataset(&x, &y);
        // The same matrix stored column by column.
        let columns: Vec<f64> = (0..3).flat_map(|j| x.iter().skip(j).step_by(3).copied()).collect();
        let col_major = Dataset::new(
            Array2::from_shape_vec((200, 3).f(), columns).unwrap(),
            Array1::from(y.clone()),
        );
        let params = GradientBoosting::params().n_estimators(20);
        let a: FittedBoosting = Fit::fit(&params, &row_major).unwrap();
        let b: FittedBoosting = Fit::fit(&params, &col_major).unwrap();
        let c: FittedBoosting = Fit::fit(&params, &row_major.view()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn linfa_cross_validation_and_metrics_run_on_the_learners() {
        let (x, y) = data(4, 400);
        let mut train = dataset(&x, &y);
        // Deeper boosting fits better than stumps in 4-fold cross-validation.
        let candidates = [
            GradientBoosting::params().n_estimators(60).max_depth(1),
            GradientBoosting::params().n_estimators(60).max_depth(4),
        ];
        let r2: Array1<f64> = train
            .cross_validate_single(4, &candidates, |predicted, truth| predicted.r2(truth))
            .unwrap();
        assert!(r2[1] > r2[0] && r2[1] > 0.8, "{r2}");
        let forests = [RandomForest::params().n_trees(20)];
        let r2: Array1<f64> = train
            .cross_validate_single(4, &forests, |predicted, truth| predicted.r2(truth))
            .unwrap();
        assert!(r2[0] > 0.8, "{r2}");
    }

    #[test]
    fn errors_are_typed_and_bad_widths_predict_nan() {
        let (x, y) = data(5, 50);
        let train = dataset(&x, &y);
        let bad = GradientBoosting::params().learning_rate(2.0);
        let err: Error = Fit::fit(&bad, &train).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidParameter {
                name: "learning_rate",
                ..
            }
        ));
        let mut nan = x.clone();
        nan[7] = f64::NAN;
        let err = Fit::fit(&RandomForest::params(), &dataset(&nan, &y)).unwrap_err();
        assert!(matches!(err, Error::NonFinite { row: 2, .. }));
        let empty = Dataset::new(Array2::<f64>::zeros((0, 3)), Array1::<f64>::zeros(0));
        assert!(matches!(
            Fit::fit(&RegressionTree::params(), &empty),
            Err(Error::InvalidParameter { name: "y", .. })
        ));
        let tree: FittedTree = Fit::fit(&RegressionTree::params(), &train).unwrap();
        let narrow = Array2::<f64>::zeros((4, 2));
        let p: Array1<f64> = Predict::predict(&tree, &narrow);
        assert_eq!(p.len(), 4);
        assert!(p.iter().all(|v| v.is_nan()));
        // A target of the wrong length is replaced.
        let mut short = Array1::zeros(1);
        tree.predict_inplace(&train.records, &mut short);
        assert_eq!(short.to_vec(), tree.predict(&x).unwrap());
        // linfa's errors convert into ours.
        let err: Error = ::linfa::Error::NotEnoughSamples.into();
        assert!(matches!(err, Error::InvalidParameter { name: "dataset", .. }));
        let err: Error = ::linfa::Error::NotConverged("k-means".into()).into();
        assert!(matches!(err, Error::Model { model: "linfa", .. }));
    }
}
