//! Fixation probabilities of a single mutant, in log space.
//!
//! With `k` invaders `A` among `Z − k` residents `B` and no mutation, the
//! pairwise-comparison process moves `k → k ± 1` with
//!
//! ```text
//! T⁺(k) = (Z − k)/Z · k/(Z − 1) · F(f_A(k) − f_B(k))
//! T⁻(k) = k/Z · (Z − k)/(Z − 1) · F(f_B(k) − f_A(k))
//! ```
//!
//! so `T⁻(k)/T⁺(k) = exp(−β (f_A(k) − f_B(k)))` and the fixation probability
//! of one `A` mutant is (Karlin & Taylor; Traulsen et al. 2006)
//!
//! ```text
//! ρ_{A→B} = 1 / (1 + Σ_{m=1}^{Z−1} Π_{k=1}^{m} T⁻(k)/T⁺(k))
//!         = exp(−logsumexp_{m=0}^{Z−1} L_m),   L_m = −β Σ_{k=1}^{m} (f_A(k) − f_B(k)).
//! ```
//!
//! The log-sum-exp keeps every term in range, so `ln ρ` is exact far below
//! `f64` underflow (`ln ρ = −10⁴` is as accurate as `ln ρ = −1`). EGTtools
//! truncates values below about `1e-7` to 0; Accord does not.
//!
//! Strong selection. With `S_m = Σ_{k=1}^{m} (f_A(k) − f_B(k))` and `S_0 = 0`,
//! `ln ρ_{A→B} / β → min_{0≤m<Z} S_m` as `β → ∞`: the *invasion cost*
//! `c(A→B) = −min_m S_m ≥ 0` is the depth of the fitness valley the invader
//! must cross, and 0 for an invader never at a disadvantage.

use crate::{DynamicsError, PairwiseComparison};

