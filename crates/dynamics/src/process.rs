use crate::DynamicsError;
use accord_games::Game;

/// The pairwise-comparison (Fermi) process of a game in a finite population.
///
/// See the crate documentation for the conventions.
#[derive(Debug, Clone)]
pub struct PairwiseComparison<'g> {
    game: &'g Game,
    population: usize,
    beta: f64,
}

impl<'g> PairwiseComparison<'g> {
    /// The process for `game` in a population of `population` (`Z`)
    /// individuals with intensity of selection `beta` (`β ≥ 0`).
    pub fn new(game: &'g Game, population: usize, beta: f64) -> Result<Self, DynamicsError> {
        let minimum = game.minimum_population();
        if population < minimum {
            return Err(DynamicsError::PopulationTooSmall {
                population,
                minimum,
            });
        }
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(DynamicsError::InvalidBeta(beta));
        }
        Ok(Self {
            game,
            population,
            beta,
        })
    }

    /// The game.
    pub fn game(&self) -> &'g Game {
        self.game
    }

    /// Population size `Z`.
    pub fn population(&self) -> usize {
        self.population
    }

    /// Intensity of selection `β`.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Number of strategies `n`.
    pub fn strategy_count(&self) -> usize {
        self.game.strategy_count()
    }

    /// Number of population states, `C(Z + n − 1, n − 1)`.
    pub fn state_count(&self) -> Result<usize, DynamicsError> {
        accord_games::composition::checked_count(self.population, self.strategy_count()).ok_or(
            DynamicsError::StateSpaceOverflow {
                population: self.population,
                strategies: self.strategy_count(),
            },
        )
    }

    /// Probability that a focal individual imitates a model whose fitness
    /// exceeds its own by `fitness_gain`: `1 / (1 + exp(−β·gain))`.
    pub fn imitation_probability(&self, fitness_gain: f64) -> f64 {
        fermi(self.beta, fitness_gain)
    }

    /// Fitness of every strategy at population state `counts`.
    pub fn fitness(&self, counts: &[usize], fitness: &mut [f64]) {
        debug_assert_eq!(counts.iter().sum::<usize>(), self.population);
        self.game.fitness_finite(counts, fitness);
    }

    pub(crate) fn check_strategy(&self, index: usize) -> Result<(), DynamicsError> {
        let count = self.strategy_count();
        if index >= count {
            return Err(DynamicsError::StrategyOutOfRange { index, count });
        }
        Ok(())
    }

    /// Checks two strategies an invasion or an edge is between: both in
    /// range, and different (the error names the strategy).
    pub(crate) fn check_pair(&self, first: usize, second: usize) -> Result<(), DynamicsError> {
        self.check_strategy(first)?;
        self.check_strategy(second)?;
        if first == second {
            return Err(DynamicsError::SameStrategy {
                index: first,
                name: self.game.strategies()[first].clone(),
            });
        }
        Ok(())
    }

    pub(crate) fn check_state(&self, state: &[usize]) -> Result<(), DynamicsError> {
        if state.len() != self.strategy_count() || state.iter().sum::<usize>() != self.population {
            return Err(DynamicsError::BadState {
                state: state.to_vec(),
                strategies: self.strategy_count(),
                population: self.population,
            });
        }
        Ok(())
    }

    /// Probability that one elementary step moves one individual from
    /// strategy `from` to strategy `to` at state `counts` with fitness
    /// `fitness` and mutation probability `mutation` (`from ≠ to`).
    pub(crate) fn switch_probability(
        &self,
        counts: &[usize],
        fitness: &[f64],
        from: usize,
        to: usize,
        mutation: f64,
    ) -> f64 {
        debug_assert_ne!(from, to);
        let z = self.population as f64;
        let focal = counts[from] as f64 / z;
        if focal == 0.0 {
            return 0.0;
        }
        let model = counts[to] as f64 / (z - 1.0);
        let imitation = if counts[to] == 0 {
            0.0
        } else {
            model * self.imitation_probability(fitness[to] - fitness[from])
        };
        let others = (self.strategy_count() - 1) as f64;
        focal * ((1.0 - mutation) * imitation + mutation / others)
    }
}

/// The Fermi function `1 / (1 + exp(−β·x))`, evaluated without overflow.
pub(crate) fn fermi(beta: f64, x: f64) -> f64 {
    let t = beta * x;
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

pub(crate) fn check_mutation(mutation: f64, allow_zero: bool) -> Result<(), DynamicsError> {
    let valid = mutation.is_finite()
        && mutation <= 1.0
        && if allow_zero {
            mutation >= 0.0
        } else {
            mutation > 0.0
        };
    if !valid {
        return Err(DynamicsError::InvalidMutation {
            value: mutation,
            expected: if allow_zero {
                "a probability in [0, 1]"
            } else {
                "a probability in (0, 1] (the chain needs μ > 0 to be ergodic)"
            },
        });
    }
    Ok(())
}
