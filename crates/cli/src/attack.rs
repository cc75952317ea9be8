//! `accord attack`: the deviation that gains most against a protocol, for
//! each lab type and for coalitions of leaders.

use crate::output::{estimate_number, number, print_json};
use crate::progress;
use crate::simulation::{generations_range, protocol_or_default, world_or_default};
use accord_sim::attack::{Attack, AttackPlan, Deviation, Timing, Verdict, attack};
use accord_sim::stats::MIN_REPLICATES_FOR_VERDICT;
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
    /// Replicates per deviation (each search's three best are rerun on as many fresh ones, and the best of those on a third set).
    #[arg(long, default_value_t = 12)]
    replicates: u64,
    /// Generations per run (gains are measured over the second half).
    #[arg(long, default_value_t = 20, value_parser = generations_range())]
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
    verdict: Option<Verdict>,
    /// The deviation that decides the verdict.
    decisive: Option<&'a Deviation>,
}

fn describe(d: &Deviation) -> String {
    let when = match d.timing {
        Timing::Throughout => "from the start",
        Timing::Late => "from mid-run, after complying",
    };
    let caught = match d.detected_share {
        Some(share) => format!("{} of the whole run's unsafe periods caught", number(share)),
        None if d.strategy.contains("unsafe") => "no unsafe period caught or audited".into(),
        None => "develops safely".into(),
    };
    format!(
        "{} by {} {when}: gain {} per lab and period; {caught}",
        d.strategy,
        d.coalition.join(" + "),
        estimate_number(&d.gain)
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
    let verdict = result.verdict();
    if args.json {
        return print_json(&AttackOutput {
            protocol: protocol_name,
            world: world_name,
            attack: &result,
            exploitability: worst,
            verdict: verdict.map(|(v, _)| v),
            decisive: verdict.map(|(_, d)| d),
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
    if let (Some(worst), Some((verdict, decisive))) = (worst, verdict) {
        let by = |d: &Deviation| {
            format!(
                "{}'s {} gains {}",
                d.who,
                d.strategy,
                estimate_number(&d.gain)
            )
        };
        let reading = match verdict {
            Verdict::Exploitable => format!("exploitable: {}, above 0", by(decisive)),
            Verdict::NotExploitable => {
                "not exploitable by these deviations: none gains more than its margin (every confirmed and finalist interval's upper end is at most 1% of the coalition's utility)".to_string()
            }
            Verdict::Undetermined if !result.decides() => format!(
                "undetermined: only {} replicates per deviation (a verdict needs {MIN_REPLICATES_FOR_VERDICT}); the interval reaching highest: {}",
                result.replicates,
                by(decisive)
            ),
            Verdict::Undetermined => format!(
                "undetermined: no interval lies above 0, but {} (above its margin)",
                by(decisive)
            ),
        };
        println!("exploitability {} ({reading})", number(worst.gain.mean));
    }
    Ok(())
}
