//! Simulation runs and evaluations: the same functions `accord simulate`
//! and `accord evaluate` call, on the same embedded defaults. Results go
//! to Python as JSON text (the Python side builds dicts and DataFrames).

use crate::protocol::dated_reports;
use crate::{AccordError, DynamicsError, ProtocolError, WorldError};
use accord_core::early_warning::detect::year_fraction;
use accord_core::{Protocol, parse_protocol};
use accord_dynamics::PairwiseComparison;
use accord_games::Game;
use accord_seed::Shard;
use accord_sim::attack::{AttackPlan, attack as run_attack};
use accord_sim::calibration::{CalibrationSettings, calibrate_speeds, training_runs};
use accord_sim::egta::{EgtaPlan, check_dynamics, estimate};
use accord_sim::evaluation::{
    EvaluationPlan, Progress, Sources, evaluate as run_evaluation, evaluate_recorded, shard_runs,
};
use accord_sim::international::{
    DEFAULT_WORLD as JURISDICTIONS_WORLD, InternationalPlan, compare as compare_jurisdictions,
};
use accord_sim::lobbying::{LobbyPlan, lobby_members, lobbying};
use accord_sim::market::{DEFAULT_MARKET, DEFAULT_MARKET_PROTOCOL, parse_market, run_market};
use accord_sim::precipice::{DEFAULT_RACE, parse_race, run_precipice};
use accord_sim::search::{DesignPlan, Goal, GoalError, Parameter, search};
use accord_sim::shard::{EvaluationJob, Input, Job, ShardFile, ShardHeader, merge, read_header};
use accord_sim::{RunOptions, RunResult, Strategy, World, run};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often an evaluation reports progress to Python.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// An input file from Python: the name its errors and reports give it
/// (the path it was read from, or `<protocol>` and the like for text) and
/// its text.
type Named = (String, String);

fn named_input((source, text): Named) -> Input {
    Input { source, text }
}

/// The protocol given, or the embedded global protocol, kept by value
/// with the source name `accord evaluate` gives it.
fn protocol_input(given: Option<Named>) -> Input {
    given.map_or_else(Input::default_protocol, named_input)
}

/// The world given, or the embedded world of frontier labs.
fn world_input(given: Option<Named>) -> Input {
    given.map_or_else(Input::default_world, named_input)
}

fn protocol_of(given: Option<Named>) -> PyResult<(String, Protocol)> {
    parse_protocol_input(&protocol_input(given))
}

fn parse_protocol_input(input: &Input) -> PyResult<(String, Protocol)> {
    let (source, text) = (input.source.as_str(), input.text.as_str());
    let protocol = parse_protocol(text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        ProtocolError::new_err(format!(
            "{source} is not a valid protocol:\n{}",
            lines.join("\n")
        ))
    })?;
    Ok((source.to_string(), protocol))
}

fn world_of(given: Option<Named>) -> PyResult<(String, World)> {
    parse_world_input(&world_input(given))
}

fn parse_world_input(input: &Input) -> PyResult<(String, World)> {
    let (source, text) = (input.source.as_str(), input.text.as_str());
    let world = World::parse(text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        WorldError::new_err(format!(
            "{source} is not a valid world:\n{}",
            lines.join("\n")
        ))
    })?;
    Ok((source.to_string(), world))
}

/// One run with per-generation and per-lab records, as JSON text:
/// `{"summary": {...}, "generations": [...], "labs": [...]}`.
#[pyfunction]
#[pyo3(signature = (protocol = None, world = None, seed = 1, generations = None))]
fn simulate(
    py: Python<'_>,
    protocol: Option<Named>,
    world: Option<Named>,
    seed: u64,
    generations: Option<u32>,
) -> PyResult<String> {
    check_generations("generations", generations)?;
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (world_source, world) = world_of(world)?;
    let result = py.allow_threads(|| {
        run(
            &world,
            &protocol,
            &RunOptions {
                seed,
                record: true,
                generations,
                ..RunOptions::default()
            },
        )
    });
    Ok(serde_json::json!({
        "summary": result.summary(&protocol_source, &world_source, seed),
        "drawn": result.drawn.as_ref().map(|d| d.labs(&world)),
        "network": result.drawn.as_ref().and_then(|d| d.links_by_id(&world)),
        "generations": result.generations,
        "labs": result.labs,
    })
    .to_string())
}

