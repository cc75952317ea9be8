//! `accord egt`: evolutionary game theory on the built-in models.

mod commands;
mod setup;
mod sweep;

use accord_seed::Shard;
use clap::{Args, Subcommand};
pub use commands::mc_merged;
use serde::{Deserialize, Serialize};
pub use setup::{GameArgs, PopulationArgs, Setup};
use std::path::PathBuf;

/// Evolutionary-dynamics analyses.
#[derive(Debug, Subcommand)]
pub enum EgtCommand {
    /// List the built-in models and their parameters.
    Models,
    /// Small-mutation limit: fixation probabilities, transition matrix and stationary distribution over monomorphic states.
    Sml(Common),
    /// Full Markov chain with mutation over all population states, solved sparsely.
    Chain(ChainArgs),
    /// Fixation probability of one mutant (all pairs, or one with --invader/--resident).
    Fixation(FixationArgs),
    /// Gradient of selection between two strategies, or on the whole simplex.
    Gradient(GradientArgs),
    /// Infinite-population replicator dynamics: rest points and their stability, optionally a trajectory.
    Replicator(ReplicatorArgs),
    /// Monte Carlo simulation of the finite-population process.
    Mc(McArgs),
    /// Phase diagram: the stationary frequency of a strategy over a 2-D parameter grid (CSV, SVG, PNG).
    Sweep(sweep::SweepArgs),
}

/// Options shared by the analyses.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct Common {
    #[command(flatten)]
    pub game: GameArgs,
    #[command(flatten)]
    pub population: PopulationArgs,
    /// Print a JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `accord egt chain`.
#[derive(Debug, Clone, Args)]
pub struct ChainArgs {
    #[command(flatten)]
    pub common: Common,
    /// Mutation probability μ per step.
    #[arg(long, default_value_t = 0.01, allow_hyphen_values = true)]
    pub mutation: f64,
    /// Also write every state's probability to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub states_out: Option<std::path::PathBuf>,
    /// Refuse chains with more states than this.
    #[arg(long, default_value_t = accord_dynamics::FullChainOptions::DEFAULT_MAX_STATES)]
    pub max_states: usize,
}

/// `accord egt fixation`.
#[derive(Debug, Clone, Args)]
pub struct FixationArgs {
    #[command(flatten)]
    pub common: Common,
    /// Strategy of the single mutant.
    #[arg(long, requires = "resident")]
    pub invader: Option<String>,
    /// Strategy of the resident population.
    #[arg(long, requires = "invader")]
    pub resident: Option<String>,
}

/// `accord egt gradient`.
#[derive(Debug, Clone, Args)]
pub struct GradientArgs {
    #[command(flatten)]
    pub common: Common,
    /// Strategy whose count k is the x axis (default: the first).
    #[arg(long)]
    pub strategy: Option<String>,
    /// The other strategy (default: the second).
    #[arg(long)]
    pub against: Option<String>,
    /// Mutation probability μ (0: pure selection). On one edge, the process
    /// of the two strategies alone: a mutant takes the other of the two
    /// with probability μ. With --simplex, all strategies: a mutant takes
    /// each other one with probability μ/(N − 1).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub mutation: f64,
    /// Every state of the simplex instead of one edge.
    #[arg(long, conflicts_with_all = ["strategy", "against"])]
    pub simplex: bool,
}

/// `accord egt replicator`.
#[derive(Debug, Clone, Args)]
pub struct ReplicatorArgs {
    #[command(flatten)]
    pub game: GameArgs,
    /// Print a JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also integrate a trajectory from these frequencies (comma-separated, summing to 1).
    #[arg(
        long,
        value_name = "X1,X2,...",
        value_delimiter = ',', value_parser = crate::output::list_number,
        allow_hyphen_values = true
    )]
    pub from: Option<Vec<f64>>,
    /// Duration of the trajectory.
    #[arg(long, default_value_t = 100.0, allow_hyphen_values = true)]
    pub time: f64,
    /// Time between the trajectory's points. The integrator (fourth-order
    /// Runge–Kutta, step doubling to a local error of 1e-10) takes shorter
    /// steps where the dynamics are fast.
    #[arg(long, default_value_t = 0.01, allow_hyphen_values = true)]
    pub step: f64,
}

/// `accord egt mc`.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct McArgs {
    #[command(flatten)]
    pub common: Common,
    /// What to estimate.
    #[arg(long, value_enum, default_value = "stationary")]
    pub mode: McMode,
    /// Independent runs (executed in parallel).
    #[arg(long, default_value_t = 100)]
    pub runs: u64,
    /// Recorded steps per run (stationary mode) or the step limit per run (fixation mode).
    #[arg(long, default_value_t = 1_000_000)]
    pub steps: u64,
    /// Steps discarded at the start of each run (stationary mode).
    #[arg(long, default_value_t = 10_000)]
    pub transient: u64,
    /// Mutation probability μ (stationary mode).
    #[arg(long, default_value_t = 0.01, allow_hyphen_values = true)]
    pub mutation: f64,
    /// Master seed; run i uses the ChaCha8 stream i of this seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Invader strategy (fixation mode; default the first).
    #[arg(long)]
    pub invader: Option<String>,
    /// Resident strategy (fixation mode; default the second).
    #[arg(long)]
    pub resident: Option<String>,
    /// Compute only part INDEX of COUNT of the runs (INDEX from 0) and write
    /// it as a shard file; `accord merge` prints the estimate of every part.
    #[arg(long, value_name = "INDEX/COUNT")]
    #[serde(skip)]
    pub shard: Option<Shard>,
    /// Folder of the shard file (with --shard; default results/shards).
    #[arg(long, requires = "shard")]
    #[serde(skip)]
    pub out: Option<PathBuf>,
}

/// Monte Carlo estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McMode {
    /// Long-run strategy frequencies with mutation.
    Stationary,
    /// Fixation probability of one mutant.
    Fixation,
}

/// Runs an `accord egt` command.
pub fn run(command: EgtCommand) -> anyhow::Result<()> {
    match command {
        EgtCommand::Models => commands::models(),
        EgtCommand::Sml(args) => commands::sml(&args),
        EgtCommand::Chain(args) => commands::chain(&args),
        EgtCommand::Fixation(args) => commands::fixation(&args),
        EgtCommand::Gradient(args) => commands::gradient(&args),
        EgtCommand::Replicator(args) => commands::replicator(&args),
        EgtCommand::Mc(args) => commands::mc(&args),
        EgtCommand::Sweep(args) => sweep::run(&args),
    }
}
