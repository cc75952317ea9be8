//! `accord egta`: which strategies survive under a protocol, from the payoff
//! table the simulator estimates and the dynamics engine's small-mutation limit.

use crate::output::{number, print_json};
use crate::progress;
use crate::simulation::{generations_range, protocol_or_default, world_or_default};
use accord_dynamics::PairwiseComparison;
use accord_games::{Game, GroupGame};
use accord_sim::Strategy;
use accord_sim::egta::{CompositionPayoffs, EgtaPlan, RESAMPLES, check_dynamics, estimate};
use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// `accord egta`.
#[derive(Debug, Args)]
pub struct EgtaArgs {
    /// Protocol file (default: the shipped global protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// The strategies of the game, comma-separated (development/reporting,
    /// e.g. safe/honest,unsafe/honest,unsafe/capture).
    #[arg(long, value_delimiter = ',', default_values_t = EgtaPlan::DEFAULT_STRATEGIES.map(|s| s.to_string()))]
    strategies: Vec<String>,
    /// Replicates per group composition (at least 2: the intervals resample runs).
    #[arg(long, default_value_t = 8)]
    replicates: u64,
    /// Generations of each run (strategies held fixed).
    #[arg(long, default_value_t = 20, value_parser = generations_range())]
    generations: u32,
    /// Population size Z from which groups of the world's labs are drawn (the
    /// world's labs to 100000).
    #[arg(long, short = 'Z', default_value_t = 50)]
    population: usize,
    /// Intensity of selection β (default: the world's learning.selection).
    #[arg(long)]
    beta: Option<f64>,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct EgtaOutput<'a> {
    protocol: String,
    world: String,
    strategies: &'a [String],
    group_size: usize,
    replicates: u64,
    generations: u32,
    population: usize,
    beta: f64,
    table: &'a [CompositionPayoffs],
    /// Small-mutation limit: share of time in each monomorphic population.
    stationary: &'a [f64],
    /// Its 95% interval over bootstrap resamples of the runs.
    stationary_interval: &'a [[f64; 2]],
    /// `fixation[invader][resident]`.
    fixation: &'a [Vec<f64>],
}

/// Runs the analysis.
pub fn run(args: &EgtaArgs) -> Result<()> {
    let (protocol_name, protocol) = protocol_or_default(args.protocol.as_deref())?;
    let (world_name, world) = world_or_default(args.world.as_deref())?;
    let plan = EgtaPlan {
        strategies: args
            .strategies
            .iter()
            .map(|s| s.parse::<Strategy>())
            .collect::<Result<_, _>>()
            .context("--strategies")?,
        replicates: args.replicates,
        generations: args.generations,
        seed: args.seed,
    };
    let beta = args.beta.unwrap_or(world.learning.selection);
    check_dynamics(&world, args.population, beta).context("--population, --beta")?;
    let spinner = progress::spinner("estimating the payoff table");
    let empirical = estimate(&world, &protocol, &plan);
    spinner.finish_and_clear();
    let empirical = empirical?;
    let stationary = |game: &GroupGame| -> Result<Vec<f64>> {
        let game = Game::from(game.clone());
        Ok(PairwiseComparison::new(&game, args.population, beta)
            .context("--population, --beta")?
            .small_mutation_limit()?
            .stationary)
    };
    let game = Game::from(empirical.game.clone());
    let limit = PairwiseComparison::new(&game, args.population, beta)
        .context("--population, --beta")?
        .small_mutation_limit()?;
    let interval = empirical.bootstrap(stationary)?;
    if args.json {
        return print_json(&EgtaOutput {
            protocol: protocol_name,
            world: world_name,
            strategies: &empirical.strategies,
            group_size: empirical.group_size,
            replicates: empirical.replicates,
            generations: args.generations,
            population: args.population,
            beta,
            table: &empirical.table,
            stationary: &limit.stationary,
            stationary_interval: &interval,
            fixation: &limit.fixation,
        });
    }
    println!(
        "{protocol_name} in {world_name}: groups of {} labs, {} replicates × {} generations per composition, Z = {}, β = {}",
        empirical.group_size,
        empirical.replicates,
        args.generations,
        args.population,
        number(beta)
    );
    println!(
        "\nstationary distribution (small-mutation limit): which strategy the population spends its time in"
    );
    for ((name, share), [low, high]) in empirical
        .strategies
        .iter()
        .zip(&limit.stationary)
        .zip(&interval)
    {
        println!(
            "  {name:<24} {}  [{}, {}]",
            number(*share),
            number(*low),
            number(*high)
        );
    }
    println!("  (95% intervals over {RESAMPLES} bootstrap resamples of the runs)");
    if interval.iter().any(|[low, high]| high - low > 0.5) {
        println!(
            "  estimation noise alone could reverse this verdict: the payoffs do not tell the strategies apart at {} replicates; raise --replicates",
            empirical.replicates
        );
    }
    println!("\nestimated payoffs (utility per period; 95% interval over replicates)");
    for row in &empirical.table {
        let cells: Vec<String> = row
            .payoffs
            .iter()
            .zip(&empirical.strategies)
            .filter_map(|(p, name)| {
                p.map(|e| {
                    if e.low.is_nan() {
                        format!("{name} {}", number(e.mean))
                    } else {
                        format!(
                            "{name} {} [{}, {}]",
                            number(e.mean),
                            number(e.low),
                            number(e.high)
                        )
                    }
                })
            })
            .collect();
        println!("  {:?}  {}", row.composition, cells.join("; "));
    }
    Ok(())
}
