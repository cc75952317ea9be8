//! Evolutionary dynamics with EGTtools' conventions: the pairwise-comparison
//! (Fermi) process in a population of `Z` with intensity of selection `β`,
//! fitness excluding self, mutation `μ` spread evenly over the other
//! strategies, states in EGTtools' `sample_simplex` order. Matrices are
//! row-stochastic (`T[from, to]`).

use crate::{DynamicsError, GameError};
use accord_dynamics::monte_carlo::StationarySettings;
use accord_dynamics::{FullChainOptions, PairwiseComparison, SmallMutationLimit};
use accord_games::models::{self as catalogue, Model};
use accord_games::{Game, MatrixGame};
use numpy::{AllowTypeChange, PyArray1, PyArray2, PyArrayLike1, PyArrayLike2, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::HashMap;

/// Two arrays returned together.
type Pair<'py, T> = (Bound<'py, T>, Bound<'py, T>);

/// A symmetric game: a payoff matrix, or one of Accord's published models.
#[pyclass(name = "Game", module = "accord.egt", frozen)]
#[derive(Clone)]
pub struct PyGame {
    game: Game,
    model: Option<&'static Model>,
}

#[pymethods]
impl PyGame {
    /// A 2-player game from its payoff matrix (an array or nested lists):
    /// `payoffs[i, j]` is what strategy `i` earns against `j`.
    #[staticmethod]
    #[pyo3(signature = (payoffs, strategies = None))]
    fn matrix(
        payoffs: PyArrayLike2<'_, f64, AllowTypeChange>,
        strategies: Option<Vec<String>>,
    ) -> PyResult<Self> {
        Ok(Self {
            game: matrix_game(&payoffs, strategies)?,
            model: None,
        })
    }

    /// A published model by name (see `models()`), parameters by the
    /// paper's names: `Game.model("dsair", p_r=0.6)`.
    #[staticmethod]
    #[pyo3(signature = (name, **parameters))]
    fn model(name: &str, parameters: Option<HashMap<String, f64>>) -> PyResult<Self> {
        let model = catalogue::find(name).map_err(|e| GameError::new_err(e.to_string()))?;
        let assignments: Vec<(String, f64)> = parameters.unwrap_or_default().into_iter().collect();
        let values = model
            .values_with(&assignments)
            .map_err(|e| GameError::new_err(e.to_string()))?;
        let game = model
            .build(&values)
            .map_err(|e| GameError::new_err(e.to_string()))?;
        Ok(Self {
            game,
            model: Some(model),
        })
    }

    /// Strategy names, in the order of every vector and matrix.
    #[getter]
    fn strategies(&self) -> Vec<String> {
        self.game.strategies().to_vec()
    }

    /// The model's published figure setting for Z (None for a matrix).
    #[getter]
    fn figure_population(&self) -> Option<usize> {
        self.model.map(|m| m.figure_population)
    }

    /// The model's published figure setting for β (None for a matrix).
    #[getter]
    fn figure_beta(&self) -> Option<f64> {
        self.model.map(|m| m.figure_beta)
    }

    fn __repr__(&self) -> String {
        match self.model {
            Some(m) => format!(
                "Game.model({:?}) with strategies {:?}",
                m.name,
                self.game.strategies()
            ),
            None => format!(
                "Game.matrix(…) with strategies {:?}",
                self.game.strategies()
            ),
        }
    }
}

fn matrix_game(
    payoffs: &PyReadonlyArray2<'_, f64>,
    strategies: Option<Vec<String>>,
) -> PyResult<Game> {
    let view = payoffs.as_array();
    let (rows, columns) = view.dim();
    if rows != columns {
        return Err(GameError::new_err(format!(
            "payoffs must be a square matrix, got {rows} × {columns}"
        )));
    }
    if let Some(names) = &strategies
        && names.len() != rows
    {
        return Err(GameError::new_err(format!(
            "strategies: {} name(s) for a {rows} × {rows} payoff matrix; give one per row",
            names.len()
        )));
    }
    let strategies = strategies.unwrap_or_else(|| (0..rows).map(|i| format!("s{i}")).collect());
    let matrix: Vec<Vec<f64>> = view.outer_iter().map(|row| row.to_vec()).collect();
    MatrixGame::new(strategies, matrix)
        .map(Game::Matrix)
        .map_err(|e| GameError::new_err(e.to_string()))
}

/// A `Game`, or a payoff matrix as a 2-D array.
fn game_of(game: &Bound<'_, PyAny>) -> PyResult<Game> {
    if let Ok(g) = game.downcast::<PyGame>() {
        return Ok(g.get().game.clone());
    }
    let payoffs: PyArrayLike2<'_, f64, AllowTypeChange> = game.extract().map_err(|_| {
        GameError::new_err(
            "game: expected an accord.egt.Game or a square payoff matrix (2-D array of numbers)",
        )
    })?;
    matrix_game(&payoffs, None)
}

