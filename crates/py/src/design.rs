//! Experiment designs and Sobol' sensitivity indices (what `accord sweep
//! --design lhs|sobol` uses), for models written in Python: Latin
//! hypercubes, Saltelli's cross-sampled Sobol' design in SALib's row order,
//! and first-order and total indices with bootstrap intervals.

use crate::DynamicsError;
use accord_sim::design::{Saltelli, latin_hypercube_seeded};
use accord_sim::sensitivity::{DEFAULT_RESAMPLES, sobol_indices as indices};
use numpy::{PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;

fn error(e: impl std::fmt::Display) -> PyErr {
    DynamicsError::new_err(e.to_string())
}

/// `points` × `dimensions` Latin hypercube in the unit cube, reproducible
/// from `seed` (one point per stratum per dimension).
#[pyfunction]
#[pyo3(signature = (points, dimensions, seed = 1))]
fn latin_hypercube(
    py: Python<'_>,
    points: usize,
    dimensions: usize,
    seed: u64,
) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let points = py.allow_threads(|| latin_hypercube_seeded(points, dimensions, seed));
    Ok(PyArray2::from_vec2(py, &points)?)
}

/// Saltelli's design for `parameters` parameters and `base_samples` rows of
/// A and B: `base_samples · (parameters + 2)` points in the unit cube, in
/// SALib's order: `sobol.sample(..., calc_second_order=False,
/// scramble=False, skip_values=skip)`. `skip` None skips
/// `max(16, 2^⌈log₂ N⌉)` points, as `accord sweep` and SALib's
/// `saltelli.sample` do; SALib 1.6's `sobol.sample` skips 0 by default.
#[pyfunction]
#[pyo3(signature = (parameters, base_samples, skip = None))]
fn saltelli(
    py: Python<'_>,
    parameters: usize,
    base_samples: usize,
    skip: Option<u64>,
) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let skip = skip.unwrap_or_else(|| Saltelli::default_skip(base_samples));
    let design = py
        .allow_threads(|| Saltelli::with_skip(parameters, base_samples, skip))
        .map_err(error)?;
    Ok(PyArray2::from_vec2(py, design.points())?)
}

/// First-order (Saltelli 2010) and total (Jansen 1999) Sobol' indices of
/// `parameters` parameters from a model's `outputs` over the `saltelli`
/// design, in its row order, with bootstrap intervals from `resamples`
/// resamples seeded by `seed`. Returns JSON text (the Python side makes a
/// dict of arrays).
#[pyfunction]
#[pyo3(signature = (parameters, outputs, resamples = DEFAULT_RESAMPLES, seed = 1))]
fn sobol_indices(
    py: Python<'_>,
    parameters: usize,
    outputs: PyReadonlyArray1<'_, f64>,
    resamples: usize,
    seed: u64,
) -> PyResult<String> {
    let outputs = outputs.as_array().to_vec();
    let result = py
        .allow_threads(|| indices(parameters, &outputs, resamples, seed))
        .map_err(error)?;
    Ok(serde_json::to_string(&result).expect("indices serialise"))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(latin_hypercube, m)?)?;
    m.add_function(wrap_pyfunction!(saltelli, m)?)?;
    m.add_function(wrap_pyfunction!(sobol_indices, m)?)?;
    Ok(())
}
