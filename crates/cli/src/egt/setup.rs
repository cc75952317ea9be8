//! Turning command-line options into a game and a population.

use crate::output::setting;
use crate::simulation::Inputs;
use accord_games::models::{self, Model, ParameterValues};
use accord_games::{Game, custom};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which game to analyse.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct GameArgs {
    /// Built-in model (list them with `accord egt models`).
    #[arg(long, default_value = "dsair")]
    pub model: String,
    /// A custom game defined in a TOML file (instead of --model).
    #[arg(long, value_name = "FILE")]
    pub game: Option<PathBuf>,
    /// Set a model parameter, with the paper's name: --set p_r=0.6 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, f64)>,
}

/// The finite population.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct PopulationArgs {
    /// Intensity of selection β (default: the model's figure setting, 1 for custom games).
    #[arg(long, allow_hyphen_values = true)]
    pub beta: Option<f64>,
    /// Population size Z (default: the model's figure setting, 100 for custom games).
    #[arg(long, short = 'Z')]
    pub population: Option<usize>,
}

/// A game ready to analyse, with where it came from.
pub struct Setup {
    /// Model name or the custom game's name.
    pub name: String,
    /// The built-in model, if any.
    pub model: Option<&'static Model>,
    /// Its parameter values, if a built-in model.
    pub values: Option<ParameterValues>,
    /// The game.
    pub game: Game,
    /// Intensity of selection.
    pub beta: f64,
    /// Population size.
    pub population: usize,
}

/// What every JSON result starts with.
#[derive(Debug, Serialize)]
pub struct Header {
    /// Model name (or custom game name).
    pub model: String,
    /// Model parameters by name (empty for custom games).
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Strategy names, in the order of every vector and matrix.
    pub strategies: Vec<String>,
    /// Population size Z.
    pub population: usize,
    /// Intensity of selection β.
    pub beta: f64,
}

impl Setup {
    /// Resolves the options.
    pub fn new(game: &GameArgs, population: &PopulationArgs) -> Result<Self> {
        Setup::with_inputs(game, population, &Inputs::Disk)
    }

    /// Resolves the options, reading a custom game from `inputs`.
    pub fn with_inputs(
        game: &GameArgs,
        population: &PopulationArgs,
        inputs: &Inputs,
    ) -> Result<Self> {
        let mut setup = match &game.game {
            Some(path) => {
                if !game.set.is_empty() {
                    bail!(
                        "--set applies to built-in models; edit the payoffs in {} instead",
                        path.display()
                    );
                }
                let text = inputs.read(path)?.text;
                let custom = custom::parse(&text).with_context(|| format!("{}", path.display()))?;
                Setup {
                    name: custom.name,
                    model: None,
                    values: None,
                    game: custom.game,
                    beta: 1.0,
                    population: 100,
                }
            }
            None => {
                let model = models::find(&game.model)?;
                let values = model.values_with(&game.set)?;
                let built = model.build(&values)?;
                Setup {
                    name: model.name.to_string(),
                    model: Some(model),
                    values: Some(values),
                    game: built,
                    beta: model.figure_beta,
                    population: model.figure_population,
                }
            }
        };
        if let Some(beta) = population.beta {
            setup.beta = beta;
        }
        if let Some(z) = population.population {
            setup.population = z;
        }
        Ok(setup)
    }

    /// The common JSON header.
    pub fn header(&self) -> Header {
        let parameters = self
            .values
            .iter()
            .flat_map(|v| v.iter())
            .map(|(name, value)| (name.to_string(), serde_json::json!(value)))
            .collect();
        Header {
            model: self.name.clone(),
            parameters,
            strategies: self.game.strategies().to_vec(),
            population: self.population,
            beta: self.beta,
        }
    }

    /// One-line description for text output.
    pub fn describe(&self) -> String {
        let parameters: Vec<String> = self
            .values
            .iter()
            .flat_map(|v| v.iter())
            .map(|(n, v)| format!("{n}={}", setting(v)))
            .collect();
        format!(
            "{} [{}]  Z={}  β={}{}",
            self.name,
            self.game.strategies().join(", "),
            self.population,
            setting(self.beta),
            if parameters.is_empty() {
                String::new()
            } else {
                format!("  ({})", parameters.join(", "))
            }
        )
    }

    /// Index of the strategy called `name`, or an error listing the valid names.
    pub fn strategy(&self, name: &str) -> Result<usize> {
        self.game.strategy_index(name).with_context(|| {
            format!(
                "unknown strategy {name:?}; valid strategies: {}",
                self.game.strategies().join(", ")
            )
        })
    }
}

/// Parses `NAME=VALUE`.
pub fn parse_assignment(text: &str) -> Result<(String, f64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{name}: {value:?} is not a number"))?;
    Ok((name.trim().to_string(), value))
}
