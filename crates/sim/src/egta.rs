//! Empirical game-theoretic analysis: the payoff table of a handful of
//! strategies, estimated by simulation, as a symmetric N-player game the
//! dynamics engine can evolve (Wellman, "Methods for empirical
//! game-theoretic analysis", AAAI 2006; Tuyls et al., "Bounds and dynamics
//! for empirical game theoretic analysis", AAMAS 2020).
//!
//! The world's `N` labs form one group. For every composition `c` of the
//! group over the strategies (`Σ c_i = N`) and every replicate `r`, the labs
//! are shuffled (a stream of its own per run) and the first `c_1` play
//! strategy 1, the next `c_2` strategy 2, and so on, strategies held fixed;
//! the estimate of `P_i(c)` is the mean over replicates of the mean utility
//! per period of the labs playing `i`:
//!
//! ```text
//! P̂_i(c) = (1/R) Σ_r (1/c_i) Σ_{labs ℓ playing i in run r} u_ℓ
//! ```
//!
//! The shuffle makes the table the payoff of a lab drawn at random from the
//! world's types, so a world of several types is analysed as the symmetric
//! game it averages to (a role-symmetric analysis is not done). With one lab
//! type, expected realisation and no protocol, the table is the race's exact
//! payoff table: two labs in a pairwise race give DSAIR's matrix (tested).

use crate::stats::{Estimate, shuffle};
use crate::strategy::{Development, Reporting, Strategy};
use crate::{RunOptions, World, run};
use accord_core::Protocol;
use accord_games::{GroupGame, composition};
use rayon::prelude::*;
use serde::Serialize;

/// Runs an analysis may make (compositions × replicates).
pub const MAX_RUNS: usize = 200_000;

/// What to estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct EgtaPlan {
    /// The strategies of the game (at least 2, distinct).
    pub strategies: Vec<Strategy>,
    /// Replicates per composition.
    pub replicates: u64,
    /// Generations of each run (strategies held fixed).
    pub generations: u32,
    /// Master seed.
    pub seed: u64,
}

impl EgtaPlan {
    /// Compliance against the two ways of developing unsafely that the
    /// shipped protocol's mechanisms answer differently: openly, and with
    /// monitors captured.
    pub const DEFAULT_STRATEGIES: [Strategy; 3] = [
        Strategy::COMPLY,
        Strategy {
            development: Development::Unsafe,
            reporting: Reporting::Honest,
        },
        Strategy {
            development: Development::Unsafe,
            reporting: Reporting::Capture,
        },
    ];
}

/// Why an analysis cannot run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EgtaError {
    /// Fewer than two strategies, or one listed twice.
    #[error("an empirical game needs at least two distinct strategies, got {0}")]
    Strategies(String),
    /// The world has a single lab: there is no game.
    #[error("the world has {0} lab(s); an empirical game needs at least 2")]
    Labs(usize),
    /// No replicate or generation.
    #[error("expected at least 1 replicate and 1 generation")]
    Empty,
    /// Too many runs.
    #[error(
        "{compositions} compositions × {replicates} replicates is {runs} runs, more than the limit of {MAX_RUNS}; use fewer strategies, labs or replicates"
    )]
    TooManyRuns {
        /// Group compositions.
        compositions: usize,
        /// Replicates per composition.
        replicates: u64,
        /// Their product.
        runs: u128,
    },
    /// The estimated table is not a game (a non-finite payoff).
    #[error(transparent)]
    Game(#[from] accord_games::GameError),
}

/// One group composition and what each strategy in it earned.
#[derive(Debug, Clone, Serialize)]
pub struct CompositionPayoffs {
    /// How many labs play each strategy, in the order of the strategies.
    pub composition: Vec<usize>,
    /// `P̂_i(c)` with its 95% interval over replicates (None where `c_i = 0`).
    pub payoffs: Vec<Option<Estimate>>,
}

/// The estimated game.
#[derive(Debug, Clone, Serialize)]
pub struct EmpiricalGame {
    /// Strategy names, in the order of every table.
    pub strategies: Vec<String>,
    /// `N`: labs in the group (the world's).
    pub group_size: usize,
    /// Replicates per composition.
    pub replicates: u64,
    /// The table, composition by composition (EGTtools' order).
    pub table: Vec<CompositionPayoffs>,
    /// The same table as a game for the dynamics engine.
    #[serde(skip)]
    pub game: GroupGame,
}

