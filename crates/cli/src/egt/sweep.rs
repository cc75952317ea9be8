//! `accord egt sweep`: a phase diagram over two model parameters.

use super::setup::{GameArgs, PopulationArgs, Setup};
use crate::output::{StagedDir, setting};
use crate::progress;
use accord_dynamics::{FullChainOptions, PairwiseComparison};
use accord_games::models::{Domain, Model, ParameterValues};
use accord_plot::{Contour, Heatmap, zero_contour};
use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

/// `accord egt sweep`.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub game: GameArgs,
    #[command(flatten)]
    pub population: PopulationArgs,
    /// Horizontal axis as NAME=START:END:POINTS (default: the model's figure, s=1:5:51 for the DSAIR models).
    #[arg(long)]
    pub x: Option<Axis>,
    /// Vertical axis as NAME=START:END:POINTS (default: the model's figure, p_r=0:1:41 for the DSAIR models).
    #[arg(long)]
    pub y: Option<Axis>,
    /// Strategy whose stationary frequency is plotted (default: the first).
    #[arg(long)]
    pub strategy: Option<String>,
    /// Small-mutation limit, or the full chain with mutation.
    #[arg(long, value_enum, default_value = "sml")]
    pub method: Method,
    /// Mutation probability μ (full chain only).
    #[arg(long, default_value_t = 0.01)]
    pub mutation: f64,
    /// Output folder (default: results/MODEL-sweep).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// How the stationary frequency is computed at each grid point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Small-mutation limit over monomorphic states.
    Sml,
    /// Full Markov chain with mutation.
    Chain,
}

/// One axis of the grid: `count` evenly spaced values of a parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    /// Parameter name.
    pub name: String,
    /// First value.
    pub start: f64,
    /// Last value.
    pub end: f64,
    /// Number of values (≥ 1).
    pub count: usize,
}

impl Axis {
    /// Largest number of points along one axis.
    pub const MAX_POINTS: usize = 2001;

    fn values(&self) -> Vec<f64> {
        if self.count == 1 {
            return vec![self.start];
        }
        (0..self.count)
            .map(|i| self.start + (self.end - self.start) * i as f64 / (self.count - 1) as f64)
            .collect()
    }
}

impl FromStr for Axis {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage =
            || format!("expected NAME=START:END:POINTS (for example s=1:5:51), got {text:?}");
        let (name, range) = text.split_once('=').ok_or_else(usage)?;
        let parts: Vec<&str> = range.split(':').collect();
        let [start, end, count] = parts[..] else {
            return Err(usage());
        };
        let start: f64 = start.trim().parse().map_err(|_| usage())?;
        let end: f64 = end.trim().parse().map_err(|_| usage())?;
        let count: usize = count.trim().parse().map_err(|_| usage())?;
        if !(1..=Self::MAX_POINTS).contains(&count) || !start.is_finite() || !end.is_finite() {
            return Err(format!(
                "{text:?}: need finite bounds and 1 to {} points",
                Self::MAX_POINTS
            ));
        }
        Ok(Axis {
            name: name.trim().to_string(),
            start,
            end,
            count,
        })
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    model: &'a str,
    citation: &'a str,
    base_parameters: serde_json::Map<String, serde_json::Value>,
    strategies: &'a [String],
    plotted_strategy: &'a str,
    population: usize,
    beta: f64,
    method: Method,
    mutation: Option<f64>,
    x: &'a Axis,
    y: &'a Axis,
    points: usize,
    seconds: f64,
    conditions: Vec<ConditionSummary>,
}

#[derive(Serialize)]
struct ConditionSummary {
    name: &'static str,
    description: &'static str,
    /// Share of grid points where "strategy is the most frequent" agrees with "condition holds".
    agreement_with_plotted_strategy_majority: f64,
}

