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
//! Solver. Where the chain's band (the largest index distance of a
//! transition: 1 for two strategies, about `Z` for three) is small enough,
//! by GTH state reduction within the band (`banded_gth`): no subtraction, so
//! the distribution is accurate to rounding state by state, even where two
//! stable states are joined only through states of probability 1e-30 and any
//! weighting of them leaves a residual below rounding. Larger chains (three
//! strategies beyond `Z = 389`, four beyond `Z = 46`) are solved by a scaled
//! sparse solve, whose accuracy is checked only through the residual and so
//! can weigh such stable states wrongly. The stationary distribution can
//! span hundreds of orders of magnitude (with `μZ ≫ 1` the monomorphic
//! corners carry almost no mass), so the sparse solve has three steps:
//!
//! 1. a *path estimate* `π̃`: each state's probability relative to its parent
//!    on a spanning tree, `π̃(k) = π̃(parent) · P(parent → k) / P(k → parent)`
//!    — exact for reversible chains (every two-strategy chain), a scale
//!    estimate otherwise;
//! 2. the variables are scaled, `π = π̃ ⊙ y`, the state with the largest `π̃`
//!    is fixed at `y = 1` and its equation dropped, and the remaining sparse
//!    system `(I − P)ᵀ diag(π̃)` is solved with faer's sparse LU
//!    (fill-reducing ordering, partial pivoting), followed by iterative
//!    refinement;
//! 3. if the result shows the estimate was poor (negative or huge `y`), the
//!    solve is repeated with that result as the new scale (same reference
//!    state, same sparsity pattern), at most three factorisations in all.
//!
//! Diagonals are the sums of outgoing probabilities, never `1 − (…)`. The
//! transition matrix is never formed densely and no eigen-decomposition is
//! used. The returned `residual` states how well `π` solves the chain; a
//! result that fails the check is an error, never a printed answer.

use crate::process::check_mutation;
use crate::{DynamicsError, PairwiseComparison};
use accord_games::composition;
use faer::Mat;
use faer::linalg::solvers::Solve;
use faer::sparse::linalg::solvers::{Lu, SymbolicLu};
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
    /// `max_t |(π (I − P))_t|`: how well the returned `π` solves the chain
    /// (at most [`crate::STATIONARY_TOLERANCE`], or the analysis is an error).
    pub residual: f64,
    /// How `π` was computed.
    pub method: ChainSolver,
}

/// How a full chain's stationary distribution was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainSolver {
    /// GTH state reduction within the band: accurate to rounding state by
    /// state, however nearly the chain decomposes.
    BandedGth,
    /// The scaled sparse solve (chains too large for the band): checked
    /// only by its residual, so stable states joined through states of
    /// negligible probability may be weighted wrongly.
    SparseLu,
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
        let state_count = self.state_count()?;
        if state_count > options.max_states {
            return Err(DynamicsError::TooManyStates {
                states: state_count,
                limit: options.max_states,
            });
        }
        let transitions = self.full_transitions(options.mutation)?;
        let (stationary, method) = if state_count == 1 {
            (vec![1.0], ChainSolver::BandedGth)
        } else {
            stationary(&transitions, z, n)?
        };
        let residual = residual(&transitions, &stationary);
        if residual.is_nan() || residual > crate::STATIONARY_TOLERANCE {
            return Err(DynamicsError::NotStationary {
                check: "‖πT − π‖∞",
                residual,
                tolerance: crate::STATIONARY_TOLERANCE,
            });
        }
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
            method,
        })
    }
}

