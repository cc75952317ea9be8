//! N-player symmetric group games.
//!
//! A group of `N` players is described by its composition `c` (how many
//! members use each strategy, `Σ c_j = N`); `P_i(c)` is the payoff of a member
//! using strategy `i` in a group with composition `c` (`c_i ≥ 1`).
//!
//! In a finite population of `Z` individuals with counts `k`, the `N − 1`
//! co-players of a focal `i`-individual are drawn without replacement from the
//! other `Z − 1` individuals (multivariate hypergeometric sampling, as in
//! EGTtools and Santos & Pacheco 2011):
//!
//! ```text
//! f_i(k) = Σ_m [Π_j C(k'_j, m_j)] / C(Z − 1, N − 1) · P_i(m + e_i),   k' = k − e_i
//! ```
//!
//! summed over co-player compositions `m` of `N − 1`. In an infinite
//! population with frequencies `x` the sampling is multinomial:
//! `f_i(x) = Σ_m (N − 1)! / Π_j m_j! · Π_j x_j^{m_j} · P_i(m + e_i)`.
//!
//! Group compositions are indexed in the order of [`crate::composition`]
//! (EGTtools' `calculate_state`).

use crate::{GameError, composition};
use serde::{Deserialize, Serialize};

/// A symmetric N-player game given by its payoff table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupGame {
    strategies: Vec<String>,
    group_size: usize,
    /// `payoffs[rank(c)·n + i]` is `P_i(c)`; zero where `c_i = 0`.
    payoffs: Vec<f64>,
}

impl GroupGame {
    /// Builds a game by evaluating `payoff(c, i)` on every group composition
    /// `c` and every strategy `i` present in it.
    pub fn from_fn(
        strategies: Vec<String>,
        group_size: usize,
        mut payoff: impl FnMut(&[usize], usize) -> f64,
    ) -> Result<Self, GameError> {
        crate::check_strategy_names(&strategies)?;
        if group_size < 2 {
            return Err(GameError::GroupSize(group_size));
        }
        let n = strategies.len();
        let mut payoffs = Vec::with_capacity(composition::count(group_size, n) * n);
        for group in composition::all(group_size, n) {
            for (i, &members) in group.iter().enumerate() {
                let value = if members == 0 { 0.0 } else { payoff(&group, i) };
                if !value.is_finite() {
                    return Err(GameError::NonFinitePayoff {
                        what: format!("P_{}({group:?})", strategies[i]),
                        value,
                    });
                }
                payoffs.push(value);
            }
        }
        Ok(Self {
            strategies,
            group_size,
            payoffs,
        })
    }

    /// Strategy names.
    pub fn strategies(&self) -> &[String] {
        &self.strategies
    }

    /// Number of strategies `n`.
    pub fn strategy_count(&self) -> usize {
        self.strategies.len()
    }

    /// Group size `N`.
    pub fn group_size(&self) -> usize {
        self.group_size
    }

    /// `P_i(c)`: payoff of a member playing `strategy` in a group of composition `group`.
    pub fn payoff(&self, group: &[usize], strategy: usize) -> f64 {
        self.payoffs[composition::rank(group) * self.strategy_count() + strategy]
    }

    /// Finite-population fitness by hypergeometric sampling of co-players.
    ///
    /// Strategies with `counts[i] = 0` get fitness 0 (no individual collects it).
    pub fn fitness_finite(&self, counts: &[usize], fitness: &mut [f64]) {
        let n = self.strategy_count();
        debug_assert_eq!(counts.len(), n);
        let population: usize = counts.iter().sum();
        assert!(
            population >= self.group_size,
            "population {population} smaller than group size {}",
            self.group_size
        );
        let samples = composition::binomial_f64(population - 1, self.group_size - 1);
        let mut others = counts.to_vec();
        let mut group = vec![0; n];
        for i in 0..n {
            if counts[i] == 0 {
                fitness[i] = 0.0;
                continue;
            }
            others[i] -= 1;
            let mut total = 0.0;
            for coplayers in composition::all(self.group_size - 1, n) {
                let ways: f64 = coplayers
                    .iter()
                    .zip(&others)
                    .map(|(&m, &k)| composition::binomial_f64(k, m))
                    .product();
                if ways == 0.0 {
                    continue;
                }
                group.copy_from_slice(&coplayers);
                group[i] += 1;
                total += ways * self.payoff(&group, i);
            }
            others[i] += 1;
            fitness[i] = total / samples;
        }
    }

    /// Infinite-population fitness by multinomial sampling of co-players.
    pub fn fitness_infinite(&self, frequencies: &[f64], fitness: &mut [f64]) {
        let n = self.strategy_count();
        let coplayer_count = self.group_size - 1;
        let mut group = vec![0; n];
        for (i, value) in fitness.iter_mut().enumerate().take(n) {
            let mut total = 0.0;
            for coplayers in composition::all(coplayer_count, n) {
                let mut weight = multinomial(coplayer_count, &coplayers);
                for (&m, &x) in coplayers.iter().zip(frequencies) {
                    weight *= x.powi(m as i32);
                }
                group.copy_from_slice(&coplayers);
                group[i] += 1;
                total += weight * self.payoff(&group, i);
            }
            *value = total;
        }
    }
}

/// `total! / Π parts_j!` as `f64`.
fn multinomial(total: usize, parts: &[usize]) -> f64 {
    let mut remaining = total;
    let mut result = 1.0;
    for &part in parts {
        result *= composition::binomial_f64(remaining, part);
        remaining -= part;
    }
    result
}
