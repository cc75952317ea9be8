//! Protocol files and event streams: validation with file, line and field
//! in every error, and replays through the same state machine the registry
//! and the simulator run.

use crate::ProtocolError;
use accord_core::early_warning::detect::{
    self, DatedReport, DetectOptions, split_groups, year_fraction,
};
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

/// Runs the early-warning detectors over dated reports (threshold bunching
/// and capability jumps), as `accord protocol detect` does over a CSV:
/// `values[i]` reported on `dates[i]` (`YYYY-MM-DD`) by the comma-separated
/// `groups[i]`. Returns the detection as JSON text. Options default to
/// the command's.
#[pyfunction]
#[pyo3(signature = (values, dates, groups, thresholds = None, bin_width = None, fit_range = None, order = None, replicates = None, jump_window_years = None, max_growth = None))]
#[allow(clippy::too_many_arguments)]
fn detect_reports(
    py: Python<'_>,
    values: Vec<Option<f64>>,
    dates: Vec<String>,
    groups: Vec<String>,
    thresholds: Option<Vec<f64>>,
    bin_width: Option<f64>,
    fit_range: Option<f64>,
    order: Option<u32>,
    replicates: Option<u32>,
    jump_window_years: Option<f64>,
    max_growth: Option<f64>,
) -> PyResult<String> {
    let defaults = DetectOptions::default();
    let options = DetectOptions {
        thresholds: thresholds.unwrap_or(defaults.thresholds),
        bin_width: bin_width.unwrap_or(defaults.bin_width),
        fit_range: fit_range.unwrap_or(defaults.fit_range),
        order: order.unwrap_or(defaults.order),
        replicates: replicates.unwrap_or(defaults.replicates),
        jump_window_years: jump_window_years.unwrap_or(defaults.jump_window_years),
        max_growth: max_growth.unwrap_or(defaults.max_growth),
    };
    let settings = options
        .settings()
        .map_err(|(option, message)| ProtocolError::new_err(format!("{option}: {message}")))?;
    let reports = dated_reports(("values", values), ("dates", dates), ("groups", groups))
        .map_err(ProtocolError::new_err)?;
    let detection = py.allow_threads(|| detect::detect(&reports, &settings));
    Ok(serde_json::to_string(&detection).expect("detections serialise"))
}

/// Dated reports from three columns (as `accord protocol detect` and
/// `accord calibrate` read a CSV): `values[i]` on `dates[i]` (`YYYY-MM-DD`)
/// by the comma-separated `groups[i]`; rows without a value (None) are
/// skipped, as the commands skip an empty cell. Errors name the column and
/// the row as given.
pub(crate) fn dated_reports(
    (values_name, values): (&str, Vec<Option<f64>>),
    (dates_name, dates): (&str, Vec<String>),
    (groups_name, groups): (&str, Vec<String>),
) -> Result<Vec<DatedReport>, String> {
    if values.len() != dates.len() || values.len() != groups.len() {
        return Err(format!(
            "{values_name}, {dates_name} and {groups_name} must have the same length, got {}, {} and {}",
            values.len(),
            dates.len(),
            groups.len()
        ));
    }
    let mut reports = Vec::with_capacity(values.len());
    for (row, ((value, date), group)) in values.into_iter().zip(dates).zip(groups).enumerate() {
        let Some(value) = value else {
            continue;
        };
        if !(value.is_finite() && value > 0.0) {
            return Err(format!(
                "{values_name}[{row}]: {value} is not a positive finite number"
            ));
        }
        let time = year_fraction(&date)
            .ok_or_else(|| format!("{dates_name}[{row}]: {date:?} is not a date (YYYY-MM-DD)"))?;
        reports.push(DatedReport {
            date,
            time,
            value,
            groups: split_groups(&group),
        });
    }
    Ok(reports)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(detect_reports, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    Ok(())
}
