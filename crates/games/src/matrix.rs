//! Two-player symmetric matrix games with any number of strategies.
//!
//! `payoff(i, j)` is what a player using strategy `i` earns against a
//! co-player using strategy `j`. In a finite population of `Z` individuals
//! with counts `k`, an `i`-individual meets each of the other `Z − 1`
//! individuals once, so its fitness *excludes self* (EGTtools' convention):
//!
//! ```text
//! f_i(k) = (Σ_j A[i][j]·k_j − A[i][i]) / (Z − 1)
//! ```
//!
//! In an infinite population with frequencies `x`, `f_i(x) = Σ_j A[i][j]·x_j`.

use crate::GameError;
use serde::{Deserialize, Serialize};

/// A symmetric two-player game given by its payoff matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixGame {
    strategies: Vec<String>,
    /// Row-major `n × n`: entry `i·n + j` is `A[i][j]`.
    payoffs: Vec<f64>,
}

impl MatrixGame {
    /// Builds a game from strategy names and the rows of its payoff matrix.
    pub fn new(strategies: Vec<String>, rows: Vec<Vec<f64>>) -> Result<Self, GameError> {
        crate::check_strategy_names(&strategies)?;
        let n = strategies.len();
        if rows.len() != n || rows.iter().any(|row| row.len() != n) {
            return Err(GameError::MatrixShape {
                expected: n,
                rows: rows.len(),
                row_lengths: rows.iter().map(Vec::len).collect(),
            });
        }
        for (i, row) in rows.iter().enumerate() {
            for (j, &value) in row.iter().enumerate() {
                if !value.is_finite() {
                    return Err(GameError::NonFinitePayoff {
                        what: format!("A[{}][{}]", strategies[i], strategies[j]),
                        value,
                    });
                }
            }
        }
        Ok(Self {
            strategies,
            payoffs: rows.into_iter().flatten().collect(),
        })
    }

    /// Strategy names, in matrix order.
    pub fn strategies(&self) -> &[String] {
        &self.strategies
    }

    /// Number of strategies `n`.
    pub fn strategy_count(&self) -> usize {
        self.strategies.len()
    }

    /// Payoff `A[row][column]` of `row` against `column`.
    pub fn payoff(&self, row: usize, column: usize) -> f64 {
        self.payoffs[row * self.strategy_count() + column]
    }

    /// The matrix as rows.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        self.payoffs
            .chunks(self.strategy_count())
            .map(<[f64]>::to_vec)
            .collect()
    }

    /// Finite-population fitness of every strategy, excluding self.
    ///
    /// Strategies with `counts[i] = 0` get fitness 0 (no individual collects it).
    pub fn fitness_finite(&self, counts: &[usize], fitness: &mut [f64]) {
        let n = self.strategy_count();
        debug_assert_eq!(counts.len(), n);
        let population: usize = counts.iter().sum();
        debug_assert!(population >= 2, "fitness needs at least two individuals");
        let others = (population - 1) as f64;
        for (i, value) in fitness.iter_mut().enumerate().take(n) {
            if counts[i] == 0 {
                *value = 0.0;
                continue;
            }
            let row = &self.payoffs[i * n..(i + 1) * n];
            let total: f64 = row.iter().zip(counts).map(|(a, &k)| a * k as f64).sum();
            *value = (total - row[i]) / others;
        }
    }

    /// Infinite-population fitness `f = A·x`.
    pub fn fitness_infinite(&self, frequencies: &[f64], fitness: &mut [f64]) {
        let n = self.strategy_count();
        for (i, value) in fitness.iter_mut().enumerate().take(n) {
            let row = &self.payoffs[i * n..(i + 1) * n];
            *value = row.iter().zip(frequencies).map(|(a, x)| a * x).sum();
        }
    }
}
