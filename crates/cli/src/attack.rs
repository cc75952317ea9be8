//! `accord attack`: the deviation that gains most against a protocol, for
//! each lab type and for coalitions of leaders.

use crate::output::{number, print_json};
use crate::progress;
use crate::simulation::{protocol_or_default, world_or_default};
use accord_sim::attack::{Attack, AttackPlan, Deviation, Timing, attack};
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// `accord attack`.
#[derive(Debug, Args)]
pub struct AttackArgs {
    /// Protocol file (default: the shipped global protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// Replicates per deviation (the winner is confirmed on as many fresh ones).
    #[arg(long, default_value_t = 12)]
    replicates: u64,
    /// Generations per run (gains are measured over the second half).
    #[arg(long, default_value_t = 20)]
    generations: u32,
    /// Largest coalition of labs deviating together.
    #[arg(long, default_value_t = 2)]
    coalition: usize,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct AttackOutput<'a> {
    protocol: String,
    world: String,
    #[serde(flatten)]
    attack: &'a Attack,
    exploitability: Option<&'a Deviation>,
}

fn describe(d: &Deviation) -> String {
    let when = match d.timing {
        Timing::Throughout => "from the start",
        Timing::Late => "from mid-run, after complying",
    };
    let caught = match d.detected_share {
        Some(share) => format!("{} of unsafe periods caught", number(share)),
        None if d.strategy.contains("unsafe") => "no unsafe period caught or audited".into(),
        None => "develops safely".into(),
    };
    format!(
        "{} by {} {when}: gain {} [{}, {}] per lab and period; {caught}",
        d.strategy,
        d.coalition.join(" + "),
        number(d.gain.mean),
        number(d.gain.low),
        number(d.gain.high)
    )
}

/// Runs the search.
pub fn run(args: &AttackArgs) -> Result<()> {
    let (protocol_name, protocol) = protocol_or_default(args.protocol.as_deref())?;
    let (world_name, world) = world_or_default(args.world.as_deref())?;
    let plan = AttackPlan {
        replicates: args.replicates,
        generations: args.generations,
        max_coalition: args.coalition,
        seed: args.seed,
    };
    let spinner = progress::spinner("searching deviations");
    let result = attack(&world, &protocol, &plan);
    spinner.finish_and_clear();
    let result = result?;
    let worst = result.exploitability();
    if args.json {
        return print_json(&AttackOutput {
            protocol: protocol_name,
            world: world_name,
            attack: &result,
            exploitability: worst,
        });
    }
    println!(
        "{protocol_name} in {world_name}: every other lab complies; {} replicates × {} generations per deviation, coalitions up to {}",
        args.replicates, args.generations, args.coalition
    );
    for searched in &result.searched {
        println!(
            "  {:<16} best of {} deviations: {}",
            searched.who,
            searched.tried,
            describe(&searched.confirmed)
        );
    }
    if let Some(worst) = worst {
        let verdict = if worst.gain.low > 0.0 {
            "exploitable: the best deviation gains significantly"
        } else if worst.gain.high < 0.0 {
            "not exploitable by these deviations: even the best loses significantly"
        } else {
            "undetermined: the best deviation's interval contains 0"
        };
        println!("exploitability {} ({verdict})", number(worst.gain.mean));
    }
    Ok(())
}
