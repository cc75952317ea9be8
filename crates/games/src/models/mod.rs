//! The catalog of built-in published models.
//!
//! Each model has a name used on the command line (`--model dsair`), the
//! parameters of its source paper under the paper's names (`--set p_r=0.6`),
//! and optionally analytic *conditions*: signed margins whose zero set is a
//! region boundary drawn on phase diagrams (positive means the condition
//! holds).

pub mod crd;
pub mod dsair;
pub mod dsair_commit;
pub mod dsair_monitored;
pub mod dsair_ps;

use crate::{Game, GameError};

/// Domain of a model parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Domain {
    /// Any finite real number.
    Real,
    /// A finite number `≥ 0`.
    NonNegative,
    /// A finite number `> 0`.
    Positive,
    /// A probability in `[0, 1]`.
    Probability,
    /// An integer `≥ min`.
    Integer {
        /// Smallest accepted value.
        min: u32,
    },
}

impl Domain {
    fn accepts(self, value: f64) -> bool {
        value.is_finite()
            && match self {
                Domain::Real => true,
                Domain::NonNegative => value >= 0.0,
                Domain::Positive => value > 0.0,
                Domain::Probability => (0.0..=1.0).contains(&value),
                Domain::Integer { min } => value.fract() == 0.0 && value >= f64::from(min),
            }
    }

    fn describe(self) -> String {
        match self {
            Domain::Real => "a finite number".into(),
            Domain::NonNegative => "a finite number ≥ 0".into(),
            Domain::Positive => "a finite number > 0".into(),
            Domain::Probability => "a probability in [0, 1]".into(),
            Domain::Integer { min } => format!("an integer ≥ {min}"),
        }
    }
}

/// One parameter of a model, under its paper's name.
#[derive(Debug, Clone, Copy)]
pub struct Parameter {
    /// Name as written in the source paper (`b`, `p_r`, `B`, …).
    pub name: &'static str,
    /// What it means.
    pub description: &'static str,
    /// Default value (the source's baseline where it gives one).
    pub default: f64,
    /// Accepted values.
    pub domain: Domain,
}

/// Values for every parameter of a model, in the model's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterValues {
    names: Vec<&'static str>,
    values: Vec<f64>,
}

impl ParameterValues {
    /// Value of the parameter `name`; panics on a name the model does not
    /// define (a programming error, not a user error).
    pub fn get(&self, name: &str) -> f64 {
        let index = self
            .names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("model has no parameter {name}"));
        self.values[index]
    }

    /// `(name, value)` pairs in the model's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.names.iter().copied().zip(self.values.iter().copied())
    }
}

/// A signed analytic margin: positive where the named condition holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Short identifier (`risk_dominance`, …).
    pub name: &'static str,
    /// What holds where the margin is positive.
    pub description: &'static str,
    /// The margin's value at the given parameters.
    pub margin: f64,
}

/// One axis of a phase diagram: a parameter from `start` to `end` in `points` values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepAxis {
    /// Parameter name.
    pub parameter: &'static str,
    /// First value.
    pub start: f64,
    /// Last value.
    pub end: f64,
    /// Number of values.
    pub points: usize,
}

/// The `s × p_r` plane of the DSAIR figures (Han et al. 2020, figure 2).
pub const DSAIR_AXES: [SweepAxis; 2] = [
    SweepAxis {
        parameter: "s",
        start: 1.0,
        end: 5.0,
        points: 51,
    },
    SweepAxis {
        parameter: "p_r",
        start: 0.0,
        end: 1.0,
        points: 41,
    },
];

/// A built-in model.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    /// Name on the command line.
    pub name: &'static str,
    /// One-line description.
    pub title: &'static str,
    /// The source it implements.
    pub citation: &'static str,
    /// Parameters with the paper's names.
    pub parameters: &'static [Parameter],
    /// Intensity of selection `β` used in the source's figures (the CLI default).
    pub figure_beta: f64,
    /// Population size `Z` used in the source's figures (the CLI default).
    pub figure_population: usize,
    /// The source's phase diagram (`accord egt sweep`'s default axes), if it has one.
    pub figure_axes: Option<[SweepAxis; 2]>,
    /// Reference values from a peer tool that validate the model: a file
    /// relative to the repository root (checked to exist by the catalogue harness).
    pub reference: &'static str,
    build: fn(&ParameterValues) -> Result<Game, GameError>,
    conditions: fn(&ParameterValues) -> Vec<Condition>,
}

impl Model {
    /// The model's default parameter values.
    pub fn defaults(&self) -> ParameterValues {
        ParameterValues {
            names: self.parameters.iter().map(|p| p.name).collect(),
            values: self.parameters.iter().map(|p| p.default).collect(),
        }
    }

    /// Default values with `overrides` applied; unknown names and values
    /// outside a parameter's domain are rejected with the valid choices.
    pub fn values_with<S: AsRef<str>>(
        &self,
        overrides: &[(S, f64)],
    ) -> Result<ParameterValues, GameError> {
        let mut values = self.defaults();
        for (name, value) in overrides {
            let name = name.as_ref();
            let index = self
                .parameters
                .iter()
                .position(|p| p.name == name)
                .ok_or_else(|| GameError::UnknownParameter {
                    model: self.name.to_string(),
                    name: name.to_string(),
                    valid: self.parameters.iter().map(|p| p.name.to_string()).collect(),
                })?;
            let domain = self.parameters[index].domain;
            if !domain.accepts(*value) {
                return Err(GameError::ParameterOutOfRange {
                    name: name.to_string(),
                    value: *value,
                    expected: domain.describe(),
                });
            }
            values.values[index] = *value;
        }
        Ok(values)
    }

    /// The game at these parameter values.
    pub fn build(&self, values: &ParameterValues) -> Result<Game, GameError> {
        (self.build)(values)
    }

    /// The model's analytic conditions at these parameter values.
    pub fn conditions(&self, values: &ParameterValues) -> Vec<Condition> {
        (self.conditions)(values)
    }
}

/// Every built-in model.
pub fn catalog() -> &'static [Model] {
    &[
        dsair::MODEL,
        dsair_ps::MODEL,
        dsair_commit::MODEL,
        dsair_monitored::MODEL,
        crd::MODEL,
    ]
}

/// The model called `name`, or an error listing the valid names.
pub fn find(name: &str) -> Result<&'static Model, GameError> {
    catalog()
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| GameError::UnknownModel {
            name: name.to_string(),
            valid: catalog().iter().map(|m| m.name.to_string()).collect(),
        })
}

fn no_conditions(_: &ParameterValues) -> Vec<Condition> {
    Vec::new()
}

fn names(strategies: &[&str]) -> Vec<String> {
    strategies.iter().map(|s| (*s).to_string()).collect()
}
