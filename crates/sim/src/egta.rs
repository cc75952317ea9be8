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
//! game it averages to (a role-symmetric analysis is not done). Runs are
//! made with the strategies in one canonical order (by name), so the table
//! does not depend on the order they are listed in: listing them otherwise
//! permutes its entries, run for run (an outside review found each run's
//! noise following a strategy's place in the list, and the verdict with it). With one lab
//! type, expected realisation and no protocol, the table is the race's exact
//! payoff table: two labs in a pairwise race give DSAIR's matrix (tested).

use crate::stats::{Estimate, shuffle};
use crate::strategy::{Development, Reporting, Strategy};
use crate::{RunOptions, World, run};
use accord_core::Protocol;
use accord_games::{GroupGame, composition};
use rayon::prelude::*;
use serde::Serialize;

/// Seed of the bootstrap's resamples (fixed: an interval depends on the runs alone).
const BOOTSTRAP_SEED: u64 = 0xE67A_B007;

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
    /// Fewer than two strategies.
    #[error("an empirical game needs at least two distinct strategies, got {0}")]
    Strategies(String),
    /// A strategy listed twice.
    #[error("strategy {0} is listed twice")]
    Duplicate(String),
    /// A population the small-mutation limit cannot take.
    #[error(
        "population Z = {population}: expected {minimum} (the world's labs, one group) to {MAX_POPULATION}"
    )]
    Population {
        /// Z given.
        population: usize,
        /// The group size.
        minimum: usize,
    },
    /// An intensity of selection that is not a finite number ≥ 0.
    #[error("intensity of selection β = {0} must be a finite number ≥ 0")]
    Beta(f64),
    /// The world has a single lab: there is no game.
    #[error("the world has {0} lab(s); an empirical game needs at least 2")]
    Labs(usize),
    /// Fewer than two replicates (the intervals resample runs) or no generation.
    #[error("expected at least 2 replicates (the intervals resample runs) and 1 generation")]
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
    /// Each run's utility per strategy: `[composition][replicate][strategy]`
    /// (NaN where the composition has no lab playing it), to resample.
    #[serde(skip)]
    pub samples: Vec<Vec<Vec<f64>>>,
    /// Where each listed strategy stands in the canonical order (by name),
    /// in which resamples are drawn, so they do not follow the listing either.
    #[serde(skip)]
    canonical_place: Vec<usize>,
}

/// Bootstrap resamples behind the interval of a quantity of the game.
pub const RESAMPLES: usize = 499;

impl EmpiricalGame {
    /// 95% percentile intervals of a vector-valued quantity of the game (a
    /// stationary distribution, say), over bootstrap resamples of the runs:
    /// how far estimation noise alone could move it. The resamples are
    /// drawn from a fixed seed, so the interval depends on the runs alone.
    pub fn bootstrap<E>(
        &self,
        quantity: impl Fn(&GroupGame) -> Result<Vec<f64>, E> + Sync,
    ) -> Result<Vec<[f64; 2]>, E>
    where
        E: From<EgtaError> + Send,
    {
        let draws: Vec<Vec<f64>> = (0..RESAMPLES as u64)
            .into_par_iter()
            .map(|b| {
                let mut rng = accord_seed::run_rng(BOOTSTRAP_SEED, b);
                quantity(&self.resampled_game(&mut rng)?)
            })
            .collect::<Result<_, E>>()?;
        let width = draws.first().map_or(0, Vec::len);
        Ok((0..width)
            .map(|i| {
                let mut values: Vec<f64> = draws.iter().map(|d| d[i]).collect();
                values.sort_by(f64::total_cmp);
                let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
                [at(0.025), at(0.975)]
            })
            .collect())
    }