/// Stationary distribution of the chain given by its outgoing transitions:
/// by GTH elimination within the band where the band is small enough,
/// otherwise by the scaled sparse solve.
fn stationary(
    transitions: &[Transitions],
    population: usize,
    strategies: usize,
) -> Result<(Vec<f64>, ChainSolver), DynamicsError> {
    let band = transitions
        .iter()
        .enumerate()
        .flat_map(|(from, outgoing)| outgoing.iter().map(move |&(to, _)| from.abs_diff(to)))
        .max()
        .unwrap_or(0);
    let states = transitions.len();
    if states.saturating_mul(2 * band + 1) <= GTH_MAX_ENTRIES
        && states.saturating_mul(band).saturating_mul(band) <= GTH_MAX_OPERATIONS
    {
        return Ok((banded_gth(transitions, band), ChainSolver::BandedGth));
    }
    let mut scale = scale_from_logs(&path_estimate(transitions, population, strategies));
    let reference = argmax(&scale);
    let mut symbolic = None;
    for attempt in 1..=MAX_SOLVES {
        let y = solve_scaled(transitions, &scale, reference, &mut symbolic)?;
        let pi: Vec<f64> = scale.iter().zip(&y).map(|(s, v)| s * v).collect();
        let y_max = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let y_min = y.iter().copied().fold(f64::INFINITY, f64::min);
        let well_scaled = y_max.is_finite() && y_min > -1e-9 * y_max && y_max < 1e12;
        if well_scaled || attempt == MAX_SOLVES {
            return Ok((normalise(pi), ChainSolver::SparseLu));
        }
        // The estimate was poor (a strongly non-reversible chain): the solution
        // is accurate where its mass is, so it is the better scale.
        let logs: Vec<f64> = pi
            .iter()
            .map(|&p| {
                if p > 0.0 && p.is_finite() {
                    p.ln()
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        scale = scale_from_logs(&logs);
    }
    unreachable!("the last attempt returns")
}

/// Numeric factorisations at most (the sparsity pattern is analysed once).
const MAX_SOLVES: usize = 3;

/// Band storage GTH may use (`states × (2·band + 1)` numbers, 480 MB): every
/// two-strategy chain, three strategies up to `Z = 389`, four up to `Z = 46`.
const GTH_MAX_ENTRIES: usize = 60_000_000;

/// Multiply-adds GTH may spend (`states × band²`), about ten seconds.
const GTH_MAX_OPERATIONS: usize = 25_000_000_000;

/// The stationary distribution by state reduction (Grassmann, Taksar &
/// Heyman 1985) in the chain's band: states `N − 1, …, 1` are eliminated in
/// turn, leaving the chain censored on the states before them, whose
/// transitions stay within the band. No step subtracts, so every
/// probability comes out accurate to rounding relative to itself, however
/// nearly the chain decomposes: two stable states joined only through states
/// of probability 1e-30 are weighted right, where a linear solve sees their
/// coupling vanish below rounding and weighs them arbitrarily. The
/// probabilities are rebuilt on logarithms, since they may span more than
/// the doubles' range. Cost: `N·band²` multiply-adds, `N·(2·band + 1)` numbers.
fn banded_gth(transitions: &[Transitions], band: usize) -> Vec<f64> {
    let states = transitions.len();
    let width = 2 * band + 1;
    // p[i][j] at i·width + (j + band − i), for |i − j| ≤ band; no diagonal.
    let mut p = vec![0.0; states * width];
    let at = |i: usize, j: usize| i * width + j + band - i;
    for (from, outgoing) in transitions.iter().enumerate() {
        for &(to, probability) in outgoing {
            p[at(from, to)] += probability;
        }
    }
    let mut leave = vec![0.0; states];
    for k in (1..states).rev() {
        let low = k.saturating_sub(band);
        leave[k] = (low..k).map(|j| p[at(k, j)]).sum();
        if leave[k] <= 0.0 {
            // State k cannot reach the states before it: its mass stays there.
            continue;
        }
        let (before, from_k) = p.split_at_mut(k * width);
        // Row k's entries for columns low..k (contiguous in band storage).
        let via = &from_k[low + band - k..band];
        for i in low..k {
            let into_k = before[at(i, k)] / leave[k];
            if into_k == 0.0 {
                continue;
            }
            // Censoring on {0, …, k − 1}: i reaches j through k. The update
            // of i's own diagonal is harmless: no step reads a diagonal.
            let start = at(i, low);
            for (target, &through) in before[start..start + (k - low)].iter_mut().zip(via) {
                *target += into_k * through;
            }
        }
    }
    let mut log_pi = vec![f64::NEG_INFINITY; states];
    log_pi[0] = 0.0;
    for k in 1..states {
        if leave[k] <= 0.0 {
            continue;
        }
        let low = k.saturating_sub(band);
        let terms: Vec<f64> = (low..k)
            .filter(|&i| p[at(i, k)] > 0.0 && log_pi[i] > f64::NEG_INFINITY)
            .map(|i| log_pi[i] + p[at(i, k)].ln())
            .collect();
        let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if top > f64::NEG_INFINITY {
            let sum: f64 = terms.iter().map(|t| (t - top).exp()).sum();
            log_pi[k] = top + sum.ln() - leave[k].ln();
        }
    }
    let top = log_pi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    normalise(log_pi.iter().map(|l| (l - top).exp()).collect())
}

/// Scales `exp(l − max l)`, floored at `e^-600` so none underflows.
fn scale_from_logs(logs: &[f64]) -> Vec<f64> {
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    logs.iter().map(|&l| (l - top).max(-600.0).exp()).collect()
}

/// `ln π̃` along the spanning tree whose parent of `k` moves one individual of
/// the last present strategy `j ≥ 1` back to strategy 0. Parents come first in
/// index order, since they have one more individual of strategy 0.
fn path_estimate(transitions: &[Transitions], population: usize, strategies: usize) -> Vec<f64> {
    let mut log_pi = vec![0.0; transitions.len()];
    for index in 1..transitions.len() {
        let mut state = composition::unrank(index, population, strategies);
        let Some(j) = (1..strategies).rev().find(|&j| state[j] > 0) else {
            continue;
        };
        state[j] -= 1;
        state[0] += 1;
        let parent = composition::rank(&state);
        let probability = |from: usize, to: usize| {
            transitions[from]
                .iter()
                .find(|t| t.0 == to)
                .map_or(0.0, |t| t.1)
        };
        let (forward, backward) = (probability(parent, index), probability(index, parent));
        log_pi[index] = log_pi[parent]
            + if forward > 0.0 && backward > 0.0 {
                forward.ln() - backward.ln()
            } else {
                0.0
            };
    }
    log_pi
}

fn argmax(values: &[f64]) -> usize {
    values
        .iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

/// Solves `(I − P)ᵀ diag(scale) y = 0` with `y_reference = 1`; returns `y`.
fn solve_scaled(
    transitions: &[Transitions],
    scale: &[f64],
    reference: usize,
    symbolic: &mut Option<SymbolicLu<usize>>,
) -> Result<Vec<f64>, DynamicsError> {
    let states = transitions.len();
    let reduced = |i: usize| if i < reference { i } else { i - 1 };
    let mut triplets = Vec::with_capacity(transitions.iter().map(|t| t.len() + 1).sum());
    let mut rhs = Mat::<f64>::zeros(states - 1, 1);
    for (from, outgoing) in transitions.iter().enumerate() {
        let weight = scale[from];
        if from == reference {
            // The reference column moves to the right-hand side with y_reference = 1.
            for &(to, p) in outgoing {
                rhs[(reduced(to), 0)] += p * weight;
            }
            continue;
        }
        let column = reduced(from);
        let leave: f64 = outgoing.iter().map(|&(_, p)| p).sum();
        triplets.push(Triplet::new(column, column, leave * weight));
        for &(to, p) in outgoing {
            if to != reference {
                // (I − P)ᵀ[to][from] = −P[from][to]
                triplets.push(Triplet::new(reduced(to), column, -p * weight));
            }
        }
    }
    let solver_error = |e: &dyn std::fmt::Debug| DynamicsError::Solver(format!("{e:?}"));
    let matrix =
        SparseColMat::<usize, f64>::try_new_from_triplets(states - 1, states - 1, &triplets)
            .map_err(|e| solver_error(&e))?;
    if symbolic.is_none() {
        *symbolic = Some(SymbolicLu::try_new(matrix.symbolic()).map_err(|e| solver_error(&e))?);
    }
    let pattern = symbolic.clone().expect("analysed above");
    let lu = Lu::try_new_with_symbolic(pattern, matrix.as_ref()).map_err(|e| solver_error(&e))?;
    let b = rhs.clone();
    lu.solve_in_place(rhs.as_mut());
    for _ in 0..REFINEMENT_STEPS {
        let mut correction = b.clone();
        for t in &triplets {
            correction[(t.row, 0)] -= t.val * rhs[(t.col, 0)];
        }
        lu.solve_in_place(correction.as_mut());
        for i in 0..states - 1 {
            rhs[(i, 0)] += correction[(i, 0)];
        }
    }
    Ok((0..states)
        .map(|i| {
            if i == reference {
                1.0
            } else {
                rhs[(reduced(i), 0)]
            }
        })
        .collect())
}

/// Steps of iterative refinement after the direct solve.
const REFINEMENT_STEPS: usize = 2;

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
    // A NaN is kept, so a broken result cannot pass its check.
    flow.iter()
        .map(|x| x.abs())
        .fold(0.0, |m, x| if m.is_nan() || x <= m { m } else { x })
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

    /// Two stable states joined only through states of probability about
    /// 1e-31: a linear solve weighed them by rounding (an outside review found
    /// P(all B) = 4e-5 where it is 0.116, with a residual of 1e-19). A
    /// two-strategy chain is a birth–death chain, so detailed balance gives
    /// its distribution exactly; EGTtools' transition matrix, solved by
    /// dense GTH in the review, gave P(all A) = 0.7680, P(all B) = 0.1164 and
    /// a mean frequency of A of 0.8673.
    #[test]
    fn two_stable_states_are_weighted_by_detailed_balance() {
        let game: Game = MatrixGame::new(
            vec!["A".into(), "B".into()],
            vec![vec![1.0, 0.0], vec![0.0, 0.98]],
        )
        .unwrap()
        .into();
        let (z, mutation) = (100, 0.001);
        let process = PairwiseComparison::new(&game, z, 2.0).unwrap();
        let chain = process
            .full_chain(FullChainOptions::with_mutation(mutation))
            .unwrap();
        let transitions = process.full_transitions(mutation).unwrap();
        let probability = |from: usize, to: usize| {
            transitions[from]
                .iter()
                .find(|t| t.0 == to)
                .map_or(0.0, |t| t.1)
        };
        let mut log_pi = vec![0.0; z + 1];
        for k in 1..=z {
            log_pi[k] = log_pi[k - 1] + probability(k - 1, k).ln() - probability(k, k - 1).ln();
        }
        let top = log_pi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = log_pi.iter().map(|l| (l - top).exp()).sum();
        for (k, &ours) in chain.stationary.iter().enumerate() {
            let exact = (log_pi[k] - top).exp() / total;
            assert!(
                (ours - exact).abs() <= 1e-12 * exact,
                "state {:?}: {ours:e} vs {exact:e}",
                chain.state(k)
            );
        }
        let all = |strategy: usize| {
            (0..=z)
                .find(|&k| chain.state(k)[strategy] == z)
                .map(|k| chain.stationary[k])
                .unwrap()
        };
        assert!((all(0) - 0.7680).abs() < 1e-4, "{}", all(0));
        assert!((all(1) - 0.1164).abs() < 1e-4, "{}", all(1));
        assert!((chain.strategy_frequencies[0] - 0.8673).abs() < 1e-4);
    }

    /// Three strategies, each stable against the others: the banded
    /// elimination agrees with the dense one on logarithms.
    #[test]
    fn three_stable_states_match_dense_gth_on_logarithms() {
        let game: Game = MatrixGame::new(
            vec!["A".into(), "B".into(), "C".into()],
            vec![
                vec![1.0, 0.0, 0.0],
                vec![0.0, 0.98, 0.0],
                vec![0.0, 0.0, 0.95],
            ],
        )
        .unwrap()
        .into();
        let mutation = 0.001;
        let process = PairwiseComparison::new(&game, 40, 3.0).unwrap();
        let chain = process
            .full_chain(FullChainOptions::with_mutation(mutation))
            .unwrap();
        let transitions = process.full_transitions(mutation).unwrap();
        let states = transitions.len();
        let mut logs = vec![vec![f64::NEG_INFINITY; states]; states];
        for (from, outgoing) in transitions.iter().enumerate() {
            for &(to, p) in outgoing {
                logs[from][to] = p.ln();
            }
        }
        let exact: Vec<f64> = crate::log_stationary_distribution_gth(&logs)
            .iter()
            .map(|l| l.exp())
            .collect();
        let total: f64 = exact.iter().sum();
        for (index, (&ours, &reference)) in chain.stationary.iter().zip(&exact).enumerate() {
            let reference = reference / total;
            assert!(
                (ours - reference).abs() <= 1e-10 * reference + 1e-300,
                "state {:?}: {ours:e} vs {reference:e}",
                chain.state(index)
            );
        }
        // Each monomorphic state holds real mass.
        for strategy in 0..3 {
            let corner = (0..states)
                .find(|&k| chain.state(k)[strategy] == 40)
                .unwrap();
            assert!(chain.stationary[corner] > 1e-3, "strategy {strategy}");
        }
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

    #[test]
    fn strongly_cyclic_chain_matches_dense_gth() {
        // Strong selection around a rock–paper–scissors cycle is far from
        // reversible: the path estimate is poor and the solver must rescale.
        let game = game();
        let process = PairwiseComparison::new(&game, 24, 5.0).unwrap();
        let mutation = 1e-3;
        let chain = process
            .full_chain(FullChainOptions::with_mutation(mutation))
            .unwrap();
        let transitions = process.full_transitions(mutation).unwrap();
        let states = transitions.len();
        let mut dense = vec![vec![0.0; states]; states];
        for (from, outgoing) in transitions.iter().enumerate() {
            for &(to, p) in outgoing {
                dense[from][to] = p;
            }
            dense[from][from] = 1.0 - outgoing.iter().map(|t| t.1).sum::<f64>();
        }
        let exact = crate::stationary_distribution_gth(&dense);
        let top = exact.iter().copied().fold(0.0, f64::max);
        for (index, (&ours, &reference)) in chain.stationary.iter().zip(&exact).enumerate() {
            assert!(
                (ours - reference).abs() <= 1e-12 * top + 1e-9 * reference,
                "state {:?}: {ours:e} vs {reference:e}",
                chain.state(index)
            );
        }
    }
}
