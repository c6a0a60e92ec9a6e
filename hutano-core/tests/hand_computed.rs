//! A small network whose every KPI is worked out by hand in the comments.
//!
//! Branch A (Africa/Harare). Departments A-MED (wards W1: 10 general beds;
//! W2: 4 general beds, plus 2 more from 16 March) and A-ICU (ward ICU1: 2 ICU
//! beds). Period: March 2024 = [03-01, 04-01), 31 days.
//!
//! | stay | patient | admit        | placements                          | discharge    | type     | outcome   |
//! |------|---------|--------------|-------------------------------------|--------------|----------|-----------|
//! | E1   | p1      | 02-28 10:00  | W1                                  | 03-02 09:00  | emerg.   | recovered |
//! | E2   | p2      | 03-05 08:00  | W1                                  | 03-05 17:00  | day case | recovered |
//! | E3   | p3      | 03-10 14:00  | W1; ICU1 03-12 02:00; W2 03-14 11:00| 03-20 10:00  | emerg.   | deceased  |
//! | E4a  | p4      | 03-01 12:00  | W1                                  | 03-04 12:00  | elective | improved  |
//! | E4b  | p4      | 03-20 09:00  | W1                                  | 03-22 15:00  | emerg.   | improved  |
//! | E4c  | p4      | 03-30 08:00  | W2                                  | (in hospital)| emerg.   |           |
//! | E5a  | p5      | 03-15 20:00  | W2                                  | 03-16 06:00  | emerg.   | left (LAMA)|
//! | E5b  | p5      | 03-18 10:00  | W2                                  | 03-19 11:00  | emerg.   | recovered |
//! | E6   | p6      | 03-25 23:00  | W1                                  | 03-26 21:00  | emerg.   | deceased  |
//! | E8a  | p8      | 03-02 10:00  | W1                                  | 03-03 10:00  | elective | recovered |
//! | E8b  | p8      | 03-10 09:00  | W1 (planned readmission)            | 03-11 09:00  | elective | recovered |
//! | E9   | p9      | 02-20 12:00  | W2                                  | 04-05 12:00  | transfer-in | recovered |

// Test code: unwrap is the assertion, and the fixtures are small enough for any cast.
#![allow(
    clippy::float_cmp,
    clippy::single_match_else,
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::many_single_char_names,
    clippy::too_many_lines
)]

use chrono::{NaiveDate, NaiveDateTime};
use hutano_core::kpi::{AlosVariant, Dimension, Engine, Grain, MortalityRules, Period, Query, ReadmissionRules};
use hutano_core::model::{
    AdmissionType, BedBlock, BedType, Bill, Branch, BranchKind, DepartmentId, Encounter, EncounterId, Network, Outcome,
    Patient, PatientId, Placement, Procedure, Sex, Shift, ShiftKind, Staff, StaffId, StaffRole, WardId,
};
use hutano_core::table::Table;

fn t(m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, d).unwrap()
}

fn stay(
    net: &mut Network,
    id: &str,
    patient: &str,
    admission_type: AdmissionType,
    places: &[(NaiveDateTime, DepartmentId, WardId, BedType)],
    discharge: Option<NaiveDateTime>,
    outcome: Option<Outcome>,
) -> EncounterId {
    let pid = match net.patients.iter().position(|p| p.pseudonym == patient) {
        Some(i) => PatientId(i as u32),
        None => {
            net.patients.push(Patient {
                pseudonym: patient.into(),
            });
            PatientId(net.patients.len() as u32 - 1)
        }
    };
    net.encounters.push(Encounter {
        id: id.into(),
        patient: pid,
        branch: hutano_core::model::BranchId(0),
        admit: places[0].0,
        discharge,
        admission_type,
        placements: places
            .iter()
            .map(|&(start, department, ward, bed_type)| Placement {
                start,
                department,
                ward: Some(ward),
                bed_type,
            })
            .collect(),
        diagnosis_code: None,
        diagnosis_category: None,
        age: Some(50),
        sex: Sex::Female,
        payer: None,
        residence: None,
        outcome,
        attending: None,
        discharge_order: None,
        billing_closed: None,
        planned_readmission: false,
        icu_days: None,
    });
    EncounterId(net.encounters.len() as u32 - 1)
}

