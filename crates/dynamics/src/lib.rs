//! Evolutionary dynamics on the games of `accord-games`.
//!
//! Conventions, chosen to match EGTtools (Fernández Domingos et al.,
//! iScience 2023) so results compare number by number:
//!
//! * **Process.** The pairwise-comparison (Fermi) process in a well-mixed
//!   population of `Z` individuals (Traulsen, Nowak, Pacheco, PRE 2006). Each
//!   elementary step a random focal individual (strategy `i`) is picked; with
//!   probability `μ` it mutates to one of the other `n − 1` strategies, each
//!   with probability `μ/(n − 1)`; otherwise it picks a random model among the
//!   other `Z − 1` individuals (strategy `j`) and imitates it with probability
//!   `F(f_j − f_i) = 1 / (1 + exp(−β (f_j − f_i)))`.
//! * **Fitness** excludes self: see [`accord_games::MatrixGame`] and
//!   [`accord_games::GroupGame`].
//! * **States** of the full chain are compositions of `Z` in EGTtools' order
//!   ([`accord_games::composition`]).
//! * **Transition matrices** returned here are *row-stochastic*:
//!   `T[from][to]`, rows sum to one, stationary distributions solve `π T = π`.
//!   EGTtools returns the small-mutation-limit matrix transposed
//!   (column-stochastic); compare `T` with its transpose.
//! * **Fixation probabilities** are computed in log space and never truncated:
//!   EGTtools rounds results below about `1e-7` to zero, Accord returns the
//!   exact tiny value (down to `f64` underflow, about `1e-308`).
//!
//! Large chains are solved sparsely (faer's sparse LU); nothing here forms a
//! dense matrix bigger than `n × n`.

mod chain;
mod error;
mod fixation;
mod gradient;
mod markov;
pub mod monte_carlo;
mod process;
pub mod replicator;
pub use accord_seed as seeding;
mod small_mutation;

pub use chain::{ChainSolver, FullChain, FullChainOptions};
pub use error::DynamicsError;
pub use gradient::{GradientPoint, SimplexGradient};
pub use markov::{log_stationary_distribution_gth, stationary_distribution_gth};
pub use process::PairwiseComparison;
pub use small_mutation::{LOG_BALANCE_TOLERANCE, STATIONARY_TOLERANCE, SmallMutationLimit};
