//! The full Markov chain of the pairwise-comparison process with mutation.
//!
//! States are the compositions `k` of `Z` into `n` strategies
//! (`C(Z + n − 1, n − 1)` of them, in EGTtools' order). One elementary step
//! moves an individual from strategy `i` to `j ≠ i` with probability
//!
//! ```text
//! P(k → k − e_i + e_j) = k_i/Z · [(1 − μ)·k_j/(Z − 1)·F(f_j − f_i) + μ/(n − 1)]
//! ```
//!
//! and otherwise leaves the state unchanged. With `μ > 0` the chain is
//! irreducible; its stationary distribution solves `π (I − P) = 0`,
//! `Σ π = 1`.
//!
//! Solver: fix one reference state `r` at `π_r = 1`, drop its equation, and
//! solve the remaining sparse linear system `(I − P)ᵀ` (minus row and column
//! `r`) with faer's sparse LU (fill-reducing ordering, partial pivoting).
//! Diagonals are formed as the sum of outgoing probabilities, never as
//! `1 − (…)`, so no cancellation occurs. If the first reference state carries
//! so little mass that the solution leaves the `f64` range, the system is
//! solved again with the heaviest state as reference. The transition matrix
//! is never formed densely and no eigen-decomposition is used.

use crate::process::check_mutation;
use crate::{DynamicsError, PairwiseComparison};
use accord_games::composition;
use faer::Mat;
use faer::linalg::solvers::Solve;
use faer::sparse::{SparseColMat, Triplet};
use rayon::prelude::*;
use serde::Serialize;

/// Options of a full-chain analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FullChainOptions {
    /// Mutation probability `μ` per elementary step, in `(0, 1]`.
    pub mutation: f64,
    /// Refuse state spaces larger than this (memory grows linearly with it).
    pub max_states: usize,
}

impl FullChainOptions {
    /// Default limit on the number of states: enough for 3 strategies at
    /// `Z = 3000` or 4 strategies at `Z = 300`.
    pub const DEFAULT_MAX_STATES: usize = 5_000_000;

    /// Options with mutation `μ` and the default state limit.
    pub fn with_mutation(mutation: f64) -> Self {
        Self {
            mutation,
            max_states: Self::DEFAULT_MAX_STATES,
        }
    }
}

/// Stationary distribution of the full chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FullChain {
    /// Population size `Z`.
    pub population: usize,
    /// Number of strategies `n`.
    pub strategy_count: usize,
    /// Mutation probability `μ`.
    pub mutation: f64,
    /// `stationary[s]`: long-run probability of the state with index `s`
    /// (see [`FullChain::state`]).
    pub stationary: Vec<f64>,
    /// Long-run mean frequency of each strategy: `Σ_s π_s · k_s / Z`.
    pub strategy_frequencies: Vec<f64>,
    /// `max_t |(π (I − P))_t|`: how well the returned `π` solves the chain.
    pub residual: f64,
}

impl FullChain {
    /// The composition (counts per strategy) of state `index`.
    pub fn state(&self, index: usize) -> Vec<usize> {
        composition::unrank(index, self.population, self.strategy_count)
    }
}

/// Outgoing transitions of one state: `(target, probability)`, self-loop excluded.
type Transitions = Vec<(usize, f64)>;

impl PairwiseComparison<'_> {
    /// Outgoing transition probabilities of every state (row-stochastic,
    /// self-loops omitted: each row's diagonal is one minus its sum).
    pub fn full_transitions(&self, mutation: f64) -> Result<Vec<Transitions>, DynamicsError> {
        check_mutation(mutation, true)?;
        let z = self.population();
        let n = self.strategy_count();
        let states = composition::count(z, n);
        Ok((0..states)
            .into_par_iter()
            .map(|index| {
                let counts = composition::unrank(index, z, n);
                let mut fitness = vec![0.0; n];
                self.fitness(&counts, &mut fitness);
                let mut out = Vec::with_capacity(n * (n - 1));
                let mut target = counts.clone();
                for from in (0..n).filter(|&i| counts[i] > 0) {
                    for to in (0..n).filter(|&j| j != from) {
                        let p = self.switch_probability(&counts, &fitness, from, to, mutation);
                        if p > 0.0 {
                            target[from] -= 1;
                            target[to] += 1;
                            out.push((composition::rank(&target), p));
                            target[from] += 1;
                            target[to] -= 1;
                        }
                    }
                }
                out
            })
            .collect())
    }

    /// Stationary distribution of the full chain with mutation.
    pub fn full_chain(&self, options: FullChainOptions) -> Result<FullChain, DynamicsError> {
        check_mutation(options.mutation, false)?;
        let z = self.population();
        let n = self.strategy_count();
        let state_count = composition::count(z, n);
        if state_count > options.max_states {
            return Err(DynamicsError::TooManyStates {
                states: state_count,
                limit: options.max_states,
            });
        }
        let transitions = self.full_transitions(options.mutation)?;
        let stationary = if state_count == 1 {
            vec![1.0]
        } else {
            let first = solve_with_reference(&transitions, 0)?;
            if first.iter().all(|x| x.is_finite())
                && first.iter().copied().fold(0.0, f64::max) < 1e250
            {
                normalise(first)
            } else {
                let heaviest = first
                    .iter()
                    .enumerate()
                    .fold((0, f64::NEG_INFINITY), |best, (i, &x)| {
                        let x = if x.is_nan() { f64::NEG_INFINITY } else { x };
                        if x > best.1 { (i, x) } else { best }
                    })
                    .0;
                normalise(solve_with_reference(&transitions, heaviest)?)
            }
        };
        let residual = residual(&transitions, &stationary);
        let mut strategy_frequencies = vec![0.0; n];
        for (index, &p) in stationary.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            let counts = composition::unrank(index, z, n);
            for (frequency, &k) in strategy_frequencies.iter_mut().zip(&counts) {
                *frequency += p * k as f64 / z as f64;
            }
        }
        Ok(FullChain {
            population: z,
            strategy_count: n,
            mutation: options.mutation,
            stationary,
            strategy_frequencies,
            residual,
        })
    }
}

