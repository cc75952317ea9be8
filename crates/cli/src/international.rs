//! `accord international`: what is lost when several jurisdictions each run
//! the protocol, against one unified body (`accord_sim::international`).

use crate::output::{estimate_text, print_json};
use crate::progress;
use crate::simulation::{Inputs, generations_range, protocol_of, world_of};
use accord_sim::experiment::Estimate;
use accord_sim::international::{
    DEFAULT_WORLD, InternationalError, InternationalPlan, JurisdictionSummary, RegimeOutcome, Runs,
    compare, jurisdictions,
};
use accord_sim::shard::Input;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// `accord international`.
#[derive(Debug, Args)]
pub struct InternationalArgs {
    /// The protocol under study, which every registry runs unless its
    /// jurisdiction declares its own (default: the shipped global protocol).
    protocol: Option<PathBuf>,
    /// World file with an `[international]` table (default: the shipped
    /// frontier labs in three jurisdictions, examples/worlds/jurisdictions.toml).
    #[arg(long)]
    world: Option<PathBuf>,
    /// Replicates per regime (random stream k in every regime).
    #[arg(long, default_value_t = 12)]
    replicates: u64,
    /// Generations of each run (default: the world's).
    #[arg(long, value_parser = generations_range())]
    generations: Option<u32>,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct InternationalOutput<'a> {
    protocol: String,
    world: String,
    replicates: u64,
    seed: u64,
    jurisdictions: Vec<JurisdictionSummary>,
    regimes: &'a [RegimeOutcome],
}

/// Runs the comparison.
pub fn run(args: &InternationalArgs) -> Result<()> {
    let protocol_input = Inputs::Disk.protocol(args.protocol.as_deref())?;
    let world_input = match &args.world {
        Some(path) => Inputs::Disk.read(path)?,
        None => Input {
            text: DEFAULT_WORLD.to_string(),
            source: "jurisdictions.toml (embedded)".to_string(),
        },
    };
    let protocol = protocol_of(&protocol_input)?;
    let world = world_of(&world_input)?;
    let plan = InternationalPlan {
        replicates: args.replicates,
        generations: args.generations,
        seed: args.seed,
    };
    let spinner = progress::spinner("comparing jurisdictions");
    let regimes = compare(&world, &protocol, &plan).map_err(|e| match e {
        InternationalError::Replicates(_) => anyhow::anyhow!("--replicates: {e}"),
        InternationalError::NoJurisdictions => anyhow::anyhow!("{}: {e}", world_input.source),
    })?;
    spinner.finish_and_clear();
    let output = InternationalOutput {
        protocol: protocol_input.source,
        world: world_input.source,
        replicates: args.replicates,
        seed: args.seed,
        jurisdictions: jurisdictions(&world),
        regimes: &regimes,
    };
    if args.json {
        return print_json(&output);
    }
    println!(
        "{} in {}: {} replicates per regime, seed {}",
        output.protocol, output.world, args.replicates, args.seed
    );
    for j in &output.jurisdictions {
        println!(
            "  {:<16} {:>4.0}% of compute, {}; based there: {}",
            j.name,
            100.0 * j.compute_share,
            match &j.runs {
                Runs::ProtocolUnderStudy => "runs the protocol".to_string(),
                Runs::OwnProtocol { name } => format!("runs its own protocol {name:?}"),
                Runs::Haven => "a haven (no registry, no gate)".to_string(),
            },
            if j.labs.is_empty() {
                "none".to_string()
            } else {
                j.labs.join(", ")
            }
        );
    }
    println!(
        "\n{:<26} {:>24} {:>24} {:>24} {:>8}",
        "regime", "cooperation", "disaster rate", "welfare", "moves"
    );
    for regime in &regimes {
        println!(
            "{:<26} {:>24} {:>24} {:>24} {:>8.2}",
            regime.regime,
            estimate_text(&regime.cooperation, 3),
            estimate_text(&regime.disaster_rate, 3),
            estimate_text(&regime.welfare, 3),
            regime.relocations.mean
        );
    }
    println!("\nchange against one registry (paired by replicate, 95% bootstrap intervals):");
    for regime in &regimes[1..] {
        println!(
            "{:<26} {:>24} {:>24} {:>24}",
            regime.regime,
            change(&regime.cooperation_change),
            change(&regime.disaster_rate_change),
            change(&regime.welfare_change)
        );
    }
    println!();
    for regime in &regimes {
        println!("{}: {}", regime.regime, regime.description);
    }
    println!(
        "(each regime sets recognition and relocation itself, whatever the world file says; moves: labs that changed jurisdiction, per run)"
    );
    Ok(())
}

fn change(e: &Estimate) -> String {
    format!("{:+.3} [{:+.3}, {:+.3}]", e.mean, e.low, e.high)
}
