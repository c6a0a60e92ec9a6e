//! Staff allocation: assign staff to shifts over a horizon.
//!
//! # Model
//! - **Data.** Shifts of the day ([`ShiftSpec`]), staff ([`StaffMember`]:
//!   role, units they may work in, skills, contracted hours, leave, hourly
//!   cost) and requirements ([`Requirement`]: unit, role, optional skill,
//!   day, shift, a *target* and a *minimum*).
//! - **Variables.** `x[s, u, d, k]` (binary): member `s` works shift `k` of
//!   day `d` in unit `u`; created only where `s` may work in `u`, is not on
//!   leave on `d` and counts towards a requirement of `(u, d, k)` (same role,
//!   and the skill where one is asked). `under[r] ≥ 0`: staff missing from
//!   requirement `r`'s target. `ot[s, w] ≥ 0`: overtime hours of `s` in week
//!   `w` (7-day blocks from the start). `excess_nights[s]`,
//!   `excess_weekends[s] ≥ 0`: night and weekend shifts of `s` beyond their
//!   fair share (the pool's wanted night or weekend shifts split in
//!   proportion to contracted hours, rounded up; a pool is one role in one
//!   independent part, see below).
//! - **Hard constraints.**
//!   - Leave, role, unit and skill: by construction of `x`.
//!   - Minimum rest: two shifts of one member whose gap (end of the earlier
//!     to start of the later) is shorter than [`StaffRules::min_rest_hours`]
//!     are never both worked (this also forbids overlapping shifts).
//!   - Contracted hours: in each week the hours worked are at most the
//!     contracted hours plus `ot[s, w]`, and `ot[s, w]` is at most
//!     [`StaffMember::max_overtime_hours_per_week`]. A last partial week is
//!     the start of a week that runs past the horizon and keeps the full
//!     weekly limits (pro-rata limits would be fractional shifts, which make
//!     the MIP much harder without changing any realistic roster).
//!   - Safe-staffing floor: at least [`Requirement::minimum`] staff on each
//!     requirement. This is the row reported in
//!     [`crate::Error::Infeasible`], e.g. `"icu nurses in
//!     HRE-ICU on 2024-05-03 night shift: 9 needed, 6 available"`.
//! - **Soft (objective, minimised).** `understaffing_penalty × under` (to the
//!   target), wages `hourly_cost × hours`, the overtime premium
//!   `hourly_cost × overtime_premium × ot`, and fairness
//!   `night_fairness × excess_nights + weekend_fairness × excess_weekends`,
//!   which spreads nights and weekends (a separable penalty rather than a
//!   min-max, whose symmetry stalls branch and bound).
//!
//! # Decomposition
//! Staff and requirements split into independent parts: the connected
//! components of the graph linking each member to the `(unit, role)` pairs
//! they may work. Each part is its own model (solved in parallel with the
//! `parallel` feature); the plan is the union and its objective the sum, which
//! is exactly the optimum of the whole model because the parts share no
//! variable or row.
//!
//! Before solving, a pre-check compares each minimum with the staff who could
//! work the shift at all (right role, unit and skill, not on leave); shortfalls
//! found there are reported at once without solving.
//!
//! # Budgeted solve
//! Large rosters (the national 30-day roster has parts of thousands of binary
//! variables with symmetric staff) are beyond microlp's own branch and bound
//! in reasonable time. [`StaffProblem::solve_budgeted`] solves each part with
//! [`crate::budget::solve_budgeted`] under a [`Budget`] (node limit, gap
//! target, wall-time safety net) and reports, per part and in total, the
//! proven lower bound and the gap ([`StaffBound`]). Its plans pass
//! [`StaffProblem::check_plan`]; without limits it is exact.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use hutano_core::model::StaffRole;
use serde::{Deserialize, Serialize};

use crate::budget::{solve_all_budgeted, Bound, Budget};
use crate::error::{invalid, Error, Result, Shortfall};
use crate::lp::{Label, LinearModel, Sense, Solution, VarId};
use crate::solver::{solve_all, Solver};

/// A shift of the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftSpec {
    /// Name (e.g. `"night"`), used in plans and error messages.
    pub name: String,
    /// Start, minutes after midnight of its day.
    pub start_minute: u32,
    /// Length in minutes.
    pub length_minutes: u32,
    /// Whether it counts as a night shift for fairness.
    pub night: bool,
}

impl ShiftSpec {
    /// Day 07:00–15:00, evening 15:00–23:00 and night 23:00–07:00.
    #[must_use]
    pub fn three_shifts() -> Vec<ShiftSpec> {
        [("day", 420, false), ("evening", 900, false), ("night", 1380, true)]
            .into_iter()
            .map(|(name, start_minute, night)| ShiftSpec {
                name: name.to_owned(),
                start_minute,
                length_minutes: 480,
                night,
            })
            .collect()
    }

    fn hours(&self) -> f64 {
        f64::from(self.length_minutes) / 60.0
    }
}

/// A member of staff who can be rostered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Code (e.g. `"HRE-RN0001"`).
    pub code: String,
    /// Role.
    pub role: StaffRole,
    /// Units (wards or departments) they may work in.
    pub units: Vec<String>,
    /// Skills (e.g. `"icu"`).
    pub skills: Vec<String>,
    /// Contracted hours per week.
    pub contracted_hours_per_week: f64,
    /// Most overtime hours per week.
    pub max_overtime_hours_per_week: f64,
    /// Wage per hour.
    pub hourly_cost: f64,
    /// Days of leave (no shift may start on them).
    pub leave: Vec<NaiveDate>,
}

