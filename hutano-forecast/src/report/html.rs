//! The HTML writer: one self-contained page, inline CSS, inline SVG, no
//! script and no external reference.
//!
//! Every KPI cell carries its exact value in `data-value` (shortest
//! round-trip form) beside the rounded display, with `data-kpi`,
//! `data-level` and `data-code`, so the page can be checked against the KPI
//! engine.

use std::fmt::Write as _;

use chrono::Datelike;

use super::svg::{bar_chart, esc, line_chart, line_chart_width, Series, PALETTE};
use super::{display, display_change, KpiRow, Level, MonthlyReport, ReportKpi, Unit};
use crate::alerts::{RuleKind, Severity};

const CSS: &str = r"
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d2733;background:#f4f6f8;font-size:14px}
header{background:#12355b;color:#fff;padding:22px 32px}
header h1{margin:0 0 4px;font-size:24px}
header p{margin:0;opacity:.85}
main{padding:18px 32px 40px;max-width:1240px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid #12355b;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:10px}
.card{background:#fff;border-radius:6px;padding:10px 12px;border-left:5px solid #8a99a8;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card.ok{border-left-color:#1e8449}.card.bad{border-left-color:#c0392b}
.card .k{font-size:12px;color:#5a6877;text-transform:uppercase;letter-spacing:.03em}
.card .v{font-size:22px;font-weight:600;margin:2px 0}
.card .s{font-size:12px;color:#5a6877}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px}
.charts svg.wide{grid-column:1 / -1}
.charts svg{width:100%;height:auto;background:#fff;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.ct{font-size:14px;font-weight:600;fill:#1d2733}
.tk{font-size:11px;fill:#44505c}
table{border-collapse:collapse;width:100%;background:#fff;font-size:12.5px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{padding:4px 6px;border-bottom:1px solid #e3e7eb;text-align:right;white-space:nowrap}
th{background:#e9eef3;white-space:normal;vertical-align:bottom;font-size:11.5px}
th:first-child,td:first-child,td.l,th.l{text-align:left}
td .d{display:block;font-size:10.5px;color:#6b7884}
td.bad{background:#fdecea}td.ok{background:#eaf7ee}
tr.grp td{background:#f0f3f6;font-weight:600;text-align:left}
.sev{display:inline-block;padding:1px 6px;border-radius:8px;font-size:11px;color:#fff}
.sev.critical{background:#c0392b}.sev.warning{background:#d68910}.sev.info{background:#2e86c1}
.note{font-size:12px;color:#5a6877;margin:6px 0}
footer{font-size:11.5px;color:#5a6877;padding:0 32px 30px;max-width:1240px}
@media print{body{background:#fff}.charts svg,.card,table{box-shadow:none}}
";

fn month_name(d: chrono::NaiveDate) -> String {
    d.format("%B %Y").to_string()
}

fn short_month(d: chrono::NaiveDate) -> String {
    if d.month() == 1 {
        d.format("%b %y").to_string()
    } else {
        d.format("%b").to_string()
    }
}

fn num_attr(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite()).map_or(String::new(), |v| v.to_string())
}

fn cell(out: &mut String, r: &KpiRow, currency: Option<&str>) {
    let class = match r.on_target {
        Some(true) => " class=\"ok\"",
        Some(false) => " class=\"bad\"",
        None => "",
    };
    let code = match r.level {
        Level::Network => "",
        Level::Branch => r.branch.as_str(),
        Level::Department => r.department.as_str(),
    };
    let level = match r.level {
        Level::Network => "network",
        Level::Branch => "branch",
        Level::Department => "department",
    };
    let _ = write!(
        out,
        r#"<td{class} data-kpi="{}" data-level="{level}" data-code="{}" data-value="{}" data-previous="{}">{}<span class="d">{}</span></td>"#,
        r.kpi.name(),
        esc(code),
        num_attr(r.value),
        num_attr(r.previous),
        esc(&display(r.kpi, r.value, currency)),
        esc(&display_change(r.kpi, r.change)),
    );
}

fn header_row(out: &mut String, first: &str) {
    let _ = write!(out, "<tr><th>{}</th>", esc(first));
    for kpi in ReportKpi::ALL {
        let _ = write!(out, "<th>{}</th>", esc(kpi.label()));
    }
    out.push_str("</tr>");
}

fn chart_unit(kpi: ReportKpi) -> &'static str {
    match kpi.unit() {
        Unit::Count => "count",
        Unit::Percent | Unit::Fraction => "%",
        Unit::Days => "days",
        Unit::Hours => "hours",
        Unit::Money => "cost",
    }
}

/// Scale a KPI value for charts (fractions as percentages).
fn chart_value(kpi: ReportKpi, x: Option<f64>) -> Option<f64> {
    x.map(|v| if kpi.unit() == Unit::Fraction { v * 100.0 } else { v })
}

// The page template, section by section, in page order.
#[allow(clippy::too_many_lines)]
pub(super) fn render(r: &MonthlyReport) -> String {
    let currency = r.currency.as_deref();
    let mut out = String::with_capacity(200_000);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{} — monthly performance, {}</title><style>{CSS}</style></head><body>"#,
        esc(&r.network),
        month_name(r.month)
    );
    let _ = write!(
        out,
        "<header><h1>Monthly performance report — {}</h1><p>{} · period {} to {} (end exclusive) · compared with {} · {} branches, {} departments</p></header><main>",
        esc(&r.network),
        month_name(r.month),
        r.period.start(),
        r.period.end(),
        month_name(r.previous_period.start()),
        r.branches.len(),
        r.departments.len()
    );

    // Headline cards.
    out.push_str("<h2>Network at a glance</h2><div class=\"cards\">");
    for kpi in ReportKpi::ALL {
        let Some(row) = r.row(Level::Network, "", kpi) else {
            continue;
        };
        let class = match row.on_target {
            Some(true) => " ok",
            Some(false) => " bad",
            None => "",
        };
        let target = row
            .target
            .map(|t| format!(" · target {}", display(kpi, Some(t), currency)))
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<div class="card{class}"><div class="k">{}</div><div class="v" data-kpi="{}" data-level="network" data-code="" data-value="{}">{}</div><div class="s">{} vs {} in {}{}</div></div>"#,
            esc(kpi.label()),
            kpi.name(),
            num_attr(row.value),
            esc(&display(kpi, row.value, currency)),
            esc(&display_change(kpi, row.change)),
            esc(&display(kpi, row.previous, currency)),
            esc(&r.previous_period.start().format("%B").to_string()),
            esc(&target)
        );
    }
    out.push_str("</div>");

    // Branch comparison.
    let codes: Vec<String> = r.branches.iter().map(|b| b.0.clone()).collect();
    let branch_values = |kpi: ReportKpi, prev: bool| -> Vec<Option<f64>> {
        codes
            .iter()
            .map(|c| {
                let row = r.row(Level::Branch, c, kpi);
                chart_value(kpi, row.and_then(|x| if prev { x.previous } else { x.value }))
            })
            .collect()
    };
    let prev_name = r.previous_period.start().format("%B").to_string();
    let this_name = r.month.format("%B").to_string();
    out.push_str("<h2>Branches</h2><div class=\"charts\">");
    let target_of = |kpi: ReportKpi| {
        r.targets
            .0
            .get(&kpi)
            .map(|t| chart_value(kpi, Some(t.value)).unwrap_or(t.value))
    };
    for (kpi, title) in [
        (ReportKpi::OccupancyRate, "Bed occupancy by branch (%)"),
        (ReportKpi::Admissions, "Admissions by branch"),
        (ReportKpi::Alos, "Average length of stay by branch (days)"),
        (ReportKpi::ReadmissionRate, "30-day readmission rate by branch (%)"),
    ] {
        out.push_str(&bar_chart(
            title,
            &codes,
            &[
                Series {
                    name: prev_name.clone(),
                    values: branch_values(kpi, true),
                    color: "#9fb3c8",
                },
                Series {
                    name: this_name.clone(),
                    values: branch_values(kpi, false),
                    color: PALETTE[0],
                },
            ],
            target_of(kpi),
            None,
            chart_unit(kpi),
        ));
    }
    out.push_str("</div><h3>KPIs by branch</h3><p class=\"note\">Value for the month; below it the change from the previous month (pp = percentage points). Green: on target; red: off target.</p><table>");
    header_row(&mut out, "Branch");
    for (code, name) in &r.branches {
        let _ = write!(
            out,
            "<tr><td class=\"l\">{} <span class=\"d\">{}</span></td>",
            esc(code),
            esc(name)
        );
        for kpi in ReportKpi::ALL {
            match r.row(Level::Branch, code, kpi) {
                Some(row) => cell(&mut out, row, currency),
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("<tr class=\"grp\"><td>Network</td>");
    for kpi in ReportKpi::ALL {
        if let Some(row) = r.row(Level::Network, "", kpi) {
            cell(&mut out, row, currency);
        }
    }
    out.push_str("</tr></table>");

    // Forecast.
    if !r.forecasts.is_empty() {
        let next = r.forecasts[0].month;
        let _ = write!(
            out,
            "<h2>Forecast for {}</h2><p class=\"note\">Made at the end of {} with nothing later. Admissions: weekly seasonal-naive model of daily admissions summed over the month; 80% bounds with independent daily errors (network bounds: sum of the branches', conservative). Census: length-of-stay survival and arrivals (infinite-server model); beds as in service on the last day of {}.</p><div class=\"charts\">",
            month_name(next),
            month_name(r.month),
            month_name(r.month)
        );
        let branches: Vec<&super::MonthForecast> = r.forecasts.iter().filter(|f| !f.branch.is_empty()).collect();
        let cats: Vec<String> = branches.iter().map(|f| f.branch.clone()).collect();
        let errors: Vec<(f64, f64)> = branches
            .iter()
            .map(|f| (f.admissions_lo80, f.admissions_hi80))
            .collect();
        out.push_str(&bar_chart(
            &format!("Forecast admissions, {} (80% bounds)", next.format("%B %Y")),
            &cats,
            &[Series {
                name: "forecast".into(),
                values: branches.iter().map(|f| Some(f.admissions)).collect(),
                color: PALETTE[2],
            }],
            None,
            Some(&errors),
            "admissions",
        ));
        out.push_str(&bar_chart(
            &format!("Forecast mean occupancy, {} (%)", next.format("%B %Y")),
            &cats,
            &[Series {
                name: "forecast".into(),
                values: branches.iter().map(|f| Some(f.occupancy_rate)).collect(),
                color: PALETTE[1],
            }],
            target_of(ReportKpi::OccupancyRate),
            None,
            "%",
        ));
        out.push_str("</div><table><tr><th>Branch</th><th>Admissions</th><th>80% bounds</th><th>Mean census</th><th>Beds</th><th>Mean occupancy</th><th>Max P(census &gt; beds)</th></tr>");
        for f in &r.forecasts {
            let name = if f.branch.is_empty() {
                "Network"
            } else {
                f.branch.as_str()
            };
            let _ = write!(
                out,
                r#"<tr><td class="l">{}</td><td data-value="{}">{}</td><td>{} – {}</td><td data-value="{}">{:.1}</td><td>{}</td><td data-value="{}">{:.1}%</td><td>{}</td></tr>"#,
                esc(name),
                f.admissions,
                super::thousands(f.admissions),
                super::thousands(f.admissions_lo80),
                super::thousands(f.admissions_hi80),
                f.mean_census,
                f.mean_census,
                super::thousands(f.beds),
                num_attr(Some(f.occupancy_rate)),
                f.occupancy_rate,
                f.max_prob_above_beds
                    .map_or("–".to_string(), |p| format!("{:.0}%", p * 100.0))
            );
        }
        out.push_str("</table>");
    }

    // Alerts.
    let _ = write!(out, "<h2>Alerts raised in {}</h2>", month_name(r.month));
    if r.alerts.is_empty() {
        out.push_str("<p class=\"note\">No alert was raised.</p>");
    } else {
        out.push_str(
            "<table><tr><th>Rule</th><th>Critical</th><th>Warning</th><th>Still active at month end</th></tr>",
        );
        for rule in RuleKind::ALL {
            let of_rule: Vec<_> = r.alerts.iter().filter(|a| a.rule == rule).collect();
            if of_rule.is_empty() {
                continue;
            }
            let n = |s: Severity| of_rule.iter().filter(|a| a.severity == s).count();
            let active = of_rule.iter().filter(|a| a.ended.is_none()).count();
            let _ = write!(
                out,
                "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{active}</td></tr>",
                rule.name().replace('_', " "),
                n(Severity::Critical),
                n(Severity::Warning)
            );
        }
        let _ = write!(
            out,
            "<tr class=\"grp\"><td>All rules</td><td colspan=\"3\">{} alerts</td></tr></table>",
            r.alerts.len()
        );
        let mut shown: Vec<_> = r.alerts.iter().collect();
        shown.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.started.cmp(&b.started)));
        shown.truncate(r.html_alert_rows);
        let _ = write!(
            out,
            "<h3>Alerts{}</h3><table><tr><th class=\"l\">Raised</th><th class=\"l\">Severity</th><th class=\"l\">Rule</th><th class=\"l\">Subject</th><th class=\"l\">Ended</th><th class=\"l\">What</th></tr>",
            if shown.len() < r.alerts.len() {
                format!(" (the {} most severe; all {} in the CSV and JSON)", shown.len(), r.alerts.len())
            } else {
                String::new()
            }
        );
        for a in shown {
            let _ = write!(
                out,
                r#"<tr><td class="l">{}</td><td class="l"><span class="sev {s}">{s}</span></td><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td class="l" style="white-space:normal">{}</td></tr>"#,
                a.started.format("%Y-%m-%d %H:%M"),
                a.rule.name().replace('_', " "),
                esc(&a.subject.to_string()),
                a.ended
                    .map_or("active".to_string(), |e| e.format("%Y-%m-%d").to_string()),
                esc(&a.message),
                s = a.severity.label()
            );
        }
        out.push_str("</table>");
    }

    // Trends.
    let _ = write!(
        out,
        "<h2>Trends</h2><p class=\"note\">Network values by month, {} to {}.</p><div class=\"charts\">",
        r.trends
            .first()
            .and_then(|t| t.months.first())
            .map(|m| month_name(*m))
            .unwrap_or_default(),
        month_name(r.month)
    );
    for kpi in ReportKpi::ALL {
        if let Some(t) = r.trend("", kpi) {
            let labels: Vec<String> = t.months.iter().map(|m| short_month(*m)).collect();
            out.push_str(&line_chart(
                &format!("{} — network", kpi.label()),
                &labels,
                &[Series {
                    name: "network".into(),
                    values: t.values.iter().map(|v| chart_value(kpi, *v)).collect(),
                    color: PALETTE[0],
                }],
                target_of(kpi),
                chart_unit(kpi),
            ));
        }
    }
    // Occupancy per branch, one line each.
    if let Some(t0) = r.trend("", ReportKpi::OccupancyRate) {
        let labels: Vec<String> = t0.months.iter().map(|m| short_month(*m)).collect();
        let series: Vec<Series> = codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                r.trend(c, ReportKpi::OccupancyRate).map(|t| Series {
                    name: c.clone(),
                    values: t.values.clone(),
                    color: PALETTE[i % PALETTE.len()],
                })
            })
            .take(PALETTE.len())
            .collect();
        out.push_str(&line_chart_width(
            "Bed occupancy by branch (%)",
            &labels,
            &series,
            target_of(ReportKpi::OccupancyRate),
            "%",
            1140.0,
        ));
    }
    out.push_str("</div>");

    // Departments.
    out.push_str("<h2>KPIs by department</h2><table>");
    header_row(&mut out, "Department");
    for (code, name) in &r.branches {
        let _ = write!(
            out,
            "<tr class=\"grp\"><td colspan=\"{}\">{} — {}</td></tr>",
            ReportKpi::ALL.len() + 1,
            esc(code),
            esc(name)
        );
        for (dcode, dname, _) in r.departments.iter().filter(|d| &d.2 == code) {
            let _ = write!(
                out,
                "<tr><td class=\"l\">{} <span class=\"d\">{}</span></td>",
                esc(dname),
                esc(dcode)
            );
            for kpi in ReportKpi::ALL {
                match r.row(Level::Department, dcode, kpi) {
                    Some(row) => cell(&mut out, row, currency),
                    None => out.push_str("<td></td>"),
                }
            }
            out.push_str("</tr>");
        }
    }
    out.push_str("</table></main>");
    out.push_str(
        "<footer><p>Definitions (hutano-core KPI engine): occupancy = occupied bed-days (midnight census) × 100 / available bed-days, from admissions and discharges (WHO Europe HFA-DB); ALOS = bed-days of the stays discharged / discharges, deaths included, patients still in hospital excluded (OECD); 30-day readmissions from the encounters (CMS hospital-wide measure; the latest month is provisional until its 30 days have passed); mortality = deaths / discharges; discharge before noon as in J Med Syst 2019; cost per discharge = cost, not charges, / discharges. Occupancy target: the 85% rule of thumb (Bagust, Place &amp; Posnett, BMJ 1999), too high for small units. Departments of occupancy rows are those of the beds; discharge-based KPIs use the discharging department.</p></footer></body></html>",
    );
    out
}