/// The evaluation `accord evaluate` reports (its `report.json` data), as
/// JSON text, of a job from [`evaluation_job`]. `progress(done, total)` is
/// called from time to time while it runs (with the GIL; the work itself
/// runs without it).
#[pyfunction]
#[pyo3(signature = (job, progress = None))]
fn evaluate(py: Python<'_>, job: &str, progress: Option<PyObject>) -> PyResult<String> {
    let mut progress = Listener {
        callback: progress,
        reported: None,
        interrupted: None,
    };
    let job = evaluation_of(job)?;
    let (protocol_source, protocol) = parse_protocol_input(&job.protocol)?;
    let (world_source, world) = parse_world_input(&job.world)?;
    let plan = job.plan;
    let total = plan.runs(&world);
    let done = AtomicU64::new(0);
    let outcome = py.allow_threads(|| {
        std::thread::scope(|scope| {
            let work = scope.spawn(|| {
                let run_finished = || {
                    done.fetch_add(1, Ordering::Relaxed);
                };
                run_evaluation(
                    &world,
                    &protocol,
                    &plan,
                    Sources {
                        protocol: protocol_source,
                        world: world_source,
                    },
                    Progress {
                        run_finished: &run_finished,
                        stage: &|_| {},
                    },
                )
            });
            while !work.is_finished() {
                std::thread::sleep(PROGRESS_INTERVAL);
                // The GIL only while a callback listens.
                if progress.callback.is_some() {
                    Python::with_gil(|py| progress.report(py, done.load(Ordering::Relaxed), total));
                }
            }
            work.join().expect("the evaluation does not panic")
        })
    });
    let evaluation = outcome.map_err(|e| WorldError::new_err(e.to_string()))?;
    progress.report(py, total, total);
    if let Some(interrupt) = progress.interrupted {
        return Err(interrupt);
    }
    Ok(serde_json::to_string(&evaluation).expect("evaluations serialise"))
}

/// The progress callback while it listens.
struct Listener {
    callback: Option<PyObject>,
    /// Runs done at the last call (each count is reported once).
    reported: Option<u64>,
    /// A KeyboardInterrupt the callback raised, raised once the runs end.
    interrupted: Option<PyErr>,
}

impl Listener {
    /// Calls the callback with a new count. A callback that raises cannot
    /// stop the evaluation (the runs go on in other threads) and must not
    /// lose its result, so its exception is reported as unraisable (as
    /// Python reports one raised in `__del__`) and it is not called again;
    /// a KeyboardInterrupt (Ctrl-C while it ran) is kept and raised when the
    /// runs end, not swallowed.
    fn report(&mut self, py: Python<'_>, done: u64, total: u64) {
        if self.reported == Some(done) {
            return;
        }
        let Some(function) = self.callback.as_ref() else {
            return;
        };
        self.reported = Some(done);
        if let Err(error) = function.call1(py, (done, total)) {
            if error.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
                self.interrupted = Some(error);
            } else {
                error.write_unraisable(py, Some(function.bind(py)));
            }
            self.callback = None;
        }
    }
}

/// The range `--generations` takes on the command line, for an argument
/// `name` (None: the world's).
fn check_generations(name: &str, generations: Option<u32>) -> PyResult<()> {
    match generations {
        Some(g) if !(1..=accord_sim::world::MAX_GENERATIONS).contains(&g) => {
            Err(WorldError::new_err(format!(
                "{name}: expected 1 to {}, got {g}",
                accord_sim::world::MAX_GENERATIONS
            )))
        }
        _ => Ok(()),
    }
}

