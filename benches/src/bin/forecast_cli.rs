//! Fit a hutano forecaster to every series of a long CSV and write the
//! forecasts: the bridge that lets `../shared/bench-peers/run_peers.py` score
//! hutano on the same splits as its peers (`benches/python/hutano_extra.py`).
//!
//! ```text
//! forecast_cli --model snaive --h 14 --levels 80,95 --season 7 [--freq daily] < train.csv > forecast.csv
//! forecast_cli --model pooled_ets --cal-windows 4 --cal-horizon 14 ...   # recalibrated, scores pooled
//!                                   # (for global_boosted / global_forest: their calibration windows)
//! forecast_cli --model global_boosted --country zimbabwe ...           # with the holiday calendar
//! forecast_cli --model glm --holidays eng_holidays.txt ...              # the caller's dates (one ISO date a line)
//! ```
//! Input: `unique_id,ds,y` (`YYYY-MM-DD`; `--freq` daily (default), weekly
//! or monthly). Output:
//! `unique_id,step,mean,lo-80,hi-80,...`, one row per series and step.
#![allow(clippy::print_stdout)]

use std::io::{BufRead, Write};
use std::time::Instant;

use chrono::NaiveDate;
use hutano::core::calendar::{Calendar, Country};
use hutano::forecast::baseline::{Naive, SeasonalNaive};
use hutano::forecast::forecast::{Fit, Forecast, Predict, SeriesView};
use hutano::forecast::panel::{FillRule, Freq, Panel};

use hutano_benches::arg;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The national calendar of `country` (if any) plus the days listed in the
/// file `holidays` (one `YYYY-MM-DD` a line), or `None` when neither is given.
fn calendar(country: Option<&str>, holidays: Option<&str>) -> Res<Option<Calendar>> {
    let mut cal = match country {
        None => Calendar::default(),
        Some("zimbabwe" | "ZW") => Calendar::national(Country::Zimbabwe),
        Some("india" | "IN") => Calendar::national(Country::India),
        Some(other) => return Err(format!("unknown --country {other}").into()),
    };
    if let Some(path) = holidays {
        for (i, line) in std::fs::read_to_string(path)?.lines().enumerate() {
            let line = line.trim();
            if !line.is_empty() {
                let day =
                    NaiveDate::parse_from_str(line, "%Y-%m-%d").map_err(|e| format!("{path} line {}: {e}", i + 1))?;
                cal.add_date("holiday", day);
            }
        }
    }
    Ok((country.is_some() || holidays.is_some()).then_some(cal))
}

fn run<M: Fit + Sync>(model: &M, panel: &Panel, h: usize, levels: &[f64]) -> Res<Vec<(String, Forecast)>> {
    let mut out = Vec::with_capacity(panel.series.len());
    for s in &panel.series {
        let view = SeriesView::new(&s.y, s.start, s.freq);
        let f = model.fit_series(view)?.predict(h, levels)?.non_negative();
        out.push((s.unique_id.clone(), f));
    }
    Ok(out)
}

