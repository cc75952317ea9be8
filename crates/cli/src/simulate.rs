//! `accord simulate` (one run's trajectories) and `accord sweep` (a grid over
//! simulator parameters; other designs in [`crate::sweep_design`]).

use crate::columnar::{Column, Kind, ParquetTable};
use crate::output::{StagedDir, estimate_cells, estimate_text};
use crate::progress;
use crate::shards::{self, DEFAULT_SHARD_FOLDER};
use crate::simulation::{
    Inputs, Target, generations_range, parse_target, protocol_of, protocol_or_default,
    warn_if_switched_off, with_parameters, world_of, world_or_default,
};
use accord_core::Protocol;
use accord_plot::{Heatmap, LineChart, Series};
use accord_seed::Shard;
use accord_sim::experiment::{Estimate, Summary};
use accord_sim::run::{GenerationRecord, LabRecord};
use accord_sim::shard::{CommandJob, Job, ShardHeader};
use accord_sim::{RunOptions, RunResult, World, run};
use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where a sweep's folder goes when `--out` is not given.
pub const DEFAULT_SWEEP_OUT: &str = "results/sweep";
/// Points a sweep runs together: what it holds in memory at once.
pub(crate) const CHUNK_POINTS: usize = 4096;
/// Rows of a Parquet row group of the trajectories.
const ROWS_PER_GROUP: usize = 65_536;

/// `accord simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Protocol file (default: the shipped global protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Generations (default: the world's).
    #[arg(long, value_parser = generations_range())]
    generations: Option<u32>,
    /// Output folder.
    #[arg(long, default_value = "results/simulation")]
    out: PathBuf,
}

/// What the run drew before its first generation: `drawn.csv` (each lab's
/// type, speed and, with a network, how many labs it observes) and, with a
/// network, `network.csv` (one row per link, by lab id).
fn write_drawn(staged: &StagedDir, world: &World, result: &RunResult) -> Result<()> {
    let drawn = result
        .drawn
        .as_ref()
        .expect("recorded runs keep their draws");
    let mut labs = csv::Writer::from_writer(Vec::new());
    for lab in drawn.labs(world) {
        labs.serialize(lab)?;
    }
    staged.write("drawn.csv", labs.into_inner()?)?;
    if let Some(links) = drawn.links_by_id(world) {
        let mut network = csv::Writer::from_writer(Vec::new());
        network.write_record(["lab_a", "lab_b"])?;
        for (a, b) in links {
            network.write_record([a, b])?;
        }
        staged.write("network.csv", network.into_inner()?)?;
    }
    Ok(())
}