/// The plan `accord evaluate` runs with these options (`None`: its default).
fn plan_of(
    world: &World,
    seed: u64,
    replicates: Option<u64>,
    generations: Option<u32>,
    robustness: Option<usize>,
    levels: Option<Vec<f64>>,
    rationality_generations: Option<u32>,
) -> PyResult<EvaluationPlan> {
    let mut plan = EvaluationPlan::defaults(world, seed);
    if let Some(r) = replicates {
        plan.replicates = r;
    }
    check_generations("generations", generations)?;
    if let Some(g) = generations {
        plan.generations = g;
    }
    if let Some(r) = robustness {
        plan.robustness = r;
    }
    if let Some(l) = levels {
        plan.levels = l;
    }
    check_generations("rationality_generations", rationality_generations)?;
    if let Some(g) = rationality_generations {
        plan.rationality_generations = g;
    }
    plan.validate()
        .map_err(|e| WorldError::new_err(e.to_string()))?;
    Ok(plan)
}

/// The evaluation [`evaluate`] runs with these options, as the JSON job
/// every shard file of it records (inputs by value).
#[pyfunction]
#[pyo3(signature = (protocol = None, world = None, seed = 1, replicates = None, generations = None, robustness = None, levels = None, rationality_generations = None))]
#[allow(clippy::too_many_arguments)]
fn evaluation_job(
    protocol: Option<Named>,
    world: Option<Named>,
    seed: u64,
    replicates: Option<u64>,
    generations: Option<u32>,
    robustness: Option<usize>,
    levels: Option<Vec<f64>>,
    rationality_generations: Option<u32>,
) -> PyResult<String> {
    let protocol = protocol_input(protocol);
    let world = world_input(world);
    parse_protocol_input(&protocol)?;
    let (_, parsed) = parse_world_input(&world)?;
    let plan = plan_of(
        &parsed,
        seed,
        replicates,
        generations,
        robustness,
        levels,
        rationality_generations,
    )?;
    let job = Job::Evaluate(EvaluationJob {
        protocol,
        world,
        plan,
    });
    Ok(serde_json::to_string(&job).expect("jobs serialise"))
}

/// The evaluation a job from [`evaluation_job`] describes.
fn evaluation_of(job: &str) -> PyResult<EvaluationJob> {
    match serde_json::from_str::<Job>(job) {
        Ok(Job::Evaluate(job)) => Ok(job),
        Ok(_) => Err(AccordError::new_err("not an evaluation job")),
        Err(e) => Err(AccordError::new_err(format!("not an evaluation job: {e}"))),
    }
}

/// Runs shard `index` of `count` of an evaluation job and returns its shard
/// file (the text `accord evaluate --shard index/count` writes).
#[pyfunction]
fn evaluate_shard(py: Python<'_>, job: &str, index: u64, count: u64) -> PyResult<String> {
    let shard = Shard::new(index, count).map_err(|e| AccordError::new_err(e.to_string()))?;
    let job = evaluation_of(job)?;
    let (_, protocol) = parse_protocol_input(&job.protocol)?;
    let (_, world) = parse_world_input(&job.world)?;
    let total = job.plan.runs(&world);
    let runs = py
        .allow_threads(|| shard_runs(&world, &protocol, &job.plan, shard, &|| {}))
        .map_err(|e| WorldError::new_err(e.to_string()))?;
    let file = ShardFile {
        header: ShardHeader::new(Job::Evaluate(job), shard, total),
        runs,
    };
    file.to_json()
        .map_err(|e| AccordError::new_err(e.to_string()))
}