/// One model learned across the panel's series, then each series forecast.
fn run_global<P>(
    mut model: hutano::forecast::trees::global::GlobalForecaster<P>,
    o: &Opts,
    panel: &Panel,
    h: usize,
    levels: &[f64],
) -> Res<Vec<(String, Forecast)>>
where
    P: hutano::forecast::trees::EnsembleParams,
    <P::Valid as hutano::forecast::trees::Learner>::Model: hutano::forecast::trees::RowModel + Send + Sync,
{
    if o.freq == Freq::Monthly {
        // Three years of months: one window of the horizon (its errors are
        // pooled over the series).
        model.calibration_horizon = Some(h);
        model.calibration_windows = Some(1);
    }
    // `--cal-windows` / `--cal-horizon` override both.
    let (windows, horizon) = o.calibration;
    model.calibration_windows = windows.or(model.calibration_windows);
    model.calibration_horizon = horizon.or(model.calibration_horizon);
    if levels.is_empty() {
        // Point forecasts only: no calibration fits.
        model.calibration_windows = Some(0);
    }
    let views: Vec<(&str, SeriesView)> = panel
        .series
        .iter()
        .map(|s| (s.unique_id.as_str(), SeriesView::new(&s.y, s.start, s.freq)))
        .collect();
    let fitted = model.fit_views(&views)?;
    let mut out = Vec::with_capacity(panel.series.len());
    for (i, s) in panel.series.iter().enumerate() {
        out.push((s.unique_id.clone(), fitted.series(i).predict(h, levels)?.non_negative()));
    }
    Ok(out)
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = arg(&args, "--model").unwrap_or_else(|| "snaive".into());
    let h: usize = arg(&args, "--h").unwrap_or_else(|| "14".into()).parse()?;
    let season: usize = arg(&args, "--season").unwrap_or_else(|| "7".into()).parse()?;
    let freq = match arg(&args, "--freq").as_deref().unwrap_or("daily") {
        "daily" => Freq::Daily,
        "weekly" => Freq::Weekly,
        "monthly" => Freq::Monthly,
        other => return Err(format!("unknown --freq {other}").into()),
    };
    let levels: Vec<f64> = arg(&args, "--levels")
        .unwrap_or_else(|| "80,95".into())
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    let stdin = std::io::stdin();
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let mut f = line.split(',');
        let (Some(id), Some(ds), Some(y)) = (f.next(), f.next(), f.next()) else {
            return Err(format!("line {}: expected unique_id,ds,y", i + 1).into());
        };
        let ds = NaiveDate::parse_from_str(&ds[..ds.len().min(10)], "%Y-%m-%d")?;
        rows.push((id.to_string(), ds.and_time(chrono::NaiveTime::MIN), y.parse::<f64>()?));
    }
    let panel = Panel::from_long(rows, freq, FillRule::Interpolate)?;
    let t = Instant::now();
    let opts = Opts {
        freq,
        season,
        calibration: (
            arg(&args, "--cal-windows").map(|v| v.parse()).transpose()?,
            arg(&args, "--cal-horizon").map(|v| v.parse()).transpose()?,
        ),
        calendar: calendar(arg(&args, "--country").as_deref(), arg(&args, "--holidays").as_deref())?,
    };
    let forecasts = dispatch(&model, &opts, &panel, h, &levels)?;
    let fit_seconds = t.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut header = vec!["unique_id".to_string(), "step".into(), "mean".into()];
    for l in &levels {
        header.push(format!("lo-{l}"));
        header.push(format!("hi-{l}"));
    }
    writeln!(out, "{}", header.join(","))?;
    for (id, f) in &forecasts {
        for t in 0..f.len() {
            let mut row = vec![id.clone(), (t + 1).to_string(), f.point[t].to_string()];
            for j in 0..levels.len() {
                row.push(f.lower[j][t].to_string());
                row.push(f.upper[j][t].to_string());
            }
            writeln!(out, "{}", row.join(","))?;
        }
    }
    eprintln!("fit+predict {fit_seconds:.6} s for {} series", forecasts.len());
    Ok(())
}

/// The command line's settings for the models.
struct Opts {
    freq: Freq,
    season: usize,
    /// `--cal-windows`, `--cal-horizon`.
    calibration: (Option<usize>, Option<usize>),
    /// `--country zimbabwe|india`: holiday features for the tree models and
    /// holiday effects for the Prophet-like model (also as ensemble members).
    calendar: Option<Calendar>,
}

/// `HUTANO_GLM_LEVEL="alpha,damping"`, if set.
fn glm_level() -> Option<(f64, f64)> {
    let v = std::env::var("HUTANO_GLM_LEVEL").ok()?;
    let (a, p) = v.split_once(',')?;
    Some((a.parse().ok()?, p.parse().ok()?))
}

