//! Shard files: one part of an experiment cut by run index
//! ([`accord_seed::Shard`]), and the merge of every part into what a single
//! process computes.
//!
//! A shard file is JSON: a header that describes the whole experiment (its
//! [`Job`], with the input files' texts, so a merge needs nothing else), which
//! shard it is, and the shard's runs as `(global index, result)` pairs.
//! Seeds derive from the master seed and the run's index, never from the
//! shard, so the union of the shards is the single run, number for number.

use crate::evaluation::EvaluationPlan;
use accord_seed::Shard;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format line of a shard file. Its number changes whenever the same
/// inputs would give different runs (a new random stream, a changed rule),
/// so shards computed before and after never merge into one report; the
/// package version alone does not change between such revisions.
/// 2: 2026-12-06 (whistleblower and settlement streams, conviction rate,
/// top-rung fines, announcements, group norm losses).
pub const SHARD_FORMAT: &str = "accord-shard/2";

/// The protocol `accord evaluate` runs without one (also from Python).
pub const DEFAULT_PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
/// The world `accord evaluate` runs in without one (also from Python).
pub const DEFAULT_WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");

/// A file an experiment read, kept by value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Where it came from (a path, or a description of an embedded default).
    pub source: String,
    /// Its text.
    pub text: String,
}

impl Input {
    /// The embedded global protocol, under the name every front end gives it.
    pub fn default_protocol() -> Input {
        Input {
            source: "global-protocol.toml (embedded)".into(),
            text: DEFAULT_PROTOCOL.into(),
        }
    }

    /// The embedded world of frontier labs, under the name every front end gives it.
    pub fn default_world() -> Input {
        Input {
            source: "frontier-labs.toml (embedded)".into(),
            text: DEFAULT_WORLD.into(),
        }
    }
}

/// An evaluation, described completely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationJob {
    /// The protocol file.
    pub protocol: Input,
    /// The world file.
    pub world: Input,
    /// How much to run.
    pub plan: EvaluationPlan,
}

/// A command of the `accord` binary, described by its options and the
/// files it read (what `accord merge` replays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandJob {
    /// Its options as a JSON object (without `--shard` and `--out`).
    pub arguments: serde_json::Value,
    /// Every file an argument names, by the argument's text.
    pub inputs: Vec<(String, Input)>,
}

/// The experiment a shard belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "experiment", rename_all = "kebab-case")]
pub enum Job {
    /// `accord evaluate`.
    Evaluate(EvaluationJob),
    /// `accord sweep`.
    Sweep(CommandJob),
    /// `accord egt mc`.
    EgtMc(CommandJob),
}

/// What every shard of an experiment says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// [`SHARD_FORMAT`].
    pub format: String,
    /// Version of Accord that computed it (shards of different versions do not mix).
    pub accord_version: String,
    /// The experiment.
    pub job: Job,
    /// Which part, from 0.
    pub shard_index: u64,
    /// How many parts.
    pub shard_count: u64,
    /// Runs of the whole experiment.
    pub runs_total: u64,
}

impl ShardHeader {
    /// The file name of this shard: the experiment, a digest of the
    /// experiment (so shards of different experiments in one folder never
    /// overwrite each other), the index and the count.
    pub fn file_name(&self) -> String {
        let kind = match self.job {
            Job::Evaluate(_) => "evaluate",
            Job::Sweep(_) => "sweep",
            Job::EgtMc(_) => "egt-mc",
        };
        // FNV-1a over the experiment's description: stable across versions and platforms.
        let description =
            serde_json::to_string(&(&self.job, self.runs_total)).expect("jobs serialise");
        let digest = description.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!(
            "{kind}-{:08x}-{:05}-of-{:05}.shard.json",
            digest >> 32,
            self.shard_index,
            self.shard_count
        )
    }

    /// The header of `shard` of `job`, which makes `runs_total` runs in all.
    pub fn new(job: Job, shard: Shard, runs_total: u64) -> ShardHeader {
        ShardHeader {
            format: SHARD_FORMAT.to_string(),
            accord_version: env!("CARGO_PKG_VERSION").to_string(),
            job,
            shard_index: shard.index,
            shard_count: shard.count,
            runs_total,
        }
    }
}

/// One shard: its header and its runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile<R> {
    /// The experiment and the part.
    pub header: ShardHeader,
    /// `(global run index, result)`, by index.
    pub runs: Vec<(u64, R)>,
}

impl<R: Serialize + DeserializeOwned> ShardFile<R> {
    /// The file's text, checked to read back as it was written: JSON holds
    /// no NaN or infinity, and a shard that could not be merged exactly is
    /// refused when it is written, not when it is merged.
    pub fn to_json(&self) -> Result<String, MergeError> {
        let text = serde_json::to_string(self).expect("shard files serialise");
        serde_json::from_str::<ShardFile<R>>(&text).map_err(|e| MergeError::Unrecordable {
            index: self.header.shard_index,
            count: self.header.shard_count,
            reason: e.to_string(),
        })?;
        Ok(text)
    }
}