/// Merges every shard file of an evaluation into its `report.json` text,
/// byte for byte what `accord evaluate` writes in one process.
#[pyfunction]
fn merge_evaluation(py: Python<'_>, shards: Vec<String>) -> PyResult<String> {
    let files: Vec<(String, String)> = shards
        .into_iter()
        .enumerate()
        .map(|(k, text)| (format!("shard text {k}"), text))
        .collect();
    let (job, runs) =
        merge::<RunResult>(&files).map_err(|e| AccordError::new_err(e.to_string()))?;
    let Job::Evaluate(job) = job else {
        return Err(AccordError::new_err(
            "these shards are not an evaluation's (merge them with `accord merge`)",
        ));
    };
    let (protocol_source, protocol) = parse_protocol_input(&job.protocol)?;
    let (world_source, world) = parse_world_input(&job.world)?;
    let sources = Sources {
        protocol: protocol_source,
        world: world_source,
    };
    let evaluation = py
        .allow_threads(|| evaluate_recorded(&world, &protocol, &job.plan, sources, runs))
        .map_err(|e| AccordError::new_err(e.to_string()))?;
    Ok(serde_json::to_string_pretty(&evaluation).expect("evaluations serialise"))
}

/// The file name `accord` gives a shard file (`accord merge` reads any name
/// ending in `.shard.json`; this one keeps experiments apart in one folder).
#[pyfunction]
fn shard_file_name(shard: &str) -> PyResult<String> {
    let header =
        read_header("shard text", shard).map_err(|e| AccordError::new_err(e.to_string()))?;
    Ok(header.file_name())
}

/// `accord attack --json`: the deviation that gains most against the
/// protocol, for each lab type and for coalitions of leaders, as JSON text.
#[pyfunction]
#[pyo3(signature = (protocol = None, world = None, replicates = 12, generations = 20, coalition = 2, seed = 1))]
fn attack(
    py: Python<'_>,
    protocol: Option<Named>,
    world: Option<Named>,
    replicates: u64,
    generations: u32,
    coalition: usize,
    seed: u64,
) -> PyResult<String> {
    check_generations("generations", Some(generations))?;
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (world_source, world) = world_of(world)?;
    let plan = AttackPlan {
        replicates,
        generations,
        max_coalition: coalition,
        seed,
    };
    let attack = py
        .allow_threads(|| run_attack(&world, &protocol, &plan))
        .map_err(|e| WorldError::new_err(e.to_string()))?;
    let mut report = serde_json::to_value(&attack).expect("attacks serialise");
    report["protocol"] = protocol_source.into();
    report["world"] = world_source.into();
    report["exploitability"] =
        serde_json::to_value(attack.exploitability()).expect("deviations serialise");
    let verdict = attack.verdict();
    report["verdict"] = serde_json::to_value(verdict.map(|(v, _)| v)).expect("verdicts serialise");
    report["decisive"] =
        serde_json::to_value(verdict.map(|(_, d)| d)).expect("deviations serialise");
    Ok(report.to_string())
}

/// `accord egta --json`: the payoff table of `strategies` estimated by
/// simulation and the dynamics engine's small-mutation limit on it, as JSON
/// text (`beta`: the world's `learning.selection` when None).
#[pyfunction]
#[pyo3(signature = (protocol = None, world = None, strategies = None, replicates = 8, generations = 20, population = 50, beta = None, seed = 1))]
#[allow(clippy::too_many_arguments)]
fn egta(
    py: Python<'_>,
    protocol: Option<Named>,
    world: Option<Named>,
    strategies: Option<Vec<String>>,
    replicates: u64,
    generations: u32,
    population: usize,
    beta: Option<f64>,
    seed: u64,
) -> PyResult<String> {
    check_generations("generations", Some(generations))?;
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (world_source, world) = world_of(world)?;
    let strategies = match strategies {
        Some(names) => names
            .iter()
            .map(|name| name.parse::<Strategy>())
            .collect::<Result<_, _>>()
            .map_err(|e| WorldError::new_err(format!("strategies: {e}")))?,
        None => EgtaPlan::DEFAULT_STRATEGIES.to_vec(),
    };
    let plan = EgtaPlan {
        strategies,
        replicates,
        generations,
        seed,
    };
    let beta = beta.unwrap_or(world.learning.selection);
    check_dynamics(&world, population, beta)
        .map_err(|e| DynamicsError::new_err(format!("population, beta: {e}")))?;
    let empirical = py
        .allow_threads(|| estimate(&world, &protocol, &plan))
        .map_err(|e| WorldError::new_err(e.to_string()))?;
    let (limit, interval) = py
        .allow_threads(|| {
            let game = Game::from(empirical.game.clone());
            let limit = PairwiseComparison::new(&game, population, beta)
                .and_then(|process| process.small_mutation_limit())
                .map_err(|e| format!("population, beta: {e}"))?;
            let interval = empirical
                .bootstrap(
                    |game| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                        Ok(
                            PairwiseComparison::new(&Game::from(game.clone()), population, beta)?
                                .small_mutation_limit()?
                                .stationary,
                        )
                    },
                )
                .map_err(|e| format!("population, beta: {e}"))?;
            Ok::<_, String>((limit, interval))
        })
        .map_err(DynamicsError::new_err)?;
    Ok(serde_json::json!({
        "protocol": protocol_source,
        "world": world_source,
        "strategies": empirical.strategies,
        "group_size": empirical.group_size,
        "replicates": empirical.replicates,
        "generations": generations,
        "population": population,
        "beta": beta,
        "table": empirical.table,
        "stationary": limit.stationary,
        "stationary_interval": interval,
        "fixation": limit.fixation,
    })
    .to_string())
}