/// Runs one simulation and writes its trajectories.
pub fn simulate(args: &SimulateArgs) -> Result<()> {
    let (protocol_name, protocol) = protocol_or_default(args.protocol.as_deref())?;
    let (world_name, world) = world_or_default(args.world.as_deref())?;
    let staged = StagedDir::create(&args.out)?;
    let spinner = progress::spinner("simulating");
    let result = run(
        &world,
        &protocol,
        &RunOptions {
            seed: args.seed,
            record: true,
            generations: args.generations,
            ..RunOptions::default()
        },
    );
    spinner.finish_and_clear();

    let mut labs = String::from(
        "generation,lab,strategy,developed_safely,payoff,utility,disaster_probability,credits,sanction_level,compute_access,pledged,jurisdiction\n",
    );
    for r in &result.labs {
        writeln!(
            labs,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.generation,
            r.lab,
            r.strategy,
            r.developed_safely,
            r.payoff,
            r.utility,
            r.disaster_probability,
            r.credits,
            r.sanction_level,
            r.compute_access,
            r.pledged,
            r.jurisdiction.as_deref().unwrap_or_default()
        )
        .expect("string");
    }
    staged.write("labs.csv", labs)?;
    write_drawn(&staged, &world, &result)?;
    let mut generations = String::from(
        "generation,safe_share,disaster_probability,welfare,periods,pact_succeeded,alerts\n",
    );
    for g in &result.generations {
        writeln!(
            generations,
            "{},{},{},{},{},{},{}",
            g.generation,
            g.safe_share,
            g.disaster_probability,
            g.welfare,
            g.periods,
            g.pact_succeeded.map_or(String::new(), |p| p.to_string()),
            g.alerts
        )
        .expect("string");
    }
    staged.write("generations.csv", generations)?;
    write_trajectories_parquet(&staged, &result)?;

    // Records come generation by generation, each listing every lab in order.
    let mut series: Vec<Series> = world
        .lab
        .iter()
        .flat_map(|t| t.participant_ids())
        .map(|label| Series {
            label,
            points: Vec::new(),
            band: Vec::new(),
        })
        .collect();
    for generation in result.labs.chunks(series.len()) {
        for (lab, record) in series.iter_mut().zip(generation) {
            debug_assert_eq!(lab.label, record.lab);
            lab.points
                .push((f64::from(record.generation), record.payoff));
        }
    }
    let payoffs = LineChart {
        title: "Payoff per period of each lab".into(),
        x_label: "generation".into(),
        y_label: "payoff per period".into(),
        y_range: None,
        series,
    };
    payoffs.write_svg(&staged.path("payoffs.svg"))?;
    payoffs.write_png(&staged.path("payoffs.png"))?;
    let safety = LineChart {
        title: "Share of labs developing safely".into(),
        x_label: "generation".into(),
        y_label: "safe share".into(),
        y_range: Some((0.0, 1.0)),
        series: vec![Series {
            label: "safe share".into(),
            points: result
                .generations
                .iter()
                .map(|g| (f64::from(g.generation), g.safe_share))
                .collect(),
            band: Vec::new(),
        }],
    };
    safety.write_svg(&staged.path("safe-share.svg"))?;
    safety.write_png(&staged.path("safe-share.png"))?;
    let summary = result.summary(&protocol_name, &world_name, args.seed);
    staged.write("summary.json", serde_json::to_string_pretty(&summary)?)?;
    let folder = staged.commit()?;
    println!("{protocol_name} in {world_name}, seed {}:", args.seed);
    println!(
        "  long-run cooperation {:.3}, disaster rate {:.3}, welfare {:.2}",
        result.cooperation, result.disaster_rate, result.welfare
    );
    println!(
        "  time to coordination: {}",
        result
            .time_to_coordination
            .map_or("never".to_string(), |g| format!("generation {g}"))
    );
    println!("  wrote {}", folder.display());
    Ok(())
}

