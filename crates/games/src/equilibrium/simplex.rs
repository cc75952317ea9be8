//! A small dense linear-programming solver: the two-phase simplex method on
//! a full tableau with Bland's rule.
//!
//! Sources: G. B. Dantzig, *Linear Programming and Extensions* (1963), ch. 5
//! (two phases); R. G. Bland, "New finite pivoting rules for the simplex
//! method", Mathematics of Operations Research 2(2), 103–107 (1977);
//! V. Chvátal, *Linear Programming* (1983), ch. 2–3 and 8.
//!
//! Problem: maximise `cᵀ z` subject to `aₖᵀ z (≤ | = | ≥) bₖ` and `z ≥ 0`.
//! Every row is scaled so its largest coefficient has magnitude 1 and
//! multiplied by −1 where `bₖ < 0`; `≤` rows get a slack, `≥` rows a surplus
//! and an artificial variable, `=` rows an artificial variable. Phase 1
//! maximises `−Σ artificials` from the basis of slacks and artificials; a
//! positive optimum (beyond `1e-9 · rows`) means infeasible. Artificials left in
//! the basis at zero are pivoted out, or their row dropped as redundant.
//! Phase 2 maximises `cᵀ z` over the remaining columns. Each iteration
//! recomputes the reduced costs `d_j = c_j − c_Bᵀ T_j` and, by Bland's rule,
//! enters the lowest-index column with `d_j > ε` and leaves the row of least
//! ratio `rhs_i / T_ij` (`T_ij > ε`), ties going to the lowest-index basic
//! variable — which cannot cycle. `ε = 1e-9` on the scaled rows (and on the
//! objective scaled to largest coefficient 1).

/// The sense of one constraint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Relation {
    /// `aᵀ z ≤ b`.
    AtMost,
    /// `aᵀ z = b`.
    Equal,
    /// `aᵀ z ≥ b`.
    AtLeast,
}

/// One linear constraint `aᵀ z (relation) b`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Constraint {
    pub(crate) coefficients: Vec<f64>,
    pub(crate) relation: Relation,
    pub(crate) bound: f64,
}

/// How a linear program ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// An optimal point and the objective there.
    Optimal { point: Vec<f64>, value: f64 },
    /// No point satisfies the constraints.
    Infeasible,
    /// The objective grows without bound on the feasible set.
    Unbounded,
}

const EPSILON: f64 = 1e-9;

struct Tableau {
    /// Rows of coefficients, each followed by its right-hand side.
    rows: Vec<Vec<f64>>,
    basis: Vec<usize>,
    /// Columns (all variables); the right-hand side is at index `columns`.
    columns: usize,
    iterations: usize,
    iteration_limit: usize,
}

impl Tableau {
    fn pivot(&mut self, row: usize, column: usize) {
        let rhs = self.columns;
        let divisor = self.rows[row][column];
        for value in &mut self.rows[row] {
            *value /= divisor;
        }
        let pivot_row = self.rows[row].clone();
        for (i, other) in self.rows.iter_mut().enumerate() {
            if i == row {
                continue;
            }
            let factor = other[column];
            if factor == 0.0 {
                continue;
            }
            for (value, p) in other.iter_mut().zip(&pivot_row) {
                *value -= factor * p;
            }
            other[column] = 0.0;
            if other[rhs] < 0.0 && other[rhs] > -EPSILON {
                other[rhs] = 0.0;
            }
        }
        self.basis[row] = column;
    }

    /// Maximises `costs` over the columns marked `allowed`; `Ok(false)` when unbounded.
    fn optimise(&mut self, costs: &[f64], allowed: &[bool]) -> Result<bool, String> {
        let rhs = self.columns;
        loop {
            self.iterations += 1;
            if self.iterations > self.iteration_limit {
                return Err(format!(
                    "no optimum after {} simplex iterations",
                    self.iteration_limit
                ));
            }
            let entering = (0..self.columns).find(|&j| {
                allowed[j] && !self.basis.contains(&j) && {
                    let reduced = costs[j]
                        - self
                            .rows
                            .iter()
                            .zip(&self.basis)
                            .map(|(row, &b)| costs[b] * row[j])
                            .sum::<f64>();
                    reduced > EPSILON
                }
            });
            let Some(entering) = entering else {
                return Ok(true);
            };
            let mut leaving: Option<(usize, f64)> = None;
            for (i, row) in self.rows.iter().enumerate() {
                if row[entering] <= EPSILON {
                    continue;
                }
                let ratio = row[rhs] / row[entering];
                leaving = match leaving {
                    None => Some((i, ratio)),
                    Some((best, best_ratio)) => {
                        let tie = (ratio - best_ratio).abs() <= 1e-12 * best_ratio.abs().max(1.0);
                        if (tie && self.basis[i] < self.basis[best]) || (!tie && ratio < best_ratio)
                        {
                            Some((i, ratio))
                        } else {
                            Some((best, best_ratio))
                        }
                    }
                };
            }
            let Some((row, _)) = leaving else {
                return Ok(false);
            };
            self.pivot(row, entering);
        }
    }
}