/// Estimates the payoff table of `plan.strategies` in `world` under `protocol`.
pub fn estimate(
    world: &World,
    protocol: &Protocol,
    plan: &EgtaPlan,
) -> Result<EmpiricalGame, EgtaError> {
    let names: Vec<String> = plan.strategies.iter().map(|s| s.to_string()).collect();
    let distinct = (1..names.len()).all(|k| !names[..k].contains(&names[k]));
    if names.len() < 2 || !distinct {
        return Err(EgtaError::Strategies(names.join(", ")));
    }
    let labs = world.lab_count();
    if labs < 2 {
        return Err(EgtaError::Labs(labs));
    }
    if plan.replicates == 0 || plan.generations == 0 {
        return Err(EgtaError::Empty);
    }
    let kinds = names.len();
    // Counted before they are listed: a large world has astronomically many.
    let count = composition::checked_count(labs, kinds).unwrap_or(usize::MAX);
    let runs = count as u128 * u128::from(plan.replicates);
    if runs > MAX_RUNS as u128 {
        return Err(EgtaError::TooManyRuns {
            compositions: count,
            replicates: plan.replicates,
            runs,
        });
    }
    let compositions: Vec<Vec<usize>> = composition::all(labs, kinds).collect();
    // Utility per strategy, per run, in (composition, replicate) order.
    let utilities: Vec<Vec<f64>> = (0..compositions.len() as u64 * plan.replicates)
        .into_par_iter()
        .map(|run_index| {
            let group = &compositions[(run_index / plan.replicates) as usize];
            let mut order: Vec<usize> = (0..labs).collect();
            shuffle(
                &mut order,
                &mut accord_seed::run_rng(plan.seed, run_index | (1 << 59)),
            );
            let mut strategies = vec![plan.strategies[0]; labs];
            let mut played = vec![0; labs];
            let mut seat = order.into_iter();
            for (i, &count) in group.iter().enumerate() {
                for lab in seat.by_ref().take(count) {
                    strategies[lab] = plan.strategies[i];
                    played[lab] = i;
                }
            }
            let result = run(
                world,
                protocol,
                &RunOptions {
                    seed: plan.seed,
                    run_index,
                    strategies: Some(strategies),
                    fixed: true,
                    generations: Some(plan.generations),
                    ..RunOptions::default()
                },
            );
            let mut total = vec![0.0; kinds];
            for (lab, &i) in played.iter().enumerate() {
                total[i] += result.mean_utility[lab];
            }
            (0..kinds)
                .map(|i| {
                    if group[i] == 0 {
                        f64::NAN
                    } else {
                        total[i] / group[i] as f64
                    }
                })
                .collect()
        })
        .collect();
    let table: Vec<CompositionPayoffs> = compositions
        .iter()
        .enumerate()
        .map(|(k, group)| {
            let runs = &utilities[k * plan.replicates as usize..(k + 1) * plan.replicates as usize];
            CompositionPayoffs {
                composition: group.clone(),
                payoffs: (0..kinds)
                    .map(|i| {
                        (group[i] > 0).then(|| {
                            Estimate::mean_of(&runs.iter().map(|u| u[i]).collect::<Vec<_>>())
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let game = GroupGame::from_fn(names.clone(), labs, |group, i| {
        let k = composition::rank(group);
        debug_assert_eq!(table[k].composition, group);
        table[k].payoffs[i].map_or(f64::NAN, |e| e.mean)
    })?;
    Ok(EmpiricalGame {
        strategies: names,
        group_size: labs,
        replicates: plan.replicates,
        table,
        game,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{Development, Reporting};

    fn plan(strategies: Vec<Strategy>) -> EgtaPlan {
        EgtaPlan {
            strategies,
            replicates: 2,
            generations: 2,
            seed: 1,
        }
    }

    #[test]
    fn plans_are_checked_before_anything_runs() {
        let protocol =
            accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
        let unsafe_honest = Strategy {
            development: Development::Unsafe,
            reporting: Reporting::Honest,
        };
        let world = |labs: u32| {
            World::parse(&format!(
                "[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\ncount = {labs}\n"
            ))
            .unwrap()
        };
        // Ten thousand labs over all ten strategies: refused at once, not listed.
        let error = estimate(&world(10_000), &protocol, &plan(Strategy::all())).unwrap_err();
        assert!(matches!(error, EgtaError::TooManyRuns { .. }), "{error}");
        let error = estimate(
            &world(1),
            &protocol,
            &plan(vec![Strategy::COMPLY, unsafe_honest]),
        );
        assert_eq!(error.unwrap_err(), EgtaError::Labs(1));
        let error = estimate(&world(3), &protocol, &plan(vec![Strategy::COMPLY; 2]));
        assert!(matches!(error.unwrap_err(), EgtaError::Strategies(_)));
    }
}