/// `accord sweep`.
#[derive(Debug, Args, Serialize, Deserialize)]
pub struct SweepArgs {
    /// Protocol file (default: the shipped global protocol).
    pub(crate) protocol: Option<PathBuf>,
    /// World file (default: the shipped world).
    #[arg(long)]
    pub(crate) world: Option<PathBuf>,
    /// Which points to run: `grid` (every combination of the --x and --y
    /// values), `lhs` (a Latin hypercube over the --param ranges) or `sobol`
    /// (Saltelli's design on Sobol' points over the --param ranges, with the
    /// first-order and total Sobol' indices of --metric).
    #[arg(long, value_enum, default_value = "grid")]
    pub(crate) design: Design,
    /// Horizontal axis of a grid: TARGET:PATH=START:END:POINTS, e.g. world:race.disaster_probability=0:1:11.
    #[arg(long, required_if_eq("design", "grid"))]
    pub(crate) x: Option<String>,
    /// Vertical axis of a grid (optional; a line chart without it).
    #[arg(long)]
    pub(crate) y: Option<String>,
    /// A parameter of an lhs or sobol design and its range, repeatable:
    /// TARGET:PATH=LOW:HIGH, e.g. world:race.disaster_probability=0.2:0.8.
    /// Values are uniform on the range; a whole-number field takes each whole
    /// value in it equally often.
    #[arg(long = "param", value_name = "TARGET:PATH=LOW:HIGH")]
    pub(crate) params: Vec<String>,
    /// Size of an lhs or sobol design (default 64): lhs, the number of
    /// points; sobol, the base samples N, run at N·(d + 2) points for d
    /// parameters (a power of two keeps the Sobol' points balanced).
    #[arg(long)]
    pub(crate) samples: Option<usize>,
    /// Bootstrap resamples behind the Sobol' indices' intervals (sobol only; default 1000).
    #[arg(long)]
    pub(crate) resamples: Option<usize>,
    /// Outcome plotted (grid) or analysed (sobol).
    #[arg(long, value_enum, default_value = "cooperation")]
    pub(crate) metric: Metric,
    /// Replicates per point.
    #[arg(long, default_value_t = 8)]
    pub(crate) replicates: u64,
    /// Generations of every run (default: the world's).
    #[arg(long, value_parser = generations_range())]
    pub(crate) generations: Option<u32>,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Output folder (default results/sweep; with --shard, results/shards).
    #[arg(long)]
    #[serde(skip)]
    pub(crate) out: Option<PathBuf>,
    /// Compute only part INDEX of COUNT of the runs (INDEX from 0) and write
    /// it as a shard file; `accord merge` turns every part into the sweep's folder.
    #[arg(long, value_name = "INDEX/COUNT")]
    #[serde(skip)]
    pub(crate) shard: Option<Shard>,
}

/// Where a sweep's runs come from and where its folder goes.
pub(crate) struct SweepRuns<'a> {
    /// The protocol and world files, read once (recorded in shard files).
    pub(crate) inputs: &'a Inputs,
    /// The sweep's folder.
    pub(crate) out: PathBuf,
    /// Shard files to take the runs from (`accord merge`) instead of simulating.
    pub(crate) recorded: Option<&'a [(String, String)]>,
    /// Points run together ([`CHUNK_POINTS`]; smaller in tests).
    pub(crate) chunk_points: usize,
}

impl SweepRuns<'_> {
    /// The protocol and the world the sweep varies.
    pub(crate) fn inputs(&self, args: &SweepArgs) -> Result<((String, Protocol), (String, World))> {
        let protocol = self.inputs.protocol(args.protocol.as_deref())?;
        let world = self.inputs.world(args.world.as_deref())?;
        Ok((
            (protocol.source.clone(), protocol_of(&protocol)?),
            (world.source.clone(), world_of(&world)?),
        ))
    }

    /// The folder the sweep writes, or `None` when this process only
    /// computes a shard.
    pub(crate) fn output(&self, args: &SweepArgs) -> Result<Option<StagedDir>> {
        if args.shard.is_some() && self.recorded.is_none() {
            return Ok(None);
        }
        Ok(Some(StagedDir::create(&self.out)?))
    }

    /// Runs the sweep's `points` points chunk by chunk (`chunk_points` at
    /// a time, so memory stays bounded whatever the design's size):
    /// `settings` gives a range of points (built then, or borrowed), `sink` gets each
    /// chunk's first point and runs in point order (point `p`'s replicate
    /// `k` is run `p · replicates + k`, on stream `k`). Returns `false` when
    /// this process only computed and wrote its shard (`sink` is not called).
    pub(crate) fn run_chunks<'s>(
        &self,
        args: &SweepArgs,
        points: usize,
        settings: impl Fn(Range<usize>) -> Result<Cow<'s, [(Protocol, World)]>>,
        mut sink: impl FnMut(usize, &[RunResult]) -> Result<()>,
    ) -> Result<bool> {
        let replicates = args.replicates;
        let total = points as u64 * replicates;
        let chunk_points = self.chunk_points;
        assert!(chunk_points > 0, "chunks hold at least one point");
        let chunk_runs = chunk_points * replicates as usize;
        if let Some(files) = self.recorded {
            let runs: Vec<RunResult> = shards::recorded_runs(files)?;
            if runs.len() as u64 != total {
                bail!(
                    "the shards hold {} runs; this sweep makes {total}",
                    runs.len()
                );
            }
            for (chunk, runs) in runs.chunks(chunk_runs).enumerate() {
                sink(chunk * chunk_points, runs)?;
            }
            return Ok(true);
        }
        let shard = args.shard.unwrap_or(Shard::WHOLE);
        let bar = progress::bar(shard.run_count(total), "sweep");
        let mut kept: Vec<(u64, RunResult)> = Vec::new();
        for first in (0..points).step_by(chunk_points) {
            let end = (first + chunk_points).min(points);
            let settings = settings(first..end)?;
            let runs: Vec<(u64, RunResult)> = (first as u64 * replicates..end as u64 * replicates)
                .filter(|&g| shard.holds(g))
                .collect::<Vec<u64>>()
                .into_par_iter()
                .map(|g| {
                    let (protocol, world) = &settings[(g / replicates) as usize - first];
                    let options = RunOptions {
                        seed: args.seed,
                        run_index: g % replicates,
                        generations: args.generations,
                        ..RunOptions::default()
                    };
                    let result = run(world, protocol, &options);
                    bar.inc(1);
                    (g, result)
                })
                .collect();
            if args.shard.is_some() {
                kept.extend(runs);
            } else {
                let runs: Vec<RunResult> = runs.into_iter().map(|(_, r)| r).collect();
                sink(first, &runs)?;
            }
        }
        bar.finish_and_clear();
        let Some(shard) = args.shard else {
            return Ok(true);
        };
        let job = Job::Sweep(CommandJob {
            arguments: serde_json::to_value(args)?,
            inputs: self.inputs.entries(),
        });
        let folder = args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SHARD_FOLDER));
        shards::write(&folder, ShardHeader::new(job, shard, total), kept)?;
        Ok(false)
    }
}