/// Staff needed on one shift in one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// Unit.
    pub unit: String,
    /// Role.
    pub role: StaffRole,
    /// Skill every counted member must have; `None` for any member of the role.
    pub skill: Option<String>,
    /// Day offset from [`StaffProblem::start`].
    pub day: usize,
    /// Index into [`StaffProblem::shifts`].
    pub shift: usize,
    /// Wanted number (soft: shortfalls are penalised).
    pub target: u32,
    /// Safe-staffing floor (hard); at most `target`.
    pub minimum: u32,
}

/// Rules and objective weights of the roster.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffRules {
    /// Minimum hours between the end of one shift and the start of the next.
    pub min_rest_hours: f64,
    /// Extra cost of an overtime hour as a fraction of the hourly cost.
    pub overtime_premium: f64,
    /// Cost of each member missing from a target.
    pub understaffing_penalty: f64,
    /// Cost per night shift of a member beyond their fair share.
    pub night_fairness: f64,
    /// Cost per weekend shift of a member beyond their fair share.
    pub weekend_fairness: f64,
}

impl Default for StaffRules {
    /// 11 h rest, overtime premium 0.5, understaffing 1000, fairness 20 and 20.
    fn default() -> Self {
        Self {
            min_rest_hours: 11.0,
            overtime_premium: 0.5,
            understaffing_penalty: 1000.0,
            night_fairness: 20.0,
            weekend_fairness: 20.0,
        }
    }
}

/// A staff allocation problem over `days` days from `start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffProblem {
    /// First day.
    pub start: NaiveDate,
    /// Number of days.
    pub days: usize,
    /// Shifts of each day.
    pub shifts: Vec<ShiftSpec>,
    /// Staff.
    pub staff: Vec<StaffMember>,
    /// Requirements.
    pub requirements: Vec<Requirement>,
    /// Rules and weights.
    pub rules: StaffRules,
}

/// One member on one shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Index into [`StaffProblem::staff`].
    pub staff: usize,
    /// Unit.
    pub unit: String,
    /// Day offset.
    pub day: usize,
    /// Index into [`StaffProblem::shifts`].
    pub shift: usize,
}

/// Staff missing from a requirement's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Understaffing {
    /// Index into [`StaffProblem::requirements`].
    pub requirement: usize,
    /// Members missing.
    pub missing: u32,
}

/// Totals of a staff plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StaffSummary {
    /// Shifts worked.
    pub shifts: u64,
    /// Hours worked.
    pub hours: f64,
    /// Overtime hours.
    pub overtime_hours: f64,
    /// Wages including the overtime premium.
    pub wages: f64,
    /// Members missing from targets, summed over requirements.
    pub missing: u64,
    /// Most night shifts of one member.
    pub max_nights: u32,
    /// Most weekend shifts of one member.
    pub max_weekend_shifts: u32,
}

/// A roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffPlan {
    /// Assignments, ordered by day, shift, unit and member.
    pub assignments: Vec<Assignment>,
    /// Requirements whose target is not met.
    pub understaffing: Vec<Understaffing>,
    /// Totals.
    pub summary: StaffSummary,
    /// Objective value (sum over the independent parts).
    pub objective: f64,
}

/// What a budgeted roster ([`StaffProblem::solve_budgeted`]) proved: the
/// bound of each independent part (in the order of [`StaffProblem::models`])
/// and of the whole roster ([`Bound::total`]: objectives and lower bounds
/// add up, the gap is recomputed from the sums).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffBound {
    /// One bound per part.
    pub parts: Vec<Bound>,
    /// The whole roster.
    pub total: Bound,
}

/// The plural name of a role, for messages.
#[must_use]
pub fn role_plural(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Doctor => "doctors",
        StaffRole::Nurse => "nurses",
        StaffRole::ClinicalOfficer => "clinical officers",
        StaffRole::Pharmacist => "pharmacists",
        StaffRole::Technician => "technicians",
        StaffRole::Support => "support staff",
        StaffRole::Admin => "admin staff",
    }
}

/// What a variable of a part's model stands for.
#[derive(Debug, Clone)]
enum StaffVar {
    Work {
        staff: usize,
        unit: usize,
        day: usize,
        shift: usize,
    },
    Under {
        requirement: usize,
    },
    Other,
}

/// One independent part: its model and the meaning of its variables.
#[derive(Debug, Clone)]
struct Part {
    model: LinearModel,
    vars: Vec<StaffVar>,
}

/// Union-find with path halving.
fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Interned `(unit, role)` keys, staff and requirements grouped into parts.
#[derive(Debug)]
struct Layout {
    units: Vec<String>,
    /// Part of each member and of each requirement.
    staff_part: Vec<usize>,
    req_part: Vec<usize>,
    parts: usize,
}

