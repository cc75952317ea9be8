//! `accord design`: the cheapest protocol, over the numeric parameters
//! given, that meets a goal and that no lab type gains by deviating from.

use crate::output::{estimate_number, number, print_json};
use crate::progress;
use crate::simulation::{
    Target, generations_range, parse_target, protocol_or_default, warn_if_switched_off,
    world_or_default,
};
use accord_sim::attack::AttackPlan;
use accord_sim::search::{DesignPlan, Goal, Parameter, ProtocolDesign, search};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// `accord design`.
#[derive(Debug, Args)]
pub struct DesignArgs {
    /// Protocol file (default: the shipped global protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// A protocol parameter to search and its range, repeatable:
    /// [protocol:]PATH=LOW:HIGH, e.g. monitoring.monitors=1:6.
    #[arg(long = "param", value_name = "PATH=LOW:HIGH", required = true)]
    params: Vec<String>,
    /// The cost of one unit of a searched parameter, repeatable:
    /// PATH=WEIGHT, e.g. monitoring.monitors=10. A protocol's cost is the
    /// sum over parameters of weight × value (0 for parameters not given).
    #[arg(long = "cost", value_name = "PATH=WEIGHT", required = true)]
    costs: Vec<String>,
    /// The goal, OUTCOME>=LEVEL or OUTCOME<=LEVEL with OUTCOME one of
    /// cooperation, disaster, welfare, coordinated, detection (a monitor's
    /// vote) or conviction (the panel's verdict); met when the
    /// 95% interval lies on its side.
    #[arg(long, default_value = "cooperation>=0.9")]
    goal: String,
    /// Candidates drawn (a Latin hypercube over the ranges).
    #[arg(long, default_value_t = 32)]
    candidates: usize,
    /// Replicates per candidate for the goal.
    #[arg(long, default_value_t = 8)]
    replicates: u64,
    /// Generations of each goal run (default: the world's).
    #[arg(long, value_parser = generations_range())]
    generations: Option<u32>,
    /// Candidates meeting the goal attacked at most, cheapest first (0: do
    /// not check that compliance is every lab type's best response).
    #[arg(long, default_value_t = 3)]
    attacks: usize,
    /// Replicates per deviation in each attack.
    #[arg(long, default_value_t = 8)]
    attack_replicates: u64,
    /// Generations per attack run.
    #[arg(long, default_value_t = 20, value_parser = generations_range())]
    attack_generations: u32,
    /// Largest coalition of labs deviating together in each attack.
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
struct DesignOutput<'a> {
    protocol: String,
    world: String,
    #[serde(flatten)]
    design: &'a ProtocolDesign,
}

fn path_of(name: &str) -> Result<String> {
    if !name.contains(':') {
        return Ok(name.trim().to_string());
    }
    match parse_target(name.trim())? {
        (Target::Protocol, path) => Ok(path),
        (Target::World, _) => bail!(
            "{name:?}: only the protocol's parameters can be chosen; vary the world with `accord sweep`"
        ),
    }
}

fn parameters(args: &DesignArgs, protocol: &accord_core::Protocol) -> Result<Vec<Parameter>> {
    let mut costs: Vec<(String, f64)> = Vec::new();
    for text in &args.costs {
        let usage =
            || format!("--cost {text:?}: expected PATH=WEIGHT, e.g. monitoring.monitors=10");
        let (name, weight) = text.split_once('=').with_context(usage)?;
        let weight: f64 = weight.trim().parse().with_context(usage)?;
        costs.push((path_of(name)?, weight));
    }
    let ranges = args
        .params
        .iter()
        .map(|text| protocol_range(text, protocol))
        .collect::<Result<Vec<_>>>()?;
    Ok(Parameter::with_costs(protocol, &ranges, &costs)?)
}

/// A `--param [protocol:]PATH=LOW:HIGH` option: the protocol path and its range.
pub(crate) fn protocol_range(
    text: &str,
    protocol: &accord_core::Protocol,
) -> Result<(String, f64, f64)> {
    let usage =
        || format!("--param {text:?}: expected PATH=LOW:HIGH, e.g. monitoring.monitors=1:6");
    let (name, range) = text.split_once('=').with_context(usage)?;
    let (low, high) = range.split_once(':').with_context(usage)?;
    let path = path_of(name)?;
    warn_if_switched_off(protocol, &path);
    Ok((
        path,
        low.trim().parse().with_context(usage)?,
        high.trim().parse().with_context(usage)?,
    ))
}

/// Runs the search.
pub fn run(args: &DesignArgs) -> Result<()> {
    let (protocol_name, protocol) = protocol_or_default(args.protocol.as_deref())?;
    let (world_name, world) = world_or_default(args.world.as_deref())?;
    let goal: Goal = args.goal.parse().context("--goal")?;
    let parameters = parameters(args, &protocol)?;
    let plan = DesignPlan {
        candidates: args.candidates,
        replicates: args.replicates,
        generations: args.generations,
        seed: args.seed,
        attack: (args.attacks > 0).then_some(AttackPlan {
            replicates: args.attack_replicates,
            generations: args.attack_generations,
            max_coalition: args.coalition,
            seed: args.seed,
        }),
        max_attacks: args.attacks,
    };
    let spinner = progress::spinner("searching protocols");
    let design = search(&world, &protocol, &parameters, goal, &plan);
    spinner.finish_and_clear();
    let design = design?;
    if args.json {
        return print_json(&DesignOutput {
            protocol: protocol_name,
            world: world_name,
            design: &design,
        });
    }
    print(&design, &protocol_name, &world_name);
    Ok(())
}

fn print(design: &ProtocolDesign, protocol: &str, world: &str) {
    println!(
        "{protocol} in {world}: {} candidates × {} replicates, goal {}",
        design.candidates.len(),
        design.replicates,
        design.goal
    );
    if let Some(first) = design.invalid.first() {
        println!(
            "  {} other candidates are not valid protocols and were not run; the first: {}",
            design.invalid.len(),
            first.reason
        );
    }
    let names: Vec<&str> = design.parameters.iter().map(|p| p.path.as_str()).collect();
    let setting = |values: &[f64]| -> String {
        names
            .iter()
            .zip(values)
            .map(|(name, v)| format!("{name} = {}", number(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match design.design {
        Some(k) => {
            let chosen = &design.candidates[k];
            println!("design: {}", setting(&chosen.values));
            println!(
                "  cost {}, {} {}",
                number(chosen.cost),
                design.goal.outcome_name(),
                estimate_number(&chosen.outcome)
            );
            if let Some(s) = &chosen.stability {
                println!(
                    "  stable: the best deviation ({}) gains {}",
                    s.deviation,
                    estimate_number(&s.exploitability)
                );
            }
        }
        None => println!("no design found"),
    }
    for reason in &design.binding {
        println!("  binding: {reason}");
    }
    println!(
        "\nPareto front (cost against {}):",
        design.goal.outcome_name()
    );
    for c in design.candidates.iter().filter(|c| c.pareto) {
        let stability = match &c.stability {
            Some(s) if s.stable => "; stable".to_string(),
            Some(s) => format!(
                "; not shown stable: {} gains {}",
                s.deviation,
                estimate_number(&s.exploitability)
            ),
            None => String::new(),
        };
        println!(
            "  cost {:>10}  {}  {}{}{}",
            number(c.cost),
            estimate_number(&c.outcome),
            setting(&c.values),
            if c.meets_goal { "; meets the goal" } else { "" },
            stability
        );
    }
}
