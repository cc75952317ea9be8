//! The simulator: throughput with every mechanism on, the imitation special
//! case against EGTtools' Monte Carlo, and the default evaluation's wall time.

use crate::machine::Machine;
use accord_sim::{RunOptions, World, run};
use anyhow::{Context, Result};
use clap::Args;
use rayon::prelude::*;
use serde_json::Value;
use std::process::Command;
use std::time::Instant;

/// Options of the simulator suite.
#[derive(Debug, Args)]
pub struct Options {
    /// Runs in the throughput measurement.
    #[arg(long, default_value_t = 16)]
    runs: u64,
    /// Generations (elementary updates) in the special-case measurement.
    #[arg(long, default_value_t = 400_000)]
    updates: u32,
    /// Also time EGTtools' Monte Carlo on the same game in the same run.
    #[arg(long)]
    with_egttools: bool,
    /// Also time `accord evaluate` with its defaults (needs target/release/accord).
    #[arg(long)]
    with_evaluate: bool,
    /// Also time one run of the frontier world scaled to 100, 1,000 and
    /// 10,000 labs, every mechanism on, 40 generations.
    #[arg(long)]
    scale: bool,
}

/// Labs of the scaled frontier worlds.
const SCALES: [u32; 3] = [100, 1_000, 10_000];

/// The world with its lab types' counts scaled in proportion to `labs` in all.
fn scaled(world: &World, labs: u32) -> World {
    let total: u32 = world.lab.iter().map(|t| t.count).sum();
    let mut scaled = world.clone();
    let mut assigned = 0;
    let types = scaled.lab.len();
    for (k, lab_type) in scaled.lab.iter_mut().enumerate() {
        lab_type.count = if k + 1 == types {
            labs - assigned
        } else {
            (f64::from(labs) * f64::from(lab_type.count) / f64::from(total)).round() as u32
        };
        assigned += lab_type.count;
    }
    assert_eq!(assigned, labs, "the scaled counts add up");
    scaled
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

/// The imitation special case: 20 labs, pairwise DSAIR races with expected payoffs, no mechanisms.
const SPECIAL_CASE: &str = "[world]\nname = \"special case\"\n[race]\nformat = \"pairwise\"\nmilestone = 4.0\nbenefit = 4.0\nsafety_cost = 1.0\nunsafe_speed = 2.0\ndisaster_probability = 0.75\nprize = 40.0\ncollective_setback = 0.0\nrealisation = \"expected\"\n[learning]\nrule = \"imitation\"\nselection = 0.1\nexploration = 0.01\nrevisions_per_generation = 1\n[[lab]]\nname = \"lab\"\ncount = 20\n";

/// Runs the suite.
pub fn run_suite(options: &Options) -> Result<()> {
    let machine = Machine::current();
    let world = World::parse(accord_cli_defaults::WORLD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let protocol = accord_core::parse_protocol(accord_cli_defaults::PROTOCOL)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "machine: {} ({} logical cores, {})\n",
        machine.cpu, machine.cores, machine.os
    );
    println!("| workload | result |");
    println!("|---|---|");
    for threads in [1, 2] {
        let start = Instant::now();
        let lab_periods: f64 = pool(threads).install(|| {
            (0..options.runs)
                .into_par_iter()
                .map(|k| {
                    run(
                        &world,
                        &protocol,
                        &RunOptions {
                            seed: 1,
                            run_index: k,
                            ..RunOptions::default()
                        },
                    )
                    .lab_periods
                })
                .sum()
        });
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "| every mechanism on (global protocol, frontier world), {} runs, {threads} thread(s) | {:.2e} lab-periods/s ({lab_periods:.0} lab-periods in {seconds:.2} s) |",
            options.runs,
            lab_periods / seconds
        );
    }
    if options.scale {
        for labs in SCALES {
            let world = scaled(&world, labs);
            let start = Instant::now();
            let result = run(
                &world,
                &protocol,
                &RunOptions {
                    seed: 1,
                    ..RunOptions::default()
                },
            );
            let seconds = start.elapsed().as_secs_f64();
            println!(
                "| one run, {labs} labs × {} generations, every mechanism on, 1 thread | {seconds:.2} s; {:.2e} lab-periods/s; {:.0} lab-generations/s |",
                result.generations_run,
                result.lab_periods / seconds,
                f64::from(labs) * f64::from(result.generations_run) / seconds
            );
        }
    }
    let special = World::parse(SPECIAL_CASE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let off = accord_core::parse_protocol("[protocol]\nname = \"none\"\nformat = 1\n")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = Instant::now();
    let result = run(
        &special,
        &off,
        &RunOptions {
            seed: 1,
            generations: Some(options.updates),
            ..RunOptions::default()
        },
    );
    let seconds = start.elapsed().as_secs_f64();
    let rate = f64::from(options.updates) / seconds;
    println!(
        "| imitation special case: 20 labs, pairwise DSAIR races, no mechanisms, 1 thread | {rate:.2e} updates/s ({} updates in {seconds:.2} s; long-run safe share {:.3}) |",
        options.updates, result.cooperation
    );
    if options.with_egttools {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/egttools_bench.py");
        let output = Command::new("python3")
            .env("OMP_NUM_THREADS", "1")
            .args([
                script,
                "--worker",
                "mc_dsair",
                "--reps-mc",
                "1",
                "--mc-generations",
                &options.updates.to_string(),
            ])
            .output()
            .context("running bench/egttools_bench.py")?;
        anyhow::ensure!(
            output.status.success(),
            "EGTtools worker failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let value: Value = serde_json::from_slice(&output.stdout)?;
        let peer = value["steps_per_s"].as_f64().unwrap_or(f64::NAN);
        println!(
            "| EGTtools PairwiseComparisonNumerical on the same game (Z = 20, β = 0.1, μ = 0.01), 1 thread | {peer:.2e} steps/s; Accord/EGTtools = {:.2} |",
            rate / peer
        );
    }
    if options.with_evaluate {
        let binary = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/release/accord");
        let out =
            std::env::temp_dir().join(format!("accord-bench-evaluate-{}", std::process::id()));
        let start = Instant::now();
        let status = Command::new(binary)
            .args(["evaluate", "--out", out.to_str().expect("utf-8 path")])
            .output()
            .with_context(|| {
                format!("running {binary} (build it with cargo build --release -p accord-cli)")
            })?;
        anyhow::ensure!(
            status.status.success(),
            "accord evaluate failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        println!(
            "| `accord evaluate` with its defaults (12 replicates × 32 subsets, partial implementation, individual rationality), 2 threads | {:.1} s |",
            start.elapsed().as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(out);
    }
    Ok(())
}

/// The shipped defaults, embedded as in the `accord` binary.
mod accord_cli_defaults {
    pub const PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
    pub const WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");
}