/// Why shards do not merge.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    /// Not JSON of a shard file.
    #[error("{source_name}: not an Accord shard file: {reason}")]
    Unreadable {
        /// File name.
        source_name: String,
        /// What the parser said.
        reason: String,
    },
    /// Another format or version.
    #[error("{source_name}: shard format {format} from Accord {version}; this is {SHARD_FORMAT} from Accord {}: compute the shards again with this version", env!("CARGO_PKG_VERSION"))]
    Version {
        /// File name.
        source_name: String,
        /// Its format line.
        format: String,
        /// Its Accord version.
        version: String,
    },
    /// No shard given.
    #[error("no shard files to merge")]
    Empty,
    /// A shard whose runs JSON cannot record exactly.
    #[error(
        "shard {index}/{count} cannot be recorded exactly (a run produced NaN or an infinity, which JSON cannot hold): {reason}"
    )]
    Unrecordable {
        /// Shard index.
        index: u64,
        /// Shard count.
        count: u64,
        /// What the reader said.
        reason: String,
    },
    /// A header that cannot be a shard's.
    #[error("{source_name}: {reason}")]
    Header {
        /// File name.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// Shards of different experiments.
    #[error("{source_name} belongs to another experiment than {first}: {difference}")]
    Mismatch {
        /// File name.
        source_name: String,
        /// The first file's name.
        first: String,
        /// What differs.
        difference: &'static str,
    },
    /// The same shard twice.
    #[error("shard {index}/{count} given twice ({a} and {b})")]
    Duplicate {
        /// Shard index.
        index: u64,
        /// Shard count.
        count: u64,
        /// One file.
        a: String,
        /// The other.
        b: String,
    },
    /// Shards missing.
    #[error("missing shard(s) {missing:?} of {count}")]
    Missing {
        /// Indices missing.
        missing: Vec<u64>,
        /// Shard count.
        count: u64,
    },
    /// A shard whose runs are not the runs it should hold.
    #[error(
        "{source_name}: shard {index}/{count} should hold runs {index}, {index}+{count}, … below {total}, one each, in order"
    )]
    Runs {
        /// File name.
        source_name: String,
        /// Shard index.
        index: u64,
        /// Shard count.
        count: u64,
        /// Runs of the experiment.
        total: u64,
    },
}

/// Reads the header of a shard file (the runs are skipped) and checks it.
pub fn read_header(source_name: &str, text: &str) -> Result<ShardHeader, MergeError> {
    let file: ShardFile<IgnoredAny> = parse(source_name, text)?;
    let header = file.header;
    let shard =
        Shard::new(header.shard_index, header.shard_count).map_err(|e| MergeError::Header {
            source_name: source_name.to_string(),
            reason: e.to_string(),
        })?;
    if file.runs.len() as u64 != shard.run_count(header.runs_total) {
        return Err(MergeError::Runs {
            source_name: source_name.to_string(),
            index: header.shard_index,
            count: header.shard_count,
            total: header.runs_total,
        });
    }
    Ok(header)
}

fn parse<R: DeserializeOwned>(source_name: &str, text: &str) -> Result<ShardFile<R>, MergeError> {
    let file: ShardFile<R> = serde_json::from_str(text).map_err(|e| MergeError::Unreadable {
        source_name: source_name.to_string(),
        reason: e.to_string(),
    })?;
    if file.header.format != SHARD_FORMAT || file.header.accord_version != env!("CARGO_PKG_VERSION")
    {
        return Err(MergeError::Version {
            source_name: source_name.to_string(),
            format: file.header.format,
            version: file.header.accord_version,
        });
    }
    Ok(file)
}