fn network() -> Network {
    use AdmissionType::{DayCase, Elective, Emergency, TransferIn};
    use BedType::{General, Icu};
    let mut net = Network::new("hand");
    let a = net.add_branch(Branch {
        code: "A".into(),
        name: "A".into(),
        kind: BranchKind::District,
        timezone: chrono_tz::Africa::Harare,
        rural: false,
        location: None,
    });
    let med = net.add_department(a, "A-MED", "Medicine");
    let icu = net.add_department(a, "A-ICU", "Intensive care");
    let w1 = net.add_ward(med, "W1", "Ward 1");
    let w2 = net.add_ward(med, "W2", "Ward 2");
    let icu1 = net.add_ward(icu, "ICU1", "ICU");
    let block = |ward, bed_type, count, from: Option<NaiveDate>| BedBlock {
        ward,
        bed_type,
        count,
        ventilator_capable: bed_type == Icu,
        in_service_from: from,
        in_service_until: None,
    };
    net.beds = vec![
        block(w1, General, 10, None),
        block(w2, General, 4, None),
        block(w2, General, 2, Some(day(3, 16))),
        block(icu1, Icu, 2, None),
    ];
    let s = |w| (med, w, General);
    let at = |time, (d, w, b): (DepartmentId, WardId, BedType)| (time, d, w, b);
    stay(
        &mut net,
        "E1",
        "p1",
        Emergency,
        &[at(t(2, 28, 10, 0), s(w1))],
        Some(t(3, 2, 9, 0)),
        Some(Outcome::Recovered),
    );
    stay(
        &mut net,
        "E2",
        "p2",
        DayCase,
        &[at(t(3, 5, 8, 0), s(w1))],
        Some(t(3, 5, 17, 0)),
        Some(Outcome::Recovered),
    );
    let e3 = stay(
        &mut net,
        "E3",
        "p3",
        Emergency,
        &[
            at(t(3, 10, 14, 0), s(w1)),
            (t(3, 12, 2, 0), icu, icu1, Icu),
            at(t(3, 14, 11, 0), s(w2)),
        ],
        Some(t(3, 20, 10, 0)),
        Some(Outcome::Deceased),
    );
    stay(
        &mut net,
        "E4a",
        "p4",
        Elective,
        &[at(t(3, 1, 12, 0), s(w1))],
        Some(t(3, 4, 12, 0)),
        Some(Outcome::Improved),
    );
    stay(
        &mut net,
        "E4b",
        "p4",
        Emergency,
        &[at(t(3, 20, 9, 0), s(w1))],
        Some(t(3, 22, 15, 0)),
        Some(Outcome::Improved),
    );
    stay(
        &mut net,
        "E4c",
        "p4",
        Emergency,
        &[at(t(3, 30, 8, 0), s(w2))],
        None,
        None,
    );
    stay(
        &mut net,
        "E5a",
        "p5",
        Emergency,
        &[at(t(3, 15, 20, 0), s(w2))],
        Some(t(3, 16, 6, 0)),
        Some(Outcome::LeftAgainstAdvice),
    );
    stay(
        &mut net,
        "E5b",
        "p5",
        Emergency,
        &[at(t(3, 18, 10, 0), s(w2))],
        Some(t(3, 19, 11, 0)),
        Some(Outcome::Recovered),
    );
    stay(
        &mut net,
        "E6",
        "p6",
        Emergency,
        &[at(t(3, 25, 23, 0), s(w1))],
        Some(t(3, 26, 21, 0)),
        Some(Outcome::Deceased),
    );
    let e1 = EncounterId(0);
    stay(
        &mut net,
        "E8a",
        "p8",
        Elective,
        &[at(t(3, 2, 10, 0), s(w1))],
        Some(t(3, 3, 10, 0)),
        Some(Outcome::Recovered),
    );
    let e8b = stay(
        &mut net,
        "E8b",
        "p8",
        Elective,
        &[at(t(3, 10, 9, 0), s(w1))],
        Some(t(3, 11, 9, 0)),
        Some(Outcome::Recovered),
    );
    net.encounters[e8b.index()].planned_readmission = true;
    stay(
        &mut net,
        "E9",
        "p9",
        TransferIn,
        &[at(t(2, 20, 12, 0), s(w2))],
        Some(t(4, 5, 12, 0)),
        Some(Outcome::Recovered),
    );

    // Bills: E3 has two bills (a join of stays to bills fans out; hutano sums per stay first).
    let bill = |encounter, charges, cost, discount, paid| Bill {
        encounter,
        payer: hutano_core::model::Payer::Government,
        charges,
        cost,
        discount,
        paid,
    };
    net.bills = vec![
        bill(e1, 100.0, 60.0, 10.0, 80.0),
        bill(e3, 500.0, 400.0, 0.0, 200.0),
        bill(e3, 300.0, 100.0, 50.0, 250.0),
    ];
    // A doctor: two 8-hour shifts, one 30-minute procedure, attending E3.
    net.staff.push(Staff {
        code: "D1".into(),
        role: StaffRole::Doctor,
        branch: a,
        department: Some(med),
        contracted_hours_per_week: 40.0,
        skills: vec![],
    });
    let d1 = StaffId(0);
    net.encounters[e3.index()].attending = Some(d1);
    for d in [12, 13] {
        net.shifts.push(Shift {
            staff: d1,
            department: med,
            start: t(3, d, 8, 0),
            end: t(3, d, 16, 0),
            kind: ShiftKind::Day,
        });
    }
    let proc_at = |when, performer| Procedure {
        encounter: e3,
        code: "ECHO".into(),
        name: "Echocardiogram".into(),
        performed_at: when,
        performer,
        duration_minutes: 30.0,
        cost: 20.0,
        charge: 50.0,
    };
    net.procedures = vec![proc_at(t(3, 12, 10, 0), Some(d1)), proc_at(t(3, 15, 10, 0), None)];
    net
}

