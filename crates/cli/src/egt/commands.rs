//! The single-point analyses of `accord egt`.

use super::setup::{Header, Setup};
use super::{ChainArgs, Common, FixationArgs, GradientArgs, McArgs, McMode, ReplicatorArgs};
use crate::output::{number, print_json, setting};
use crate::progress;
use crate::shards::{self, DEFAULT_SHARD_FOLDER};
use crate::simulation::Inputs;
use accord_dynamics::monte_carlo::{
    FixationEstimate, MIXING_LIMIT, StationaryEstimate, StationarySettings,
};
use accord_dynamics::replicator::{self, RestPoint};
use accord_dynamics::{FullChainOptions, GradientPoint, PairwiseComparison};
use accord_games::models;
use accord_seed::Shard;
use accord_sim::shard::{CommandJob, Job, ShardHeader};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::PathBuf;

pub fn models() -> Result<()> {
    for model in models::catalog() {
        println!("{}  —  {}", model.name, model.title);
        println!("  source: {}", model.citation);
        println!(
            "  defaults for figures: Z = {}, β = {}",
            model.figure_population, model.figure_beta
        );
        for p in model.parameters {
            let assignment = format!("{}={}", p.name, p.default);
            println!("  --set {assignment:<14} {}", p.description);
        }
        println!();
    }
    Ok(())
}

fn open(common: &Common) -> Result<Setup> {
    Setup::new(&common.game, &common.population)
}

fn process(setup: &Setup) -> Result<PairwiseComparison<'_>> {
    Ok(PairwiseComparison::new(
        &setup.game,
        setup.population,
        setup.beta,
    )?)
}

#[derive(Serialize)]
struct SmlOutput<'a> {
    #[serde(flatten)]
    header: Header,
    /// `fixation[invader][resident]`.
    fixation: &'a [Vec<f64>],
    /// `ln fixation`, exact where `fixation` underflows to 0 (diagonal null).
    log_fixation: &'a [Vec<f64>],
    transition: &'a [Vec<f64>],
    log_transition: &'a [Vec<f64>],
    transition_convention: &'static str,
    stationary: &'a [f64],
    log_stationary: &'a [f64],
    /// `‖πT − π‖∞` of the stationary distribution printed.
    residual: f64,
    /// Largest `|ln inflow − ln outflow|` over the states.
    log_balance_error: f64,
}

/// A probability as a number, or as `exp(x)` once it underflows `f64`.
fn probability(p: f64, log_p: f64) -> String {
    if p > 0.0 || log_p == f64::NEG_INFINITY {
        number(p)
    } else {
        // One decimal where it shows; huge logarithms as they are (×10 could overflow).
        let shown = if log_p.abs() < 1e15 {
            (log_p * 10.0).round() / 10.0
        } else {
            log_p
        };
        format!("exp({})", setting(shown))
    }
}

pub fn sml(args: &Common) -> Result<()> {
    let setup = open(args)?;
    let result = process(&setup)?.small_mutation_limit()?;
    if args.json {
        return print_json(&SmlOutput {
            header: setup.header(),
            fixation: &result.fixation,
            log_fixation: &result.log_fixation,
            transition: &result.transition,
            log_transition: &result.log_transition,
            transition_convention: "row-stochastic: transition[from][to]; fixation[invader][resident]",
            stationary: &result.stationary,
            log_stationary: &result.log_stationary,
            residual: result.residual,
            log_balance_error: result.log_balance_error,
        });
    }
    let names = setup.game.strategies();
    println!("{}", setup.describe());
    println!("\nstationary distribution (small-mutation limit):");
    for ((name, p), log_p) in names
        .iter()
        .zip(&result.stationary)
        .zip(&result.log_stationary)
    {
        println!("  {name:<8} {}", probability(*p, *log_p));
    }
    println!(
        "  (checked: ‖πT − π‖∞ = {:.1e}, largest log imbalance {:.1e})",
        result.residual, result.log_balance_error
    );
    println!(
        "\nfixation probability of one row mutant in a population of the column (neutral 1/Z = {}):",
        number(1.0 / setup.population as f64)
    );
    print!("  {:<8}", "");
    for name in names {
        print!(" {name:>12}");
    }
    println!();
    for (i, name) in names.iter().enumerate() {
        print!("  {name:<8}");
        for j in 0..names.len() {
            if i == j {
                print!(" {:>12}", "-")
            } else {
                print!(
                    " {:>12}",
                    probability(result.fixation[i][j], result.log_fixation[i][j])
                )
            }
        }
        println!();
    }
    Ok(())
}

