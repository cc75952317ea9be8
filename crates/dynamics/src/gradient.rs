//! Gradients of selection.
//!
//! For two strategies, with `k` individuals of `A` and `Z − k` of `B`, the
//! gradient of selection is the expected change of `k` per elementary step
//! (Traulsen et al. 2006; Pacheco et al. 2009):
//!
//! ```text
//! g(k) = T⁺(k) − T⁻(k),
//! T⁺(k) = (Z − k)/Z · [(1 − μ)·k/(Z − 1)·F(f_A − f_B) + μ]
//! T⁻(k) = k/Z · [(1 − μ)·(Z − k)/(Z − 1)·F(f_B − f_A) + μ]
//! ```
//!
//! which for `μ = 0` is `k(Z − k)/(Z(Z − 1)) · tanh(β/2 · (f_A − f_B))`.
//!
//! On the simplex of `n` strategies Accord reports two quantities:
//!
//! * the *drift* `d_i(k) = Σ_{j≠i} [P(k → k + e_i − e_j) − P(k → k − e_i + e_j)]`,
//!   the expected change of `k_i` per step, mutation included;
//! * the *gradient of selection* as EGTtools defines it (no mutation, scaled
//!   by `2/n`): `g_i(k) = (2/n) Σ_{j≠i} k_i k_j/(Z(Z − 1)) · tanh(β/2 · (f_i − f_j))`.
//!
//! For `n = 2` and `μ = 0` all three coincide.

use crate::process::check_mutation;
use crate::{DynamicsError, PairwiseComparison};
use accord_games::composition;
use rayon::prelude::*;
use serde::Serialize;

/// One point of a two-strategy gradient.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GradientPoint {
    /// Number of individuals of the first strategy.
    pub k: usize,
    /// `k / Z`.
    pub frequency: f64,
    /// `T⁺(k)`: probability that `k` grows by one in a step.
    pub t_plus: f64,
    /// `T⁻(k)`: probability that `k` shrinks by one in a step.
    pub t_minus: f64,
    /// `T⁺(k) − T⁻(k)`.
    pub gradient: f64,
}

/// The gradient at every state of the simplex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimplexGradient {
    /// States (counts per strategy) in EGTtools' order.
    pub states: Vec<Vec<usize>>,
    /// EGTtools-compatible gradient of selection at each state.
    pub gradient: Vec<Vec<f64>>,
    /// Expected change of each count per step, mutation included.
    pub drift: Vec<Vec<f64>>,
}