fn march() -> Query {
    Query::new(Period::new(day(3, 1), day(4, 1)).unwrap())
}

fn one(t: &Table, col: &str) -> f64 {
    let v = t.f64s(col).unwrap();
    assert_eq!(v.len(), 1, "{col}: expected one row, table:\n{t}");
    v[0]
}

fn by_label(t: &Table, dim: &str, label: &str, col: &str) -> f64 {
    let labels = t.texts(dim).unwrap();
    let i = labels
        .iter()
        .position(|l| l == label)
        .unwrap_or_else(|| panic!("{label} not in\n{t}"));
    t.f64s(col).unwrap()[i]
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn bed_days_and_census() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    // Nights in March: E1 1 (03-01), E2 0, E3 10 (03-10..03-19), E4a 3, E4b 2,
    // E4c 2 (03-30, 03-31; still in), E5a 1, E5b 1, E6 1, E8a 1, E8b 1, E9 31.
    assert_eq!(one(&e.bed_days(&march()).unwrap(), "occupied_bed_days"), 54.0);
    let c = e.census_daily(&march()).unwrap();
    let mid = c.f64s("midnight_census").unwrap();
    let peak = c.f64s("peak_census").unwrap();
    assert_eq!(mid.len(), 31);
    assert_eq!(mid.iter().sum::<f64>(), 54.0);
    // 03-01: E1, E9 present from the start, E4a arrives at noon: peak 3, midnight 3.
    assert_eq!((mid[0], peak[0]), (3.0, 3.0));
    // 03-05: E9 all day; day case E2 08:00-17:00: peak 2, midnight 1.
    assert_eq!((mid[4], peak[4]), (1.0, 2.0));
    // 03-26: E6 (admitted 03-25 23:00) and E9 at 00:00; E6 dies 21:00.
    assert_eq!((mid[25], peak[25]), (1.0, 2.0));
    // Hourly, 03-05: 08:00 includes E2 (admitted at 08:00), 17:00 does not (discharged at 17:00).
    let h = e
        .census_hourly(&Query::new(Period::new(day(3, 5), day(3, 6)).unwrap()))
        .unwrap();
    let census = h.f64s("census").unwrap();
    assert_eq!(census.len(), 24);
    assert_eq!((census[7], census[8], census[16], census[17]), (1.0, 2.0, 2.0, 1.0));
}