    /// The game of one bootstrap resample: each composition's replicates
    /// drawn with replacement.
    fn resampled_game(&self, rng: &mut rand_chacha::ChaCha8Rng) -> Result<GroupGame, EgtaError> {
        use rand::RngExt;
        let kinds = self.strategies.len();
        let mut means = vec![Vec::new(); self.samples.len()];
        for canonical in composition::all(self.group_size, kinds) {
            let listed: Vec<usize> = self.canonical_place.iter().map(|&j| canonical[j]).collect();
            let k = composition::rank(&listed);
            let runs = &self.samples[k];
            let drawn: Vec<&Vec<f64>> = (0..runs.len())
                .map(|_| &runs[rng.random_range(0..runs.len())])
                .collect();
            means[k] = (0..kinds)
                .map(|i| drawn.iter().map(|u| u[i]).sum::<f64>() / drawn.len() as f64)
                .collect();
        }
        Ok(GroupGame::from_fn(
            self.strategies.clone(),
            self.group_size,
            |group, i| means[composition::rank(group)][i],
        )?)
    }
}

/// Largest population `Z` the small-mutation limit is computed for: its cost
/// grows with `Z` (an outside review's `Z = 10⁸` ran for over ten minutes).
pub const MAX_POPULATION: usize = 100_000;

/// Checks the dynamics' settings before any run, so a bad one is refused
/// before the simulations rather than after them.
pub fn check_dynamics(world: &World, population: usize, beta: f64) -> Result<(), EgtaError> {
    let minimum = world.lab_count();
    if !(minimum..=MAX_POPULATION).contains(&population) {
        return Err(EgtaError::Population {
            population,
            minimum,
        });
    }
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(EgtaError::Beta(beta));
    }
    Ok(())
}

/// Estimates the payoff table of `plan.strategies` in `world` under `protocol`.
pub fn estimate(
    world: &World,
    protocol: &Protocol,
    plan: &EgtaPlan,
) -> Result<EmpiricalGame, EgtaError> {
    let names: Vec<String> = plan.strategies.iter().map(|s| s.to_string()).collect();
    if let Some(k) = (1..names.len()).find(|&k| names[..k].contains(&names[k])) {
        return Err(EgtaError::Duplicate(names[k].clone()));
    }
    if names.len() < 2 {
        return Err(EgtaError::Strategies(names.join(", ")));
    }
    // `canonical[j]`: the listed index of the j-th strategy by name.
    let mut canonical: Vec<usize> = (0..names.len()).collect();
    canonical.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let sorted = EgtaPlan {
        strategies: canonical.iter().map(|&k| plan.strategies[k]).collect(),
        ..plan.clone()
    };
    let estimated = estimate_in_order(world, protocol, &sorted)?;
    // Back to the listed order: listed strategy `k` is sorted strategy `place[k]`.
    let mut place = vec![0; names.len()];
    for (j, &k) in canonical.iter().enumerate() {
        place[k] = j;
    }
    let compositions: Vec<Vec<usize>> =
        composition::all(estimated.group_size, names.len()).collect();
    let sorted_rank = |listed: &[usize]| {
        let in_sorted: Vec<usize> = canonical.iter().map(|&k| listed[k]).collect();
        composition::rank(&in_sorted)
    };
    let table: Vec<CompositionPayoffs> = compositions
        .iter()
        .map(|group| {
            let row = &estimated.table[sorted_rank(group)];
            CompositionPayoffs {
                composition: group.clone(),
                payoffs: place.iter().map(|&j| row.payoffs[j]).collect(),
            }
        })
        .collect();
    let samples: Vec<Vec<Vec<f64>>> = compositions
        .iter()
        .map(|group| {
            estimated.samples[sorted_rank(group)]
                .iter()
                .map(|run| place.iter().map(|&j| run[j]).collect())
                .collect()
        })
        .collect();
    let game = GroupGame::from_fn(names.clone(), estimated.group_size, |group, i| {
        table[composition::rank(group)].payoffs[i].map_or(f64::NAN, |e| e.mean)
    })?;
    Ok(EmpiricalGame {
        strategies: names,
        table,
        game,
        samples,
        canonical_place: place,
        ..estimated
    })
}

