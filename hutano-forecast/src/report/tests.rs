use super::*;

#[test]
fn numbers_are_displayed_in_their_unit() {
    assert_eq!(thousands(1_234_567.4), "1,234,567");
    assert_eq!(thousands(-1234.0), "−1,234");
    assert_eq!(thousands(999.0), "999");
    assert_eq!(display(ReportKpi::OccupancyRate, Some(85.04), None), "85.0%");
    assert_eq!(display(ReportKpi::ReadmissionRate, Some(0.1234), None), "12.3%");
    assert_eq!(display(ReportKpi::Alos, None, None), "–");
    assert_eq!(display(ReportKpi::Alos, Some(f64::NAN), None), "–");
    assert_eq!(
        display(ReportKpi::CostPerDischarge, Some(1500.2), Some("USD")),
        "1,500 USD"
    );
    assert_eq!(display_change(ReportKpi::MortalityRate, Some(-0.01)), "−1.0 pp");
    assert_eq!(display_change(ReportKpi::Admissions, Some(12.0)), "+12");
}

#[test]
fn csv_cells_are_quoted_when_needed() {
    assert_eq!(csv_cell("plain"), "plain");
    assert_eq!(csv_cell("a, b"), "\"a, b\"");
    assert_eq!(csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
}

#[test]
fn targets_are_met_by_direction() {
    let t = Targets::default();
    let occ = t.0[&ReportKpi::OccupancyRate];
    assert!(occ.met_by(85.0) && !occ.met_by(85.1));
    let floor = Target {
        value: 0.2,
        direction: Direction::AtLeast,
    };
    assert!(floor.met_by(0.25) && !floor.met_by(0.1));
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.contains("occupancy_rate"), "{json}");
    assert_eq!(serde_json::from_str::<Targets>(&json).unwrap(), t);
}

#[test]
fn zero_trend_months_is_an_error() {
    let net = Network::new("empty");
    let config = ReportConfig {
        trend_months: 0,
        ..ReportConfig::default()
    };
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    assert!(matches!(
        MonthlyReport::build(&net, day, &config),
        Err(Error::InvalidParameter {
            name: "trend_months",
            ..
        })
    ));
}

#[test]
fn an_empty_network_gives_an_empty_report() {
    let net = Network::new("empty");
    let day = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let r = MonthlyReport::build(&net, day, &ReportConfig::default()).unwrap();
    assert_eq!(r.month, NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
    assert!(r.network_value(ReportKpi::Admissions).is_none() || r.network_value(ReportKpi::Admissions) == Some(0.0));
    assert!(r.alerts.is_empty());
    let html = r.to_html();
    assert!(html.contains("</html>"));
    assert!(r.to_csv().starts_with("section,branch"));
    r.to_json().unwrap();
}
