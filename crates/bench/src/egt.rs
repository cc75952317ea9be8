//! Evolutionary-dynamics workloads, the same as `bench/egttools_bench.py`
//! runs on EGTtools.

use crate::machine::{Machine, median_seconds};
use accord_dynamics::monte_carlo::StationarySettings;
use accord_dynamics::{FullChainOptions, PairwiseComparison};
use accord_games::models::{self, dsair::Dsair};
use accord_games::{Game, MatrixGame};
use anyhow::{Context, Result};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

/// Options of the EGT suite.
#[derive(Debug, Args)]
pub struct Options {
    /// Fewer repetitions.
    #[arg(long)]
    quick: bool,
    /// Also time EGTtools in the same run (needs `pip install egttools`).
    #[arg(long)]
    with_egttools: bool,
    /// Write all figures as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// One measured workload.
#[derive(Debug, Serialize)]
struct Figure {
    workload: &'static str,
    description: &'static str,
    accord_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    accord_rate: Option<f64>,
}

fn rps() -> Game {
    MatrixGame::new(
        vec!["R".into(), "P".into(), "S".into()],
        vec![
            vec![0.0, -1.0, 2.0],
            vec![2.0, 0.0, -1.0],
            vec![-1.0, 2.0, 0.0],
        ],
    )
    .expect("valid game")
    .into()
}

fn dsair_grid() -> Vec<Dsair> {
    let mut grid = Vec::with_capacity(51 * 41);
    for i in 0..51 {
        for j in 0..41 {
            grid.push(Dsair {
                b: 4.0,
                c: 1.0,
                s: 1.0 + 4.0 * i as f64 / 50.0,
                p_r: j as f64 / 40.0,
                prize: 1e4,
                milestone: 100.0,
            });
        }
    }
    grid
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

/// Runs the suite.
pub fn run(options: &Options) -> Result<()> {
    let reps = if options.quick { 3 } else { 10 };
    let game = rps();
    let mut figures = Vec::new();

    let process = PairwiseComparison::new(&game, 100, 1.0)?;
    figures.push(Figure {
        workload: "sml_3x3_Z100",
        description: "small-mutation limit, 3 strategies, Z = 100 (fixation matrix + stationary)",
        accord_seconds: median_seconds(reps * 10, || {
            process.small_mutation_limit().expect("checked")
        }),
        accord_rate: None,
    });
    let chain = |threads: usize| {
        pool(threads).install(|| {
            median_seconds(reps, || {
                process
                    .full_chain(FullChainOptions::with_mutation(0.01))
                    .expect("solvable")
            })
        })
    };
    figures.push(Figure {
        workload: "full_chain_3x3_Z100",
        description: "full chain with mutation μ = 0.01, 3 strategies, Z = 100 (5151 states), build + sparse solve, 1 thread",
        accord_seconds: chain(1),
        accord_rate: None,
    });
    let grid = dsair_grid();
    let sweep = |threads: usize| {
        pool(threads).install(|| {
            median_seconds(reps, || {
                grid.par_iter()
                    .map(|model| {
                        let game: Game = model.game().expect("finite").into();
                        PairwiseComparison::new(&game, 100, 0.01)
                            .expect("valid")
                            .small_mutation_limit()
                            .expect("checked")
                            .stationary[0]
                    })
                    .sum::<f64>()
            })
        })
    };
    figures.push(Figure {
        workload: "dsair_grid_51x41",
        description: "DSAIR 51 × 41 grid of small-mutation-limit analyses, Z = 100, 1 thread",
        accord_seconds: sweep(1),
        accord_rate: None,
    });
    figures.push(Figure {
        workload: "dsair_grid_51x41_2_threads",
        description: "the same grid on 2 threads",
        accord_seconds: sweep(2),
        accord_rate: None,
    });

    let settings = StationarySettings {
        mutation: 0.01,
        runs: 8,
        recorded_steps: 1_000_000,
        transient_steps: 1_000,
        seed: 1,
        record_states: false,
    };
    let steps = (settings.runs * (settings.recorded_steps + settings.transient_steps)) as f64;
    for (threads, workload, description) in [
        (
            1,
            "mc_steps_1_thread",
            "Monte Carlo, 3 strategies, Z = 100, μ = 0.01: 8 runs × 10⁶ steps, 1 thread",
        ),
        (2, "mc_steps", "the same on 2 threads"),
    ] {
        let seconds = pool(threads).install(|| {
            median_seconds(reps.min(3), || {
                process.simulate_stationary(settings).expect("valid")
            })
        });
        figures.push(Figure {
            workload,
            description,
            accord_seconds: seconds,
            accord_rate: Some(steps / seconds),
        });
    }

    let big = models::find("dsair-ps")?;
    let big_game = big.build(&big.defaults())?;
    let big_process = PairwiseComparison::new(&big_game, 1000, 0.01)?;
    figures.push(Figure {
        workload: "full_chain_3x3_Z1000",
        description: "full chain, dsair-ps defaults, Z = 1000 (501 501 states), β = 0.01, μ = 0.001",
        accord_seconds: median_seconds(1, || big_process.full_chain(FullChainOptions::with_mutation(0.001)).expect("solvable")),
        accord_rate: None,
    });

    let strong = strong_selection(reps)?;

    let machine = Machine::current();
    let egttools = if options.with_egttools {
        Some(run_egttools(options.quick)?)
    } else {
        None
    };
    print_table(&machine, &figures, egttools.as_ref());
    println!(
        "\nstrong selection (dsair-ps defaults, Z = 100, β = 1): small-mutation limit {:.6} s, full chain with μ = {:e} {:.6} s; largest difference between the SML distribution and the chain's strategy frequencies {:.1e} (O(μ·Z) expected)",
        strong.sml_seconds, strong.mutation, strong.chain_seconds, strong.largest_difference
    );
    if let Some(path) = &options.out {
        let report = json!({ "machine": machine, "accord": figures, "strong_selection": strong, "egttools": egttools });
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The log-space small-mutation limit against the full chain with rare
/// mutation, where selection is strong enough that fixation probabilities
/// underflow `f64`.
#[derive(Debug, Serialize)]
struct StrongSelection {
    sml_seconds: f64,
    chain_seconds: f64,
    mutation: f64,
    largest_difference: f64,
}

fn strong_selection(reps: usize) -> Result<StrongSelection> {
    let model = models::find("dsair-ps")?;
    let game = model.build(&model.defaults())?;
    let process = PairwiseComparison::new(&game, 100, 1.0)?;
    let mutation = 1e-6;
    let sml = process.small_mutation_limit()?;
    let chain = process.full_chain(FullChainOptions::with_mutation(mutation))?;
    let largest_difference = sml
        .stationary
        .iter()
        .zip(&chain.strategy_frequencies)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    Ok(StrongSelection {
        sml_seconds: median_seconds(reps * 10, || {
            process.small_mutation_limit().expect("checked")
        }),
        chain_seconds: median_seconds(reps, || {
            process
                .full_chain(FullChainOptions::with_mutation(mutation))
                .expect("checked")
        }),
        mutation,
        largest_difference,
    })
}

fn run_egttools(quick: bool) -> Result<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/egttools_bench.py");
    let mut command = Command::new("python3");
    command.arg(script);
    if quick {
        command.arg("--quick");
    }
    eprintln!("timing EGTtools (python3 {script}) …");
    let output = command
        .output()
        .context("running python3 bench/egttools_bench.py")?;
    if !output.status.success() {
        anyhow::bail!(
            "EGTtools benchmark failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_slice(&output.stdout).context("parsing the EGTtools benchmark output")
}

/// Seconds EGTtools took for `workload`, from the Python script's JSON
/// (`threads`: the 1-thread measurement when the script made one).
fn egttools_seconds(egttools: &Value, workload: &str, threads: Option<u64>) -> Option<f64> {
    let entry = &egttools["workloads"][workload];
    let entry = match threads {
        Some(1) if entry.get("omp_1_thread").is_some() => &entry["omp_1_thread"],
        Some(2) if entry.get("omp_2_threads").is_some() => &entry["omp_2_threads"],
        _ => entry,
    };
    entry["median_s"].as_f64()
}

fn print_table(machine: &Machine, figures: &[Figure], egttools: Option<&Value>) {
    println!(
        "machine: {} ({} logical cores, {})\n",
        machine.cpu, machine.cores, machine.os
    );
    println!("| workload | Accord | EGTtools | speed-up |");
    println!("|---|---|---|---|");
    for figure in figures {
        let accord = match figure.accord_rate {
            Some(rate) => format!("{:.3} s ({:.2e} steps/s)", figure.accord_seconds, rate),
            None => format!("{:.6} s", figure.accord_seconds),
        };
        let peer = egttools.and_then(|e| match figure.workload {
            "sml_3x3_Z100" => egttools_seconds(e, "sml_3x3_Z100", Some(1)),
            "full_chain_3x3_Z100" => egttools_seconds(e, "full_chain_3x3_Z100", None),
            "dsair_grid_51x41" => egttools_seconds(e, "dsair_grid_51x41", Some(1)),
            "dsair_grid_51x41_2_threads" => egttools_seconds(e, "dsair_grid_51x41", None),
            "mc_steps_1_thread" => egttools_seconds(e, "mc_steps", Some(1)),
            "mc_steps" => egttools_seconds(e, "mc_steps", Some(2)),
            _ => None,
        });
        match peer {
            Some(seconds) => println!(
                "| {} | {accord} | {seconds:.6} s | {:.0}× |",
                figure.description,
                seconds / figure.accord_seconds
            ),
            None => println!("| {} | {accord} | – | – |", figure.description),
        }
    }
    if let Some(e) = egttools {
        let sparse = &e["workloads"]["full_chain_3x3_Z100_scipy_sparse"];
        if let (Some(solve), Some(both)) = (
            sparse["solve"]["median_s"].as_f64(),
            sparse["build_and_solve"]["median_s"].as_f64(),
        ) {
            let accord = figures
                .iter()
                .find(|f| f.workload == "full_chain_3x3_Z100")
                .map_or(f64::NAN, |f| f.accord_seconds);
            println!(
                "\nscipy sparse LU on EGTtools' Z = 100 chain matrix: solve {solve:.6} s, build + solve {both:.6} s; Accord (build + solve) is {:.1}× faster than build + solve",
                both / accord
            );
        }
    }
}