fn dynamics_error(error: impl std::fmt::Display) -> PyErr {
    DynamicsError::new_err(error.to_string())
}

fn process(game: &Game, beta: f64, population: usize) -> PyResult<PairwiseComparison<'_>> {
    PairwiseComparison::new(game, population, beta).map_err(dynamics_error)
}

/// Probability that one `invader` fixes in a population of `resident`s
/// (EGTtools: `calculate_fixation_probability(invader, resident, beta)`),
/// computed exactly in log space.
#[pyfunction]
fn fixation_probability(
    py: Python<'_>,
    game: &Bound<'_, PyAny>,
    invader: usize,
    resident: usize,
    beta: f64,
    population: usize,
) -> PyResult<f64> {
    let game = game_of(game)?;
    py.allow_threads(|| {
        process(&game, beta, population)?
            .fixation_probability(invader, resident)
            .map_err(dynamics_error)
    })
}

/// The small-mutation-limit analysis, computed without the GIL.
fn small_mutation_limit(
    py: Python<'_>,
    game: &Bound<'_, PyAny>,
    beta: f64,
    population: usize,
) -> PyResult<SmallMutationLimit> {
    let game = game_of(game)?;
    py.allow_threads(|| {
        process(&game, beta, population)?
            .small_mutation_limit()
            .map_err(dynamics_error)
    })
}

/// Small-mutation limit, as EGTtools' `PairwiseComparison.
/// calculate_transition_and_fixation_matrix_sml(beta)` lays it out: returns
/// `(transition, fixation)` with `transition[from, to]` row-stochastic
/// between monomorphic states and `fixation[resident, invader]`.
#[pyfunction]
fn transition_and_fixation_matrix_sml<'py>(
    py: Python<'py>,
    game: &Bound<'py, PyAny>,
    beta: f64,
    population: usize,
) -> PyResult<Pair<'py, PyArray2<f64>>> {
    let sml = small_mutation_limit(py, game, beta, population)?;
    let n = sml.fixation.len();
    let by_resident: Vec<Vec<f64>> = (0..n)
        .map(|resident| {
            (0..n)
                .map(|invader| sml.fixation[invader][resident])
                .collect()
        })
        .collect();
    Ok((
        PyArray2::from_vec2(py, &sml.transition)?,
        PyArray2::from_vec2(py, &by_resident)?,
    ))
}

/// Stationary distribution over the monomorphic states in the small-mutation
/// limit, checked (`‖πT − π‖∞ ≤ 1e-12`).
#[pyfunction]
fn stationary_distribution_sml<'py>(
    py: Python<'py>,
    game: &Bound<'py, PyAny>,
    beta: f64,
    population: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let sml = small_mutation_limit(py, game, beta, population)?;
    Ok(PyArray1::from_vec(py, sml.stationary))
}

/// Stationary distribution of the full chain with mutation `mu` over every
/// population state (EGTtools' `sample_simplex` order), and the long-run
/// frequency of each strategy: `(stationary, strategy_frequencies)`.
#[pyfunction]
fn stationary_distribution<'py>(
    py: Python<'py>,
    game: &Bound<'py, PyAny>,
    beta: f64,
    population: usize,
    mu: f64,
) -> PyResult<Pair<'py, PyArray1<f64>>> {
    let game = game_of(game)?;
    let chain = py.allow_threads(|| {
        process(&game, beta, population)?
            .full_chain(FullChainOptions::with_mutation(mu))
            .map_err(dynamics_error)
    })?;
    Ok((
        PyArray1::from_vec(py, chain.stationary),
        PyArray1::from_vec(py, chain.strategy_frequencies),
    ))
}

