//! Nash-equilibrium enumeration against nashpy: support and vertex
//! enumeration on 100 random 4 × 4 and 20 random 6 × 6 bimatrix games, the
//! same games `bench/nashpy_bench.py` solves (both generate them with the
//! SplitMix64 recipe below and compare a checksum).

use crate::machine::{Machine, median_seconds};
use accord_games::GameError;
use accord_games::equilibrium::{Bimatrix, Equilibrium, support_enumeration, vertex_enumeration};
use anyhow::{Context, Result};
use clap::Args;
use serde_json::Value;
use std::process::Command;

/// Options of the equilibria suite.
#[derive(Debug, Args)]
pub struct Options {
    /// Also time nashpy on the same games in the same run (needs `pip install nashpy`).
    #[arg(long)]
    with_nashpy: bool,
    /// Fewer repetitions (Accord and nashpy).
    #[arg(long)]
    quick: bool,
}

/// SplitMix64 (Steele, Lea & Flood 2014), as in `bench/nashpy_bench.py`.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A payoff uniform in `[−10, 10)`.
    fn payoff(&mut self) -> f64 {
        -10.0 + 20.0 * ((self.next() >> 11) as f64 * 2f64.powi(-53))
    }
}

/// A set of games: `count` random `size × size` games from SplitMix64 state
/// `state` (A row-major, then B, game after game), with the sum of all payoffs.
fn random_games(count: usize, size: usize, state: u64) -> (Vec<Bimatrix>, f64) {
    let mut rng = SplitMix64(state);
    let mut checksum = 0.0;
    let games = (0..count)
        .map(|_| {
            let mut matrix = || -> Vec<Vec<f64>> {
                (0..size)
                    .map(|_| {
                        (0..size)
                            .map(|_| {
                                let v = rng.payoff();
                                checksum += v;
                                v
                            })
                            .collect()
                    })
                    .collect()
            };
            let a = matrix();
            let b = matrix();
            Bimatrix::new(a, b).expect("finite payoffs")
        })
        .collect();
    (games, checksum)
}

/// An enumeration method of `accord_games::equilibrium`.
type Method = fn(&Bimatrix) -> Result<Vec<Equilibrium>, GameError>;

struct Row {
    key: String,
    description: String,
    equilibria: usize,
    seconds: f64,
}

fn run_nashpy(quick: bool) -> Result<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/nashpy_bench.py");
    let mut command = Command::new("python3");
    command.arg(script);
    if quick {
        command.arg("--quick");
    }
    eprintln!("timing nashpy (python3 {script}) …");
    let output = command
        .output()
        .context("running python3 bench/nashpy_bench.py")?;
    anyhow::ensure!(
        output.status.success(),
        "nashpy benchmark failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).context("parsing the nashpy benchmark output")
}

/// Runs the suite.
pub fn run(options: &Options) -> Result<()> {
    let machine = Machine::current();
    let mut rows = Vec::new();
    let mut checksums = Vec::new();
    for (name, count, size, state) in [("4x4", 100, 4, 1), ("6x6", 20, 6, 2)] {
        let (games, checksum) = random_games(count, size, state);
        checksums.push((name, checksum));
        let reps = match (options.quick, size) {
            (true, _) => 3,
            (false, 4) => 50,
            (false, _) => 20,
        };
        for (method, label, solve) in [
            (
                "support",
                "support enumeration",
                support_enumeration as Method,
            ),
            ("vertex", "vertex enumeration", vertex_enumeration as Method),
        ] {
            let mut equilibria = 0;
            for game in &games {
                equilibria += solve(game)?.len();
            }
            let seconds = median_seconds(reps, || {
                games
                    .iter()
                    .map(|g| solve(g).expect("within the size limit").len())
                    .sum::<usize>()
            });
            rows.push(Row {
                key: format!("{method}_{name}"),
                description: format!("{label}, {count} random {size} × {size} games, 1 thread"),
                equilibria,
                seconds,
            });
        }
    }
    let nashpy = if options.with_nashpy {
        let value = run_nashpy(options.quick)?;
        for (name, checksum) in &checksums {
            let theirs = value["checksums"][name].as_f64().unwrap_or(f64::NAN);
            anyhow::ensure!(
                (theirs - checksum).abs() <= 1e-9 * checksum.abs().max(1.0),
                "the nashpy script generated different {name} games (checksum {theirs} vs {checksum})"
            );
        }
        Some(value)
    } else {
        None
    };

    println!(
        "machine: {} ({} logical cores, {})\n",
        machine.cpu, machine.cores, machine.os
    );
    println!("| workload | equilibria found (Accord / nashpy) | Accord | nashpy | speed-up |");
    println!("|---|---|---|---|---|");
    for row in &rows {
        let peer = nashpy.as_ref().map(|v| &v["workloads"][row.key.as_str()]);
        match peer.and_then(|p| Some((p["median_s"].as_f64()?, p["equilibria"].as_u64()?))) {
            Some((seconds, found)) => println!(
                "| {} | {} / {found} | {:.6} s | {seconds:.3} s | {:.0}× |",
                row.description,
                row.equilibria,
                row.seconds,
                seconds / row.seconds
            ),
            None => println!(
                "| {} | {} / – | {:.6} s | – | – |",
                row.description, row.equilibria, row.seconds
            ),
        }
    }
    if let Some(value) = &nashpy {
        for (name, row) in [("4x4", "vertex_4x4"), ("6x6", "vertex_6x6")] {
            let gambit = &value["workloads"][format!("gambit_{name}").as_str()];
            let accord = rows.iter().find(|r| r.key == row);
            if let (Some(seconds), Some(found), Some(accord)) = (
                gambit["median_s"].as_f64(),
                gambit["equilibria"].as_u64(),
                accord,
            ) {
                println!(
                    "| pygambit enummixed_solve against Accord's vertex enumeration, {name} games | {} / {found} | {:.6} s | {seconds:.3} s | {:.0}× |",
                    accord.equilibria,
                    accord.seconds,
                    seconds / accord.seconds
                );
            }
        }
        let versions = &value["versions"];
        let other: f64 = ["support_4x4", "vertex_4x4", "support_6x6", "vertex_6x6"]
            .iter()
            .filter_map(|k| value["workloads"][k]["machine_load"]["other_processes_cpu_s"].as_f64())
            .sum();
        println!(
            "\nnashpy {} and pygambit {} (Python {}, numpy {}, scipy {}); other processes used {other:.1} CPU-s while nashpy was timed. nashpy's support enumeration drops equilibria whose off-support probabilities come out of numpy.linalg.solve slightly below 0 (e.g. −3e-17), so it finds fewer.",
            versions["nashpy"].as_str().unwrap_or("?"),
            versions["pygambit"].as_str().unwrap_or("not installed"),
            versions["python"].as_str().unwrap_or("?"),
            versions["numpy"].as_str().unwrap_or("?"),
            versions["scipy"].as_str().unwrap_or("?"),
        );
    }
    Ok(())
}