impl StaffProblem {
    /// Check indices, lengths and weights.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first problem.
    pub fn validate(&self) -> Result<()> {
        if self.shifts.is_empty() {
            return Err(invalid("shifts", "no shift"));
        }
        if self.shifts.iter().any(|s| s.length_minutes == 0) {
            return Err(invalid("shifts", "a shift has zero length"));
        }
        for (i, s) in self.staff.iter().enumerate() {
            let nums = [
                s.contracted_hours_per_week,
                s.max_overtime_hours_per_week,
                s.hourly_cost,
            ];
            if nums.iter().any(|x| !x.is_finite() || *x < 0.0) {
                return Err(invalid(
                    "staff",
                    format!("member {i}: hours and cost must be finite and non-negative"),
                ));
            }
        }
        for (i, r) in self.requirements.iter().enumerate() {
            if r.day >= self.days || r.shift >= self.shifts.len() {
                return Err(invalid(
                    "requirements",
                    format!("requirement {i}: day or shift out of range"),
                ));
            }
            if r.minimum > r.target {
                return Err(invalid(
                    "requirements",
                    format!("requirement {i}: minimum above target"),
                ));
            }
        }
        let w = &self.rules;
        let nums = [
            w.min_rest_hours,
            w.overtime_premium,
            w.understaffing_penalty,
            w.night_fairness,
            w.weekend_fairness,
        ];
        if nums.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return Err(invalid("rules", "weights must be finite and non-negative"));
        }
        Ok(())
    }

    fn date(&self, day: usize) -> NaiveDate {
        self.start + Days::new(day as u64)
    }

    fn is_weekend(&self, day: usize) -> bool {
        matches!(self.date(day).weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Start and end of a shift instance in minutes from the start of day 0.
    fn span(&self, day: usize, shift: usize) -> (i64, i64) {
        let s = &self.shifts[shift];
        let start = i64::try_from(day).unwrap_or(i64::MAX / 4) * 1440 + i64::from(s.start_minute);
        (start, start + i64::from(s.length_minutes))
    }

    /// Whether two distinct shift instances are too close (overlap or rest
    /// shorter than the minimum).
    fn conflict(&self, a: (usize, usize), b: (usize, usize)) -> bool {
        let (sa, ea) = self.span(a.0, a.1);
        let (sb, eb) = self.span(b.0, b.1);
        let rest = self.rules.min_rest_hours * 60.0;
        let (first_end, second_start) = if sa <= sb { (ea, sb) } else { (eb, sa) };
        a != b && ((second_start - first_end) as f64) < rest
    }

    /// Whether member `s` counts towards requirement `r`.
    fn eligible(&self, s: usize, r: usize) -> bool {
        let m = &self.staff[s];
        let q = &self.requirements[r];
        m.role == q.role
            && m.units.contains(&q.unit)
            && q.skill.as_ref().is_none_or(|k| m.skills.contains(k))
            && !m.leave.contains(&self.date(q.day))
    }

    /// Hours a member may work in week `w` before overtime, and their
    /// overtime cap in that week.
    ///
    /// Weeks are 7-day blocks from the start; a last partial block is the
    /// start of a week that runs past the horizon and keeps the full weekly
    /// limits (the rest of that week is not planned here).
    fn week_limits(&self, s: usize, _w: usize) -> (f64, f64) {
        let m = &self.staff[s];
        (m.contracted_hours_per_week, m.max_overtime_hours_per_week)
    }

    /// Fair share of night shifts (`kind` 0) or weekend shifts (`kind` 1) of
    /// each member: the pool's wanted shifts of that kind split in proportion
    /// to contracted hours, rounded up. Pools are one role in one part.
    fn fair_shares(&self, layout: &Layout, kind: usize) -> Vec<f64> {
        // Wanted staff per (unit, role, day, shift): the largest target there.
        let mut wanted: BTreeMap<(&str, u8, usize, usize), (usize, u32)> = BTreeMap::new();
        for (r, q) in self.requirements.iter().enumerate() {
            let counts = if kind == 0 {
                self.shifts[q.shift].night
            } else {
                self.is_weekend(q.day)
            };
            if counts {
                let e = wanted
                    .entry((q.unit.as_str(), role_code(q.role), q.day, q.shift))
                    .or_insert((layout.req_part[r], 0));
                e.1 = e.1.max(q.target);
            }
        }
        let mut need: BTreeMap<(usize, u8), f64> = BTreeMap::new();
        for (&(_, role, _, _), &(part, t)) in &wanted {
            *need.entry((part, role)).or_insert(0.0) += f64::from(t);
        }
        let mut hours: BTreeMap<(usize, u8), f64> = BTreeMap::new();
        for (s, m) in self.staff.iter().enumerate() {
            *hours.entry((layout.staff_part[s], role_code(m.role))).or_insert(0.0) += m.contracted_hours_per_week;
        }
        self.staff
            .iter()
            .enumerate()
            .map(|(s, m)| {
                let key = (layout.staff_part[s], role_code(m.role));
                let total = hours.get(&key).copied().unwrap_or(0.0);
                let n = need.get(&key).copied().unwrap_or(0.0);
                if total > 0.0 {
                    (n * m.contracted_hours_per_week / total).ceil()
                } else {
                    0.0
                }
            })
            .collect()
    }

    fn layout(&self) -> Layout {
        let mut unit_index: BTreeMap<&str, usize> = BTreeMap::new();
        for u in self
            .staff
            .iter()
            .flat_map(|m| m.units.iter())
            .chain(self.requirements.iter().map(|r| &r.unit))
        {
            let n = unit_index.len();
            unit_index.entry(u.as_str()).or_insert(n);
        }
        let mut units = vec![String::new(); unit_index.len()];
        for (u, &i) in &unit_index {
            (*u).clone_into(&mut units[i]);
        }
        // Nodes: staff, then (unit, role) keys.
        let mut keys: BTreeMap<(usize, u8), usize> = BTreeMap::new();
        let key = |u: usize, role: StaffRole, keys: &mut BTreeMap<(usize, u8), usize>| {
            let n = keys.len();
            *keys.entry((u, role_code(role))).or_insert(n)
        };
        let mut edges = Vec::new();
        for (s, m) in self.staff.iter().enumerate() {
            for u in &m.units {
                edges.push((s, key(unit_index[u.as_str()], m.role, &mut keys)));
            }
        }
        let req_key: Vec<usize> = self
            .requirements
            .iter()
            .map(|r| key(unit_index[r.unit.as_str()], r.role, &mut keys))
            .collect();
        let n = self.staff.len();
        let mut parent: Vec<usize> = (0..n + keys.len()).collect();
        for (s, k) in edges {
            let (a, b) = (find(&mut parent, s), find(&mut parent, n + k));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
        // Number the parts in order of their first node.
        let mut part_of_root: BTreeMap<usize, usize> = BTreeMap::new();
        let mut part = |i: usize, parent: &mut Vec<usize>| {
            let root = find(parent, i);
            let next = part_of_root.len();
            *part_of_root.entry(root).or_insert(next)
        };
        let staff_part: Vec<usize> = (0..n).map(|s| part(s, &mut parent)).collect();
        let req_part: Vec<usize> = req_key.iter().map(|&k| part(n + k, &mut parent)).collect();
        Layout {
            units,
            staff_part,
            req_part,
            parts: part_of_root.len(),
        }
    }

    /// The label of requirement `r`'s floor.
    fn floor_label(&self, r: usize) -> Label {
        let q = &self.requirements[r];
        let who = match &q.skill {
            Some(k) => format!("{k} {}", role_plural(q.role)),
            None => role_plural(q.role).to_owned(),
        };
        Label {
            resource: format!("{who} in {}", q.unit),
            date: Some(self.date(q.day)),
            shift: Some(self.shifts[q.shift].name.clone()),
        }
    }

    /// Shortfalls visible without solving: a minimum above the number of
    /// members who could work the shift at all.
    fn precheck(&self) -> Vec<Shortfall> {
        let mut out = Vec::new();
        for (r, q) in self.requirements.iter().enumerate() {
            if q.minimum == 0 {
                continue;
            }
            let n = (0..self.staff.len()).filter(|&s| self.eligible(s, r)).count();
            if (n as f64) < f64::from(q.minimum) {
                let label = self.floor_label(r);
                out.push(Shortfall {
                    resource: label.resource,
                    date: label.date,
                    shift: label.shift,
                    needed: f64::from(q.minimum),
                    available: n as f64,
                });
            }
        }
        out
    }

    #[allow(clippy::too_many_lines)]
    fn build_parts(&self) -> Vec<Part> {
        let layout = self.layout();
        let unit_of = |u: &str| layout.units.iter().position(|x| x == u).unwrap_or(usize::MAX);
        let mut parts: Vec<Part> = (0..layout.parts)
            .map(|p| Part {
                model: LinearModel::new(format!("staff-part-{p}")),
                vars: Vec::new(),
            })
            .collect();
        // Requirements per (unit, day, shift), for variable creation.
        let mut reqs_at: BTreeMap<(usize, usize, usize), Vec<usize>> = BTreeMap::new();
        for (r, q) in self.requirements.iter().enumerate() {
            reqs_at.entry((unit_of(&q.unit), q.day, q.shift)).or_default().push(r);
        }
        // x variables, member by member.
        let mut req_terms: Vec<Vec<(VarId, f64)>> = vec![Vec::new(); self.requirements.len()];
        // Per member: (day, shift) -> variables.
        let mut work: Vec<BTreeMap<(usize, usize), Vec<VarId>>> = vec![BTreeMap::new(); self.staff.len()];
        for (s, m) in self.staff.iter().enumerate() {
            let part = &mut parts[layout.staff_part[s]];
            let mut units: Vec<usize> = m.units.iter().map(|u| unit_of(u)).collect();
            units.sort_unstable();
            units.dedup();
            for day in 0..self.days {
                for (k, spec) in self.shifts.iter().enumerate() {
                    for &u in &units {
                        let Some(rs) = reqs_at.get(&(u, day, k)) else { continue };
                        let counted: Vec<usize> = rs.iter().copied().filter(|&r| self.eligible(s, r)).collect();
                        if counted.is_empty() {
                            continue;
                        }
                        let v = part.model.add_int_var(
                            format!("x_{s}_{u}_{day}_{k}"),
                            0.0,
                            1.0,
                            m.hourly_cost * spec.hours(),
                        );
                        part.vars.push(StaffVar::Work {
                            staff: s,
                            unit: u,
                            day,
                            shift: k,
                        });
                        for r in counted {
                            req_terms[r].push((v, 1.0));
                        }
                        work[s].entry((day, k)).or_default().push(v);
                    }
                }
            }
        }
        // Rest rows (clique rows where the conflict set is a clique).
        for (s, slots) in work.iter().enumerate() {
            let model = &mut parts[layout.staff_part[s]].model;
            // In order of start time, so that the scan below can stop early.
            let mut instances: Vec<(usize, usize)> = slots.keys().copied().collect();
            instances.sort_by_key(|&(d, k)| self.span(d, k).0);
            // Instances starting further apart than this never conflict.
            let window = self
                .shifts
                .iter()
                .map(|k| i64::from(k.length_minutes))
                .max()
                .unwrap_or(0)
                + i64::from(crate::beds::count((self.rules.min_rest_hours * 60.0).ceil()));
            for (i, &t) in instances.iter().enumerate() {
                let later: Vec<(usize, usize)> = instances[i + 1..]
                    .iter()
                    .copied()
                    .take_while(|&b| self.span(b.0, b.1).0 - self.span(t.0, t.1).0 <= window)
                    .filter(|&b| self.conflict(t, b))
                    .collect();
                let clique = later
                    .iter()
                    .enumerate()
                    .all(|(j, &a)| later[j + 1..].iter().all(|&b| self.conflict(a, b)));
                let terms_of = |set: &[(usize, usize)]| -> Vec<(VarId, f64)> {
                    set.iter().flat_map(|k| slots[k].iter().map(|&v| (v, 1.0))).collect()
                };
                if clique {
                    let mut set = vec![t];
                    set.extend(&later);
                    let terms = terms_of(&set);
                    if terms.len() > 1 {
                        model.add_row(format!("rest_{s}_{}_{}", t.0, t.1), terms, Sense::Le, 1.0, None);
                    }
                } else {
                    if slots[&t].len() > 1 {
                        model.add_row(format!("one_{s}_{}_{}", t.0, t.1), terms_of(&[t]), Sense::Le, 1.0, None);
                    }
                    for b in later {
                        model.add_row(
                            format!("rest_{s}_{}_{}_{}_{}", t.0, t.1, b.0, b.1),
                            terms_of(&[t, b]),
                            Sense::Le,
                            1.0,
                            None,
                        );
                    }
                }
            }
        }
        // Weekly hours with overtime.
        let weeks = self.days.div_ceil(7);
        for (s, slots) in work.iter().enumerate() {
            let part = &mut parts[layout.staff_part[s]];
            let m = &self.staff[s];
            for w in 0..weeks {
                let mut terms: Vec<(VarId, f64)> = slots
                    .iter()
                    .filter(|((d, _), _)| d / 7 == w)
                    .flat_map(|((_, k), vs)| vs.iter().map(|&v| (v, self.shifts[*k].hours())))
                    .collect();
                if terms.is_empty() {
                    continue;
                }
                let (regular, cap) = self.week_limits(s, w);
                if cap > 0.0 {
                    let ot = part.model.add_var(
                        format!("ot_{s}_{w}"),
                        0.0,
                        cap,
                        m.hourly_cost * self.rules.overtime_premium,
                    );
                    part.vars.push(StaffVar::Other);
                    terms.push((ot, -1.0));
                }
                part.model
                    .add_row(format!("hours_{s}_{w}"), terms, Sense::Le, regular, None);
            }
        }
        // Fairness: shifts of a kind beyond the member's fair share are penalised.
        for (kind, weight) in [(0, self.rules.night_fairness), (1, self.rules.weekend_fairness)] {
            if weight == 0.0 {
                continue;
            }
            let shares = self.fair_shares(&layout, kind);
            for (s, slots) in work.iter().enumerate() {
                let mut terms: Vec<(VarId, f64)> = slots
                    .iter()
                    .filter(|((d, k), _)| {
                        if kind == 0 {
                            self.shifts[*k].night
                        } else {
                            self.is_weekend(*d)
                        }
                    })
                    .flat_map(|(_, vs)| vs.iter().map(|&v| (v, 1.0)))
                    .collect();
                if (terms.len() as f64) <= shares[s] {
                    continue;
                }
                let part = &mut parts[layout.staff_part[s]];
                let excess = part
                    .model
                    .add_var(format!("excess_{kind}_{s}"), 0.0, f64::INFINITY, weight);
                part.vars.push(StaffVar::Other);
                terms.push((excess, -1.0));
                part.model
                    .add_row(format!("fair_{kind}_{s}"), terms, Sense::Le, shares[s], None);
            }
        }
        // Coverage: soft target and hard floor.
        for (r, q) in self.requirements.iter().enumerate() {
            let part = &mut parts[layout.req_part[r]];
            let mut terms = req_terms[r].clone();
            if q.target > 0 {
                let under = part.model.add_var(
                    format!("under_{r}"),
                    0.0,
                    f64::from(q.target),
                    self.rules.understaffing_penalty,
                );
                part.vars.push(StaffVar::Under { requirement: r });
                terms.push((under, 1.0));
                part.model
                    .add_row(format!("target_{r}"), terms, Sense::Ge, f64::from(q.target), None);
            }
            if q.minimum > 0 {
                part.model.add_row(
                    format!("floor_{r}"),
                    req_terms[r].clone(),
                    Sense::Ge,
                    f64::from(q.minimum),
                    Some(self.floor_label(r)),
                );
            }
        }
        parts
    }

    /// The models of the independent parts (for export, e.g. to MPS). Their
    /// optima add up to the optimum of the whole roster.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the problem is invalid.
    pub fn models(&self) -> Result<Vec<LinearModel>> {
        self.validate()?;
        Ok(self.build_parts().into_iter().map(|p| p.model).collect())
    }

    /// Solve the roster.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::StaffRole;
    /// use hutano_optimize::staff::{Requirement, ShiftSpec, StaffMember, StaffProblem, StaffRules};
    /// use hutano_optimize::solver::MicroLp;
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let nurse = |code: &str| StaffMember {
    ///     code: code.into(),
    ///     role: StaffRole::Nurse,
    ///     units: vec!["ICU".into()],
    ///     skills: vec!["icu".into()],
    ///     contracted_hours_per_week: 40.0,
    ///     max_overtime_hours_per_week: 0.0,
    ///     hourly_cost: 10.0,
    ///     leave: vec![],
    /// };
    /// let need = |day, shift| Requirement {
    ///     unit: "ICU".into(), role: StaffRole::Nurse, skill: None, day, shift, target: 1, minimum: 1,
    /// };
    /// let problem = StaffProblem {
    ///     start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
    ///     days: 2,
    ///     shifts: ShiftSpec::three_shifts(),
    ///     staff: vec![nurse("N1"), nurse("N2"), nurse("N3")],
    ///     requirements: (0..2).flat_map(|d| (0..3).map(move |k| need(d, k))).collect(),
    ///     rules: StaffRules::default(),
    /// };
    /// let plan = problem.solve(&MicroLp)?;
    /// assert_eq!(plan.assignments.len(), 6);
    /// assert_eq!(plan.summary.missing, 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// - [`crate::Error::InvalidInput`] when the problem is invalid.
    /// - [`crate::Error::Infeasible`] when a minimum cannot be met, naming
    ///   each requirement (staff, unit, day, shift) with the staff needed and
    ///   the most that can be put on it.
    /// - Any backend error ([`Solver::solve`]).
    pub fn solve(&self, solver: &dyn Solver) -> Result<StaffPlan> {
        self.validate()?;
        let pre = self.precheck();
        if !pre.is_empty() {
            return Err(Error::Infeasible { violations: pre });
        }
        let parts = self.build_parts();
        let models: Vec<LinearModel> = parts.iter().map(|p| p.model.clone()).collect();
        let solutions = solve_all(solver, &models)?;
        Ok(self.assemble(&parts, &solutions))
    }

    /// Solve the roster within a [`Budget`] (see [`crate::budget`]): each
    /// independent part gets the budget's node limit and gap target (the
    /// wall-time limit is shared), and the plan is the union of the best
    /// roster found for each part, with the proven lower bound and gap of
    /// each part and of the whole.
    ///
    /// With [`Budget::default`] (no limit) every part is solved to
    /// optimality and the objective equals [`StaffProblem::solve`]'s (within
    /// the LP tolerances). With a
    /// node limit the plan is reproducible, also in parallel. Every plan
    /// satisfies every hard rule: it passes [`StaffProblem::check_plan`] and
    /// each part's model's [`LinearModel::check`].
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::StaffRole;
    /// use hutano_optimize::budget::Budget;
    /// use hutano_optimize::staff::{Requirement, ShiftSpec, StaffMember, StaffProblem, StaffRules};
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let nurse = |code: &str| StaffMember {
    ///     code: code.into(),
    ///     role: StaffRole::Nurse,
    ///     units: vec!["ICU".into()],
    ///     skills: vec![],
    ///     contracted_hours_per_week: 40.0,
    ///     max_overtime_hours_per_week: 8.0,
    ///     hourly_cost: 10.0,
    ///     leave: vec![],
    /// };
    /// let need = |day, shift| Requirement {
    ///     unit: "ICU".into(), role: StaffRole::Nurse, skill: None, day, shift, target: 2, minimum: 1,
    /// };
    /// let problem = StaffProblem {
    ///     start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
    ///     days: 3,
    ///     shifts: ShiftSpec::three_shifts(),
    ///     staff: (0..5).map(|i| nurse(&format!("N{i}"))).collect(),
    ///     requirements: (0..3).flat_map(|d| (0..3).map(move |k| need(d, k))).collect(),
    ///     rules: StaffRules::default(),
    /// };
    /// // Stop after 10 nodes per part: a feasible roster and how far it can be from the optimum.
    /// let (plan, bound) = problem.solve_budgeted(&Budget::default().with_node_limit(10))?;
    /// problem.check_plan(&plan.assignments)?;
    /// assert!(bound.total.lower_bound <= plan.objective + 1e-6);
    /// assert_eq!(bound.parts.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`StaffProblem::solve`], plus [`crate::Error::InvalidInput`] for an
    /// invalid budget and [`crate::Error::Solver`] when a part's budget ran
    /// out before any roster was found (the rounding heuristic found one at
    /// the root on every part of the national roster and in the tests).
    pub fn solve_budgeted(&self, budget: &Budget) -> Result<(StaffPlan, StaffBound)> {
        self.validate()?;
        budget.validate()?;
        let pre = self.precheck();
        if !pre.is_empty() {
            return Err(Error::Infeasible { violations: pre });
        }
        let parts = self.build_parts();
        let models: Vec<LinearModel> = parts.iter().map(|p| p.model.clone()).collect();
        let solved = solve_all_budgeted(&models, budget)?;
        let (solutions, bounds): (Vec<Solution>, Vec<Bound>) = solved.into_iter().unzip();
        let plan = self.assemble(&parts, &solutions);
        let total = Bound::total(&bounds);
        Ok((plan, StaffBound { parts: bounds, total }))
    }

    /// Solve the roster exactly with `solver` when `budget` is `None`
    /// ([`StaffProblem::solve`], no bound), or within `budget` when one is
    /// given ([`StaffProblem::solve_budgeted`], which does not use
    /// `solver`), with the proven bound.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::StaffRole;
    /// use hutano_optimize::budget::Budget;
    /// use hutano_optimize::solver::MicroLp;
    /// use hutano_optimize::staff::{Requirement, ShiftSpec, StaffMember, StaffProblem, StaffRules};
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let nurse = |code: &str| StaffMember {
    ///     code: code.into(),
    ///     role: StaffRole::Nurse,
    ///     units: vec!["ICU".into()],
    ///     skills: vec![],
    ///     contracted_hours_per_week: 40.0,
    ///     max_overtime_hours_per_week: 8.0,
    ///     hourly_cost: 10.0,
    ///     leave: vec![],
    /// };
    /// let problem = StaffProblem {
    ///     start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
    ///     days: 1,
    ///     shifts: ShiftSpec::three_shifts(),
    ///     staff: (0..4).map(|i| nurse(&format!("N{i}"))).collect(),
    ///     requirements: (0..3)
    ///         .map(|shift| Requirement {
    ///             unit: "ICU".into(), role: StaffRole::Nurse, skill: None, day: 0, shift, target: 1, minimum: 1,
    ///         })
    ///         .collect(),
    ///     rules: StaffRules::default(),
    /// };
    /// let (exact, none) = problem.solve_within(&MicroLp, None)?;
    /// assert!(none.is_none());
    /// let (budgeted, bound) = problem.solve_within(&MicroLp, Some(&Budget::default().with_node_limit(10)))?;
    /// problem.check_plan(&exact.assignments)?;
    /// problem.check_plan(&budgeted.assignments)?;
    /// assert!(bound.is_some_and(|b| b.total.lower_bound <= budgeted.objective + 1e-6));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`StaffProblem::solve`] without a budget, as
    /// [`StaffProblem::solve_budgeted`] with one.
    pub fn solve_within(
        &self,
        solver: &dyn Solver,
        budget: Option<&Budget>,
    ) -> Result<(StaffPlan, Option<StaffBound>)> {
        match budget {
            None => Ok((self.solve(solver)?, None)),
            Some(budget) => self.solve_budgeted(budget).map(|(plan, bound)| (plan, Some(bound))),
        }
    }

    /// The plan of the parts' solutions.
    fn assemble(&self, parts: &[Part], solutions: &[Solution]) -> StaffPlan {
        let units = self.layout().units;
        let mut assignments = Vec::new();
        let mut understaffing = Vec::new();
        let mut objective = 0.0;
        for (part, sol) in parts.iter().zip(solutions) {
            objective += sol.objective;
            for (i, meaning) in part.vars.iter().enumerate() {
                let x = sol.values[i];
                match *meaning {
                    StaffVar::Work {
                        staff,
                        unit,
                        day,
                        shift,
                    } if x > 0.5 => assignments.push(Assignment {
                        staff,
                        unit: units[unit].clone(),
                        day,
                        shift,
                    }),
                    StaffVar::Under { requirement } if x > 0.5 => understaffing.push(Understaffing {
                        requirement,
                        missing: crate::beds::count(x),
                    }),
                    _ => {}
                }
            }
        }
        assignments.sort_by(|a, b| (a.day, a.shift, &a.unit, a.staff).cmp(&(b.day, b.shift, &b.unit, b.staff)));
        understaffing.sort_by_key(|u| u.requirement);
        let mut plan = StaffPlan {
            assignments,
            understaffing,
            summary: StaffSummary::default(),
            objective,
        };
        plan.summary = self.summarise(&plan.assignments);
        plan
    }

    /// Staff counted towards each requirement by `assignments`.
    #[must_use]
    pub fn coverage(&self, assignments: &[Assignment]) -> Vec<u32> {
        let mut at: BTreeMap<(&str, usize, usize), Vec<usize>> = BTreeMap::new();
        for a in assignments {
            at.entry((a.unit.as_str(), a.day, a.shift)).or_default().push(a.staff);
        }
        self.requirements
            .iter()
            .enumerate()
            .map(|(r, q)| {
                at.get(&(q.unit.as_str(), q.day, q.shift))
                    .map_or(0, |who| who.iter().filter(|&&s| self.eligible(s, r)).count())
            })
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .collect()
    }

    fn summarise(&self, assignments: &[Assignment]) -> StaffSummary {
        let mut s = StaffSummary::default();
        let weeks = self.days.div_ceil(7);
        let mut hours = vec![vec![0.0; weeks]; self.staff.len()];
        let mut nights = vec![0u32; self.staff.len()];
        let mut weekends = vec![0u32; self.staff.len()];
        for a in assignments {
            let h = self.shifts[a.shift].hours();
            hours[a.staff][a.day / 7] += h;
            s.shifts += 1;
            s.hours += h;
            s.wages += h * self.staff[a.staff].hourly_cost;
            if self.shifts[a.shift].night {
                nights[a.staff] += 1;
            }
            if self.is_weekend(a.day) {
                weekends[a.staff] += 1;
            }
        }
        for (m, per_week) in hours.iter().enumerate() {
            for (w, h) in per_week.iter().enumerate() {
                let ot = (h - self.week_limits(m, w).0).max(0.0);
                s.overtime_hours += ot;
                s.wages += ot * self.staff[m].hourly_cost * self.rules.overtime_premium;
            }
        }
        let cover = self.coverage(assignments);
        s.missing = self
            .requirements
            .iter()
            .zip(&cover)
            .map(|(q, &c)| u64::from(q.target.saturating_sub(c)))
            .sum();
        s.max_nights = nights.into_iter().max().unwrap_or(0);
        s.max_weekend_shifts = weekends.into_iter().max().unwrap_or(0);
        s
    }

    /// The objective of a roster recomputed from its assignments, independent
    /// of the solver's objective value: wages, overtime premium,
    /// understaffing penalty and the fairness terms per pool.
    #[must_use]
    pub fn plan_cost(&self, assignments: &[Assignment]) -> f64 {
        let summary = self.summarise(assignments);
        let layout = self.layout();
        let mut nights = vec![0.0; self.staff.len()];
        let mut weekends = vec![0.0; self.staff.len()];
        for a in assignments {
            nights[a.staff] += f64::from(u8::from(self.shifts[a.shift].night));
            weekends[a.staff] += f64::from(u8::from(self.is_weekend(a.day)));
        }
        let excess =
            |counts: &[f64], shares: &[f64]| -> f64 { counts.iter().zip(shares).map(|(c, s)| (c - s).max(0.0)).sum() };
        let fairness = self.rules.night_fairness * excess(&nights, &self.fair_shares(&layout, 0))
            + self.rules.weekend_fairness * excess(&weekends, &self.fair_shares(&layout, 1));
        summary.wages + self.rules.understaffing_penalty * summary.missing as f64 + fairness
    }

    /// Check a roster against every hard rule, independently of the model:
    /// eligibility (role, unit, skill of some requirement, leave), minimum
    /// rest, weekly hours with the overtime cap, and the floors.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first broken rule.
    pub fn check_plan(&self, assignments: &[Assignment]) -> Result<()> {
        let mut by_staff: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for a in assignments {
            let fits =
                self.requirements.iter().enumerate().any(|(r, q)| {
                    q.unit == a.unit && q.day == a.day && q.shift == a.shift && self.eligible(a.staff, r)
                });
            if a.staff >= self.staff.len() || !fits {
                return Err(invalid("plan", format!("assignment {a:?} fits no requirement")));
            }
            by_staff.entry(a.staff).or_default().push((a.day, a.shift));
        }
        for (s, mut slots) in by_staff {
            slots.sort_unstable();
            for (i, &a) in slots.iter().enumerate() {
                if slots[i + 1..].iter().any(|&b| b == a || self.conflict(a, b)) {
                    return Err(invalid("plan", format!("member {s} breaks the rest rule at {a:?}")));
                }
            }
            for w in 0..self.days.div_ceil(7) {
                let h: f64 = slots
                    .iter()
                    .filter(|(d, _)| d / 7 == w)
                    .map(|&(_, k)| self.shifts[k].hours())
                    .sum();
                let (regular, cap) = self.week_limits(s, w);
                if h > regular + cap + 1e-9 {
                    return Err(invalid("plan", format!("member {s} works {h} h in week {w}")));
                }
            }
        }
        for (r, (q, c)) in self.requirements.iter().zip(self.coverage(assignments)).enumerate() {
            if c < q.minimum {
                return Err(invalid("plan", format!("requirement {r} below its minimum")));
            }
        }
        Ok(())
    }
}

/// A stable small code of a role, for map keys.
pub(crate) fn role_code(role: StaffRole) -> u8 {
    match role {
        StaffRole::Doctor => 0,
        StaffRole::Nurse => 1,
        StaffRole::ClinicalOfficer => 2,
        StaffRole::Pharmacist => 3,
        StaffRole::Technician => 4,
        StaffRole::Support => 5,
        StaffRole::Admin => 6,
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::solver::MicroLp;

    fn nurse(code: &str, skills: &[&str]) -> StaffMember {
        StaffMember {
            code: code.into(),
            role: StaffRole::Nurse,
            units: vec!["ICU".into()],
            skills: skills.iter().map(|s| (*s).to_owned()).collect(),
            contracted_hours_per_week: 40.0,
            max_overtime_hours_per_week: 8.0,
            hourly_cost: 10.0,
            leave: vec![],
        }
    }

    fn problem(n: usize, need: u32, minimum: u32) -> StaffProblem {
        let mut requirements = Vec::new();
        for day in 0..3 {
            for shift in 0..3 {
                requirements.push(Requirement {
                    unit: "ICU".into(),
                    role: StaffRole::Nurse,
                    skill: Some("icu".into()),
                    day,
                    shift,
                    target: need,
                    minimum,
                });
            }
        }
        StaffProblem {
            start: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap(),
            days: 3,
            shifts: ShiftSpec::three_shifts(),
            staff: (0..n).map(|i| nurse(&format!("N{i}"), &["icu"])).collect(),
            requirements,
            rules: StaffRules::default(),
        }
    }

    #[test]
    fn roster_meets_targets_and_rules() {
        let p = problem(6, 2, 1);
        let plan = p.solve(&MicroLp).unwrap();
        p.check_plan(&plan.assignments).unwrap();
        assert_eq!(plan.summary.missing, 0);
        assert!((plan.objective - p.plan_cost(&plan.assignments)).abs() < 1e-6);
    }

    #[test]
    fn solve_within_is_solve_or_solve_budgeted() {
        let p = problem(6, 2, 1);
        assert_eq!(
            p.solve_within(&MicroLp, None).unwrap(),
            (p.solve(&MicroLp).unwrap(), None)
        );
        let budget = Budget::default().with_node_limit(10);
        let (plan, bound) = p.solve_budgeted(&budget).unwrap();
        assert_eq!(p.solve_within(&MicroLp, Some(&budget)).unwrap(), (plan, Some(bound)));
    }

    #[test]
    fn precheck_names_the_short_shift() {
        let mut p = problem(9, 9, 9);
        p.start = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
        for m in &mut p.staff[6..] {
            m.leave.push(NaiveDate::from_ymd_opt(2024, 5, 3).unwrap());
        }
        let Err(Error::Infeasible { violations }) = p.solve(&MicroLp) else {
            panic!("expected infeasible");
        };
        assert!(violations
            .iter()
            .any(|v| v.to_string() == "icu nurses in ICU on 2024-05-03 night shift: 9 needed, 6 available"));
    }

    #[test]
    fn rest_rule_infeasibility_is_named_by_the_elastic_solve() {
        // Two nurses cannot cover two per shift around the clock: each can
        // work one shift in any 19-hour window.
        let p = problem(2, 2, 2);
        let Err(Error::Infeasible { violations }) = p.solve(&MicroLp) else {
            panic!("expected infeasible");
        };
        assert!(!violations.is_empty());
        assert!(violations.iter().all(|v| v.needed == 2.0 && v.available < 2.0));
    }

    #[test]
    fn rest_holds_when_shifts_are_not_listed_in_time_order() {
        // Night listed before day: the night of day 0 ends when the day
        // shift of day 1 starts, so one nurse cannot cover both.
        let mut p = problem(1, 1, 0);
        p.shifts.reverse();
        p.requirements = [(0, 0, 1), (1, 0, 0), (1, 2, 1)]
            .into_iter()
            .map(|(day, shift, target)| Requirement {
                unit: "ICU".into(),
                role: StaffRole::Nurse,
                skill: None,
                day,
                shift,
                target,
                minimum: 0,
            })
            .collect();
        let plan = p.solve(&MicroLp).unwrap();
        p.check_plan(&plan.assignments).unwrap();
        assert_eq!(plan.summary.missing, 1);
    }

    #[test]
    fn parts_are_independent_units() {
        let mut p = problem(4, 1, 0);
        let mut other = p.clone();
        for m in &mut other.staff {
            m.units = vec!["MED".into()];
        }
        for r in &mut other.requirements {
            r.unit = "MED".into();
        }
        p.staff.extend(other.staff);
        p.requirements.extend(other.requirements);
        assert_eq!(p.models().unwrap().len(), 2);
    }
}