impl PairwiseComparison<'_> {
    /// Gradient of selection `g(k)`, `k = 0..=Z`, of strategy `a` against
    /// `b` in the two-strategy process (other strategies absent), with
    /// mutation `μ` between the two.
    pub fn gradient_two(
        &self,
        a: usize,
        b: usize,
        mutation: f64,
    ) -> Result<Vec<GradientPoint>, DynamicsError> {
        self.check_pair(a, b)?;
        check_mutation(mutation, true)?;
        let z = self.population();
        let zf = z as f64;
        let mut counts = vec![0; self.strategy_count()];
        let mut fitness = vec![0.0; self.strategy_count()];
        Ok((0..=z)
            .map(|k| {
                counts[a] = k;
                counts[b] = z - k;
                self.fitness(&counts, &mut fitness);
                let (kf, others) = (k as f64, (z - k) as f64);
                let up = if k == 0 || k == z {
                    0.0
                } else {
                    self.imitation_probability(fitness[a] - fitness[b])
                };
                let down = if k == 0 || k == z {
                    0.0
                } else {
                    self.imitation_probability(fitness[b] - fitness[a])
                };
                let t_plus = others / zf * ((1.0 - mutation) * kf / (zf - 1.0) * up + mutation);
                let t_minus = kf / zf * ((1.0 - mutation) * others / (zf - 1.0) * down + mutation);
                GradientPoint {
                    k,
                    frequency: kf / zf,
                    t_plus,
                    t_minus,
                    gradient: t_plus - t_minus,
                }
            })
            .collect())
    }

    /// EGTtools' gradient of selection at `state` (no mutation, scaled by `2/n`).
    pub fn gradient_of_selection(&self, state: &[usize]) -> Result<Vec<f64>, DynamicsError> {
        self.check_state(state)?;
        let n = self.strategy_count();
        let zf = self.population() as f64;
        let mut fitness = vec![0.0; n];
        self.fitness(state, &mut fitness);
        let mut gradient = vec![0.0; n];
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                let weight = state[i] as f64 * state[j] as f64 / (zf * (zf - 1.0));
                if weight > 0.0 {
                    gradient[i] += weight * (0.5 * self.beta() * (fitness[i] - fitness[j])).tanh();
                }
            }
        }
        for g in &mut gradient {
            *g *= 2.0 / n as f64;
        }
        Ok(gradient)
    }

    /// Expected change of each strategy's count in one step at `state`.
    pub fn drift(&self, state: &[usize], mutation: f64) -> Result<Vec<f64>, DynamicsError> {
        self.check_state(state)?;
        check_mutation(mutation, true)?;
        let n = self.strategy_count();
        let mut fitness = vec![0.0; n];
        self.fitness(state, &mut fitness);
        let mut drift = vec![0.0; n];
        for from in 0..n {
            for to in (0..n).filter(|&j| j != from) {
                let p = self.switch_probability(state, &fitness, from, to, mutation);
                drift[from] -= p;
                drift[to] += p;
            }
        }
        Ok(drift)
    }

    /// Gradient and drift at every state of the simplex.
    pub fn simplex_gradient(
        &self,
        mutation: f64,
        max_states: usize,
    ) -> Result<SimplexGradient, DynamicsError> {
        check_mutation(mutation, true)?;
        let (z, n) = (self.population(), self.strategy_count());
        let count = self.state_count()?;
        if count > max_states {
            return Err(DynamicsError::TooManyStates {
                states: count,
                limit: max_states,
            });
        }
        let rows: Vec<(Vec<usize>, Vec<f64>, Vec<f64>)> = (0..count)
            .into_par_iter()
            .map(|index| {
                let state = composition::unrank(index, z, n);
                let gradient = self.gradient_of_selection(&state).expect("state is valid");
                let drift = self
                    .drift(&state, mutation)
                    .expect("state and mutation are valid");
                (state, gradient, drift)
            })
            .collect();
        let mut result = SimplexGradient {
            states: Vec::with_capacity(count),
            gradient: Vec::with_capacity(count),
            drift: Vec::with_capacity(count),
        };
        for (state, gradient, drift) in rows {
            result.states.push(state);
            result.gradient.push(gradient);
            result.drift.push(drift);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use crate::PairwiseComparison;
    use accord_games::{Game, MatrixGame};

    #[test]
    fn two_strategy_forms_agree() {
        let game: Game = MatrixGame::new(
            vec!["A".into(), "B".into()],
            vec![vec![3.0, 0.0], vec![5.0, 1.0]],
        )
        .unwrap()
        .into();
        let process = PairwiseComparison::new(&game, 40, 0.7).unwrap();
        let line = process.gradient_two(0, 1, 0.0).unwrap();
        for point in &line {
            let state = [point.k, 40 - point.k];
            let egt = process.gradient_of_selection(&state).unwrap();
            let drift = process.drift(&state, 0.0).unwrap();
            assert!((egt[0] - point.gradient).abs() < 1e-15);
            assert!((drift[0] - point.gradient).abs() < 1e-15);
        }
    }

    #[test]
    fn drift_with_mutation_matches_two_strategy_gradient() {
        let game: Game = MatrixGame::new(
            vec!["A".into(), "B".into()],
            vec![vec![1.0, 2.0], vec![0.5, 1.5]],
        )
        .unwrap()
        .into();
        let process = PairwiseComparison::new(&game, 25, 2.0).unwrap();
        for point in process.gradient_two(0, 1, 0.05).unwrap() {
            let drift = process.drift(&[point.k, 25 - point.k], 0.05).unwrap();
            assert!((drift[0] - point.gradient).abs() < 1e-15);
        }
    }
}