/// Which points a sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Every combination of the --x and --y values.
    Grid,
    /// A Latin hypercube over the --param ranges.
    Lhs,
    /// Saltelli's design on Sobol' points, with Sobol' indices.
    Sobol,
}

/// An outcome to sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Long-run share of labs developing safely.
    Cooperation,
    /// Long-run probability that a generation has at least one disaster.
    Disaster,
    /// Long-run welfare per period.
    Welfare,
    /// Share of runs in which the safety norm formed (80% of labs safe) within
    /// the run: with `--generations T`, the chance that the norm forms before
    /// a capability milestone at generation T ends the game.
    Coordinated,
}

impl Metric {
    /// The outcome's estimate in a summary.
    pub(crate) fn of(self, summary: &Summary) -> Estimate {
        match self {
            Metric::Cooperation => summary.cooperation,
            Metric::Disaster => summary.disaster_probability,
            Metric::Welfare => summary.welfare,
            Metric::Coordinated => summary.coordinated_share,
        }
    }
}

/// A sweep axis.
struct Axis {
    target: Target,
    path: String,
    label: String,
    values: Vec<f64>,
}

/// Refuses to sweep a parameter a command-line option overrides in every
/// run, which would run every point alike.
pub(crate) fn refuse_overridden(args: &SweepArgs, target: Target, path: &str) -> Result<()> {
    if let (Some(generations), Target::World, "learning.generations") =
        (args.generations, target, path)
    {
        bail!(
            "--generations {generations} sets every run's generations, so sweeping world:learning.generations would change nothing; drop one of the two"
        );
    }
    Ok(())
}