impl PairwiseComparison<'_> {
    /// Natural log of the probability that one `invader` mutant takes over a
    /// population of `resident`s (all other strategies absent).
    pub fn log_fixation_probability(
        &self,
        invader: usize,
        resident: usize,
    ) -> Result<f64, DynamicsError> {
        self.check_pair(invader, resident)?;
        let z = self.population();
        let n = self.strategy_count();
        let mut counts = vec![0; n];
        let mut fitness = vec![0.0; n];
        let mut log_terms = Vec::with_capacity(z);
        log_terms.push(0.0);
        let mut partial = 0.0;
        for advantage in self.invader_advantages(invader, resident, &mut counts, &mut fitness)? {
            partial -= self.beta() * advantage;
            log_terms.push(partial);
        }
        let log_rho = -log_sum_exp(&log_terms);
        if !log_rho.is_finite() {
            return Err(DynamicsError::FitnessOverflow { invader, resident });
        }
        Ok(log_rho)
    }

    /// Strong-selection invasion cost `c(invader→resident) = −min_m S_m ≥ 0`
    /// (module docs): `ln ρ ≈ −β c` as `β` grows.
    pub fn invasion_cost(&self, invader: usize, resident: usize) -> Result<f64, DynamicsError> {
        self.check_pair(invader, resident)?;
        let n = self.strategy_count();
        let (mut counts, mut fitness) = (vec![0; n], vec![0.0; n]);
        let mut partial: f64 = 0.0;
        let mut lowest: f64 = 0.0;
        for advantage in self.invader_advantages(invader, resident, &mut counts, &mut fitness)? {
            partial += advantage;
            lowest = lowest.min(partial);
        }
        if !lowest.is_finite() {
            return Err(DynamicsError::FitnessOverflow { invader, resident });
        }
        Ok(-lowest)
    }

    /// `f_invader(k) − f_resident(k)` for `k = 1 … Z − 1` invaders.
    fn invader_advantages(
        &self,
        invader: usize,
        resident: usize,
        counts: &mut [usize],
        fitness: &mut [f64],
    ) -> Result<Vec<f64>, DynamicsError> {
        let z = self.population();
        (1..z)
            .map(|k| {
                counts[invader] = k;
                counts[resident] = z - k;
                self.fitness(counts, fitness);
                let advantage = fitness[invader] - fitness[resident];
                if advantage.is_finite() {
                    Ok(advantage)
                } else {
                    Err(DynamicsError::FitnessOverflow { invader, resident })
                }
            })
            .collect()
    }

    /// Probability that one `invader` mutant takes over a population of `resident`s.
    pub fn fixation_probability(
        &self,
        invader: usize,
        resident: usize,
    ) -> Result<f64, DynamicsError> {
        Ok(self.log_fixation_probability(invader, resident)?.exp())
    }

    /// Logs of all fixation probabilities: entry `[invader][resident]`,
    /// diagonal `-∞`.
    pub fn log_fixation_matrix(&self) -> Result<Vec<Vec<f64>>, DynamicsError> {
        let n = self.strategy_count();
        (0..n)
            .map(|invader| {
                (0..n)
                    .map(|resident| {
                        if invader == resident {
                            Ok(f64::NEG_INFINITY)
                        } else {
                            self.log_fixation_probability(invader, resident)
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// `ln Σ exp(x_i)` without overflow.
pub(crate) fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use crate::PairwiseComparison;
    use accord_games::{Game, MatrixGame};

    fn matrix(rows: Vec<Vec<f64>>) -> Game {
        let names = (0..rows.len()).map(|i| format!("S{i}")).collect();
        MatrixGame::new(names, rows).unwrap().into()
    }

    #[test]
    fn neutral_fixation_is_one_over_z() {
        let game = matrix(vec![vec![1.0, 3.0], vec![2.0, 0.5]]);
        for z in [2, 10, 500] {
            let process = PairwiseComparison::new(&game, z, 0.0).unwrap();
            let rho = process.fixation_probability(0, 1).unwrap();
            assert!((rho * z as f64 - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn an_invasion_of_a_strategy_by_itself_is_refused_by_name() {
        let game = matrix(vec![vec![1.0, 3.0], vec![2.0, 0.5]]);
        let process = PairwiseComparison::new(&game, 10, 1.0).unwrap();
        let error = process.fixation_probability(1, 1).unwrap_err().to_string();
        assert!(error.contains("both are S1, strategy 1"), "{error}");
    }

    #[test]
    fn egttools_test_values() {
        // EGTtools' own unit test: Hawk–Dove A = [[−0.5, 2], [0, 0]], Z = 100, β = 1,
        // calculate_fixation_probability(invader = 0, resident = 1) = 0.8641155742462664.
        let game = matrix(vec![vec![-0.5, 2.0], vec![0.0, 0.0]]);
        let process = PairwiseComparison::new(&game, 100, 1.0).unwrap();
        let rho = process.fixation_probability(0, 1).unwrap();
        assert!((rho / 0.864_115_574_246_266_4 - 1.0).abs() < 1e-12, "{rho}");
    }

    #[test]
    fn tiny_probabilities_are_not_truncated() {
        let game = matrix(vec![vec![0.0, 0.0], vec![5.0, 5.0]]);
        let process = PairwiseComparison::new(&game, 200, 1.0).unwrap();
        let log_rho = process.log_fixation_probability(0, 1).unwrap();
        // Constant disadvantage 5: ρ = (1 − r)/(1 − r^Z), r = e^5, so ln ρ ≈ −5Z + ln(e^5 − 1).
        let expected = -5.0 * 200.0 + (5f64.exp() - 1.0).ln();
        assert!((log_rho - expected).abs() < 1e-9, "{log_rho} vs {expected}");
        assert!(log_rho < -900.0);
    }

    #[test]
    fn invasion_cost_is_the_strong_selection_rate() {
        // Coordination game: the invader is at a disadvantage while rare, so
        // it must cross a valley; ln ρ / β tends to minus its depth.
        let game = matrix(vec![vec![3.0, 0.0], vec![1.0, 2.0]]);
        let cost = PairwiseComparison::new(&game, 30, 1.0)
            .unwrap()
            .invasion_cost(0, 1)
            .unwrap();
        assert!(cost > 0.0);
        let beta = 1e4;
        let log_rho = PairwiseComparison::new(&game, 30, beta)
            .unwrap()
            .log_fixation_probability(0, 1)
            .unwrap();
        assert!((log_rho / beta + cost).abs() < 1e-3, "{log_rho} vs {cost}");
    }

    #[test]
    fn overflowing_fitness_is_an_error() {
        let game = matrix(vec![vec![1e308, -1e308], vec![-1e308, 1e308]]);
        let process = PairwiseComparison::new(&game, 10, 1.0).unwrap();
        assert!(matches!(
            process.log_fixation_probability(0, 1),
            Err(crate::DynamicsError::FitnessOverflow { .. })
        ));
    }
}
