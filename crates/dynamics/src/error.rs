use thiserror::Error;

/// Why a dynamics computation could not run.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DynamicsError {
    /// Population too small for the game's interactions.
    #[error("population size Z = {population} is too small: this game needs Z ≥ {minimum}")]
    PopulationTooSmall {
        /// Z given.
        population: usize,
        /// Smallest Z accepted.
        minimum: usize,
    },
    /// β must be finite and non-negative.
    #[error("intensity of selection β = {0} must be a finite number ≥ 0")]
    InvalidBeta(f64),
    /// μ must be a probability (and positive for an ergodic chain).
    #[error("mutation probability μ = {value} must be {expected}")]
    InvalidMutation {
        /// μ given.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
    /// A strategy index beyond the game's strategies.
    #[error("strategy index {index} out of range: the game has {count} strategies")]
    StrategyOutOfRange {
        /// Index given.
        index: usize,
        /// Number of strategies.
        count: usize,
    },
    /// Invader and resident (or an edge's ends) must differ.
    #[error("the two strategies must differ (both are {name}, strategy {index})")]
    SameStrategy {
        /// Index given twice.
        index: usize,
        /// Its strategy's name.
        name: String,
    },
    /// The state space is beyond the configured limit.
    #[error(
        "the full chain has {states} states, above the limit of {limit}; lower Z or the number of strategies, or raise the limit"
    )]
    TooManyStates {
        /// States required.
        states: usize,
        /// Limit in force.
        limit: usize,
    },
    /// The number of population states does not even fit in 64 bits.
    #[error(
        "the number of population states for Z = {population} and {strategies} strategies overflows 64 bits; lower Z or the number of strategies"
    )]
    StateSpaceOverflow {
        /// Z given.
        population: usize,
        /// Number of strategies.
        strategies: usize,
    },
    /// A computation that compares strategies on a game with only one.
    #[error("this needs a game with at least 2 strategies; it has {0}")]
    TooFewStrategies(usize),
    /// A population state that does not fit the population.
    #[error(
        "state {state:?} must have {strategies} non-negative counts summing to Z = {population}"
    )]
    BadState {
        /// State given.
        state: Vec<usize>,
        /// Number of strategies.
        strategies: usize,
        /// Population size.
        population: usize,
    },
    /// Frequencies off the simplex.
    #[error("frequencies {0:?} must be non-negative and sum to 1")]
    BadFrequencies(Vec<f64>),
    /// The sparse solver failed.
    #[error("sparse solver failed: {0}")]
    Solver(String),
    /// Monte Carlo fixation with runs that neither fixed nor went extinct:
    /// the runs that ended are biased towards the outcome reached sooner.
    #[error(
        "{unfinished} of the {runs} fixation runs neither fixed nor went extinct within {steps_per_run} steps; an estimate from the runs that ended would be biased towards the outcome reached sooner, so there is none: raise the step limit"
    )]
    UnfinishedRuns {
        /// Runs that did not end.
        unfinished: u64,
        /// Runs simulated.
        runs: u64,
        /// Step limit per run.
        steps_per_run: u64,
    },
    /// A replicator integration that cannot run as asked.
    #[error("replicator integration: {0}")]
    Integration(String),
    /// More strategies than an analysis supports.
    #[error("{why}: at most {limit} strategies are supported, the game has {strategies}")]
    TooManyStrategies {
        /// Strategies in the game.
        strategies: usize,
        /// Most supported.
        limit: usize,
        /// Why there is a limit.
        why: &'static str,
    },
    /// Payoffs so large that fitness differences overflow `f64`.
    #[error(
        "fitness differences between strategies {invader} and {resident}, or their product with β, overflow f64 (payoffs or β near ±1e308); rescale the payoffs or lower β"
    )]
    FitnessOverflow {
        /// Invading strategy.
        invader: usize,
        /// Resident strategy.
        resident: usize,
    },
    /// A computed stationary distribution failed its check.
    #[error(
        "the stationary distribution failed its check: {check} = {residual:e} exceeds {tolerance:e}; no result is given because it would be wrong"
    )]
    NotStationary {
        /// What was checked (`‖πT − π‖∞`, or the log balance of each state).
        check: &'static str,
        /// Value measured.
        residual: f64,
        /// Largest residual accepted.
        tolerance: f64,
    },
    /// A Monte Carlo request with nothing to do.
    #[error("{0} must be at least 1")]
    ZeroRuns(&'static str),
}