fn axis(text: &str) -> Result<Axis> {
    let usage = || {
        format!(
            "{text:?}: expected TARGET:PATH=START:END:POINTS, e.g. world:race.disaster_probability=0:1:11"
        )
    };
    let (parameter, range) = text.split_once('=').with_context(usage)?;
    let (target, path) = parse_target(parameter)?;
    let parts: Vec<&str> = range.split(':').collect();
    let [start, end, points] = parts[..] else {
        bail!(usage())
    };
    let (start, end): (f64, f64) = (
        start.parse().with_context(usage)?,
        end.parse().with_context(usage)?,
    );
    let points: usize = points.parse().with_context(usage)?;
    if !(1..=201).contains(&points) {
        bail!("{text:?}: 1 to 201 points");
    }
    if points == 1 && start != end {
        bail!("{text:?}: one point runs START alone; give START = END, or more points");
    }
    let values = (0..points)
        .map(|i| {
            if points == 1 {
                start
            } else {
                start + (end - start) * i as f64 / (points - 1) as f64
            }
        })
        .collect();
    Ok(Axis {
        target,
        path,
        label: parameter.to_string(),
        values,
    })
}

/// `labs.parquet` and `generations.parquet`: the rows of the CSV files.
fn write_trajectories_parquet(staged: &StagedDir, result: &RunResult) -> Result<()> {
    let named = |names: &[(&str, Kind)]| -> Vec<(String, Kind)> {
        names.iter().map(|(n, k)| (n.to_string(), *k)).collect()
    };
    let mut labs = ParquetTable::create(
        &staged.path("labs.parquet"),
        &named(&[
            ("generation", Kind::Integer),
            ("lab", Kind::Text),
            ("strategy", Kind::Text),
            ("developed_safely", Kind::Boolean),
            ("payoff", Kind::Float),
            ("utility", Kind::Float),
            ("disaster_probability", Kind::Float),
            ("credits", Kind::Integer),
            ("sanction_level", Kind::Integer),
            ("compute_access", Kind::Boolean),
            ("pledged", Kind::Boolean),
            ("jurisdiction", Kind::Text),
        ]),
    )?;
    for chunk in result.labs.chunks(ROWS_PER_GROUP) {
        let int = |f: fn(&LabRecord) -> i64| Column::Integer(chunk.iter().map(f).collect());
        let float = |f: fn(&LabRecord) -> f64| Column::Float(chunk.iter().map(f).collect());
        let boolean =
            |f: fn(&LabRecord) -> bool| Column::Boolean(chunk.iter().map(|r| Some(f(r))).collect());
        let text = |f: fn(&LabRecord) -> &str| {
            Column::Text(chunk.iter().map(|r| f(r).to_string()).collect())
        };
        labs.write(&[
            int(|r| i64::from(r.generation)),
            text(|r| &r.lab),
            text(|r| &r.strategy),
            boolean(|r| r.developed_safely),
            float(|r| r.payoff),
            float(|r| r.utility),
            float(|r| r.disaster_probability),
            int(|r| i64::try_from(r.credits).unwrap_or(i64::MAX)),
            int(|r| i64::from(r.sanction_level)),
            boolean(|r| r.compute_access),
            boolean(|r| r.pledged),
            text(|r| r.jurisdiction.as_deref().unwrap_or_default()),
        ])?;
    }
    labs.finish()?;
    let mut generations = ParquetTable::create(
        &staged.path("generations.parquet"),
        &named(&[
            ("generation", Kind::Integer),
            ("safe_share", Kind::Float),
            ("disaster_probability", Kind::Float),
            ("welfare", Kind::Float),
            ("periods", Kind::Float),
            ("pact_succeeded", Kind::Boolean),
            ("alerts", Kind::Integer),
        ]),
    )?;
    let rows = &result.generations;
    let float = |f: fn(&GenerationRecord) -> f64| Column::Float(rows.iter().map(f).collect());
    generations.write(&[
        Column::Integer(rows.iter().map(|g| i64::from(g.generation)).collect()),
        float(|g| g.safe_share),
        float(|g| g.disaster_probability),
        float(|g| g.welfare),
        float(|g| g.periods),
        Column::Boolean(rows.iter().map(|g| g.pact_succeeded).collect()),
        Column::Integer(rows.iter().map(|g| g.alerts as i64).collect()),
    ])?;
    generations.finish()
}

