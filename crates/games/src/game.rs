use crate::{GroupGame, MatrixGame};
use serde::{Deserialize, Serialize};

/// Any symmetric game the dynamics engine can evolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Game {
    /// Pairwise interactions given by a payoff matrix.
    Matrix(MatrixGame),
    /// Interactions in groups of `N` given by a payoff table.
    Group(GroupGame),
}

impl Game {
    /// Strategy names.
    pub fn strategies(&self) -> &[String] {
        match self {
            Game::Matrix(game) => game.strategies(),
            Game::Group(game) => game.strategies(),
        }
    }

    /// Number of strategies.
    pub fn strategy_count(&self) -> usize {
        self.strategies().len()
    }

    /// Index of the strategy called `name`.
    pub fn strategy_index(&self, name: &str) -> Option<usize> {
        self.strategies().iter().position(|s| s == name)
    }

    /// Smallest population in which every interaction can be formed.
    pub fn minimum_population(&self) -> usize {
        match self {
            Game::Matrix(_) => 2,
            Game::Group(game) => game.group_size().max(2),
        }
    }

    /// Finite-population fitness of every strategy given the counts `k`
    /// (population `Z = Σ k`), self excluded; 0 for absent strategies.
    pub fn fitness_finite(&self, counts: &[usize], fitness: &mut [f64]) {
        match self {
            Game::Matrix(game) => game.fitness_finite(counts, fitness),
            Game::Group(game) => game.fitness_finite(counts, fitness),
        }
    }

    /// Infinite-population fitness of every strategy at frequencies `x`.
    pub fn fitness_infinite(&self, frequencies: &[f64], fitness: &mut [f64]) {
        match self {
            Game::Matrix(game) => game.fitness_infinite(frequencies, fitness),
            Game::Group(game) => game.fitness_infinite(frequencies, fitness),
        }
    }
}

impl From<MatrixGame> for Game {
    fn from(game: MatrixGame) -> Self {
        Game::Matrix(game)
    }
}

impl From<GroupGame> for Game {
    fn from(game: GroupGame) -> Self {
        Game::Group(game)
    }
}