/// EGTtools' gradient of selection (`calculate_gradient_of_selection(beta,
/// state)`) at a population state given as counts per strategy: no
/// mutation, scaled by `2/n`, so that for two strategies it is `T⁺ − T⁻`.
#[pyfunction]
fn gradient_of_selection<'py>(
    py: Python<'py>,
    game: &Bound<'py, PyAny>,
    state: PyArrayLike1<'py, i64>,
    beta: f64,
    population: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let game = game_of(game)?;
    let counts = state
        .as_array()
        .iter()
        .map(|&c| {
            usize::try_from(c)
                .map_err(|_| DynamicsError::new_err(format!("state: negative count {c}")))
        })
        .collect::<PyResult<Vec<usize>>>()?;
    let gradient = process(&game, beta, population)?
        .gradient_of_selection(&counts)
        .map_err(dynamics_error)?;
    Ok(PyArray1::from_vec(py, gradient))
}

/// Monte Carlo estimate of the long-run strategy frequencies with mutation
/// `mu`: `runs` independent runs of `recorded_steps` steps after
/// `transient_steps`, reproducible from `seed` whatever the thread count.
/// Returns a dict with `strategy_frequencies`, `standard_errors`, `mixing`
/// (Gelman–Rubin R̂ per strategy; above 1.1 the runs have not mixed), `runs`,
/// `steps`.
#[pyfunction]
#[pyo3(signature = (game, beta, population, mu, runs = 100, recorded_steps = 100_000, transient_steps = 10_000, seed = 1))]
#[allow(clippy::too_many_arguments)]
fn monte_carlo_stationary<'py>(
    py: Python<'py>,
    game: &Bound<'py, PyAny>,
    beta: f64,
    population: usize,
    mu: f64,
    runs: u64,
    recorded_steps: u64,
    transient_steps: u64,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let game = game_of(game)?;
    let estimate = py.allow_threads(|| {
        process(&game, beta, population)?
            .simulate_stationary(StationarySettings {
                mutation: mu,
                runs,
                recorded_steps,
                transient_steps,
                seed,
                record_states: false,
            })
            .map_err(dynamics_error)
    })?;
    let out = PyDict::new(py);
    out.set_item(
        "strategy_frequencies",
        PyArray1::from_vec(py, estimate.strategy_frequencies),
    )?;
    out.set_item(
        "standard_errors",
        PyArray1::from_vec(py, estimate.standard_errors),
    )?;
    // Gelman–Rubin R̂ per strategy (None with one run): above 1.1 the runs
    // have not mixed and the standard errors understate the error.
    out.set_item("mixing", estimate.mixing.map(|r| PyArray1::from_vec(py, r)))?;
    out.set_item("runs", estimate.runs)?;
    out.set_item("steps", estimate.steps)?;
    Ok(out)
}

/// The published models: name → (title, citation, parameter defaults).
#[pyfunction]
fn models(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for model in catalogue::catalog() {
        let entry = PyDict::new(py);
        entry.set_item("title", model.title)?;
        entry.set_item("citation", model.citation)?;
        let defaults = PyDict::new(py);
        for p in model.parameters {
            defaults.set_item(p.name, p.default)?;
        }
        entry.set_item("parameters", defaults)?;
        entry.set_item("figure_population", model.figure_population)?;
        entry.set_item("figure_beta", model.figure_beta)?;
        out.set_item(model.name, entry)?;
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGame>()?;
    m.add_function(wrap_pyfunction!(fixation_probability, m)?)?;
    m.add_function(wrap_pyfunction!(transition_and_fixation_matrix_sml, m)?)?;
    m.add_function(wrap_pyfunction!(stationary_distribution_sml, m)?)?;
    m.add_function(wrap_pyfunction!(stationary_distribution, m)?)?;
    m.add_function(wrap_pyfunction!(gradient_of_selection, m)?)?;
    m.add_function(wrap_pyfunction!(monte_carlo_stationary, m)?)?;
    m.add_function(wrap_pyfunction!(models, m)?)?;
    Ok(())
}
