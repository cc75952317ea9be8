//! `accord evaluate`: the main job. Runs a protocol against a world of
//! strategic labs and writes the evidence on whether it works, why, and where
//! it breaks.

mod csv;
mod plots;
mod report;
mod table;

use crate::output::StagedDir;
use crate::progress;
use crate::shards::{self, DEFAULT_SHARD_FOLDER};
use crate::simulation::{Inputs, generations_range, protocol_of, world_of};
use accord_seed::Shard;
use accord_sim::World;
use accord_sim::evaluation::{Evaluation, EvaluationPlan, Progress, Sources, evaluate, shard_runs};
use accord_sim::shard::{EvaluationJob, Job, ShardHeader};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Where the report goes when `--out` is not given.
pub const DEFAULT_OUT: &str = "results/evaluation";

/// `accord evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Protocol file (default: the shipped Global AI Safety Coordination Protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// Output folder (default results/evaluation; with --shard, results/shards).
    #[arg(long)]
    out: Option<PathBuf>,
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
    #[arg(long, value_delimiter = ',', value_parser = crate::output::list_number, default_values_t = EvaluationPlan::DEFAULT_LEVELS)]
    levels: Vec<f64>,
    /// Worlds sampled (Latin hypercube over the world's [uncertainty] table)
    /// to test whether each verdict holds beyond this world; 0 for none.
    #[arg(long, default_value_t = EvaluationPlan::DEFAULT_ROBUSTNESS)]
    robustness: usize,
    /// Compute only part INDEX of COUNT of the runs (INDEX from 0) and write
    /// it as a shard file; `accord merge` turns every part into the report.
    #[arg(long, value_name = "INDEX/COUNT")]
    shard: Option<Shard>,
}

/// Runs the evaluation and writes the report folder (or one shard of it).
pub fn run(args: &EvaluateArgs) -> Result<()> {
    let protocol_input = Inputs::Disk.protocol(args.protocol.as_deref())?;
    let world_input = Inputs::Disk.world(args.world.as_deref())?;
    let protocol = protocol_of(&protocol_input)?;
    let world = world_of(&world_input)?;
    let plan = EvaluationPlan {
        seed: args.seed,
        replicates: args.replicates,
        generations: args.generations.unwrap_or(world.learning.generations),
        rationality_generations: args.rationality_generations,
        levels: args.levels.clone(),
        robustness: args.robustness,
    };
    plan.validate()?;
    let started = Instant::now();
    if let Some(shard) = args.shard {
        let total = plan.runs(&world);
        let bar = progress::bar(shard.run_count(total), "evaluate shard");
        let runs = shard_runs(&world, &protocol, &plan, shard, &|| bar.inc(1))?;
        bar.finish_and_clear();
        let job = Job::Evaluate(EvaluationJob {
            protocol: protocol_input,
            world: world_input,
            plan,
        });
        let folder = args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SHARD_FOLDER));
        return shards::write(&folder, ShardHeader::new(job, shard, total), runs);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT));
    // An unusable --out is refused before the work, not after.
    let staged = StagedDir::create(&out)?;
    let bar = progress::bar(plan.runs(&world), "evaluate");
    let sources = Sources {
        protocol: protocol_input.source,
        world: world_input.source,
    };
    let progress = Progress {
        run_finished: &|| bar.inc(1),
        stage: &|stage| bar.set_message(stage.to_string()),
    };
    let evaluation = evaluate(&world, &protocol, &plan, sources, progress)?;
    bar.finish_and_clear();
    write_report(&evaluation, &world, staged, Some(started))
}

/// Writes the report folder of `evaluation` and prints its summary (with
/// the time since `started`, when the evaluation ran here).
pub fn write_report(
    evaluation: &Evaluation,
    world: &World,
    staged: StagedDir,
    started: Option<Instant>,
) -> Result<()> {
    report::write(evaluation, world, &staged)?;
    let folder = staged.commit()?;
    report::print_summary(evaluation);
    let took = started.map_or(String::new(), |s| {
        format!(" in {:.1} s", s.elapsed().as_secs_f64())
    });
    println!(
        "\nreport: {}/report.html (and report.md, plots, CSV, JSON){took}",
        folder.display(),
    );
    Ok(())
}
