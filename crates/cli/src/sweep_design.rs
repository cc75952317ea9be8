//! `accord sweep --design lhs|sobol`: parameters drawn by a Latin hypercube,
//! or by Saltelli's design on Sobol' points with the first-order and total
//! Sobol' indices of the chosen outcome. This module parses, runs and
//! writes; the designs and every statistic are in `accord_sim::design` and
//! `accord_sim::sensitivity`.

use crate::columnar::{Column, Kind, ParquetTable};
use crate::output::{StagedDir, estimate_cells, estimate_text};
use crate::simulate::{Design, OUTCOME_COLUMNS, SweepArgs, SweepRuns, outcome_columns};
use crate::simulation::{Target, parse_target, warn_if_switched_off, with_parameters};
use accord_sim::design::{Range, Role, Saltelli, latin_hypercube_seeded};
use accord_sim::experiment::Summary;
use accord_sim::parameters::takes_whole_numbers;
use accord_sim::sensitivity::{DEFAULT_RESAMPLES, Index, SobolIndices, sobol_indices};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write as _};

/// Design size when --samples is not given.
const DEFAULT_SAMPLES: usize = 64;
/// Most points one design may run (before replicates).
const MAX_POINTS: usize = 1 << 20;
/// Points the console lists (all of them are in `samples.csv`).
const PRINTED_POINTS: usize = 40;

/// A parameter of the design and its range.
#[derive(Debug, Serialize)]
struct Parameter {
    /// As given: `TARGET:PATH`.
    name: String,
    #[serde(skip)]
    target: Target,
    #[serde(skip)]
    path: String,
    #[serde(flatten)]
    range: Range,
}