/// `accord design --json`: the cheapest setting of the protocol parameters
/// `parameters` (path → `(low, high)`) at the cost `costs` (path → cost per
/// unit) that meets `goal` and, when `attacks > 0`, survives the attack
/// search; as JSON text.
#[pyfunction]
#[pyo3(signature = (parameters, costs, goal = "cooperation>=0.9", protocol = None, world = None, candidates = 32, replicates = 8, generations = None, attacks = 3, attack_replicates = 8, attack_generations = 20, coalition = 2, seed = 1))]
#[allow(clippy::too_many_arguments)]
fn design_protocol(
    py: Python<'_>,
    parameters: Vec<(String, (f64, f64))>,
    costs: Vec<(String, f64)>,
    goal: &str,
    protocol: Option<Named>,
    world: Option<Named>,
    candidates: usize,
    replicates: u64,
    generations: Option<u32>,
    attacks: usize,
    attack_replicates: u64,
    attack_generations: u32,
    coalition: usize,
    seed: u64,
) -> PyResult<String> {
    check_generations("generations", generations)?;
    check_generations("attack_generations", Some(attack_generations))?;
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (world_source, world) = world_of(world)?;
    let goal: Goal = goal
        .parse()
        .map_err(|e: GoalError| WorldError::new_err(e.to_string()))?;
    let ranges = flat_ranges(parameters);
    let parameters = Parameter::with_costs(&protocol, &ranges, &costs)
        .map_err(|e| WorldError::new_err(e.to_string()))?;
    let plan = DesignPlan {
        candidates,
        replicates,
        generations,
        seed,
        attack: (attacks > 0).then_some(AttackPlan {
            replicates: attack_replicates,
            generations: attack_generations,
            max_coalition: coalition,
            seed,
        }),
        max_attacks: attacks,
    };
    let design = py
        .allow_threads(|| search(&world, &protocol, &parameters, goal, &plan))
        .map_err(|e| WorldError::new_err(e.to_string()))?;
    let mut report = serde_json::to_value(&design).expect("designs serialise");
    report["protocol"] = protocol_source.into();
    report["world"] = world_source.into();
    Ok(report.to_string())
}

