//! Simulation runs and evaluations: the same functions `accord simulate`
//! and `accord evaluate` call, on the same embedded defaults. Results go
//! to Python as JSON text (the Python side builds dicts and DataFrames).

use crate::{ProtocolError, WorldError};
use accord_core::{Protocol, parse_protocol};
use accord_sim::evaluation::{EvaluationPlan, Progress, Sources, evaluate as run_evaluation};
use accord_sim::{RunOptions, World, run};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const DEFAULT_PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const DEFAULT_WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");
/// How often an evaluation reports progress to Python.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

fn protocol_of(text: Option<&str>) -> PyResult<(String, Protocol)> {
    let (source, text) = match text {
        Some(t) => ("<protocol>", t),
        None => ("global-protocol.toml (embedded)", DEFAULT_PROTOCOL),
    };
    let protocol = parse_protocol(text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        ProtocolError::new_err(format!(
            "{source} is not a valid protocol:\n{}",
            lines.join("\n")
        ))
    })?;
    Ok((source.to_string(), protocol))
}

fn world_of(text: Option<&str>) -> PyResult<(String, World)> {
    let (source, text) = match text {
        Some(t) => ("<world>", t),
        None => ("frontier-labs.toml (embedded)", DEFAULT_WORLD),
    };
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
    protocol: Option<&str>,
    world: Option<&str>,
    seed: u64,
    generations: Option<u32>,
) -> PyResult<String> {
    let (_, protocol) = protocol_of(protocol)?;
    let (_, world) = world_of(world)?;
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
    let summary = serde_json::json!({
        "cooperation": result.cooperation,
        "disaster_rate": result.disaster_rate,
        "welfare": result.welfare,
        "time_to_coordination": result.time_to_coordination,
        "generations_run": result.generations_run,
        "detection_rate": result.detection_rate,
        "false_alarm_rate": result.false_alarm_rate,
        "final_strategies": result.final_strategies.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "rejected_events": result.rejected_events,
    });
    Ok(serde_json::json!({
        "summary": summary,
        "generations": result.generations,
        "labs": result.labs,
    })
    .to_string())
}

/// The evaluation `accord evaluate` reports (its `report.json` data), as
/// JSON text. `progress(done, total)` is called from time to time while it
/// runs (with the GIL; the work itself runs without it).
#[pyfunction]
#[pyo3(signature = (protocol = None, world = None, seed = 1, replicates = None, generations = None, robustness = None, levels = None, progress = None))]
#[allow(clippy::too_many_arguments)]
fn evaluate(
    py: Python<'_>,
    protocol: Option<&str>,
    world: Option<&str>,
    seed: u64,
    replicates: Option<u64>,
    generations: Option<u32>,
    robustness: Option<usize>,
    levels: Option<Vec<f64>>,
    progress: Option<PyObject>,
) -> PyResult<String> {
    let (protocol_source, protocol) = protocol_of(protocol)?;
    let (world_source, world) = world_of(world)?;
    let mut plan = EvaluationPlan::defaults(&world, seed);
    if let Some(r) = replicates {
        plan.replicates = r;
    }
    if let Some(g) = generations {
        plan.generations = g;
    }
    if let Some(r) = robustness {
        plan.robustness = r;
    }
    if let Some(l) = levels {
        plan.levels = l;
    }
    plan.validate()
        .map_err(|e| WorldError::new_err(e.to_string()))?;
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
                if let Some(callback) = &progress {
                    // A failing callback must not stop the evaluation.
                    Python::with_gil(|py| {
                        let _ = callback.call1(py, (done.load(Ordering::Relaxed), total));
                    });
                }
            }
            work.join().expect("the evaluation does not panic")
        })
    });
    let evaluation = outcome.map_err(|e| WorldError::new_err(e.to_string()))?;
    if let Some(callback) = &progress {
        callback.call1(py, (total, total))?;
    }
    Ok(serde_json::to_string(&evaluation).expect("evaluations serialise"))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    Ok(())
}
