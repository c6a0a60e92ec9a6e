//! Diagnostic and procedure slot reallocation.
//!
//! # Model
//! - **Data.** Freed slots (cancelled or unused: equipment, start, length,
//!   capabilities such as `"contrast"` or `"sedation"`) and the waiting list
//!   (equipment and minutes needed, capabilities needed, clinical priority,
//!   days waited, and the earliest start once preparation is done, e.g. after
//!   fasting or bowel preparation).
//! - **Variables.** `x[p, s]` (binary): patient `p` takes slot `s`, only
//!   where the slot's equipment matches, it is long enough, it offers every
//!   capability needed and it starts no earlier than the patient is ready.
//! - **Hard constraints.** A slot takes at most one patient; a patient gets at
//!   most one slot.
//! - **Objective.** Maximise the value of the filled slots: `priority weight
//!   × (1 + weeks waited)`, less a small `delay_weight × priority weight ×
//!   days from ready to slot` so that urgent patients get the earlier slots.
//!
//! The model is a bipartite matching, whose LP relaxation is integral.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::error::{invalid, Result};
use crate::lp::{LinearModel, Sense, VarId};
use crate::solver::{solve_explained, Solver};

/// A freed slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    /// Identifier.
    pub id: String,
    /// Equipment or room (e.g. `"HRE-MRI-1"` or `"mri"`).
    pub equipment: String,
    /// Start, local time.
    pub start: NaiveDateTime,
    /// Length in minutes.
    pub minutes: u32,
    /// What the slot offers (e.g. `"contrast"`, `"anaesthetist"`).
    pub capabilities: Vec<String>,
}

/// A patient on the waiting list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingPatient {
    /// Identifier (a pseudonym or referral number).
    pub id: String,
    /// Equipment needed (matched exactly against [`Slot::equipment`]).
    pub equipment: String,
    /// Minutes needed.
    pub minutes: u32,
    /// Capabilities needed.
    pub needs: Vec<String>,
    /// Clinical priority, 1 (most urgent) to 4 (routine).
    pub priority: u8,
    /// Days on the waiting list.
    pub waited_days: f64,
    /// Earliest start once preparation is complete.
    pub ready_from: NaiveDateTime,
}

/// Weights of the slot objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlotWeights {
    /// Weight of priorities 1 to 4.
    pub priority: [f64; 4],
    /// Value lost per day between being ready and the slot, times the
    /// priority weight.
    pub delay_weight: f64,
}

impl Default for SlotWeights {
    /// Priorities 1000, 100, 10, 1; delay 0.01 per day.
    fn default() -> Self {
        Self {
            priority: [1000.0, 100.0, 10.0, 1.0],
            delay_weight: 0.01,
        }
    }
}

/// A slot reallocation problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotProblem {
    /// Freed slots.
    pub slots: Vec<Slot>,
    /// Waiting list.
    pub waiting: Vec<WaitingPatient>,
    /// Weights.
    pub weights: SlotWeights,
}

/// One filled slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Index into [`SlotProblem::slots`].
    pub slot: usize,
    /// Index into [`SlotProblem::waiting`].
    pub patient: usize,
}

/// A slot plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotPlan {
    /// Bookings, by slot.
    pub bookings: Vec<Booking>,
    /// Slots left empty.
    pub empty: Vec<usize>,
    /// Objective value (negative: the value of the filled slots).
    pub objective: f64,
}

impl SlotProblem {
    /// Check priorities and numbers.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first problem.
    pub fn validate(&self) -> Result<()> {
        if self.waiting.iter().any(|p| !(1..=4).contains(&p.priority)) {
            return Err(invalid("waiting", "priority must be 1 to 4"));
        }
        if self
            .waiting
            .iter()
            .any(|p| !p.waited_days.is_finite() || p.waited_days < 0.0)
        {
            return Err(invalid("waiting", "waited_days must be finite and non-negative"));
        }
        let w = &self.weights;
        if w.priority
            .iter()
            .chain([&w.delay_weight])
            .any(|x| !x.is_finite() || *x < 0.0)
        {
            return Err(invalid("weights", "must be finite and non-negative"));
        }
        Ok(())
    }

    /// Whether patient `p` may take slot `s`.
    #[must_use]
    pub fn fits(&self, p: usize, s: usize) -> bool {
        let (q, slot) = (&self.waiting[p], &self.slots[s]);
        q.equipment == slot.equipment
            && q.minutes <= slot.minutes
            && slot.start >= q.ready_from
            && q.needs.iter().all(|n| slot.capabilities.contains(n))
    }

    /// Objective cost of giving slot `s` to patient `p` (negative value).
    #[must_use]
    pub fn cost(&self, p: usize, s: usize) -> f64 {
        let q = &self.waiting[p];
        let w = self.weights.priority[usize::from(q.priority.clamp(1, 4) - 1)];
        let delay_days = (self.slots[s].start - q.ready_from).num_minutes() as f64 / 1440.0;
        -(w * (1.0 + q.waited_days / 7.0)) + self.weights.delay_weight * w * delay_days
    }