/// `accord lobby --json`: for each protocol parameter in `parameters`
/// (path → `(low, high)`), lobbied on its own, the value a regulator
/// maximising `G + a·W` chooses for each welfare weight `a`
/// (Grossman–Helpman), with the lobby's payoff, welfare and cooperation at
/// every grid point; as JSON text. `lobby`: lab type names (default: the
/// types that oppose safety).
#[pyfunction]
#[pyo3(signature = (parameters, protocol = None, world = None, lobby = None, welfare_weights = None, points = 9, replicates = 8, generations = None, seed = 1))]
#[allow(clippy::too_many_arguments)]
fn lobby(
    py: Python<'_>,
    parameters: Vec<(String, (f64, f64))>,
    protocol: Option<Named>,
    world: Option<Named>,
    lobby: Option<Vec<String>>,
    welfare_weights: Option<Vec<f64>>,
    points: usize,
    replicates: u64,
    generations: Option<u32>,
    seed: u64,
) -> PyResult<String> {
    check_generations("generations", generations)?;
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (world_source, world) = world_of(world)?;
    let members = lobby_members(&world, &lobby.unwrap_or_default())
        .map_err(|e| WorldError::new_err(format!("lobby: {e}")))?;
    let ranges = flat_ranges(parameters);
    let plan = LobbyPlan {
        lobby: members.clone(),
        welfare_weights: welfare_weights.unwrap_or_else(|| vec![0.0, 1.0, 10.0, f64::INFINITY]),
        points,
        replicates,
        generations,
        seed,
    };
    let analysis = py
        .allow_threads(|| lobbying(&world, &protocol, &ranges, &plan))
        .map_err(|e| WorldError::new_err(e.to_string()))?;
    Ok(serde_json::json!({
        "protocol": protocol_source,
        "world": world_source,
        "lobby": members.iter().map(|&k| world.lab[k].name.as_str()).collect::<Vec<_>>(),
        "replicates": replicates,
        "parameters": analysis,
    })
    .to_string())
}

/// `accord market --json`: a market in safety credits under `protocol`
/// (default: the shipped credit-market protocol) among the labs of the
/// market file `labs` (default: the shipped five labs), as JSON text.
#[pyfunction]
#[pyo3(signature = (protocol = None, labs = None))]
fn market(py: Python<'_>, protocol: Option<Named>, labs: Option<Named>) -> PyResult<String> {
    let (protocol_source, protocol) = parse_protocol_input(&protocol.map_or_else(
        || Input {
            source: "the shipped credit-market protocol".into(),
            text: DEFAULT_MARKET_PROTOCOL.into(),
        },
        named_input,
    ))?;
    let (source, text) = labs.unwrap_or_else(|| {
        (
            "the shipped frontier-labs market".into(),
            DEFAULT_MARKET.into(),
        )
    });
    let market = parse_market(&text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        WorldError::new_err(format!(
            "{source} is not a valid market file:\n{}",
            lines.join("\n")
        ))
    })?;
    let report = py
        .allow_threads(|| run_market(&protocol, &market))
        .map_err(|e| {
            ProtocolError::new_err(format!("market of {source} under {protocol_source}: {e}"))
        })?;
    Ok(serde_json::to_string(&report).expect("market reports serialise"))
}

/// `accord precipice --json`: the race to the precipice of the race file
/// `race` (default: the shipped six archetypes) under `protocol` (default:
/// the shipped global protocol), as JSON text.
#[pyfunction]
#[pyo3(signature = (protocol = None, race = None, seed = 1))]
fn precipice(
    py: Python<'_>,
    protocol: Option<Named>,
    race: Option<Named>,
    seed: u64,
) -> PyResult<String> {
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (source, text) =
        race.unwrap_or_else(|| ("the shipped frontier-labs race".into(), DEFAULT_RACE.into()));
    let race = parse_race(&text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        WorldError::new_err(format!(
            "{source} is not a valid race file:\n{}",
            lines.join("\n")
        ))
    })?;
    let report = py
        .allow_threads(|| run_precipice(&protocol, &race, seed))
        .map_err(|e| {
            WorldError::new_err(format!("race of {source} under {protocol_source}: {e}"))
        })?;
    Ok(serde_json::to_string(&report).expect("precipice reports serialise"))
}

