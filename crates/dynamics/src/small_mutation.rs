//! The small-mutation limit (Fudenberg & Imhof, J. Econ. Theory 2006).
//!
//! When mutations are rare a mutant fixes or vanishes before the next one
//! appears, so the population spends its time in monomorphic states. The
//! embedded chain over the `n` monomorphic states moves from "all `j`" to
//! "all `i`" with probability `ρ_{i→j} / (n − 1)`: a mutant, uniformly one of
//! the other `n − 1` strategies, appears and fixes.
//!
//! The transition matrix here is row-stochastic (`T[from][to]`); EGTtools'
//! `calculate_transition_and_fixation_matrix_sml` returns its transpose. The
//! stationary distribution is computed by GTH state reduction.
//!
//! For two strategies and a linear game `[[a, b], [c, d]]`,
//! `ρ_A/ρ_B = exp(β/2 · [(Z − 2)(a − d) + Z(b − c)])`.

use crate::{PairwiseComparison, stationary_distribution_gth};
use serde::Serialize;

/// The small-mutation-limit analysis of a game.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallMutationLimit {
    /// `fixation[invader][resident]`: probability that one invader mutant fixes; diagonal 0.
    pub fixation: Vec<Vec<f64>>,
    /// Row-stochastic transition matrix between monomorphic states.
    pub transition: Vec<Vec<f64>>,
    /// Long-run fraction of time spent in each monomorphic state.
    pub stationary: Vec<f64>,
}

impl PairwiseComparison<'_> {
    /// Fixation matrix, transition matrix and stationary distribution of the
    /// small-mutation limit.
    pub fn small_mutation_limit(&self) -> SmallMutationLimit {
        let n = self.strategy_count();
        let fixation = self.fixation_matrix();
        let mut transition = vec![vec![0.0; n]; n];
        if n == 1 {
            transition[0][0] = 1.0;
        }
        for resident in 0..n {
            let mut leave = 0.0;
            for invader in (0..n).filter(|&i| i != resident) {
                let p = fixation[invader][resident] / (n - 1) as f64;
                transition[resident][invader] = p;
                leave += p;
            }
            if n > 1 {
                transition[resident][resident] = 1.0 - leave;
            }
        }
        let stationary = stationary_distribution_gth(&transition);
        SmallMutationLimit {
            fixation,
            transition,
            stationary,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::PairwiseComparison;
    use accord_games::{Game, MatrixGame};

    #[test]
    fn neutral_game_is_uniform() {
        let game: Game = MatrixGame::new(
            vec!["A".into(), "B".into(), "C".into()],
            vec![
                vec![1.0, 2.0, 3.0],
                vec![3.0, 1.0, 0.0],
                vec![0.0, 5.0, 1.0],
            ],
        )
        .unwrap()
        .into();
        let sml = PairwiseComparison::new(&game, 50, 0.0)
            .unwrap()
            .small_mutation_limit();
        for p in sml.stationary {
            assert!((p - 1.0 / 3.0).abs() < 1e-12);
        }
        for row in &sml.transition {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        }
    }
}
