//! The small-mutation limit (Fudenberg & Imhof, J. Econ. Theory 2006).
//!
//! When mutations are rare a mutant fixes or vanishes before the next one
//! appears, so the population spends its time in monomorphic states. The
//! embedded chain over the `n` monomorphic states moves from "all `j`" to
//! "all `i`" with probability `ρ_{i→j} / (n − 1)`: a mutant, uniformly one of
//! the other `n − 1` strategies, appears and fixes.
//!
//! The transition matrix here is row-stochastic (`T[from][to]`); EGTtools'
//! `calculate_transition_and_fixation_matrix_sml` returns its transpose.
//!
//! Everything is computed in log space: `ln ρ` by log-sum-exp, `ln T` from
//! it, and `ln π` by GTH state reduction on logarithms, so the answer stays
//! exact when transitions span thousands of orders of magnitude (strong
//! selection, large `Z`), where linear arithmetic stores them as 0 and finds
//! a reducible chain. Each result is checked before it is returned (see
//! [`SmallMutationLimit::residual`]).
//!
//! For two strategies and a linear game `[[a, b], [c, d]]`,
//! `ρ_A/ρ_B = exp(β/2 · [(Z − 2)(a − d) + Z(b − c)])`.
//!
//! Strong selection (Freidlin & Wentzell 1984; the Markov chain tree
//! theorem): with invasion costs `c(i→j)` (see [`PairwiseComparison::invasion_cost`]),
//! `ln π_r / β → −(W(r) − min_s W(s))` as `β → ∞`, where `W(r)` is the least
//! total cost of a spanning tree of moves leading every other monomorphic
//! state to `r`. The stochastically stable strategies, which keep all the mass
//! in the limit, are those of least `W`; a strictly dominant strategy
//! (`W = 0`, every other `W > 0`) is one.

use crate::error::DynamicsError;
use crate::fixation::log_sum_exp;
use crate::{PairwiseComparison, log_stationary_distribution_gth};
use serde::Serialize;

/// Largest `‖πT − π‖∞` accepted for a returned stationary distribution.
pub const STATIONARY_TOLERANCE: f64 = 1e-12;

/// Largest `|ln(inflow) − ln(outflow)|` accepted for any state: the balance
/// check that still sees states of probability `e^-1000`.
pub const LOG_BALANCE_TOLERANCE: f64 = 1e-8;

/// The small-mutation-limit analysis of a game.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallMutationLimit {
    /// `fixation[invader][resident]`: probability that one invader mutant
    /// fixes (0 below `f64` underflow; see `log_fixation`); diagonal 0.
    pub fixation: Vec<Vec<f64>>,
    /// `ln` of `fixation`; diagonal `-∞` (`null` in JSON).
    pub log_fixation: Vec<Vec<f64>>,
    /// Row-stochastic transition matrix between monomorphic states.
    pub transition: Vec<Vec<f64>>,
    /// `ln` of `transition`.
    pub log_transition: Vec<Vec<f64>>,
    /// Long-run fraction of time spent in each monomorphic state.
    pub stationary: Vec<f64>,
    /// `ln` of `stationary`, exact where `stationary` underflows to 0.
    pub log_stationary: Vec<f64>,
    /// `‖πT − π‖∞`, at most [`STATIONARY_TOLERANCE`].
    pub residual: f64,
    /// `max_s |ln(inflow_s) − ln(outflow_s)|`, at most [`LOG_BALANCE_TOLERANCE`].
    pub log_balance_error: f64,
}