#[test]
fn bed_days_split_by_ward_after_transfers() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let q = march().group_by([Dimension::Ward]);
    let t = e.bed_utilisation(&q).unwrap();
    // W1: E1 1 + E3 2 (03-10, 03-11) + E4a 3 + E4b 2 + E6 1 + E8a 1 + E8b 1 = 11.
    assert_eq!(by_label(&t, "ward", "W1", "occupied_bed_days"), 11.0);
    // W2: E3 6 (03-14..03-19) + E4c 2 + E5a 1 + E5b 1 + E9 31 = 41.
    assert_eq!(by_label(&t, "ward", "W2", "occupied_bed_days"), 41.0);
    // ICU1: E3 2 (03-12, 03-13).
    assert_eq!(by_label(&t, "ward", "ICU1", "occupied_bed_days"), 2.0);
    // Capacity change mid-month: W2 = 4 x 31 + 2 x 16 (03-16..03-31) = 156.
    assert_eq!(by_label(&t, "ward", "W2", "available_bed_days"), 156.0);
    // Discharges by discharging ward: W1 7 (E1 E2 E4a E4b E6 E8a E8b), W2 3 (E3 E5a E5b).
    assert_eq!(by_label(&t, "ward", "W1", "discharges"), 7.0);
    assert_eq!(by_label(&t, "ward", "W2", "discharges"), 3.0);
    assert_eq!(by_label(&t, "ward", "ICU1", "discharges"), 0.0);
    assert!(by_label(&t, "ward", "ICU1", "turnover_interval_days").is_nan());
    let icu = e.icu_days(&march()).unwrap();
    assert_eq!(one(&icu, "icu_bed_days"), 2.0);
}

#[test]
fn occupancy_turnover_for_the_branch() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let t = e.bed_utilisation(&march()).unwrap();
    // Available: W1 310 + W2 156 + ICU 62 = 528 bed-days.
    assert_eq!(one(&t, "available_bed_days"), 528.0);
    close(one(&t, "occupancy_rate"), 54.0 * 100.0 / 528.0);
    close(one(&t, "average_available_beds"), 528.0 / 31.0);
    close(one(&t, "turnover_rate"), 10.0 / (528.0 / 31.0));
    close(one(&t, "turnover_interval_days"), (528.0 - 54.0) / 10.0);
    // Occupancy cannot be split by a patient dimension.
    assert!(e.bed_utilisation(&march().group_by([Dimension::Sex])).is_err());
}

#[test]
fn alos_variants() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    // Ten discharges in March; whole-stay nights: E1 3, E2 0, E3 10, E4a 3,
    // E4b 2, E5a 1, E5b 1, E6 1, E8a 1, E8b 1 = 23. E4c and E9 are not discharges.
    let all = e.alos(&march(), AlosVariant::AllStays).unwrap();
    assert_eq!(one(&all, "discharges"), 10.0);
    close(one(&all, "alos"), 2.3);
    close(
        one(&e.alos(&march(), AlosVariant::OvernightOnly).unwrap(), "alos"),
        23.0 / 9.0,
    );
    close(
        one(&e.alos(&march(), AlosVariant::AllStaysSameDayAsOne).unwrap(), "alos"),
        2.4,
    );
}

#[test]
fn mortality_with_early_death() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let m = e.mortality(&march(), MortalityRules::default()).unwrap();
    // Deaths: E3 (after 10 days) and E6 (22 h after admission: early).
    assert_eq!(one(&m, "deaths"), 2.0);
    assert_eq!(one(&m, "early_deaths"), 1.0);
    close(one(&m, "mortality_rate"), 0.2);
    close(one(&m, "net_mortality_rate"), 1.0 / 9.0);
}

#[test]
fn readmission_chains_exclusions_and_planned_returns() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let r = e.readmissions(&march(), &ReadmissionRules::default()).unwrap();
    // Index stays: E1 E2 E4a E4b E5b E8a E8b (E3, E6 died; E5a left against advice).
    assert_eq!(one(&r, "index_stays"), 7.0);
    // Readmitted: E4a (E4b 16 days later), E4b (E4c 8 days later). E8a's return is planned.
    assert_eq!(one(&r, "readmissions"), 2.0);
    // Counting left-against-advice stays: E5a is readmitted 2 days later.
    let rules = ReadmissionRules {
        exclude_left_against_advice: false,
        ..ReadmissionRules::default()
    };
    let r = e.readmissions(&march(), &rules).unwrap();
    assert_eq!((one(&r, "index_stays"), one(&r, "readmissions")), (8.0, 3.0));
    // A 10-day window drops E4a (16 days) but keeps E4b (8 days).
    let rules = ReadmissionRules {
        window_days: 10,
        ..ReadmissionRules::default()
    };
    assert_eq!(one(&e.readmissions(&march(), &rules).unwrap(), "readmissions"), 1.0);
    // Only stays whose 30-day window ends by 04-10 are fully observed: those discharged by 03-11.
    let rules = ReadmissionRules {
        observed_until: Some(day(4, 10)),
        ..ReadmissionRules::default()
    };
    let r = e.readmissions(&march(), &rules).unwrap();
    // E1 (03-02), E2 (03-05), E4a (03-04), E8a (03-03), E8b (03-11).
    assert_eq!((one(&r, "index_stays"), one(&r, "readmissions")), (5.0, 1.0));
}

