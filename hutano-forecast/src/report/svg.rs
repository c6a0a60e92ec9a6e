//! Hand-written SVG charts: line charts for trends and bar charts for
//! comparisons, with axes, ticks, labels and a title. Plain SVG 1.1, no
//! script and no external reference, so a browser renders it offline.

use std::fmt::Write as _;

/// Colours of series, in order (the colour-blind-safe Okabe–Ito palette,
/// then four of Paul Tol's muted scheme).
pub(super) const PALETTE: [&str; 12] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#882255", "#44AA99",
    "#999933", "#AA4499",
];

/// One series of a chart.
#[derive(Debug, Clone)]
pub(super) struct Series {
    pub(super) name: String,
    pub(super) values: Vec<Option<f64>>,
    pub(super) color: &'static str,
}

/// Escape text for XML and HTML.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A "nice" axis: `(lo, hi, step)` covering `[min, max]` with about five
/// ticks at 1, 2 or 5 × 10^k.
pub(super) fn nice_axis(min: f64, max: f64) -> (f64, f64, f64) {
    let (min, max) = if min.is_finite() && max.is_finite() {
        (min, max)
    } else {
        (0.0, 1.0)
    };
    let span = if max > min { max - min } else { max.abs().max(1.0) };
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let lo = (min / step).floor() * step;
    let mut hi = (max / step).ceil() * step;
    if hi <= lo {
        hi = lo + step;
    }
    (lo, hi, step)
}

/// Tick label: integers without decimals, else up to two.
fn tick(v: f64, step: f64) -> String {
    if step >= 1.0 && (v - v.round()).abs() < 1e-9 {
        super::thousands(v)
    } else if step >= 0.1 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

const W: f64 = 560.0;
const H: f64 = 260.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 52.0;

fn open(out: &mut String, title: &str, width: f64) {
    let class = if width > W { "chart wide" } else { "chart" };
    let _ = write!(
        out,
        r##"<svg class="{class}" viewBox="0 0 {width} {H}" width="{width}" height="{H}" role="img" aria-label="{t}"><title>{t}</title><rect x="0" y="0" width="{width}" height="{H}" fill="#ffffff"/><text x="{x}" y="20" class="ct" text-anchor="middle">{t}</text>"##,
        t = esc(title),
        x = width / 2.0
    );
}

/// Horizontal grid lines and y tick labels; returns the y mapping.
fn y_axis(out: &mut String, lo: f64, hi: f64, step: f64, width: f64, unit: &str) -> impl Fn(f64) -> f64 {
    let plot_h = H - TOP - BOTTOM;
    let y = move |v: f64| TOP + plot_h * (1.0 - (v - lo) / (hi - lo));
    let mut v = lo;
    let mut guard = 0;
    while v <= hi + step * 1e-9 && guard < 50 {
        let yy = y(v);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{x2}" y2="{yy:.1}" stroke="#e3e3e3"/><text x="{tx}" y="{ty:.1}" class="tk" text-anchor="end">{l}</text>"##,
            x2 = width - RIGHT,
            tx = LEFT - 6.0,
            ty = yy + 4.0,
            l = esc(&tick(v, step))
        );
        v += step;
        guard += 1;
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b}" stroke="#444"/><line x1="{LEFT}" y1="{b}" x2="{r}" y2="{b}" stroke="#444"/>"##,
        b = H - BOTTOM,
        r = width - RIGHT
    );
    if !unit.is_empty() {
        let _ = write!(
            out,
            r#"<text x="14" y="{my}" class="tk" text-anchor="middle" transform="rotate(-90 14 {my})">{u}</text>"#,
            my = TOP + (H - TOP - BOTTOM) / 2.0,
            u = esc(unit)
        );
    }
    y
}

fn target_line(out: &mut String, y: &dyn Fn(f64) -> f64, target: Option<f64>, lo: f64, hi: f64, width: f64) {
    if let Some(t) = target.filter(|t| *t >= lo && *t <= hi) {
        let yy = y(t);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{x2}" y2="{yy:.1}" stroke="#c0392b" stroke-dasharray="6 4" stroke-width="1.5"/><text x="{tx}" y="{ty:.1}" class="tk" fill="#c0392b" text-anchor="end">target {l}</text>"##,
            x2 = width - RIGHT,
            tx = width - RIGHT - 2.0,
            ty = yy - 4.0,
            l = esc(&tick(t, 1.0))
        );
    }
}

fn legend(out: &mut String, series: &[Series], width: f64) {
    if series.len() < 2 {
        return;
    }
    let mut x = LEFT;
    let y = H - 10.0;
    for s in series {
        if x > width - 60.0 {
            break;
        }
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{ry}" width="10" height="10" fill="{c}"/><text x="{tx}" y="{y}" class="tk">{n}</text>"#,
            ry = y - 9.0,
            c = s.color,
            tx = x + 13.0,
            n = esc(&s.name)
        );
        x += 18.0 + 6.5 * s.name.chars().count() as f64;
    }
}

fn range(series: &[Series], extra: &[f64], from_zero: bool) -> (f64, f64) {
    let vals = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .chain(extra.iter().copied())
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    } else {
        let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.02).max(1e-9);
        lo -= pad;
        hi += pad;
        if lo < 0.0 && series.iter().flat_map(|s| s.values.iter().flatten()).all(|v| *v >= 0.0) {
            lo = 0.0;
        }
    }
    (lo, hi)
}

/// A line chart of series over categories (months), with an optional
/// dashed target line.
pub(super) fn line_chart(
    title: &str,
    x_labels: &[String],
    series: &[Series],
    target: Option<f64>,
    unit: &str,
) -> String {
    line_chart_width(title, x_labels, series, target, unit, W)
}