/// Runs a sweep and writes its folder.
pub fn run(args: &SweepArgs) -> Result<()> {
    if args.game.game.is_some() {
        bail!("a sweep varies model parameters; custom game files have none (use --model)");
    }
    let setup = Setup::new(&args.game, &args.population)?;
    let model = setup.model.expect("built-in model");
    // The source's phase diagram, where the model has one.
    let default_axis = |i: usize| {
        model.figure_axes.map(|axes| Axis {
            name: axes[i].parameter.to_string(),
            start: axes[i].start,
            end: axes[i].end,
            count: axes[i].points,
        })
    };
    let x = args
        .x
        .clone()
        .or_else(|| default_axis(0))
        .context("--x NAME=START:END:POINTS is required for this model")?;
    let y = args
        .y
        .clone()
        .or_else(|| default_axis(1))
        .context("--y NAME=START:END:POINTS is required for this model")?;
    if x.name == y.name {
        bail!(
            "--x and --y must be different parameters (both are {})",
            x.name
        );
    }
    let strategy = args
        .strategy
        .as_deref()
        .map_or(Ok(0), |n| setup.strategy(n))?;
    let (xs, ys) = (x.values(), y.values());
    let values_at = |xv: f64, yv: f64| -> Result<ParameterValues> {
        let mut overrides = args.game.set.clone();
        overrides.push((x.name.clone(), xv));
        overrides.push((y.name.clone(), yv));
        Ok(model.values_with(&overrides)?)
    };
    // Validate every grid point before the long computation.
    for &yv in &ys {
        for &xv in &xs {
            values_at(xv, yv)
                .with_context(|| format!("grid point {}={xv}, {}={yv}", x.name, y.name))?;
        }
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("results/{}-sweep", model.name)));
    let staged = StagedDir::create(&out)?;
    let started = Instant::now();
    let points: Vec<(f64, f64)> = ys
        .iter()
        .flat_map(|&yv| xs.iter().map(move |&xv| (xv, yv)))
        .collect();
    let bar = progress::bar(points.len() as u64, "sweep");
    let frequencies: Vec<Vec<f64>> = points
        .par_iter()
        .map(|&(xv, yv)| {
            let values = values_at(xv, yv)?;
            let game = model.build(&values)?;
            let process = PairwiseComparison::new(&game, setup.population, setup.beta)?;
            let frequencies = match args.method {
                Method::Sml => process.small_mutation_limit()?.stationary,
                Method::Chain => {
                    process
                        .full_chain(FullChainOptions::with_mutation(args.mutation))?
                        .strategy_frequencies
                }
            };
            bar.inc(1);
            Ok(frequencies)
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();

    let names = setup.game.strategies();
    let mut csv = format!("{},{}", x.name, y.name);
    for name in names {
        write!(csv, ",{name}").expect("writing to a string");
    }
    csv.push('\n');
    for ((xv, yv), f) in points.iter().zip(&frequencies) {
        write!(csv, "{xv},{yv}").expect("writing to a string");
        for v in f {
            write!(csv, ",{v}").expect("writing to a string");
        }
        csv.push('\n');
    }
    staged.write("sweep.csv", csv)?;

    let grid: Vec<Vec<f64>> = (0..ys.len())
        .map(|iy| {
            (0..xs.len())
                .map(|ix| frequencies[iy * xs.len() + ix][strategy])
                .collect()
        })
        .collect();
    let contours = analytic_contours(model, &x, &y, &values_at)?;
    let method_label = match args.method {
        Method::Sml => "small-mutation limit".to_string(),
        Method::Chain => format!("full chain, μ = {}", args.mutation),
    };
    let heatmap = Heatmap {
        title: format!(
            "{}: stationary frequency of {} ({method_label}, Z = {}, β = {})",
            model.name,
            names[strategy],
            setup.population,
            setting(setup.beta)
        ),
        x_label: x.name.clone(),
        y_label: y.name.clone(),
        xs: xs.clone(),
        ys: ys.clone(),
        values: grid,
        scale: (0.0, 1.0),
        colour_label: format!("freq. {}", names[strategy]),
        contours: contours.iter().map(|(_, c)| c.clone()).collect(),
    };
    heatmap.write_svg(&staged.path("phase-diagram.svg"))?;
    heatmap.write_png(&staged.path("phase-diagram.png"))?;

    let conditions: Vec<ConditionSummary> = contours
        .iter()
        .map(|(condition, _)| {
            let agree = points
                .iter()
                .zip(&frequencies)
                .filter(|((xv, yv), f)| {
                    let holds = values_at(*xv, *yv)
                        .map(|v| {
                            model
                                .conditions(&v)
                                .iter()
                                .any(|c| c.name == condition.0 && c.margin > 0.0)
                        })
                        .unwrap_or(false);
                    let majority = f
                        .iter()
                        .enumerate()
                        .all(|(i, v)| i == strategy || *v < f[strategy]);
                    holds == majority
                })
                .count();
            ConditionSummary {
                name: condition.0,
                description: condition.1,
                agreement_with_plotted_strategy_majority: agree as f64 / points.len() as f64,
            }
        })
        .collect();
    let summary = Summary {
        model: model.name,
        citation: model.citation,
        base_parameters: setup.header().parameters,
        strategies: names,
        plotted_strategy: &names[strategy],
        population: setup.population,
        beta: setup.beta,
        method: args.method,
        mutation: (args.method == Method::Chain).then_some(args.mutation),
        x: &x,
        y: &y,
        points: points.len(),
        seconds,
        conditions,
    };
    staged.write("summary.json", serde_json::to_string_pretty(&summary)?)?;
    staged.write("README.md", readme(&summary))?;
    let folder = staged.commit()?;
    println!(
        "{}: {} grid points in {seconds:.2} s → {}",
        model.name,
        points.len(),
        folder.display()
    );
    for c in &summary.conditions {
        println!(
            "  {} agrees with \"{} most frequent\" at {:.1}% of points",
            c.description,
            names[strategy],
            100.0 * c.agreement_with_plotted_strategy_majority
        );
    }
    Ok(())
}

type NamedContour = ((&'static str, &'static str), Contour);

/// Zero lines of the model's analytic conditions over the sweep's ranges.
fn analytic_contours(
    model: &Model,
    x: &Axis,
    y: &Axis,
    values_at: &dyn Fn(f64, f64) -> Result<ParameterValues>,
) -> Result<Vec<NamedContour>> {
    const FINE: usize = 241;
    // Integer parameters take only the sweep's own values.
    let fine = |axis: &Axis| {
        let integer = model
            .parameters
            .iter()
            .any(|p| p.name == axis.name && matches!(p.domain, Domain::Integer { .. }));
        if integer {
            return axis.values();
        }
        Axis {
            count: FINE,
            ..axis.clone()
        }
        .values()
    };
    let (xs, ys) = (fine(x), fine(y));
    let first = model.conditions(&values_at(xs[0], ys[0])?);
    if first.is_empty() {
        return Ok(Vec::new());
    }
    let mut margins: Vec<Vec<Vec<f64>>> = vec![vec![vec![0.0; xs.len()]; ys.len()]; first.len()];
    for (iy, &yv) in ys.iter().enumerate() {
        for (ix, &xv) in xs.iter().enumerate() {
            for (k, condition) in model.conditions(&values_at(xv, yv)?).iter().enumerate() {
                margins[k][iy][ix] = condition.margin;
            }
        }
    }
    Ok(first
        .iter()
        .zip(margins)
        .map(|(condition, grid)| {
            (
                (condition.name, condition.description),
                Contour {
                    label: condition.description.to_string(),
                    segments: zero_contour(&xs, &ys, &grid),
                },
            )
        })
        .filter(|(_, contour)| !contour.segments.is_empty())
        .collect())
}

fn readme(summary: &Summary) -> String {
    let mut text = format!(
        "# Phase diagram: {model}\n\n\
         Stationary frequency of **{strategy}** over {x} × {y} ({points} points), computed by \
         `accord egt sweep` with the {method} of the pairwise-comparison process \
         (Z = {z}, β = {beta}).\n\nModel: {citation}.\n\n\
         - `sweep.csv`: one row per grid point, the stationary frequency of every strategy\n\
         - `phase-diagram.svg`, `phase-diagram.png`: heatmap of {strategy} with the analytic boundaries\n\
         - `summary.json`: settings, timing and agreement with the analytic conditions\n\n",
        model = summary.model,
        strategy = summary.plotted_strategy,
        x = summary.x.name,
        y = summary.y.name,
        points = summary.points,
        method = match summary.method {
            Method::Sml => "small-mutation limit",
            Method::Chain => "full Markov chain",
        },
        z = summary.population,
        beta = summary.beta,
        citation = summary.citation,
    );
    if !summary.conditions.is_empty() {
        text.push_str("Analytic boundaries drawn (the condition holds on the side where its margin is positive):\n\n");
        for c in &summary.conditions {
            writeln!(
                text,
                "- {}: agrees with \"{} is the most frequent strategy\" at {:.1}% of grid points",
                c.description,
                summary.plotted_strategy,
                100.0 * c.agreement_with_plotted_strategy_majority
            )
            .expect("writing to a string");
        }
    }
    text
}
