use thiserror::Error;

/// Why a game could not be built or a model parameter was rejected.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum GameError {
    /// A classic model's parameters outside the model's domain.
    #[error("{0}")]
    InvalidModel(String),
    /// A game needs at least one strategy.
    #[error("a game needs at least one strategy")]
    NoStrategies,
    /// Two strategies share a name.
    #[error("strategy name {0:?} is used twice")]
    DuplicateStrategy(String),
    /// The payoff matrix is not `n × n` for `n` strategies.
    #[error(
        "payoff matrix must be {expected}×{expected} (one row and column per strategy), got {rows} row(s) with lengths {row_lengths:?}"
    )]
    MatrixShape {
        /// Number of strategies.
        expected: usize,
        /// Rows found.
        rows: usize,
        /// Length of each row found.
        row_lengths: Vec<usize>,
    },
    /// A payoff is NaN or infinite.
    #[error("payoff {what} is {value}, expected a finite number")]
    NonFinitePayoff {
        /// Which payoff.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// A payoff too large for equilibrium arithmetic.
    #[error(
        "payoff {what} is {value:e}; equilibria are computed for payoffs up to {limit:e} in magnitude (their products must stay finite): rescale the payoffs, which changes no equilibrium",
        limit = crate::equilibrium::MAX_PAYOFF_MAGNITUDE
    )]
    PayoffTooLarge {
        /// Which payoff.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// Group size below 2.
    #[error("group size must be at least 2, got {0}")]
    GroupSize(usize),
    /// A group composition does not sum to the group size.
    #[error(
        "group composition {composition:?} must have {strategies} counts summing to the group size {group_size}"
    )]
    BadComposition {
        /// The composition given.
        composition: Vec<usize>,
        /// Number of strategies expected.
        strategies: usize,
        /// Required sum.
        group_size: usize,
    },
    /// A composition appears twice in a group payoff table.
    #[error("group composition {0:?} is given twice")]
    DuplicateComposition(Vec<usize>),
    /// A composition is missing from a group payoff table.
    #[error(
        "group payoff table has no entry for composition {0:?}; every composition of the group size must be listed"
    )]
    MissingComposition(Vec<usize>),
    /// A strategy's payoff is given in a group where it is absent or missing where it is present.
    #[error(
        "composition {composition:?}: payoffs must list one value per strategy ({strategies} values; use 0 for absent strategies)"
    )]
    PayoffLength {
        /// The composition.
        composition: Vec<usize>,
        /// Number of strategies expected.
        strategies: usize,
    },
    /// Unknown model name.
    #[error("unknown model {name:?}; valid models: {}", valid.join(", "))]
    UnknownModel {
        /// Name given.
        name: String,
        /// Names accepted.
        valid: Vec<String>,
    },
    /// Unknown parameter for a model.
    #[error("model {model:?} has no parameter {name:?}; valid parameters: {}", valid.join(", "))]
    UnknownParameter {
        /// Model name.
        model: String,
        /// Parameter given.
        name: String,
        /// Names accepted.
        valid: Vec<String>,
    },
    /// A parameter outside its domain.
    #[error("parameter {name} = {} is out of range: {expected}", compact(*.value))]
    ParameterOutOfRange {
        /// Parameter name.
        name: String,
        /// Value given.
        value: f64,
        /// What is accepted.
        expected: String,
    },
    /// The two payoff matrices of a bimatrix game are empty, ragged or of different shapes.
    #[error(
        "bimatrix game: the row player's payoffs are {row_player}, the column player's payoffs are {column_player}; both must be the same m×n with m, n ≥ 1"
    )]
    BimatrixShape {
        /// Shape of the row player's matrix (row lengths).
        row_player: String,
        /// Shape of the column player's matrix (row lengths).
        column_player: String,
    },
    /// An enumeration would examine more candidate supports than its limit.
    #[error(
        "{method} on a {rows}×{columns} game would examine {candidates} candidate supports, above its limit of {limit}; {advice}"
    )]
    GameTooLarge {
        /// The algorithm refused.
        method: &'static str,
        /// Strategies of the row player.
        rows: usize,
        /// Strategies of the column player.
        columns: usize,
        /// Candidate supports (or tight-constraint sets) the method would examine.
        candidates: u128,
        /// The limit.
        limit: u128,
        /// What to use instead.
        advice: &'static str,
    },
    /// A vector given as a mixed strategy is not a probability vector of the right length.
    #[error(
        "{player}'s mixed strategy {mix:?} is not a probability vector over {strategies} strategies: {reason}"
    )]
    NotAMixedStrategy {
        /// Whose strategy.
        player: String,
        /// The vector given.
        mix: Vec<f64>,
        /// Number of strategies expected.
        strategies: usize,
        /// What is wrong.
        reason: String,
    },
    /// The simplex method stopped without an answer (a numerical failure, not infeasibility).
    #[error("linear program for {purpose} failed: {reason}")]
    LinearProgramFailed {
        /// What the program computes.
        purpose: String,
        /// Why it stopped.
        reason: String,
    },
}

impl GameError {
    /// A named parameter of a classic model outside its domain.
    pub(crate) fn out_of_range(
        name: impl Into<String>,
        value: f64,
        expected: impl Into<String>,
    ) -> Self {
        GameError::ParameterOutOfRange {
            name: name.into(),
            value,
            expected: expected.into(),
        }
    }
}

/// A number as Rust prints it, in scientific notation when that would run to
/// dozens of digits (1e300, 1e-320).
fn compact(value: f64) -> String {
    if value != 0.0 && value.is_finite() && !(1e-6..1e15).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}