/// `sweep.parquet`: the rows of `sweep.csv` (a one-axis grid has no y column).
fn write_grid_parquet(
    staged: &StagedDir,
    x: &str,
    y: Option<&str>,
    results: &[(f64, f64, Summary)],
) -> Result<()> {
    let mut names: Vec<String> = std::iter::once(x).chain(y).map(str::to_string).collect();
    names.extend(OUTCOME_COLUMNS.iter().map(|c| c.to_string()));
    let columns: Vec<(String, Kind)> = names.into_iter().map(|n| (n, Kind::Float)).collect();
    let mut table = ParquetTable::create(&staged.path("sweep.parquet"), &columns)?;
    for chunk in results.chunks(CHUNK_POINTS) {
        let mut values = vec![Column::Float(chunk.iter().map(|r| r.0).collect())];
        if y.is_some() {
            values.push(Column::Float(chunk.iter().map(|r| r.1).collect()));
        }
        values.extend(outcome_columns(chunk.iter().map(|r| &r.2)));
        table.write(&values)?;
    }
    table.finish()
}

/// The outcome columns of a sweep table, in `OUTCOME_COLUMNS`' order.
pub(crate) fn outcome_columns<'a>(
    summaries: impl Iterator<Item = &'a Summary> + Clone,
) -> Vec<Column> {
    let metrics: [fn(&Summary) -> Estimate; 4] = [
        |s| s.cooperation,
        |s| s.disaster_probability,
        |s| s.welfare,
        |s| s.coordinated_share,
    ];
    metrics
        .iter()
        .flat_map(|metric| {
            let column = |part: fn(&Estimate) -> f64| {
                Column::Float(summaries.clone().map(|s| part(&metric(s))).collect())
            };
            [column(|e| e.mean), column(|e| e.low), column(|e| e.high)]
        })
        .collect()
}

/// Names of the outcome columns of every sweep table.
pub(crate) const OUTCOME_COLUMNS: [&str; 12] = [
    "cooperation",
    "cooperation_low",
    "cooperation_high",
    "disaster",
    "disaster_low",
    "disaster_high",
    "welfare",
    "welfare_low",
    "welfare_high",
    "coordinated",
    "coordinated_low",
    "coordinated_high",
];

/// Grid points the sweep prints (all of them are in `sweep.csv`).
const PRINTED_POINTS: usize = 40;

/// Runs a sweep over simulator parameters (or one shard of it).
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SWEEP_OUT));
    let files = [&args.protocol, &args.world].into_iter().flatten();
    sweep_with(
        args,
        &SweepRuns {
            inputs: &Inputs::Disk.snapshot(files)?,
            out,
            recorded: None,
            chunk_points: CHUNK_POINTS,
        },
    )
}

/// Writes the folder of a sweep from its shard files (`accord merge`).
pub fn sweep_merged(
    args: &SweepArgs,
    inputs: &Inputs,
    out: &Path,
    files: &[(String, String)],
) -> Result<()> {
    sweep_with(
        args,
        &SweepRuns {
            inputs,
            out: out.to_path_buf(),
            recorded: Some(files),
            chunk_points: CHUNK_POINTS,
        },
    )
}

