//! `accord lobby`: the value of each protocol parameter a regulator lobbied
//! by powerful labs would choose (Grossman and Helpman 1994), and what it
//! costs the protocol (`accord_sim::lobbying`).

use crate::design::protocol_range;
use crate::output::{estimate_text, print_json};
use crate::progress;
use crate::simulation::{generations_range, protocol_or_default, world_or_default};
use accord_sim::lobbying::{LobbyPlan, ParameterLobbying, lobby_members, lobbying};
use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// `accord lobby`.
#[derive(Debug, Args)]
pub struct LobbyArgs {
    /// Protocol file (default: the shipped global protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// A protocol parameter the lobby may move and its range, repeatable:
    /// PATH=LOW:HIGH, e.g. compute.covered_fraction=0:1. Each is lobbied on
    /// its own, the others at the protocol's values.
    #[arg(long = "param", value_name = "PATH=LOW:HIGH", required = true)]
    params: Vec<String>,
    /// A lab type in the lobby, by name, repeatable (default: the types
    /// whose `supports_safety` is false).
    #[arg(long = "lobby", value_name = "TYPE")]
    lobby: Vec<String>,
    /// Weight `a` the regulator puts on welfare against contributions,
    /// repeatable; `inf` for welfare alone.
    #[arg(long = "welfare-weight", value_name = "A", default_values_t = [0.0, 1.0, 10.0, f64::INFINITY])]
    welfare_weights: Vec<f64>,
    /// Grid points per parameter (every whole value when a whole-number
    /// range holds at most this many).
    #[arg(long, default_value_t = 9)]
    points: usize,
    /// Replicates per grid point.
    #[arg(long, default_value_t = 8)]
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
struct LobbyOutput<'a> {
    protocol: String,
    world: String,
    lobby: Vec<&'a str>,
    replicates: u64,
    parameters: &'a [ParameterLobbying],
}

/// Runs the analysis.
pub fn run(args: &LobbyArgs) -> Result<()> {
    let (protocol_name, protocol) = protocol_or_default(args.protocol.as_deref())?;
    let (world_name, world) = world_or_default(args.world.as_deref())?;
    let ranges = args
        .params
        .iter()
        .map(|text| protocol_range(text, &protocol))
        .collect::<Result<Vec<_>>>()?;
    let lobby =
        lobby_members(&world, &args.lobby).with_context(|| format!("--lobby in {world_name}"))?;
    let plan = LobbyPlan {
        lobby: lobby.clone(),
        welfare_weights: args.welfare_weights.clone(),
        points: args.points,
        replicates: args.replicates,
        generations: args.generations,
        seed: args.seed,
    };
    let spinner = progress::spinner("lobbying");
    let analysis = lobbying(&world, &protocol, &ranges, &plan)?;
    spinner.finish_and_clear();
    let output = LobbyOutput {
        protocol: protocol_name,
        world: world_name,
        lobby: lobby.iter().map(|&k| world.lab[k].name.as_str()).collect(),
        replicates: args.replicates,
        parameters: &analysis,
    };
    if args.json {
        return print_json(&output);
    }
    println!(
        "{} in {}: lobby {}, {} replicates per value; the regulator maximises G + a·W (Grossman–Helpman)",
        output.protocol,
        output.world,
        output.lobby.join(" + "),
        args.replicates
    );
    for parameter in &analysis {
        println!(
            "\n{} (protocol: {}), range {}:{}",
            parameter.path,
            value(parameter.status_quo),
            value(parameter.range.low),
            value(parameter.range.high)
        );
        println!(
            "  {:>10}  {:>24}  {:>24}  {:>24}",
            "value", "lobby payoff G", "welfare W", "cooperation"
        );
        for (k, point) in parameter.points.iter().enumerate() {
            let mark = if k == parameter.status_quo_point {
                " ← protocol"
            } else {
                ""
            };
            println!(
                "  {:>10}  {:>24}  {:>24}  {:>24}{mark}",
                value(point.value),
                estimate_text(&point.lobby_payoff, 3),
                estimate_text(&point.welfare, 3),
                estimate_text(&point.cooperation, 3)
            );
        }
        if let Some(first) = parameter.refused.first() {
            println!(
                "  {} value(s) not valid protocols, not run; the first: {}",
                parameter.refused.len(),
                first.reason
            );
        }
        for choice in &parameter.choices {
            let chosen = &parameter.points[choice.point];
            let quo = &parameter.points[parameter.status_quo_point];
            println!(
                "  a = {:<4} chooses {}: cooperation {:.3} (at the protocol's value: {:.3})",
                choice.welfare_weight,
                value(choice.value),
                chosen.cooperation.mean,
                quo.cooperation.mean
            );
        }
    }
    Ok(())
}

/// A parameter's value: plain when moderate, in scientific notation when
/// large or small (FLOP thresholds).
fn value(x: f64) -> String {
    if x != 0.0 && !(1e-3..1e6).contains(&x.abs()) {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}