/// Solves `π (I − P) = 0` with `π_reference = 1`; returns the unnormalised `π`.
fn solve_with_reference(
    transitions: &[Transitions],
    reference: usize,
) -> Result<Vec<f64>, DynamicsError> {
    let states = transitions.len();
    let reduced = |i: usize| if i < reference { i } else { i - 1 };
    let mut triplets = Vec::with_capacity(transitions.iter().map(|t| t.len() + 1).sum());
    let mut rhs = Mat::<f64>::zeros(states - 1, 1);
    for (from, outgoing) in transitions.iter().enumerate() {
        let leave: f64 = outgoing.iter().map(|&(_, p)| p).sum();
        if from == reference {
            // Column `reference` moves to the right-hand side with π_reference = 1.
            for &(to, p) in outgoing {
                rhs[(reduced(to), 0)] += p;
            }
            continue;
        }
        let column = reduced(from);
        triplets.push(Triplet::new(column, column, leave));
        for &(to, p) in outgoing {
            if to != reference {
                // (I − P)ᵀ[to][from] = −P[from][to]
                triplets.push(Triplet::new(reduced(to), column, -p));
            }
        }
    }
    let matrix =
        SparseColMat::<usize, f64>::try_new_from_triplets(states - 1, states - 1, &triplets)
            .map_err(|e| DynamicsError::Solver(format!("{e:?}")))?;
    let lu = matrix
        .sp_lu()
        .map_err(|e| DynamicsError::Solver(format!("{e:?}")))?;
    lu.solve_in_place(rhs.as_mut());
    let mut pi = Vec::with_capacity(states);
    for i in 0..states {
        pi.push(if i == reference {
            1.0
        } else {
            rhs[(reduced(i), 0)]
        });
    }
    Ok(pi)
}

fn normalise(mut pi: Vec<f64>) -> Vec<f64> {
    // Round-off can leave tiny negative entries where the true mass underflows.
    for x in &mut pi {
        *x = x.max(0.0);
    }
    let total: f64 = pi.iter().sum();
    for x in &mut pi {
        *x /= total;
    }
    pi
}

fn residual(transitions: &[Transitions], pi: &[f64]) -> f64 {
    let mut flow = vec![0.0; pi.len()];
    for (from, outgoing) in transitions.iter().enumerate() {
        for &(to, p) in outgoing {
            flow[to] += pi[from] * p;
            flow[from] -= pi[from] * p;
        }
    }
    flow.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use crate::{FullChainOptions, PairwiseComparison};
    use accord_games::{Game, MatrixGame};

    fn game() -> Game {
        MatrixGame::new(
            vec!["R".into(), "P".into(), "S".into()],
            vec![
                vec![0.0, -1.0, 2.0],
                vec![2.0, 0.0, -1.0],
                vec![-1.0, 2.0, 0.0],
            ],
        )
        .unwrap()
        .into()
    }

    #[test]
    fn neutral_chain_with_full_mutation_is_multinomial() {
        // β = 0 and μ = 1: each step re-draws one individual uniformly, so the
        // stationary law is multinomial(Z, 1/n).
        let game = game();
        let process = PairwiseComparison::new(&game, 6, 0.0).unwrap();
        let chain = process
            .full_chain(FullChainOptions::with_mutation(1.0))
            .unwrap();
        for (index, &p) in chain.stationary.iter().enumerate() {
            let k = chain.state(index);
            let ways = accord_games::composition::binomial_f64(6, k[0])
                * accord_games::composition::binomial_f64(6 - k[0], k[1]);
            assert!((p - ways / 3f64.powi(6)).abs() < 1e-13, "state {k:?}");
        }
        assert!(chain.residual < 1e-14);
    }

    #[test]
    fn stationary_is_balanced_and_normalised() {
        let game = game();
        let process = PairwiseComparison::new(&game, 30, 1.0).unwrap();
        let chain = process
            .full_chain(FullChainOptions::with_mutation(0.01))
            .unwrap();
        assert!((chain.stationary.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(chain.residual < 1e-14);
        assert!((chain.strategy_frequencies.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