    fn build(&self) -> (LinearModel, Vec<Booking>) {
        let mut m = LinearModel::new("slots");
        let mut vars = Vec::new();
        let mut slot_terms: Vec<Vec<(VarId, f64)>> = vec![Vec::new(); self.slots.len()];
        for p in 0..self.waiting.len() {
            let mut terms = Vec::new();
            for (s, st) in slot_terms.iter_mut().enumerate() {
                if self.fits(p, s) {
                    let v = m.add_int_var(format!("x_{p}_{s}"), 0.0, 1.0, self.cost(p, s));
                    vars.push(Booking { slot: s, patient: p });
                    terms.push((v, 1.0));
                    st.push((v, 1.0));
                }
            }
            if terms.len() > 1 {
                m.add_row(format!("patient_{p}"), terms, Sense::Le, 1.0, None);
            }
        }
        for (s, terms) in slot_terms.into_iter().enumerate() {
            if terms.len() > 1 {
                m.add_row(format!("slot_{s}"), terms, Sense::Le, 1.0, None);
            }
        }
        (m, vars)
    }

    /// The model (for export, e.g. to MPS).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the problem is invalid.
    pub fn model(&self) -> Result<LinearModel> {
        self.validate()?;
        Ok(self.build().0)
    }

    /// Fill the slots.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_optimize::slots::{Slot, SlotProblem, SlotWeights, WaitingPatient};
    /// use hutano_optimize::solver::MicroLp;
    ///
    /// # fn main() -> hutano_optimize::Result<()> {
    /// let at = |h| NaiveDate::from_ymd_opt(2024, 5, 3).and_then(|d| d.and_hms_opt(h, 0, 0)).unwrap_or_default();
    /// let patient = |id: &str, priority| WaitingPatient {
    ///     id: id.into(), equipment: "mri".into(), minutes: 30, needs: vec![],
    ///     priority, waited_days: 10.0, ready_from: at(8),
    /// };
    /// let problem = SlotProblem {
    ///     slots: vec![Slot { id: "s1".into(), equipment: "mri".into(), start: at(9), minutes: 30, capabilities: vec![] }],
    ///     waiting: vec![patient("routine", 4), patient("urgent", 1)],
    ///     weights: SlotWeights::default(),
    /// };
    /// let plan = problem.solve(&MicroLp)?;
    /// assert_eq!(plan.bookings[0].patient, 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the problem is invalid, or any
    /// backend error ([`Solver::solve`]).
    pub fn solve(&self, solver: &dyn Solver) -> Result<SlotPlan> {
        self.validate()?;
        let (model, vars) = self.build();
        let sol = solve_explained(solver, &model)?;
        let mut bookings: Vec<Booking> = vars
            .into_iter()
            .zip(&sol.values)
            .filter(|(_, x)| **x > 0.5)
            .map(|(b, _)| b)
            .collect();
        bookings.sort_by_key(|b| b.slot);
        let empty = (0..self.slots.len())
            .filter(|s| !bookings.iter().any(|b| b.slot == *s))
            .collect();
        Ok(SlotPlan {
            bookings,
            empty,
            objective: sol.objective,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::solver::MicroLp;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 5, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn preparation_and_capabilities_are_respected() {
        let slot = |id: &str, start, caps: &[&str]| Slot {
            id: id.into(),
            equipment: "ct".into(),
            start,
            minutes: 20,
            capabilities: caps.iter().map(|c| (*c).to_owned()).collect(),
        };
        let p = SlotProblem {
            slots: vec![slot("early", at(3, 9), &[]), slot("late", at(4, 9), &["contrast"])],
            waiting: vec![
                WaitingPatient {
                    id: "needs-prep".into(),
                    equipment: "ct".into(),
                    minutes: 20,
                    needs: vec![],
                    priority: 1,
                    waited_days: 0.0,
                    ready_from: at(4, 0),
                },
                WaitingPatient {
                    id: "contrast".into(),
                    equipment: "ct".into(),
                    minutes: 20,
                    needs: vec!["contrast".into()],
                    priority: 2,
                    waited_days: 30.0,
                    ready_from: at(1, 0),
                },
            ],
            weights: SlotWeights::default(),
        };
        let plan = p.solve(&MicroLp).unwrap();
        // Priority 1 is only ready for the late slot and takes it; the
        // contrast patient can only use the late slot too, so it waits.
        assert_eq!(plan.bookings, vec![Booking { slot: 1, patient: 0 }]);
        assert_eq!(plan.empty, vec![0]);
        for b in &plan.bookings {
            assert!(p.fits(b.patient, b.slot));
        }
    }
}