fn sweep_with(args: &SweepArgs, source: &SweepRuns) -> Result<()> {
    if args.design != Design::Grid {
        return crate::sweep_design::run(args, source);
    }
    if !args.params.is_empty() || args.samples.is_some() || args.resamples.is_some() {
        bail!(
            "--param, --samples and --resamples belong to --design lhs or sobol; a grid takes --x and --y"
        );
    }
    let ((_, protocol), (_, world)) = source.inputs(args)?;
    let x = axis(args.x.as_deref().context(
        "a grid needs --x TARGET:PATH=START:END:POINTS (or --design lhs|sobol with --param TARGET:PATH=LOW:HIGH)",
    )?)?;
    let y = args.y.as_deref().map(axis).transpose()?;
    if let Some(y) = &y
        && (y.target, &y.path) == (x.target, &x.path)
    {
        bail!(
            "--x and --y both vary {}: give each axis its own parameter",
            x.label
        );
    }
    for axis in std::iter::once(&x).chain(&y) {
        refuse_overridden(args, axis.target, &axis.path)?;
        if axis.target == Target::Protocol {
            warn_if_switched_off(&protocol, &axis.path);
        }
    }
    let ys = y.as_ref().map_or(vec![f64::NAN], |a| a.values.clone());
    // Validate every point before running.
    let mut points = Vec::new();
    let mut settings = Vec::new();
    for &yv in &ys {
        for &xv in &x.values {
            let mut parameters = vec![(x.target, x.path.as_str(), xv)];
            if let Some(axis) = &y {
                parameters.push((axis.target, axis.path.as_str(), yv));
            }
            settings.push(with_parameters(&protocol, &world, &parameters)?);
            points.push((xv, yv));
        }
    }
    if args.replicates < 2 {
        bail!("--replicates must be at least 2 (confidence intervals need two)");
    }
    let Some(staged) = source.output(args)? else {
        source.run_chunks(
            args,
            points.len(),
            |r| Ok(Cow::Borrowed(&settings[r])),
            |_, _| Ok(()),
        )?;
        return Ok(());
    };
    let mut results: Vec<(f64, f64, Summary)> = Vec::with_capacity(points.len());
    source.run_chunks(
        args,
        points.len(),
        |r| Ok(Cow::Borrowed(&settings[r])),
        |first, runs| {
            let summaries = runs.chunks(args.replicates as usize).map(Summary::of);
            results.extend(
                points[first..]
                    .iter()
                    .zip(summaries)
                    .map(|(&(xv, yv), s)| (xv, yv, s)),
            );
            Ok(())
        },
    )?;
    write_grid_parquet(
        &staged,
        &x.label,
        y.as_ref().map(|a| a.label.as_str()),
        &results,
    )?;
    let mut csv = x.label.clone();
    if let Some(axis) = &y {
        write!(csv, ",{}", axis.label).expect("string");
    }
    writeln!(csv, ",{}", OUTCOME_COLUMNS.join(",")).expect("string");
    for (xv, yv, s) in &results {
        let e = estimate_cells;
        writeln!(
            csv,
            "{xv}{},{},{},{},{}",
            if y.is_some() {
                format!(",{yv}")
            } else {
                String::new()
            },
            e(&s.cooperation),
            e(&s.disaster_probability),
            e(&s.welfare),
            e(&s.coordinated_share)
        )
        .expect("string");
    }
    staged.write("sweep.csv", csv)?;
    let metric_name = format!("{:?}", args.metric).to_lowercase();
    match &y {
        Some(axis) => {
            let values: Vec<Vec<f64>> = (0..axis.values.len())
                .map(|iy| {
                    (0..x.values.len())
                        .map(|ix| args.metric.of(&results[iy * x.values.len() + ix].2).mean)
                        .collect()
                })
                .collect();
            let (lo, hi) = values
                .iter()
                .flatten()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            // Colours span the data's range; the colour bar is labelled in the same units.
            let scale = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
            let heatmap = Heatmap {
                title: format!("{metric_name} ({} replicates per point)", args.replicates),
                x_label: x.label.clone(),
                y_label: axis.label.clone(),
                xs: x.values.clone(),
                ys: axis.values.clone(),
                values,
                scale,
                colour_label: metric_name.clone(),
                contours: Vec::new(),
            };
            heatmap.write_svg(&staged.path("sweep.svg"))?;
            heatmap.write_png(&staged.path("sweep.png"))?;
        }
        None => {
            let chart = LineChart {
                title: format!(
                    "{metric_name} ({} replicates per point, 95% intervals)",
                    args.replicates
                ),
                x_label: x.label.clone(),
                y_label: metric_name.clone(),
                y_range: None,
                series: vec![Series {
                    label: metric_name.clone(),
                    points: results
                        .iter()
                        .map(|(xv, _, s)| (*xv, args.metric.of(s).mean))
                        .collect(),
                    band: results
                        .iter()
                        .map(|(xv, _, s)| (*xv, args.metric.of(s).low, args.metric.of(s).high))
                        .collect(),
                }],
            };
            chart.write_svg(&staged.path("sweep.svg"))?;
            chart.write_png(&staged.path("sweep.png"))?;
        }
    }
    let folder = staged.commit()?;
    println!(
        "{} grid points × {} replicates → {}",
        results.len(),
        args.replicates,
        folder.display()
    );
    if results.len() > PRINTED_POINTS {
        println!(
            "  showing {PRINTED_POINTS} of {} grid points; full table in {}",
            results.len(),
            folder.join("sweep.csv").display()
        );
    }
    for (xv, yv, s) in results.iter().take(PRINTED_POINTS) {
        let e = args.metric.of(s);
        println!(
            "  {}={xv:<10.4} {}{metric_name} {}",
            x.label,
            y.as_ref()
                .map_or(String::new(), |a| format!("{}={yv:<10.4} ", a.label)),
            estimate_text(&e, 3)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        args: SweepArgs,
    }

    fn args(extra: &[&str]) -> SweepArgs {
        let base = [
            "sweep",
            "--x",
            "world:race.disaster_probability=0:1:7",
            "--replicates",
            "2",
            "--generations",
            "2",
        ];
        Command::parse_from(base.iter().chain(extra)).args
    }

    /// Every run the sink gets, with the first point of each chunk.
    fn collect(
        source: &SweepRuns,
        args: &SweepArgs,
        settings: &[(Protocol, World)],
    ) -> (Vec<usize>, Vec<RunResult>) {
        let (mut firsts, mut runs) = (Vec::new(), Vec::new());
        let complete = source
            .run_chunks(
                args,
                settings.len(),
                |r| Ok(Cow::Borrowed(&settings[r])),
                |first, chunk| {
                    firsts.push(first);
                    runs.extend_from_slice(chunk);
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(complete, args.shard.is_none() || source.recorded.is_some());
        (firsts, runs)
    }

    #[test]
    fn chunks_and_shards_change_no_run() {
        let (_, protocol) = protocol_or_default(None).unwrap();
        let (_, world) = world_or_default(None).unwrap();
        let settings: Vec<(Protocol, World)> = (0..7)
            .map(|k| {
                let value = f64::from(k) / 6.0;
                with_parameters(
                    &protocol,
                    &world,
                    &[(Target::World, "race.disaster_probability", value)],
                )
                .unwrap()
            })
            .collect();
        let source = |chunk_points, recorded| SweepRuns {
            inputs: &Inputs::Disk,
            out: PathBuf::from("unused"),
            recorded,
            chunk_points,
        };
        let whole = args(&[]);
        let (firsts, reference) = collect(&source(CHUNK_POINTS, None), &whole, &settings);
        assert_eq!((firsts, reference.len()), (vec![0], 14));
        let (firsts, chunked) = collect(&source(3, None), &whole, &settings);
        assert_eq!(firsts, vec![0, 3, 6]);
        assert_eq!(chunked, reference);

        let folder =
            std::env::temp_dir().join(format!("accord-sweep-chunks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        for shard in ["2/3", "0/3", "1/3"] {
            let part = args(&["--shard", shard, "--out", folder.to_str().unwrap()]);
            let (firsts, runs) = collect(&source(2, None), &part, &settings);
            assert!(
                firsts.is_empty() && runs.is_empty(),
                "a shard only writes its file"
            );
        }
        let mut files: Vec<(String, String)> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                (
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                )
            })
            .collect();
        files.sort();
        assert_eq!(files.len(), 3);
        let (firsts, merged) = collect(&source(4, Some(&files)), &whole, &settings);
        assert_eq!(firsts, vec![0, 4]);
        assert_eq!(merged, reference);
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