/// Chains above this many states get a warning with their size before the solve.
const LARGE_CHAIN_STATES: usize = 200_000;

/// Build-and-solve time per state measured on 501,501 states (BENCHMARKS.md), a lower bound for larger chains.
const SECONDS_PER_STATE: f64 = 9.2 / 501_501.0;

#[derive(Serialize)]
struct ChainOutput<'a> {
    #[serde(flatten)]
    header: Header,
    mutation: f64,
    state_count: usize,
    /// Compositions in EGTtools' order, aligned with `stationary`.
    states: Vec<Vec<usize>>,
    stationary: &'a [f64],
    strategy_frequencies: &'a [f64],
    residual: f64,
    /// `banded_gth` (accurate state by state) or `sparse_lu` (large chains).
    method: accord_dynamics::ChainSolver,
}

pub fn chain(args: &ChainArgs) -> Result<()> {
    let setup = open(&args.common)?;
    let process = process(&setup)?;
    let states = process.state_count()?;
    if states > LARGE_CHAIN_STATES && states <= args.max_states {
        // The transitions alone: one (target, probability) pair per move out of each state.
        let n = setup.game.strategy_count();
        let gib = (states * (24 + 16 * n * (n - 1))) as f64 / f64::from(1u32 << 30);
        // BENCHMARKS.md: 501,501 states in about 9 s on 2 cores; the sparse LU grows faster than linearly.
        let seconds = states as f64 * SECONDS_PER_STATE;
        eprintln!(
            "the full chain has {states} states: expect at least {seconds:.0} s on 2 cores and {gib:.1} GiB for the transitions alone (lower -Z, or use `accord egt sml` for rare mutations)"
        );
    }
    let spinner = progress::spinner(&format!("solving the {states}-state chain"));
    let options = FullChainOptions {
        mutation: args.mutation,
        max_states: args.max_states,
    };
    let result = process.full_chain(options);
    spinner.finish_and_clear();
    let result = result?;
    if let Some(path) = &args.states_out {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        writeln!(file, "{},probability", setup.game.strategies().join(","))?;
        for (index, p) in result.stationary.iter().enumerate() {
            let state: Vec<String> = result
                .state(index)
                .iter()
                .map(ToString::to_string)
                .collect();
            writeln!(file, "{},{p:e}", state.join(","))?;
        }
        file.flush()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.common.json {
        return print_json(&ChainOutput {
            header: setup.header(),
            mutation: args.mutation,
            state_count: result.stationary.len(),
            states: (0..result.stationary.len())
                .map(|i| result.state(i))
                .collect(),
            stationary: &result.stationary,
            strategy_frequencies: &result.strategy_frequencies,
            residual: result.residual,
            method: result.method,
        });
    }
    println!("{}  μ={}", setup.describe(), args.mutation);
    println!(
        "{} states; residual max|π(I−P)| = {:.2e}; {}",
        result.stationary.len(),
        result.residual,
        match result.method {
            accord_dynamics::ChainSolver::BandedGth =>
                "solved by GTH state reduction (accurate state by state)",
            accord_dynamics::ChainSolver::SparseLu =>
                "solved by sparse LU (too large for GTH): several stable states joined only through improbable states may be weighted wrongly; compare a smaller Z",
        }
    );
    println!("\nlong-run mean frequency of each strategy:");
    for (name, f) in setup
        .game
        .strategies()
        .iter()
        .zip(&result.strategy_frequencies)
    {
        println!("  {name:<8} {}", number(*f));
    }
    let mut order: Vec<usize> = (0..result.stationary.len()).collect();
    order.sort_by(|&a, &b| result.stationary[b].total_cmp(&result.stationary[a]));
    println!(
        "\nmost likely states (counts of {}):",
        setup.game.strategies().join(", ")
    );
    for &index in order.iter().take(5) {
        println!(
            "  {:?}  {}",
            result.state(index),
            number(result.stationary[index])
        );
    }
    Ok(())
}

#[derive(Serialize)]
struct FixationPairOutput {
    #[serde(flatten)]
    header: Header,
    invader: String,
    resident: String,
    fixation: f64,
    log_fixation: f64,
    neutral: f64,
}

#[derive(Serialize)]
struct FixationMatrixOutput {
    #[serde(flatten)]
    header: Header,
    /// `fixation[invader][resident]`, diagonal 0.
    fixation: Vec<Vec<f64>>,
    /// `ln fixation`, exact where `fixation` underflows to 0 (diagonal null).
    log_fixation: Vec<Vec<f64>>,
    neutral: f64,
}

pub fn fixation(args: &FixationArgs) -> Result<()> {
    let setup = open(&args.common)?;
    let process = process(&setup)?;
    let neutral = 1.0 / setup.population as f64;
    if let (Some(invader), Some(resident)) = (&args.invader, &args.resident) {
        let (i, r) = (setup.strategy(invader)?, setup.strategy(resident)?);
        let log_fixation = process.log_fixation_probability(i, r)?;
        if args.common.json {
            return print_json(&FixationPairOutput {
                header: setup.header(),
                invader: invader.clone(),
                resident: resident.clone(),
                fixation: log_fixation.exp(),
                log_fixation,
                neutral,
            });
        }
        println!("{}", setup.describe());
        println!(
            "ρ({invader} invades {resident}) = {}  (ln ρ = {log_fixation:.6}; neutral 1/Z = {})",
            number(log_fixation.exp()),
            number(neutral)
        );
        return Ok(());
    }
    let log_fixation = process.log_fixation_matrix()?;
    let fixation: Vec<Vec<f64>> = log_fixation
        .iter()
        .map(|row| row.iter().map(|x| x.exp()).collect())
        .collect();
    if args.common.json {
        return print_json(&FixationMatrixOutput {
            header: setup.header(),
            fixation,
            log_fixation,
            neutral,
        });
    }
    println!("{}", setup.describe());
    let names = setup.game.strategies();
    for (i, invader) in names.iter().enumerate() {
        for (j, resident) in names.iter().enumerate().filter(|&(j, _)| j != i) {
            println!(
                "  ρ({invader} invades {resident}) = {}",
                probability(fixation[i][j], log_fixation[i][j])
            );
        }
    }
    println!("  neutral 1/Z = {}", number(neutral));
    Ok(())
}

#[derive(Serialize)]
struct GradientOutput {
    #[serde(flatten)]
    header: Header,
    strategy: String,
    against: String,
    mutation: f64,
    k: Vec<usize>,
    frequency: Vec<f64>,
    gradient: Vec<f64>,
    t_plus: Vec<f64>,
    t_minus: Vec<f64>,
}

#[derive(Serialize)]
struct SimplexOutput {
    #[serde(flatten)]
    header: Header,
    mutation: f64,
    states: Vec<Vec<usize>>,
    gradient: Vec<Vec<f64>>,
    gradient_convention: &'static str,
    drift: Vec<Vec<f64>>,
}

pub fn gradient(args: &GradientArgs) -> Result<()> {
    let setup = open(&args.common)?;
    let process = process(&setup)?;
    if args.simplex {
        let result =
            process.simplex_gradient(args.mutation, FullChainOptions::DEFAULT_MAX_STATES)?;
        if args.common.json {
            return print_json(&SimplexOutput {
                header: setup.header(),
                mutation: args.mutation,
                states: result.states,
                gradient: result.gradient,
                gradient_convention: "EGTtools: g_i = (2/n) Σ_j k_i k_j/(Z(Z−1)) tanh(β/2 (f_i − f_j)), no mutation; drift = expected change of each count per step, mutation included",
                drift: result.drift,
            });
        }
        println!("{}  μ={}", setup.describe(), args.mutation);
        println!("state → expected change of each count per step (drift)");
        for (state, drift) in result.states.iter().zip(&result.drift) {
            let d: Vec<String> = drift.iter().map(|x| format!("{x:+.3e}")).collect();
            println!("  {state:?}  {}", d.join("  "));
        }
        return Ok(());
    }
    let names = setup.game.strategies();
    if names.len() < 2 {
        bail!("the gradient needs at least two strategies");
    }
    let a = args
        .strategy
        .as_deref()
        .map_or(Ok(0), |n| setup.strategy(n))?;
    let b = match args.against.as_deref() {
        Some(n) => setup.strategy(n)?,
        None => usize::from(a == 0),
    };
    let line: Vec<GradientPoint> = process.gradient_two(a, b, args.mutation)?;
    if args.common.json {
        return print_json(&GradientOutput {
            header: setup.header(),
            strategy: names[a].clone(),
            against: names[b].clone(),
            mutation: args.mutation,
            k: line.iter().map(|p| p.k).collect(),
            frequency: line.iter().map(|p| p.frequency).collect(),
            gradient: line.iter().map(|p| p.gradient).collect(),
            t_plus: line.iter().map(|p| p.t_plus).collect(),
            t_minus: line.iter().map(|p| p.t_minus).collect(),
        });
    }
    println!("{}  μ={}", setup.describe(), args.mutation);
    if names.len() > 2 && args.mutation > 0.0 {
        println!(
            "(the process of {} and {} alone: a mutant takes the other of the two with probability μ; --simplex gives the drift among all {} strategies, μ/{} to each other)",
            names[a],
            names[b],
            names.len(),
            names.len() - 1
        );
    }
    println!(
        "{:>6} {:>10} {:>14}   (k = number of {} among {} and {})",
        "k", "k/Z", "g(k)", names[a], names[a], names[b]
    );
    for p in &line {
        println!("{:>6} {:>10.4} {:>+14.6e}", p.k, p.frequency, p.gradient);
    }
    let roots: Vec<String> = line
        .windows(2)
        .filter(|w| {
            w[0].k > 0
                && w[0].gradient.signum() != w[1].gradient.signum()
                && w[1].k < setup.population
        })
        .map(|w| format!("{}–{}", w[0].k, w[1].k))
        .collect();
    if !roots.is_empty() {
        println!(
            "sign changes (interior fixed points) between k = {}",
            roots.join(", ")
        );
    }
    Ok(())
}

#[derive(Serialize)]
struct ReplicatorOutput {
    model: String,
    parameters: serde_json::Map<String, serde_json::Value>,
    strategies: Vec<String>,
    rest_points: Vec<RestPoint>,
    /// The largest faces every point of which is at rest (strategy indices).
    resting_faces: Vec<Vec<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trajectory: Option<Vec<(f64, Vec<f64>)>>,
}

pub fn replicator(args: &ReplicatorArgs) -> Result<()> {
    let population = super::PopulationArgs {
        beta: None,
        population: None,
    };
    let setup = Setup::new(&args.game, &population)?;
    let rest_points = replicator::rest_points(&setup.game)?;
    let resting_faces = replicator::resting_faces(&setup.game);
    let trajectory = match &args.from {
        Some(start) => Some(replicator::trajectory(
            &setup.game,
            start,
            args.time,
            args.step,
        )?),
        None => None,
    };
    if args.json {
        let header = setup.header();
        return print_json(&ReplicatorOutput {
            model: header.model,
            parameters: header.parameters,
            strategies: header.strategies,
            rest_points,
            resting_faces,
            trajectory,
        });
    }
    println!(
        "{} [{}] (infinite population)",
        setup.name,
        setup.game.strategies().join(", ")
    );
    let names = setup.game.strategies();
    for face in &resting_faces {
        let members: Vec<&str> = face.iter().map(|&i| names[i].as_str()).collect();
        println!(
            "every mixture of {} alone is at rest (they earn the same there); the points inside it are not listed below",
            members.join(", ")
        );
    }
    println!("rest points:");
    for point in &rest_points {
        let x: Vec<String> = point
            .frequencies
            .iter()
            .map(|v| format!("{v:.6}"))
            .collect();
        let eig: Vec<String> = point
            .eigenvalues
            .iter()
            .map(|(re, im)| {
                if *im == 0.0 {
                    format!("{re:.4}")
                } else {
                    format!("{re:.4}{im:+.4}i")
                }
            })
            .collect();
        println!(
            "  ({})  {:?}  eigenvalues [{}]",
            x.join(", "),
            point.stability,
            eig.join(", ")
        );
    }
    if let Some(path) = trajectory {
        let stride = (path.len() / 20).max(1);
        println!("trajectory:");
        let last = path.len() - 1;
        let shown = (0..last).step_by(stride).chain([last]);
        for (t, x) in shown.map(|k| &path[k]) {
            let x: Vec<String> = x.iter().map(|v| format!("{v:.4}")).collect();
            println!("  t={t:<10.3} ({})", x.join(", "));
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct McOutput<T: Serialize> {
    #[serde(flatten)]
    header: Header,
    mode: &'static str,
    seed: u64,
    #[serde(flatten)]
    estimate: T,
}

/// Every run of a Monte Carlo estimate in run order, or `None` when this
/// process only computed and wrote its shard. `compute` simulates the runs
/// with the given indices.
fn mc_runs<R: Serialize + DeserializeOwned>(
    args: &McArgs,
    inputs: &Inputs,
    recorded: Option<&[(String, String)]>,
    message: &str,
    compute: impl FnOnce(Vec<u64>) -> Result<Vec<R>, accord_dynamics::DynamicsError>,
) -> Result<Option<Vec<R>>> {
    if let Some(files) = recorded {
        let runs: Vec<R> = shards::recorded_runs(files)?;
        if runs.len() as u64 != args.runs {
            bail!(
                "the shards hold {} runs; this estimate makes {}",
                runs.len(),
                args.runs
            );
        }
        return Ok(Some(runs));
    }
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let indices: Vec<u64> = shard.runs(args.runs).collect();
    let spinner = progress::spinner(message);
    let runs = compute(indices.clone());
    spinner.finish_and_clear();
    let runs = runs?;
    let Some(shard) = args.shard else {
        return Ok(Some(runs));
    };
    let job = Job::EgtMc(CommandJob {
        arguments: serde_json::to_value(args)?,
        inputs: inputs.entries(),
    });
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SHARD_FOLDER));
    let header = ShardHeader::new(job, shard, args.runs);
    shards::write(&folder, header, indices.into_iter().zip(runs).collect())?;
    Ok(None)
}

pub fn mc(args: &McArgs) -> Result<()> {
    let inputs = Inputs::Disk.snapshot(args.common.game.game.iter())?;
    mc_with(args, &inputs, None)
}

/// Prints the estimate of `args` from its shard files (`accord merge`).
pub fn mc_merged(args: &McArgs, inputs: &Inputs, files: &[(String, String)]) -> Result<()> {
    mc_with(args, inputs, Some(files))
}

fn mc_with(args: &McArgs, inputs: &Inputs, recorded: Option<&[(String, String)]>) -> Result<()> {
    let setup = Setup::with_inputs(&args.common.game, &args.common.population, inputs)?;
    let process = process(&setup)?;
    match args.mode {
        McMode::Fixation => {
            let invader = args
                .invader
                .as_deref()
                .map_or(Ok(0), |n| setup.strategy(n))?;
            let resident = match args.resident.as_deref() {
                Some(n) => setup.strategy(n)?,
                None => usize::from(invader == 0),
            };
            let message = format!("simulating {} fixation runs", args.runs);
            let Some(runs) = mc_runs(args, inputs, recorded, &message, |indices| {
                process.fixation_runs(invader, resident, indices, args.steps, args.seed)
            })?
            else {
                return Ok(());
            };
            let estimate = FixationEstimate::of(&runs, args.steps)?;
            let exact = process.fixation_probability(invader, resident)?;
            if args.common.json {
                #[derive(Serialize)]
                struct Fixation {
                    invader: String,
                    resident: String,
                    fixation: accord_dynamics::monte_carlo::FixationEstimate,
                    exact: f64,
                }
                let names = setup.game.strategies();
                return print_json(&McOutput {
                    header: setup.header(),
                    mode: "fixation",
                    seed: args.seed,
                    estimate: Fixation {
                        invader: names[invader].clone(),
                        resident: names[resident].clone(),
                        fixation: estimate,
                        exact,
                    },
                });
            }
            println!("{}  seed={}", setup.describe(), args.seed);
            println!(
                "ρ estimate = {} ± {} ({} fixations in {} runs); exact = {}",
                number(estimate.probability),
                number(estimate.standard_error),
                estimate.fixations,
                estimate.runs,
                number(exact)
            );
        }
        McMode::Stationary => {
            let settings = StationarySettings {
                mutation: args.mutation,
                runs: args.runs,
                recorded_steps: args.steps,
                transient_steps: args.transient,
                seed: args.seed,
                record_states: false,
            };
            let message = format!("simulating {} runs of {} steps", args.runs, args.steps);
            let Some(runs) = mc_runs(args, inputs, recorded, &message, |indices| {
                process.stationary_runs(&settings, indices)
            })?
            else {
                return Ok(());
            };
            let estimate = StationaryEstimate::of(&settings, &runs);
            if args.common.json {
                #[derive(Serialize)]
                struct Stationary {
                    mutation: f64,
                    stationary: Vec<f64>,
                    standard_errors: Vec<f64>,
                    /// Gelman and Rubin's R̂ per strategy (null with one run).
                    mixing: Option<Vec<f64>>,
                    runs: u64,
                    recorded_steps_per_run: u64,
                    steps: u64,
                }
                return print_json(&McOutput {
                    header: setup.header(),
                    mode: "stationary",
                    seed: args.seed,
                    estimate: Stationary {
                        mutation: args.mutation,
                        stationary: estimate.strategy_frequencies,
                        standard_errors: estimate.standard_errors,
                        mixing: estimate.mixing,
                        runs: estimate.runs,
                        recorded_steps_per_run: estimate.recorded_steps_per_run,
                        steps: estimate.steps,
                    },
                });
            }
            println!(
                "{}  μ={}  seed={}",
                setup.describe(),
                args.mutation,
                args.seed
            );
            println!(
                "time-averaged strategy frequencies over {} runs × {} steps:",
                estimate.runs, estimate.recorded_steps_per_run
            );
            for ((name, f), se) in setup
                .game
                .strategies()
                .iter()
                .zip(&estimate.strategy_frequencies)
                .zip(&estimate.standard_errors)
            {
                if se.is_finite() {
                    println!("  {name:<8} {} ± {}", number(*f), number(*se));
                } else {
                    println!("  {name:<8} {} (one run: no standard error)", number(*f));
                }
            }
            let worst = estimate
                .mixing
                .as_ref()
                .map(|r| r.iter().copied().fold(0.0, f64::max));
            match worst {
                Some(r) if r > MIXING_LIMIT => println!(
                    "warning: the runs have not mixed (Gelman–Rubin R̂ = {}, above {MIXING_LIMIT}): they disagree far more than their own fluctuations allow, as runs trapped near different stable states do, so the ± understates the error; lengthen --transient and --steps (or use `egt chain`)",
                    number(r)
                ),
                Some(r) => println!(
                    "Gelman–Rubin R̂ = {} (at most {MIXING_LIMIT}): the runs agree with each other, though runs that all stayed near one stable state would agree too; where the state space allows, `egt chain` is exact",
                    number(r)
                ),
                None => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underflowing_probabilities_print_their_logarithm_compactly() {
        assert_eq!(probability(0.25, 0.25f64.ln()), "0.250000");
        assert_eq!(probability(0.0, -745.34), "exp(-745.3)");
        assert_eq!(probability(0.0, -4.25e300), "exp(-4.25e300)");
        assert_eq!(probability(0.0, -1.5e308), "exp(-1.5e308)");
        assert_eq!(probability(0.0, f64::NEG_INFINITY), "0.000000");
    }
}