/// [`line_chart`] of a given width in pixels (wider than the default spans
/// both columns of the page's chart grid).
pub(super) fn line_chart_width(
    title: &str,
    x_labels: &[String],
    series: &[Series],
    target: Option<f64>,
    unit: &str,
    width: f64,
) -> String {
    let mut out = String::new();
    open(&mut out, title, width);
    let extra: Vec<f64> = target.into_iter().collect();
    let (lo, hi) = range(series, &extra, false);
    let (lo, hi, step) = nice_axis(lo, hi);
    let y = y_axis(&mut out, lo, hi, step, width, unit);
    let n = x_labels.len().max(1);
    let plot_w = width - LEFT - RIGHT;
    let x = |i: usize| LEFT + plot_w * (i as f64 + 0.5) / n as f64;
    for (i, l) in x_labels.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" class="tk" text-anchor="middle">{}</text>"#,
            x(i),
            H - BOTTOM + 16.0,
            esc(l)
        );
    }
    target_line(&mut out, &y, target, lo, hi, width);
    for s in series {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) if v.is_finite() => {
                    let _ = write!(path, "{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, x(i), y(*v));
                    pen_down = true;
                }
                _ => pen_down = false,
            }
        }
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            path.trim_end(),
            s.color
        );
        if series.len() == 1 {
            for (i, v) in s.values.iter().enumerate() {
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    let _ = write!(
                        out,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/>"#,
                        x(i),
                        y(v),
                        s.color
                    );
                }
            }
        }
    }
    legend(&mut out, series, width);
    out.push_str("</svg>");
    out
}

/// A bar chart: one group of bars per category, one bar per series, with
/// optional error bars on the first series and a dashed target line.
pub(super) fn bar_chart(
    title: &str,
    categories: &[String],
    series: &[Series],
    target: Option<f64>,
    errors: Option<&[(f64, f64)]>,
    unit: &str,
) -> String {
    let width = W;
    let mut out = String::new();
    open(&mut out, title, width);
    let mut extra: Vec<f64> = target.into_iter().collect();
    if let Some(e) = errors {
        extra.extend(e.iter().flat_map(|(a, b)| [*a, *b]));
    }
    let (lo, hi) = range(series, &extra, true);
    let (lo, hi, step) = nice_axis(lo, hi);
    let y = y_axis(&mut out, lo, hi, step, width, unit);
    let n = categories.len().max(1);
    let plot_w = width - LEFT - RIGHT;
    let group = plot_w / n as f64;
    let k = series.len().max(1) as f64;
    let bar = (group * 0.8 / k).min(40.0);
    for (i, c) in categories.iter().enumerate() {
        let gx = LEFT + group * i as f64 + (group - bar * k) / 2.0;
        for (j, s) in series.iter().enumerate() {
            if let Some(v) = s.values.get(i).copied().flatten().filter(|v| v.is_finite()) {
                let (y0, y1) = (y(v.max(0.0)), y(v.min(0.0)));
                let _ = write!(
                    out,
                    r#"<rect x="{:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                    gx + bar * j as f64,
                    bar - 1.0,
                    (y1 - y0).max(0.5),
                    s.color,
                    esc(c),
                    esc(&tick(v, 0.01))
                );
            }
        }
        if let Some((a, b)) = errors.and_then(|e| e.get(i)) {
            let cx = gx + bar / 2.0;
            let _ = write!(
                out,
                r##"<line x1="{cx:.1}" y1="{:.1}" x2="{cx:.1}" y2="{:.1}" stroke="#222" stroke-width="1.5"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#222"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#222"/>"##,
                y(*a),
                y(*b),
                cx - 4.0,
                y(*a),
                cx + 4.0,
                y(*a),
                cx - 4.0,
                y(*b),
                cx + 4.0,
                y(*b)
            );
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" class="tk" text-anchor="middle">{}</text>"#,
            LEFT + group * (i as f64 + 0.5),
            H - BOTTOM + 16.0,
            esc(c)
        );
    }
    target_line(&mut out, &y, target, lo, hi, width);
    legend(&mut out, series, width);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axes_cover_the_data() {
        for (a, b) in [(0.0, 97.3), (3.2, 3.9), (-5.0, 12.0), (0.0, 0.0), (1234.0, 98765.0)] {
            let (lo, hi, step) = nice_axis(a, b);
            assert!(lo <= a && hi >= b && step > 0.0, "{a} {b}: {lo} {hi} {step}");
            assert!((hi - lo) / step <= 12.0, "{a} {b}: {lo} {hi} {step}");
        }
    }

    #[test]
    fn charts_are_single_svg_elements_without_script() {
        let s = vec![Series {
            name: "a<b".into(),
            values: vec![Some(1.0), None, Some(3.0)],
            color: PALETTE[0],
        }];
        let labels = vec!["x1".to_string(), "x2".into(), "x3".into()];
        for svg in [
            line_chart("t & t", &labels, &s, Some(2.0), "%"),
            bar_chart("t", &labels, &s, Some(2.0), Some(&[(0.5, 1.5); 3]), ""),
        ] {
            assert_eq!(svg.matches("<svg").count(), 1);
            assert!(svg.ends_with("</svg>"));
            assert!(!svg.contains("<script"));
            assert!(!svg.contains("a<b"), "escaped");
        }
        // The gap breaks the line into two moves.
        assert_eq!(line_chart("t", &labels, &s, None, "").matches('M').count(), 2);
    }
}