/// Merges shard files given as `(name, text)`: checks that they are every
/// shard of one experiment, each once, each with exactly its runs, and
/// returns the experiment and every run in global index order.
pub fn merge<R: DeserializeOwned>(files: &[(String, String)]) -> Result<(Job, Vec<R>), MergeError> {
    let (first_name, first_text) = files.first().ok_or(MergeError::Empty)?;
    let first = read_header(first_name, first_text)?;
    let count = first.shard_count;
    let mut position_of: BTreeMap<u64, usize> = BTreeMap::new();
    for (position, (name, text)) in files.iter().enumerate() {
        let header = read_header(name, text)?;
        let difference = if header.job != first.job {
            Some("a different command, options or input files")
        } else if header.shard_count != count {
            Some("a different shard count")
        } else if header.runs_total != first.runs_total {
            Some("a different number of runs")
        } else {
            None
        };
        if let Some(difference) = difference {
            return Err(MergeError::Mismatch {
                source_name: name.clone(),
                first: first_name.clone(),
                difference,
            });
        }
        if let Some(&other) = position_of.get(&header.shard_index) {
            return Err(MergeError::Duplicate {
                index: header.shard_index,
                count,
                a: files[other].0.clone(),
                b: name.clone(),
            });
        }
        position_of.insert(header.shard_index, position);
    }
    if position_of.len() as u64 != count {
        let missing = (0..count)
            .filter(|i| !position_of.contains_key(i))
            .take(MISSING_LISTED)
            .collect();
        return Err(MergeError::Missing { missing, count });
    }
    let total = first.runs_total;
    let mut parts: Vec<std::vec::IntoIter<(u64, R)>> = Vec::with_capacity(count as usize);
    for (index, position) in position_of {
        let (name, text) = &files[position];
        let file: ShardFile<R> = parse(name, text)?;
        let shard = Shard::new(index, count).expect("checked above");
        if !file.runs.iter().map(|(g, _)| *g).eq(shard.runs(total)) {
            return Err(MergeError::Runs {
                source_name: name.clone(),
                index,
                count,
                total,
            });
        }
        parts.push(file.runs.into_iter());
    }
    // Run g is the (g / count)-th run of shard g mod count.
    let runs = (0..total)
        .map(|g| {
            parts[(g % count) as usize]
                .next()
                .map(|(_, run)| run)
                .expect("every shard holds its runs, checked above")
        })
        .collect();
    Ok((first.job, runs))
}

/// Missing shards an error lists at most.
const MISSING_LISTED: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        Job::EgtMc(CommandJob {
            arguments: serde_json::json!({"runs": 10}),
            inputs: Vec::new(),
        })
    }

    fn shard(index: u64, count: u64, total: u64) -> (String, String) {
        let shard = Shard::new(index, count).unwrap();
        let file = ShardFile {
            header: ShardHeader::new(job(), shard, total),
            runs: shard.runs(total).map(|g| (g, g * 10)).collect(),
        };
        (
            format!("shard-{index}"),
            serde_json::to_string(&file).unwrap(),
        )
    }

    #[test]
    fn every_shard_merges_into_the_whole() {
        let files: Vec<_> = [2, 0, 1].iter().map(|&i| shard(i, 3, 10)).collect();
        let (merged_job, runs) = merge::<u64>(&files).unwrap();
        assert_eq!(merged_job, job());
        assert_eq!(runs, (0..10).map(|g| g * 10).collect::<Vec<_>>());
    }

    #[test]
    fn incomplete_or_mixed_shards_are_refused() {
        let missing = merge::<u64>(&[shard(0, 3, 10), shard(2, 3, 10)]).unwrap_err();
        assert_eq!(
            missing,
            MergeError::Missing {
                missing: vec![1],
                count: 3
            }
        );
        let twice = merge::<u64>(&[shard(0, 2, 10), shard(0, 2, 10)]).unwrap_err();
        assert!(matches!(twice, MergeError::Duplicate { index: 0, .. }));
        let mixed = merge::<u64>(&[shard(0, 2, 10), shard(1, 2, 11)]).unwrap_err();
        assert!(matches!(
            mixed,
            MergeError::Mismatch {
                difference: "a different number of runs",
                ..
            }
        ));
        let (name, text) = shard(0, 2, 10);
        let huge = text.replace("\"shard_count\":2", "\"shard_count\":18446744073709551615");
        assert_ne!(huge, text);
        let error = merge::<u64>(&[(name, huge)]).unwrap_err();
        assert!(matches!(error, MergeError::Header { .. }), "{error}");
        let (name, text) = shard(0, 2, 10);
        let huge = text.replace("\"runs_total\":10", "\"runs_total\":18446744073709551615");
        let error = merge::<u64>(&[(name, huge)]).unwrap_err();
        assert!(matches!(error, MergeError::Runs { .. }), "{error}");
        let (name, text) = shard(1, 2, 10);
        let tampered = text.replace("[3,30]", "[4,30]");
        assert_ne!(tampered, text);
        let error = merge::<u64>(&[shard(0, 2, 10), (name, tampered)]).unwrap_err();
        assert!(matches!(error, MergeError::Runs { index: 1, .. }));
        let nan = ShardFile {
            header: ShardHeader::new(job(), Shard::WHOLE, 1),
            runs: vec![(0, f64::NAN)],
        };
        assert!(matches!(
            nan.to_json(),
            Err(MergeError::Unrecordable { index: 0, .. })
        ));
        let error = merge::<u64>(&[("junk".into(), "{".into())]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("junk: not an Accord shard file")
        );
        assert_eq!(merge::<u64>(&[]).unwrap_err(), MergeError::Empty);
    }
}