/// Maximises `objective · z` subject to `constraints` and `z ≥ 0`. `Err`
/// only when the iteration limit is hit (a numerical failure).
pub(crate) fn maximise(objective: &[f64], constraints: &[Constraint]) -> Result<Outcome, String> {
    let variables = objective.len();
    let inequalities = constraints
        .iter()
        .filter(|c| c.relation != Relation::Equal)
        .count();
    let artificials = constraints
        .iter()
        .filter(|c| {
            let flipped = c.bound < 0.0;
            match c.relation {
                Relation::Equal => true,
                Relation::AtLeast => !flipped,
                Relation::AtMost => flipped,
            }
        })
        .count();
    let columns = variables + inequalities + artificials;
    let first_artificial = variables + inequalities;
    let mut rows = Vec::with_capacity(constraints.len());
    let mut basis = Vec::with_capacity(constraints.len());
    let (mut next_slack, mut next_artificial) = (variables, first_artificial);
    for constraint in constraints {
        debug_assert_eq!(constraint.coefficients.len(), variables);
        let scale = constraint
            .coefficients
            .iter()
            .fold(constraint.bound.abs(), |m, v| m.max(v.abs()));
        let sign = if constraint.bound < 0.0 { -1.0 } else { 1.0 };
        let factor = if scale > 0.0 { sign / scale } else { 1.0 };
        let mut row = vec![0.0; columns + 1];
        for (value, a) in row.iter_mut().zip(&constraint.coefficients) {
            *value = a * factor;
        }
        row[columns] = constraint.bound * factor;
        let relation = match (constraint.relation, sign < 0.0) {
            (Relation::AtMost, true) => Relation::AtLeast,
            (Relation::AtLeast, true) => Relation::AtMost,
            (relation, _) => relation,
        };
        match relation {
            Relation::AtMost => {
                row[next_slack] = 1.0;
                basis.push(next_slack);
                next_slack += 1;
            }
            Relation::AtLeast => {
                row[next_slack] = -1.0;
                next_slack += 1;
                row[next_artificial] = 1.0;
                basis.push(next_artificial);
                next_artificial += 1;
            }
            Relation::Equal => {
                row[next_artificial] = 1.0;
                basis.push(next_artificial);
                next_artificial += 1;
            }
        }
        rows.push(row);
    }
    let mut tableau = Tableau {
        iteration_limit: 10_000 + 100 * (rows.len() + columns),
        rows,
        basis,
        columns,
        iterations: 0,
    };

    // Phase 1: drive the artificials to zero.
    if artificials > 0 {
        let costs: Vec<f64> = (0..columns)
            .map(|j| if j >= first_artificial { -1.0 } else { 0.0 })
            .collect();
        tableau.optimise(&costs, &vec![true; columns])?;
        let infeasibility: f64 = tableau
            .rows
            .iter()
            .zip(&tableau.basis)
            .filter(|(_, b)| **b >= first_artificial)
            .map(|(row, _)| row[columns])
            .sum();
        if infeasibility > EPSILON * tableau.rows.len().max(1) as f64 {
            return Ok(Outcome::Infeasible);
        }
        let mut i = 0;
        while i < tableau.rows.len() {
            if tableau.basis[i] < first_artificial {
                i += 1;
                continue;
            }
            let replacement = (0..first_artificial)
                .filter(|j| !tableau.basis.contains(j))
                .find(|&j| tableau.rows[i][j].abs() > EPSILON);
            match replacement {
                Some(j) => {
                    tableau.pivot(i, j);
                    i += 1;
                }
                None => {
                    // Redundant row: every remaining coefficient is zero.
                    tableau.rows.remove(i);
                    tableau.basis.remove(i);
                }
            }
        }
    }

    // Phase 2: the objective, artificials barred.
    let largest = objective.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let scale = if largest > 0.0 { 1.0 / largest } else { 1.0 };
    let costs: Vec<f64> = (0..columns)
        .map(|j| {
            if j < variables {
                objective[j] * scale
            } else {
                0.0
            }
        })
        .collect();
    let allowed: Vec<bool> = (0..columns).map(|j| j < first_artificial).collect();
    if !tableau.optimise(&costs, &allowed)? {
        return Ok(Outcome::Unbounded);
    }
    let mut point = vec![0.0; variables];
    for (row, &b) in tableau.rows.iter().zip(&tableau.basis) {
        if b < variables {
            point[b] = row[columns].max(0.0);
        }
    }
    let value = objective.iter().zip(&point).map(|(c, z)| c * z).sum();
    Ok(Outcome::Optimal { point, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equilibrium::linalg::{solve_in_place, subsets};
    use proptest::prelude::*;

    fn at_most(coefficients: &[f64], bound: f64) -> Constraint {
        Constraint {
            coefficients: coefficients.to_vec(),
            relation: Relation::AtMost,
            bound,
        }
    }

    fn at_least(coefficients: &[f64], bound: f64) -> Constraint {
        Constraint {
            relation: Relation::AtLeast,
            ..at_most(coefficients, bound)
        }
    }

    fn equal(coefficients: &[f64], bound: f64) -> Constraint {
        Constraint {
            relation: Relation::Equal,
            ..at_most(coefficients, bound)
        }
    }

    fn optimum(outcome: Outcome) -> (Vec<f64>, f64) {
        match outcome {
            Outcome::Optimal { point, value } => (point, value),
            other => panic!("expected an optimum, got {other:?}"),
        }
    }

    fn assert_close(a: &[f64], b: &[f64]) {
        assert!(
            a.iter().zip(b).all(|(u, v)| (u - v).abs() < 1e-9),
            "{a:?} != {b:?}"
        );
    }

    #[test]
    fn wyndor_glass() {
        // Hillier & Lieberman: max 3x + 5y, x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18 → (2, 6), 36.
        let (point, value) = optimum(
            maximise(
                &[3.0, 5.0],
                &[
                    at_most(&[1.0, 0.0], 4.0),
                    at_most(&[0.0, 2.0], 12.0),
                    at_most(&[3.0, 2.0], 18.0),
                ],
            )
            .unwrap(),
        );
        assert_close(&point, &[2.0, 6.0]);
        assert!((value - 36.0).abs() < 1e-9);
    }

    #[test]
    fn minimisation_with_at_least_rows() {
        // min 2x + 3y, x + y ≥ 4, x + 3y ≥ 6: vertices (0, 4) → 12, (3, 1) → 9, (6, 0) → 12.
        let (point, value) = optimum(
            maximise(
                &[-2.0, -3.0],
                &[at_least(&[1.0, 1.0], 4.0), at_least(&[1.0, 3.0], 6.0)],
            )
            .unwrap(),
        );
        assert_close(&point, &[3.0, 1.0]);
        assert!((value + 9.0).abs() < 1e-9);
    }

    #[test]
    fn equalities_negative_bounds_and_redundancy() {
        // max x + y, x + 2y = 4, x ≤ 2 → (2, 1), 3.
        let (point, _) = optimum(
            maximise(
                &[1.0, 1.0],
                &[equal(&[1.0, 2.0], 4.0), at_most(&[1.0, 0.0], 2.0)],
            )
            .unwrap(),
        );
        assert_close(&point, &[2.0, 1.0]);
        // A repeated equality: x + y = 1, 2x + 2y = 2, max x → (1, 0).
        let (point, _) = optimum(
            maximise(
                &[1.0, 0.0],
                &[equal(&[1.0, 1.0], 1.0), equal(&[2.0, 2.0], 2.0)],
            )
            .unwrap(),
        );
        assert_close(&point, &[1.0, 0.0]);
        // x − y ≤ −1 (y ≥ x + 1), y ≤ 3, max x → (2, 3).
        let (point, _) = optimum(
            maximise(
                &[1.0, 0.0],
                &[at_most(&[1.0, -1.0], -1.0), at_most(&[0.0, 1.0], 3.0)],
            )
            .unwrap(),
        );
        assert_close(&point, &[2.0, 3.0]);
    }

    #[test]
    fn infeasible_and_unbounded() {
        assert_eq!(
            maximise(
                &[1.0, 1.0],
                &[at_most(&[1.0, 1.0], 1.0), at_least(&[1.0, 1.0], 2.0)]
            )
            .unwrap(),
            Outcome::Infeasible
        );
        assert_eq!(
            maximise(&[1.0, 0.0], &[at_most(&[1.0, -1.0], 1.0)]).unwrap(),
            Outcome::Unbounded
        );
    }

    #[test]
    fn beale_cycling_example_terminates() {
        // Beale (1955): the textbook largest-coefficient rule cycles here;
        // Bland's rule reaches the optimum 1/20 at z = (1/25, 0, 1, 0).
        let (point, value) = optimum(
            maximise(
                &[0.75, -150.0, 0.02, -6.0],
                &[
                    at_most(&[0.25, -60.0, -0.04, 9.0], 0.0),
                    at_most(&[0.5, -90.0, -0.02, 3.0], 0.0),
                    at_most(&[0.0, 0.0, 1.0, 0.0], 1.0),
                ],
            )
            .unwrap(),
        );
        assert!((value - 0.05).abs() < 1e-12);
        assert_close(&point, &[0.04, 0.0, 1.0, 0.0]);
    }

    /// Brute force: the best of all basic feasible solutions of `{G z ≤ h}`
    /// (three variables; the rows include `z ≥ 0` and a bounding box).
    fn brute_force(objective: &[f64], rows: &[(Vec<f64>, f64)]) -> Option<f64> {
        let mut best: Option<f64> = None;
        for chosen in subsets(rows.len(), 3) {
            let mut system: Vec<f64> = chosen.iter().flat_map(|&r| rows[r].0.clone()).collect();
            let mut point: Vec<f64> = chosen.iter().map(|&r| rows[r].1).collect();
            if !solve_in_place(&mut system, &mut point, 3) {
                continue;
            }
            let feasible = rows
                .iter()
                .all(|(g, h)| g.iter().zip(&point).map(|(a, z)| a * z).sum::<f64>() <= h + 1e-9);
            if feasible {
                let value: f64 = objective.iter().zip(&point).map(|(c, z)| c * z).sum();
                best = Some(best.map_or(value, |b: f64| b.max(value)));
            }
        }
        best
    }

    proptest! {
        #[test]
        fn agrees_with_brute_force_on_random_bounded_programs(
            objective in prop::collection::vec(-5i32..=5, 3),
            raw in prop::collection::vec((prop::collection::vec(-5i32..=5, 3), -4i32..=12), 4),
        ) {
            let objective: Vec<f64> = objective.into_iter().map(f64::from).collect();
            let mut constraints: Vec<Constraint> = raw
                .iter()
                .map(|(g, h)| at_most(&g.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(), f64::from(*h)))
                .collect();
            for k in 0..3 {
                let mut unit = vec![0.0; 3];
                unit[k] = 1.0;
                constraints.push(at_most(&unit, 4.0));
            }
            let mut rows: Vec<(Vec<f64>, f64)> =
                constraints.iter().map(|c| (c.coefficients.clone(), c.bound)).collect();
            for k in 0..3 {
                let mut unit = vec![0.0; 3];
                unit[k] = -1.0;
                rows.push((unit, 0.0));
            }
            let expected = brute_force(&objective, &rows);
            match (maximise(&objective, &constraints).unwrap(), expected) {
                (Outcome::Optimal { point, value }, Some(best)) => {
                    prop_assert!((value - best).abs() < 1e-7, "simplex {value} vs brute force {best}");
                    for (g, h) in &rows {
                        let lhs: f64 = g.iter().zip(&point).map(|(a, z)| a * z).sum();
                        prop_assert!(lhs <= h + 1e-7);
                    }
                }
                (Outcome::Infeasible, None) => {}
                (outcome, expected) => prop_assert!(false, "simplex {outcome:?}, brute force {expected:?}"),
            }
        }
    }
}