#[test]
fn admissions_mix_and_flow() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let a = e.admissions(&march()).unwrap();
    // Admitted in March: E2 E3 E4a E4b E4c E5a E5b E6 E8a E8b (E1, E9 in February).
    assert_eq!(one(&a, "admissions"), 10.0);
    assert_eq!(one(&a, "emergency"), 6.0);
    assert_eq!(one(&a, "elective"), 3.0);
    assert_eq!(one(&a, "day_case"), 1.0);
    close(one(&a, "emergency_share"), 0.6);
    assert_eq!(one(&a, "net_flow"), 0.0);
}

#[test]
fn a_one_day_period_includes_its_day() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let q = Query::new(Period::new(day(3, 5), day(3, 6)).unwrap());
    let a = e.admissions(&q).unwrap();
    assert_eq!((one(&a, "admissions"), one(&a, "discharges")), (1.0, 1.0));
    assert_eq!(one(&e.bed_days(&q).unwrap(), "occupied_bed_days"), 1.0);
    close(one(&e.alos(&q, AlosVariant::AllStays).unwrap(), "alos"), 0.0);
}

#[test]
fn discharge_timing() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let t = e.discharge_timing(&march()).unwrap();
    // Before noon: E1 09, E3 10, E5a 06, E5b 11, E8a 10, E8b 09 (E4a at 12:00 is not).
    assert_eq!(one(&t, "before_noon"), 6.0);
    close(one(&t, "before_noon_share"), 0.6);
    // Hours: 6 9 9 10 10 11 12 15 17 21 -> median (10 + 11) / 2.
    close(one(&t, "median_discharge_hour"), 10.5);
}

#[test]
fn finance_sums_bills_per_stay_before_grouping() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let f = e.finance(&march()).unwrap();
    close(one(&f, "charges"), 900.0);
    close(one(&f, "billed"), 840.0);
    close(one(&f, "paid"), 530.0);
    close(one(&f, "cost_per_discharge"), 56.0);
    close(one(&f, "collection_rate"), 530.0 / 840.0);
    let p = e.procedures(&march().group_by([Dimension::Department])).unwrap();
    // One echo in ICU (03-12), one on the medical ward (03-15).
    assert_eq!(by_label(&p, "department", "A-ICU", "procedures"), 1.0);
    assert_eq!(by_label(&p, "department", "A-MED", "procedures"), 1.0);
    assert_eq!(p.sum("charges").unwrap(), 100.0);
}

#[test]
fn doctor_workload_uses_one_period() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let w = e.doctor_workload(&march()).unwrap();
    assert_eq!(one(&w, "duty_days"), 2.0);
    close(one(&w, "scheduled_hours"), 16.0);
    close(one(&w, "booked_hours"), 0.5);
    close(one(&w, "utilisation"), 0.5 / 16.0);
    // E3 under D1 spans 10 midnights in March.
    close(one(&w, "patients_per_duty_day"), 5.0);
}

#[test]
fn grouped_totals_add_up_and_weekly_grain() {
    let net = network();
    let e = Engine::new(&net).unwrap();
    let total = one(&e.bed_days(&march()).unwrap(), "occupied_bed_days");
    let by_dept = e.bed_days(&march().group_by([Dimension::Department])).unwrap();
    assert_eq!(by_dept.sum("occupied_bed_days").unwrap(), total);
    let weekly = e.bed_days(&march().grain(Grain::Week)).unwrap();
    // March 2024: Fri 1 - Sun 3, then four full ISO weeks (4-10, 11-17, 18-24, 25-31).
    assert_eq!(weekly.len(), 5);
    assert_eq!(weekly.f64s("days").unwrap(), vec![3.0, 7.0, 7.0, 7.0, 7.0]);
    assert_eq!(weekly.sum("occupied_bed_days").unwrap(), total);
    let filtered = e.bed_days(&march().filter(Dimension::Ward, ["W2"])).unwrap();
    assert_eq!(one(&filtered, "occupied_bed_days"), 41.0);
    assert!(e.bed_days(&march().filter(Dimension::Ward, ["nope"])).is_err());
}