fn parameter(
    text: &str,
    protocol: &accord_core::Protocol,
    world: &accord_sim::World,
) -> Result<Parameter> {
    let usage = || {
        format!(
            "{text:?}: expected TARGET:PATH=LOW:HIGH, e.g. world:race.disaster_probability=0.2:0.8"
        )
    };
    let (name, range) = text.split_once('=').with_context(usage)?;
    let (target, path) = parse_target(name)?;
    let (low, high) = range.split_once(':').with_context(usage)?;
    let (low, high): (f64, f64) = (
        low.trim().parse().with_context(usage)?,
        high.trim().parse().with_context(usage)?,
    );
    if !(low.is_finite() && high.is_finite() && low <= high) {
        bail!("{text:?}: LOW and HIGH must be numbers with LOW ≤ HIGH");
    }
    if target == Target::Protocol {
        warn_if_switched_off(protocol, &path);
    }
    let whole = match target {
        Target::Protocol => takes_whole_numbers(protocol, &path),
        Target::World => takes_whole_numbers(world, &path),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if whole && low.ceil() > high.floor() {
        bail!("{text:?}: {path} takes whole numbers and there is none in [{low}, {high}]");
    }
    Ok(Parameter {
        name: name.to_string(),
        target,
        path,
        range: Range { low, high, whole },
    })
}

/// The design's points in the unit cube, with Saltelli's design for sobol.
fn unit_points(args: &SweepArgs, d: usize) -> Result<(Vec<Vec<f64>>, Option<Saltelli>)> {
    let samples = args.samples.unwrap_or(DEFAULT_SAMPLES);
    Ok(match args.design {
        Design::Lhs => {
            if !(1..=MAX_POINTS).contains(&samples) {
                bail!("--samples: 1 to {MAX_POINTS} points");
            }
            (latin_hypercube_seeded(samples, d, args.seed), None)
        }
        _ => {
            if samples.saturating_mul(d + 2) > MAX_POINTS {
                bail!(
                    "--samples {samples}: N·(d + 2) = {} points, more than {MAX_POINTS}",
                    samples.saturating_mul(d + 2)
                );
            }
            let design = Saltelli::new(d, samples).map_err(|e| anyhow::anyhow!("{e}"))?;
            (design.points().to_vec(), Some(design))
        }
    })
}

/// Runs an lhs or sobol sweep (or one shard of it) and writes its folder.
pub fn run(args: &SweepArgs, source: &SweepRuns) -> Result<()> {
    if args.x.is_some() || args.y.is_some() {
        bail!(
            "--x and --y are a grid's axes; --design lhs and sobol take --param TARGET:PATH=LOW:HIGH"
        );
    }
    if args.design == Design::Lhs && args.resamples.is_some() {
        bail!("--resamples sets the Sobol' indices' bootstrap; --design lhs has none");
    }
    if args.resamples.is_some_and(|resamples| resamples < 2) {
        bail!("--resamples must be at least 2: a bootstrap interval needs a spread of resamples");
    }
    let design = if args.design == Design::Lhs {
        "lhs"
    } else {
        "sobol"
    };
    if args.params.is_empty() {
        bail!("--design {design} needs at least one --param TARGET:PATH=LOW:HIGH");
    }
    if args.replicates < 1 {
        bail!("--replicates must be at least 1");
    }
    let ((protocol_name, protocol), (world_name, world)) = source.inputs(args)?;
    let parameters = args
        .params
        .iter()
        .map(|text| parameter(text, &protocol, &world))
        .collect::<Result<Vec<_>>>()?;
    for p in &parameters {
        crate::simulate::refuse_overridden(args, p.target, &p.path)?;
    }
    for (i, p) in parameters.iter().enumerate() {
        if parameters[..i]
            .iter()
            .any(|q| q.target == p.target && q.path == p.path)
        {
            bail!("--param {} is given twice", p.name);
        }
    }
    let (points, saltelli) = unit_points(args, parameters.len())?;
    let row_of = |k: usize| -> Vec<f64> {
        parameters
            .iter()
            .zip(&points[k])
            .map(|(p, &u)| p.range.at(u))
            .collect()
    };
    // Points are built a chunk at a time, just before they run (memory stays
    // bounded), after every point has been checked once.
    let settings = |range: std::ops::Range<usize>| {
        range
            .map(|k| {
                let row = row_of(k);
                let set: Vec<(Target, &str, f64)> = parameters
                    .iter()
                    .zip(&row)
                    .map(|(p, &v)| (p.target, p.path.as_str(), v))
                    .collect();
                with_parameters(&protocol, &world, &set).with_context(|| format!("point {k}"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Cow::Owned)
    };
    if source.recorded.is_none() {
        for first in (0..points.len()).step_by(source.chunk_points) {
            settings(first..(first + source.chunk_points).min(points.len()))?;
        }
    }
    let Some(staged) = source.output(args)? else {
        source.run_chunks(args, points.len(), settings, |_, _| Ok(()))?;
        return Ok(());
    };
    let role = |k: usize| saltelli.as_ref().map(|s| s.role(k));
    let mut table = SamplesTable::create(&staged, &parameters, saltelli.is_some())?;
    let mut outputs = Vec::with_capacity(points.len());
    let mut printed: Vec<(Vec<f64>, Summary)> = Vec::new();
    source.run_chunks(args, points.len(), settings, |first, runs| {
        let summaries: Vec<Summary> = runs
            .chunks(args.replicates as usize)
            .map(Summary::of)
            .collect();
        let rows: Vec<Vec<f64>> = (first..first + summaries.len()).map(row_of).collect();
        table.write(first, &rows, &summaries, role)?;
        outputs.extend(summaries.iter().map(|s| args.metric.of(s).mean));
        let room = PRINTED_POINTS.saturating_sub(printed.len());
        printed.extend(rows.into_iter().zip(summaries).take(room));
        Ok(())
    })?;
    table.finish()?;
    let metric = format!("{:?}", args.metric).to_lowercase();
    let indices = match &saltelli {
        Some(design) => {
            let resamples = args.resamples.unwrap_or(DEFAULT_RESAMPLES);
            let indices = sobol_indices(parameters.len(), &outputs, resamples, args.seed)
                .with_context(|| format!("Sobol' indices of {metric}"))?;
            staged.write("sobol.csv", sobol_csv(&parameters, &indices))?;
            let report = SobolReport {
                design: "sobol (Saltelli's scheme, unscrambled Sobol' points; first-order S1: Saltelli et al. 2010; total ST: Jansen 1999; as SALib 1.6)",
                protocol: &protocol_name,
                world: &world_name,
                metric: &metric,
                parameters: &parameters,
                skip: design.skip(),
                points: points.len(),
                replicates: args.replicates,
                seed: args.seed,
                indices: &indices,
            };
            staged.write("sobol.json", serde_json::to_string_pretty(&report)?)?;
            Some(indices)
        }
        None => None,
    };
    let folder = staged.commit()?;
    println!(
        "{design} design: {} points × {} replicates → {}",
        points.len(),
        args.replicates,
        folder.display()
    );
    match &indices {
        Some(indices) => print_indices(&parameters, indices, &metric),
        None => print_points(&parameters, points.len(), &printed, args, &metric),
    }
    Ok(())
}

/// What `sobol.json` holds.
#[derive(Serialize)]
struct SobolReport<'a> {
    design: &'static str,
    protocol: &'a str,
    world: &'a str,
    metric: &'a str,
    parameters: &'a [Parameter],
    /// Sobol' points skipped before the first row.
    skip: u64,
    /// N·(d + 2).
    points: usize,
    replicates: u64,
    seed: u64,
    indices: &'a SobolIndices,
}

/// `samples.csv` and `samples.parquet`, written a chunk of points at a time.
struct SamplesTable {
    csv: BufWriter<File>,
    parquet: ParquetTable,
}

impl SamplesTable {
    fn create(staged: &StagedDir, parameters: &[Parameter], sobol: bool) -> Result<SamplesTable> {
        let mut columns = vec![("point".to_string(), Kind::Integer)];
        if sobol {
            columns.push(("matrix".to_string(), Kind::Text));
        }
        columns.extend(parameters.iter().map(|p| (p.name.clone(), Kind::Float)));
        columns.extend(OUTCOME_COLUMNS.iter().map(|c| (c.to_string(), Kind::Float)));
        let path = staged.path("samples.csv");
        let mut csv = BufWriter::new(
            File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        );
        let header: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
        writeln!(csv, "{}", header.join(","))?;
        Ok(SamplesTable {
            csv,
            parquet: ParquetTable::create(&staged.path("samples.parquet"), &columns)?,
        })
    }

    /// Rows `first`, `first + 1`, … : parameter values and outcomes.
    fn write(
        &mut self,
        first: usize,
        rows: &[Vec<f64>],
        summaries: &[Summary],
        role: impl Fn(usize) -> Option<Role>,
    ) -> Result<()> {
        let e = estimate_cells;
        for (k, (row, s)) in (first..).zip(rows.iter().zip(summaries)) {
            write!(self.csv, "{k}")?;
            if let Some(role) = role(k) {
                write!(self.csv, ",{role}")?;
            }
            for v in row {
                write!(self.csv, ",{v}")?;
            }
            writeln!(
                self.csv,
                ",{},{},{},{}",
                e(&s.cooperation),
                e(&s.disaster_probability),
                e(&s.welfare),
                e(&s.coordinated_share)
            )?;
        }
        let points = first..first + rows.len();
        let mut columns = vec![Column::Integer(points.clone().map(|k| k as i64).collect())];
        if role(first).is_some() {
            columns.push(Column::Text(
                points
                    .map(|k| role(k).expect("sobol").to_string())
                    .collect(),
            ));
        }
        let width = rows.first().map_or(0, Vec::len);
        columns.extend((0..width).map(|d| Column::Float(rows.iter().map(|r| r[d]).collect())));
        columns.extend(outcome_columns(summaries.iter()));
        self.parquet.write(&columns)
    }

    fn finish(mut self) -> Result<()> {
        self.csv.flush()?;
        self.parquet.finish()
    }
}

fn sobol_csv(parameters: &[Parameter], indices: &SobolIndices) -> String {
    let mut csv = String::from("parameter,S1,S1_conf,S1_low,S1_high,ST,ST_conf,ST_low,ST_high\n");
    let e = |i: &Index| format!("{},{},{},{}", i.estimate, i.conf, i.low, i.high);
    for ((p, first), total) in parameters
        .iter()
        .zip(&indices.first_order)
        .zip(&indices.total)
    {
        writeln!(csv, "{},{},{}", p.name, e(first), e(total)).expect("string");
    }
    csv
}

fn print_indices(parameters: &[Parameter], indices: &SobolIndices, metric: &str) {
    let width = parameters.iter().map(|p| p.name.len()).max().unwrap_or(0);
    println!(
        "  Sobol' indices of {metric} (variance {:.4e} over the points; 95% bootstrap intervals, {} resamples):",
        indices.variance, indices.resamples
    );
    println!("  {:width$}  {:<26}  total", "parameter", "first order");
    let e = |i: &Index| format!("{:.3} [{:.3}, {:.3}]", i.estimate, i.low, i.high);
    for ((p, first), total) in parameters
        .iter()
        .zip(&indices.first_order)
        .zip(&indices.total)
    {
        println!("  {:width$}  {:<26}  {}", p.name, e(first), e(total));
    }
}

fn print_points(
    parameters: &[Parameter],
    points: usize,
    printed: &[(Vec<f64>, Summary)],
    args: &SweepArgs,
    metric: &str,
) {
    if points > printed.len() {
        println!(
            "  showing {} of {points} points; full table in samples.csv",
            printed.len()
        );
    }
    for (row, s) in printed {
        let e = args.metric.of(s);
        let at: Vec<String> = parameters
            .iter()
            .zip(row)
            .map(|(p, v)| format!("{}={v:<10.4}", p.name))
            .collect();
        println!("  {} {metric} {}", at.join(" "), estimate_text(&e, 3));
    }
}