/// [`estimate`] with the strategies in the order given.
fn estimate_in_order(
    world: &World,
    protocol: &Protocol,
    plan: &EgtaPlan,
) -> Result<EmpiricalGame, EgtaError> {
    let names: Vec<String> = plan.strategies.iter().map(|s| s.to_string()).collect();
    let labs = world.lab_count();
    if labs < 2 {
        return Err(EgtaError::Labs(labs));
    }
    if plan.replicates < 2 || plan.generations == 0 {
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
    let samples = utilities
        .chunks(plan.replicates as usize)
        .map(<[Vec<f64>]>::to_vec)
        .collect();
    Ok(EmpiricalGame {
        strategies: names,
        group_size: labs,
        replicates: plan.replicates,
        table,
        game,
        samples,
        canonical_place: (0..kinds).collect(),
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
        assert_eq!(
            error.unwrap_err().to_string(),
            "strategy safe/honest is listed twice"
        );
        let error = estimate(&world(3), &protocol, &plan(vec![Strategy::COMPLY]));
        assert!(matches!(error.unwrap_err(), EgtaError::Strategies(_)));
        let mut one_run = plan(vec![Strategy::COMPLY, unsafe_honest]);
        one_run.replicates = 1;
        let error = estimate(&world(3), &protocol, &one_run);
        assert_eq!(error.unwrap_err(), EgtaError::Empty);
        assert_eq!(check_dynamics(&world(3), 100, 1.0), Ok(()));
        for (population, beta) in [(2, 1.0), (MAX_POPULATION + 1, 1.0), (100, f64::NAN)] {
            assert!(check_dynamics(&world(3), population, beta).is_err());
        }
    }

    /// Listing the strategies in another order permutes the table, run for
    /// run, and with it every interval: the verdict cannot follow the list.
    #[test]
    fn the_order_strategies_are_listed_in_permutes_the_table_and_nothing_else() {
        let protocol = accord_core::parse_protocol(include_str!(
            "../../../examples/protocols/global-protocol.toml"
        ))
        .unwrap();
        let world =
            World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap();
        let listed = EgtaPlan::DEFAULT_STRATEGIES.to_vec();
        let reordered = vec![listed[2], listed[0], listed[1]];
        let first = estimate(&world, &protocol, &plan(listed)).unwrap();
        let second = estimate(&world, &protocol, &plan(reordered)).unwrap();
        // Listed strategy k of the first is strategy to[k] of the second.
        let to = [1, 2, 0];
        for (k, name) in first.strategies.iter().enumerate() {
            assert_eq!(&second.strategies[to[k]], name);
        }
        for row in &first.table {
            let mut composition = vec![0; 3];
            for (k, &count) in row.composition.iter().enumerate() {
                composition[to[k]] = count;
            }
            let other = &second.table[composition::rank(&composition)];
            assert_eq!(other.composition, composition);
            for (k, payoff) in row.payoffs.iter().enumerate() {
                assert_eq!(
                    payoff.map(|e| (e.mean, e.low, e.high)),
                    other.payoffs[to[k]].map(|e| (e.mean, e.low, e.high)),
                    "{:?}, strategy {k}",
                    row.composition
                );
            }
        }
        // A quantity that reads the game (each strategy's payoff when alone)
        // bootstraps to the same intervals, permuted.
        let alone = |game: &GroupGame| -> Result<Vec<f64>, EgtaError> {
            Ok((0..3)
                .map(|i| {
                    let mut group = vec![0; 3];
                    group[i] = game.group_size();
                    game.payoff(&group, i)
                })
                .collect())
        };
        let (a, b) = (
            first.bootstrap(alone).unwrap(),
            second.bootstrap(alone).unwrap(),
        );
        for k in 0..3 {
            assert_eq!(a[k], b[to[k]], "strategy {k}");
            assert!(a[k][0] <= a[k][1]);
        }
    }
}