/// `accord international --json`: the world `world` (default: the shipped
/// frontier labs in three jurisdictions) under one registry, without
/// recognition (labs moving, and staying), and with mutual recognition, as
/// JSON text: `{"replicates", "seed", "regimes": [...]}`.
#[pyfunction]
#[pyo3(signature = (protocol = None, world = None, replicates = 12, generations = None, seed = 1))]
fn international(
    py: Python<'_>,
    protocol: Option<Named>,
    world: Option<Named>,
    replicates: u64,
    generations: Option<u32>,
    seed: u64,
) -> PyResult<String> {
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (world_source, world) = parse_world_input(&world.map_or_else(
        || Input {
            source: "the shipped jurisdictions world".into(),
            text: JURISDICTIONS_WORLD.into(),
        },
        named_input,
    ))?;
    check_generations("generations", generations)?;
    let plan = InternationalPlan {
        replicates,
        generations,
        seed,
    };
    let regimes = py
        .allow_threads(|| compare_jurisdictions(&world, &protocol, &plan))
        .map_err(|e| WorldError::new_err(format!("{world_source} under {protocol_source}: {e}")))?;
    Ok(serde_json::json!({
        "replicates": replicates,
        "seed": seed,
        "jurisdictions": accord_sim::international::jurisdictions(&world),
        "regimes": regimes,
    })
    .to_string())
}

/// `accord calibrate --json` on training runs given as columns: run `i`
/// used `flop[i]` FLOP, was published on `dates[i]` (`YYYY-MM-DD`) by the
/// comma-separated `organisations[i]`. Returns the calibration (speed per
/// organisation, the log-normal fit, its quantiles and the `[[lab]]` block
/// named `type_name`) as JSON text.
#[pyfunction]
#[pyo3(signature = (flop, dates, organisations, since = Some("2024-01-01"), min_flop = 1e24, speed_per_decade = 0.25, top = None, type_name = "population"))]
#[allow(clippy::too_many_arguments)]
fn calibrate(
    flop: Vec<Option<f64>>,
    dates: Vec<String>,
    organisations: Vec<String>,
    since: Option<&str>,
    min_flop: f64,
    speed_per_decade: f64,
    top: Option<usize>,
    type_name: &str,
) -> PyResult<String> {
    let since_year = since
        .map(|text| {
            year_fraction(text).ok_or_else(|| {
                WorldError::new_err(format!("since: {text:?} is not a date (YYYY-MM-DD)"))
            })
        })
        .transpose()?;
    let reports = dated_reports(
        ("flop", flop),
        ("dates", dates),
        ("organisations", organisations),
    )
    .map_err(WorldError::new_err)?;
    // As `accord calibrate` reads its table: runs before `since` are left out first.
    let mut reports = reports;
    reports.retain(|r| since_year.is_none_or(|s| r.time >= s));
    let (runs, rows_without_organisation) = training_runs(reports);
    let settings = CalibrationSettings {
        since: since_year,
        min_flop,
        speed_per_decade,
        top,
    };
    let calibration =
        calibrate_speeds(&runs, &settings).map_err(|e| WorldError::new_err(e.to_string()))?;
    let mut report = serde_json::to_value(&calibration).expect("calibrations serialise");
    report["source"] = "columns given to accord.calibrate".into();
    report["since"] = since.into();
    report["lab_type"] = calibration.lab_type_toml(type_name).into();
    report["rows_without_organisation"] = rows_without_organisation.into();
    Ok(report.to_string())
}

/// Python's `{path: (low, high)}` items as the library's `(path, low, high)`.
fn flat_ranges(parameters: Vec<(String, (f64, f64))>) -> Vec<(String, f64, f64)> {
    parameters
        .into_iter()
        .map(|(path, (low, high))| (path, low, high))
        .collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(design_protocol, m)?)?;
    m.add_function(wrap_pyfunction!(lobby, m)?)?;
    m.add_function(wrap_pyfunction!(market, m)?)?;
    m.add_function(wrap_pyfunction!(precipice, m)?)?;
    m.add_function(wrap_pyfunction!(international, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(attack, m)?)?;
    m.add_function(wrap_pyfunction!(egta, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluation_job, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate_shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge_evaluation, m)?)?;
    m.add_function(wrap_pyfunction!(shard_file_name, m)?)?;
    Ok(())
}
