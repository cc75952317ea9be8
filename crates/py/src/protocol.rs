//! Protocol files and event streams: validation with file, line and field
//! in every error, and replays through the same state machine the registry
//! and the simulator run.

use crate::ProtocolError;
use accord_core::event::parse_event;
use accord_core::{Outcome, State, parse_protocol};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Rejections listed in a replay's result (the count covers them all).
const REJECTIONS_LISTED: usize = 1000;

fn load(text: &str, source: &str) -> PyResult<accord_core::Protocol> {
    parse_protocol(text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        ProtocolError::new_err(format!(
            "{source} is not a valid protocol:\n{}",
            lines.join("\n")
        ))
    })
}

/// Parses and validates a protocol file's text; returns it as JSON text
/// (the Python side turns it into a dict). `source` names it in errors.
#[pyfunction]
#[pyo3(signature = (text, source = "<protocol>"))]
fn validate(text: &str, source: &str) -> PyResult<String> {
    let protocol = load(text, source)?;
    Ok(serde_json::to_string(&protocol).expect("protocols serialise"))
}

/// Replays an event stream (JSON Lines) through the protocol's state
/// machine. Returns a dict: `applied`, `already_applied`, `rejected`,
/// `rejections` (line and reason, the first 1000), `period`,
/// `state_hash`, and `state` (JSON text of the final state).
#[pyfunction]
#[pyo3(signature = (protocol, events, source = "<events>"))]
fn replay<'py>(
    py: Python<'py>,
    protocol: &str,
    events: &str,
    source: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let protocol = load(protocol, "<protocol>")?;
    let (mut applied, mut already, mut rejected) = (0u64, 0u64, 0u64);
    let mut rejections = Vec::new();
    let state = py.allow_threads(|| {
        let mut state = State::new(protocol);
        for (number, line) in events.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with("//") {
                continue;
            }
            let reason = match parse_event(line, number + 1) {
                Err(error) => Some(error.to_string()),
                Ok(event) => match state.apply(&event) {
                    Ok(Outcome::Applied { .. }) => {
                        applied += 1;
                        None
                    }
                    Ok(Outcome::AlreadyApplied) => {
                        already += 1;
                        None
                    }
                    Err(rejection) => Some(format!("line {}: {rejection}", number + 1)),
                },
            };
            if let Some(reason) = reason {
                rejected += 1;
                if rejections.len() < REJECTIONS_LISTED {
                    rejections.push((number + 1, format!("{source}: {reason}")));
                }
            }
        }
        state
    });
    let out = PyDict::new(py);
    out.set_item("applied", applied)?;
    out.set_item("already_applied", already)?;
    out.set_item("rejected", rejected)?;
    let list = PyList::empty(py);
    for (line, reason) in rejections {
        let item = PyDict::new(py);
        item.set_item("line", line)?;
        item.set_item("reason", reason)?;
        list.append(item)?;
    }
    out.set_item("rejections", list)?;
    out.set_item("period", state.period())?;
    out.set_item("state_hash", state.state_hash())?;
    out.set_item(
        "state",
        serde_json::to_string(&state).expect("states serialise"),
    )?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    Ok(())
}