impl Opts {
    fn prophet(&self) -> hutano::forecast::prophet::Prophet {
        let p = hutano::forecast::prophet::Prophet::default();
        match &self.calendar {
            Some(c) => p.calendar(c.clone()),
            None => p,
        }
    }

    fn glm(&self) -> hutano::forecast::glm::Glm {
        let d = hutano::forecast::glm::Glm::default();
        hutano::forecast::glm::Glm {
            calendar: self.calendar.clone(),
            // HUTANO_GLM_SHIFTS=0 turns level shifts off (to measure them),
            level_shifts: std::env::var("HUTANO_GLM_SHIFTS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d.level_shifts),
            // HUTANO_GLM_LEVEL="alpha,damping": the local level's settings.
            level_alpha: glm_level().map_or(d.level_alpha, |(a, _)| a),
            level_damping: glm_level().map_or(d.level_damping, |(_, p)| Some(p)),
            // HUTANO_GLM_HALFLIFE=0: equal weights.
            half_life: match std::env::var("HUTANO_GLM_HALFLIFE")
                .ok()
                .and_then(|v| v.parse::<f64>().ok())
            {
                Some(h) if h > 0.0 => Some(h),
                Some(_) => None,
                None => d.half_life,
            },
            ..d
        }
    }

    /// Global boosting with the calendar and `HUTANO_GBT`'s settings.
    fn global_boosted(&self) -> Res<hutano::forecast::trees::global::GlobalBoostedForecaster> {
        let mut model = hutano::forecast::trees::global::GlobalBoostedForecaster::default();
        model.features.calendar.clone_from(&self.calendar);
        model.params = tuned(model.params)?;
        Ok(model)
    }

    /// The global forest with the calendar and `HUTANO_SEED`.
    fn global_forest(&self) -> Res<hutano::forecast::trees::global::GlobalForestForecaster> {
        let mut model = hutano::forecast::trees::global::GlobalForestForecaster::default();
        model.features.calendar.clone_from(&self.calendar);
        if let Some(seed) = seed()? {
            model.params = model.params.seed(seed);
        }
        Ok(model)
    }

    fn boosted(&self, h: usize) -> hutano::forecast::trees::BoostedForecaster {
        let mut model = hutano::forecast::trees::BoostedForecaster::default();
        if self.freq == Freq::Monthly {
            // Short monthly series: calibrate on 3 windows of the horizon
            // (the published A&E figures; the default windows are now
            // those of a finite 95 % bound).
            model.calibration_horizon = Some(h);
            model.calibration_windows = Some(3);
        }
        model.features.calendar.clone_from(&self.calendar);
        model
    }

    fn forest(&self, h: usize) -> hutano::forecast::trees::ForestForecaster {
        let mut model = hutano::forecast::trees::ForestForecaster::default();
        if self.freq == Freq::Monthly {
            model.calibration_horizon = Some(h);
            model.calibration_windows = Some(3);
        }
        model.features.calendar.clone_from(&self.calendar);
        model
    }

    /// The ensemble of the benchmarks: ETS, forest, boosting, the
    /// Prophet-like model and the GLM validated on windows of the horizon; on months the
    /// statistical models only, on windows of at most 3 months.
    fn ensemble(&self, h: usize) -> hutano::forecast::ensemble::Ensemble {
        let season = self.season;
        let mut e = hutano::forecast::ensemble::Ensemble::new();
        if self.freq == Freq::Monthly {
            // Three years of months: the validation windows leave too
            // little for the tree members; windows of at most 3 months so
            // that two fit inside two years.
            e = e
                .member("arima", hutano::forecast::arima::AutoArima::params(season))
                .member("ets", hutano::forecast::ets::AutoEts::new(season))
                .member("prophet", self.prophet());
            e.validation_horizon = Some(h.min(3));
        } else {
            e = e
                .member("ets", hutano::forecast::ets::AutoEts::new(season))
                .member("forest", self.forest(h))
                .member("boosted", self.boosted(h))
                .member("prophet", self.prophet())
                .member("glm", self.glm());
            e.validation_horizon = Some(h);
        }
        e.season = Some(season);
        e
    }
}

/// Fit `model` to every series of the panel and forecast.
fn dispatch(model: &str, o: &Opts, panel: &Panel, h: usize, levels: &[f64]) -> Res<Vec<(String, Forecast)>> {
    let (freq, season) = (o.freq, o.season);
    Ok(match model {
        "naive" => run(&Naive, panel, h, levels)?,
        "snaive" => run(&SeasonalNaive::new(season), panel, h, levels)?,
        "arima" => run(&hutano::forecast::arima::AutoArima::params(season), panel, h, levels)?,
        "ets" => run(&hutano::forecast::ets::AutoEts::new(season), panel, h, levels)?,
        "ets_nonseasonal" => run(&hutano::forecast::ets::AutoEts::non_seasonal(), panel, h, levels)?,
        "mstl" => run(&hutano::forecast::mstl::Mstl::new(vec![season]), panel, h, levels)?,
        "boosted" => {
            let mut model = o.boosted(h);
            model.params = tuned(model.params)?;
            run(&model, panel, h, levels)?
        }
        "forest" => run(&o.forest(h), panel, h, levels)?,
        "prophet" => run(&o.prophet(), panel, h, levels)?,
        "glm" => run(&o.glm(), panel, h, levels)?,
        "global_boosted" => run_global(o.global_boosted()?, o, panel, h, levels)?,
        "global_forest" => run_global(o.global_forest()?, o, panel, h, levels)?,
        // The library's default: intervals from the validation errors of
        // every series (`Intervals::Pooled`), weights per series.
        "ensemble" => run_panel(&o.ensemble(h), panel, h, levels)?,
        // With the global trees as members, fitted across the panel at
        // every validation cutoff: AutoETS, the GLM, global boosting and
        // the global forest (`_pooled`: stacked weights).
        "ensemble_global" | "ensemble_global_pooled" => {
            use hutano::forecast::ensemble::{Ensemble, PanelMember};
            let mut e = Ensemble::new()
                .member("ets", hutano::forecast::ets::AutoEts::new(season))
                .member("glm", o.glm())
                .member("global_boosted", Box::new(o.global_boosted()?) as Box<dyn PanelMember>)
                .member("global_forest", Box::new(o.global_forest()?) as Box<dyn PanelMember>);
            e.validation_horizon = Some(h);
            e.season = Some(season);
            e.pooled = model == "ensemble_global_pooled";
            run_panel(&e, panel, h, levels)?
        }
        // One set of stacked weights learned across the series.
        "ensemble_pooled" => {
            let mut e = o.ensemble(h);
            e.pooled = true;
            run_panel(&e, panel, h, levels)?
        }
        // Other intervals: `ensemble_cal` from each series' own validation
        // errors, `ensemble_averaged` the members' bounds averaged (the
        // default before 2026-11-24, session 8).
        "ensemble_cal" | "ensemble_averaged" => {
            use hutano::forecast::ensemble::Intervals;
            let mut e = o.ensemble(h);
            e.intervals = if model == "ensemble_cal" {
                Intervals::Calibrated
            } else {
                Intervals::Averaged
            };
            run_panel(&e, panel, h, levels)?
        }
        // `calibrated_<model>`: intervals recalibrated on held-out windows
        // (`hutano_forecast::calibrated`; 4 windows of 14 steps, on months
        // 3 of at most 3, unless `--cal-windows` / `--cal-horizon`);
        // `pooled_<model>`: the same with the scores pooled across the
        // series.
        other if other.starts_with("calibrated_") || other.starts_with("pooled_") => {
            let (how, name) = other.split_once('_').unwrap_or_default();
            let inner: Box<dyn hutano::forecast::ensemble::Member> = match name {
                "arima" => Box::new(hutano::forecast::arima::AutoArima::params(season)),
                "ets" => Box::new(hutano::forecast::ets::AutoEts::new(season)),
                "mstl" => Box::new(hutano::forecast::mstl::Mstl::new(vec![season])),
                "prophet" => Box::new(o.prophet()),
                "glm" => Box::new(o.glm()),
                "snaive" => Box::new(SeasonalNaive::new(season)),
                "ensemble" => Box::new(o.ensemble(h)),
                _ => return Err(format!("unknown model {other}").into()),
            };
            let mut model = hutano::forecast::calibrated::Calibrated::new(inner).pooled(how == "pooled");
            if freq == Freq::Monthly {
                // Three years of months: 3 windows of at most 3 months.
                (model.windows, model.horizon) = (Some(3), Some(h.min(3)));
            }
            model.windows = o.calibration.0.or(model.windows);
            model.horizon = o.calibration.1.or(model.horizon);
            run_panel(&model, panel, h, levels)?
        }
        other => return Err(format!("unknown model {other}").into()),
    })
}

/// The seed of the tree models for seed studies: `HUTANO_SEED=n` (unset:
/// the models' default).
fn seed() -> Result<Option<u64>, Box<dyn std::error::Error>> {
    std::env::var("HUTANO_SEED")
        .ok()
        .map(|s| s.parse())
        .transpose()
        .map_err(Into::into)
}

/// Boosting hyperparameters for tuning runs: `HUTANO_GBT="trees,depth,leaf[,lr]"`
/// replaces those of `params` (learning rate 0.05 unless given),
/// `HUTANO_GBT_LEAVES` its leaf budget, `HUTANO_GBT_L2` its L2 penalty and
/// `HUTANO_SEED` its seed.
fn tuned(
    params: hutano::forecast::trees::BoostingParams,
) -> Result<hutano::forecast::trees::BoostingParams, Box<dyn std::error::Error>> {
    let params = match seed()? {
        Some(seed) => params.seed(seed),
        None => params,
    };
    // `HUTANO_GBT_LEAVES=m` grows the trees leaf-wise to m leaves (0:
    // depth-wise).
    let params = match std::env::var("HUTANO_GBT_LEAVES") {
        Ok(v) if v == "0" => params.max_leaves(None),
        Ok(v) => params.max_leaves(Some(v.parse()?)),
        Err(_) => params,
    };
    // `HUTANO_GBT_L2=λ`: the L2 penalty on leaf values.
    let params = match std::env::var("HUTANO_GBT_L2") {
        Ok(v) => params.l2_regularization(v.parse()?),
        Err(_) => params,
    };
    let Ok(spec) = std::env::var("HUTANO_GBT") else {
        return Ok(params);
    };
    let v: Vec<usize> = spec.split(',').take(3).map(str::parse).collect::<Result<_, _>>()?;
    let lr: f64 = spec.split(',').nth(3).unwrap_or("0.05").parse()?;
    let [trees, depth, leaf] = v[..] else {
        return Err(format!("HUTANO_GBT={spec}: expected trees,depth,leaf[,lr]").into());
    };
    Ok(params
        .n_estimators(trees)
        .max_depth(depth)
        .min_samples_leaf(leaf)
        .learning_rate(lr))
}

/// A model fitted across the panel's series at once.
fn run_panel(
    model: &dyn hutano::forecast::ensemble::PanelMember,
    panel: &Panel,
    h: usize,
    levels: &[f64],
) -> Res<Vec<(String, Forecast)>> {
    let views: Vec<(&str, SeriesView)> = panel
        .series
        .iter()
        .map(|s| (s.unique_id.as_str(), SeriesView::new(&s.y, s.start, s.freq)))
        .collect();
    let fitted = model.fit_panel_boxed(&views)?;
    views
        .iter()
        .zip(fitted)
        .map(|((id, _), f)| Ok((id.to_string(), f.predict(h, levels)?.non_negative())))
        .collect()
}
