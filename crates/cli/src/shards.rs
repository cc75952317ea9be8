//! `--shard i/N` and `accord merge`: an experiment cut into parts that run
//! anywhere (a job array, a Dask cluster), then merged into exactly the
//! output one process writes. The shard files are `accord_sim::shard`'s.

use crate::output::StagedDir;
use crate::simulation::{Inputs, protocol_of, world_of};
use accord_seed::Shard;
use accord_sim::RunResult;
use accord_sim::evaluation::{Sources, evaluate_recorded};
use accord_sim::shard::{Job, ShardFile, ShardHeader, merge, read_header};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Where shard files go when `--out` is not given.
pub const DEFAULT_SHARD_FOLDER: &str = "results/shards";

/// Writes one shard into `folder` (created if needed) and says where.
pub fn write<R: Serialize + DeserializeOwned>(
    folder: &Path,
    header: ShardHeader,
    runs: Vec<(u64, R)>,
) -> Result<()> {
    let shard = Shard::new(header.shard_index, header.shard_count)?;
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    let name = header.file_name();
    let path = folder.join(&name);
    let partial = folder.join(format!(".{name}.partial-{}", std::process::id()));
    let text = ShardFile { header, runs }.to_json()?;
    std::fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
    // A reader never sees half a shard.
    std::fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
    println!("shard {shard}: {}", path.display());
    Ok(())
}

/// `accord merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard files, or folders holding them (`*.shard.json`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output folder (default: the experiment's own, e.g. results/evaluation).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Reads the shard files `paths` name, by name.
fn read_all(paths: &[PathBuf]) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
            found.retain(|p| p.to_string_lossy().ends_with(".shard.json"));
            found.sort();
            if found.is_empty() {
                bail!("{}: no *.shard.json files", path.display());
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// Every shard's runs, checked, in global index order.
pub fn recorded_runs<R: DeserializeOwned>(files: &[(String, String)]) -> Result<Vec<R>> {
    Ok(merge::<R>(files)?.1)
}

/// Merges shards and writes what the experiment writes in one process.
pub fn run(args: &MergeArgs) -> Result<()> {
    let files = read_all(&args.paths)?;
    let (name, text) = files.first().context("no shard files given")?;
    match read_header(name, text)?.job {
        Job::Evaluate(job) => {
            let protocol = protocol_of(&job.protocol)?;
            let world = world_of(&job.world)?;
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from(crate::evaluate::DEFAULT_OUT));
            let staged = StagedDir::create(&out)?;
            let runs = recorded_runs::<RunResult>(&files)?;
            let sources = Sources {
                protocol: job.protocol.source.clone(),
                world: job.world.source.clone(),
            };
            let evaluation = evaluate_recorded(&world, &protocol, &job.plan, sources, runs)?;
            crate::evaluate::write_report(&evaluation, &world, staged, None)
        }
        Job::Sweep(job) => {
            let sweep: crate::simulate::SweepArgs =
                serde_json::from_value(job.arguments).context("the shard files' sweep options")?;
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from(crate::simulate::DEFAULT_SWEEP_OUT));
            crate::simulate::sweep_merged(&sweep, &Inputs::Recorded(job.inputs), &out, &files)
        }
        Job::EgtMc(job) => {
            let mc: crate::egt::McArgs = serde_json::from_value(job.arguments)
                .context("the shard files' Monte Carlo options")?;
            if args.out.is_some() {
                bail!("egt mc prints its estimate; --out does not apply");
            }
            crate::egt::mc_merged(&mc, &Inputs::Recorded(job.inputs), &files)
        }
    }
}