impl PairwiseComparison<'_> {
    /// Fixation matrix, transition matrix and stationary distribution of the
    /// small-mutation limit, computed in log space and checked.
    pub fn small_mutation_limit(&self) -> Result<SmallMutationLimit, DynamicsError> {
        let n = self.strategy_count();
        let log_fixation = self.log_fixation_matrix()?;
        let log_choice = if n > 1 { -((n - 1) as f64).ln() } else { 0.0 };
        let mut log_transition = vec![vec![f64::NEG_INFINITY; n]; n];
        for resident in 0..n {
            for invader in (0..n).filter(|&i| i != resident) {
                log_transition[resident][invader] = log_fixation[invader][resident] + log_choice;
            }
            let leave = log_sum_exp(&log_transition[resident]);
            // ln(1 − e^leave), accurate whether leave is near 0 or far below it.
            // (+ 0.0 turns ln 1 = −0 into 0.)
            log_transition[resident][resident] = if leave == f64::NEG_INFINITY {
                0.0
            } else {
                (-leave.exp_m1()).ln() + 0.0
            };
        }
        let log_stationary = log_stationary_distribution_gth(&log_transition);
        let exp = |rows: &[Vec<f64>]| -> Vec<Vec<f64>> {
            rows.iter()
                .map(|row| row.iter().map(|x| x.exp()).collect())
                .collect()
        };
        let stationary: Vec<f64> = log_stationary.iter().map(|x| x.exp()).collect();
        let transition = exp(&log_transition);
        let (residual, log_balance_error) =
            check_balance(&log_transition, &log_stationary, &transition, &stationary)?;
        Ok(SmallMutationLimit {
            fixation: exp(&log_fixation),
            log_fixation,
            transition,
            log_transition,
            stationary,
            log_stationary,
            residual,
            log_balance_error,
        })
    }
}

/// `‖πT − π‖∞` in linear space and each state's balance of flows in log
/// space; an error if either exceeds its tolerance.
fn check_balance(
    log_transition: &[Vec<f64>],
    log_pi: &[f64],
    transition: &[Vec<f64>],
    pi: &[f64],
) -> Result<(f64, f64), DynamicsError> {
    let n = pi.len();
    let mut flow = vec![0.0; n];
    for from in 0..n {
        for to in (0..n).filter(|&t| t != from) {
            flow[to] += pi[from] * transition[from][to];
            flow[from] -= pi[from] * transition[from][to];
        }
    }
    let residual = flow.iter().map(|x| x.abs()).fold(0.0, nan_max);
    let mut log_balance_error: f64 = 0.0;
    for s in 0..n {
        let inflow: Vec<f64> = (0..n)
            .filter(|&f| f != s)
            .map(|f| log_pi[f] + log_transition[f][s])
            .collect();
        let outflow: Vec<f64> = (0..n)
            .filter(|&t| t != s)
            .map(|t| log_pi[s] + log_transition[s][t])
            .collect();
        let (inflow, outflow) = (log_sum_exp(&inflow), log_sum_exp(&outflow));
        if inflow != outflow {
            log_balance_error = nan_max(log_balance_error, (inflow - outflow).abs());
        }
    }
    if residual.is_nan() || residual > STATIONARY_TOLERANCE {
        return Err(DynamicsError::NotStationary {
            check: "‖πT − π‖∞",
            residual,
            tolerance: STATIONARY_TOLERANCE,
        });
    }
    if log_balance_error.is_nan() || log_balance_error > LOG_BALANCE_TOLERANCE {
        return Err(DynamicsError::NotStationary {
            check: "max |ln inflow − ln outflow|",
            residual: log_balance_error,
            tolerance: LOG_BALANCE_TOLERANCE,
        });
    }
    Ok((residual, log_balance_error))
}

/// `max(a, b)` that keeps a NaN, so a broken result cannot pass its check.
fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b <= a { a } else { b }
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
    fn neutral_game_is_uniform() {
        let game = matrix(vec![
            vec![1.0, 2.0, 3.0],
            vec![3.0, 1.0, 0.0],
            vec![0.0, 5.0, 1.0],
        ]);
        let sml = PairwiseComparison::new(&game, 50, 0.0)
            .unwrap()
            .small_mutation_limit()
            .unwrap();
        for p in sml.stationary {
            assert!((p - 1.0 / 3.0).abs() < 1e-12);
        }
        for row in &sml.transition {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn a_strictly_dominant_third_strategy_takes_the_mass_under_strong_selection() {
        // Issue 11: linear GTH gave strategy 0 probability 1 here.
        let game = matrix(vec![
            vec![1.0, 1.0, 0.0],
            vec![1.0, 1.0, 0.0],
            vec![3.0, 3.0, 2.0],
        ]);
        let sml = PairwiseComparison::new(&game, 100, 1.0)
            .unwrap()
            .small_mutation_limit()
            .unwrap();
        assert!(sml.stationary[2] > 0.9999, "{:?}", sml.stationary);
        assert!(sml.log_fixation[0][2] < -100.0);
    }
}
