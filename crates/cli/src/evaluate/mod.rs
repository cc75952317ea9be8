//! `accord evaluate`: the main job. Runs a protocol against a world of
//! strategic labs and writes the evidence on whether it works, why, and where
//! it breaks.

mod csv;
mod plots;
mod report;
mod table;

use crate::output::StagedDir;
use crate::progress;
use crate::simulation::{generations_range, protocol_or_default, world_or_default};
use accord_sim::evaluation::{EvaluationPlan, Progress, Sources, evaluate};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// `accord evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Protocol file (default: the shipped Global AI Safety Coordination Protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "results/evaluation")]
    out: PathBuf,
    /// Master seed: every number in the report is reproducible from it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replicates per configuration.
    #[arg(long, default_value_t = EvaluationPlan::DEFAULT_REPLICATES)]
    replicates: u64,
    /// Generations per run (default: the world's).
    #[arg(long, value_parser = generations_range())]
    generations: Option<u32>,
    /// Generations of the individual-rationality runs (strategies held fixed).
    #[arg(long, default_value_t = EvaluationPlan::DEFAULT_RATIONALITY_GENERATIONS, value_parser = generations_range())]
    rationality_generations: u32,
    /// Strengths between 0 and 1 at which partial implementation is measured.
    #[arg(long, value_delimiter = ',', default_values_t = EvaluationPlan::DEFAULT_LEVELS)]
    levels: Vec<f64>,
    /// Worlds sampled (Latin hypercube over the world's [uncertainty] table)
    /// to test whether each verdict holds beyond this world; 0 for none.
    #[arg(long, default_value_t = EvaluationPlan::DEFAULT_ROBUSTNESS)]
    robustness: usize,
}

/// Runs the evaluation and writes the report folder.
pub fn run(args: &EvaluateArgs) -> Result<()> {
    let (protocol_source, protocol) = protocol_or_default(args.protocol.as_deref())?;
    let (world_source, world) = world_or_default(args.world.as_deref())?;
    let plan = EvaluationPlan {
        seed: args.seed,
        replicates: args.replicates,
        generations: args.generations.unwrap_or(world.learning.generations),
        rationality_generations: args.rationality_generations,
        levels: args.levels.clone(),
        robustness: args.robustness,
    };
    plan.validate()?;
    let staged = StagedDir::create(&args.out)?;
    let started = Instant::now();
    let bar = progress::bar(plan.runs(&world), "evaluate");
    let sources = Sources {
        protocol: protocol_source,
        world: world_source,
    };
    let progress = Progress {
        run_finished: &|| bar.inc(1),
        stage: &|stage| bar.set_message(stage.to_string()),
    };
    let evaluation = evaluate(&world, &protocol, &plan, sources, progress)?;
    bar.finish_and_clear();
    report::write(&evaluation, &world, &staged)?;
    let folder = staged.commit()?;
    report::print_summary(&evaluation);
    println!(
        "\nreport: {}/report.html (and report.md, plots, CSV, JSON) in {:.1} s",
        folder.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
