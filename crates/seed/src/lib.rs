//! `accord-seed`: reproducible random streams.
//!
//! Every Monte Carlo run gets its own generator, derived from the master seed
//! and the run's index alone, so results do not depend on how runs are
//! scheduled across threads. The generator is ChaCha8 (`rand_chacha`), whose
//! output is specified by its algorithm and stable across crate versions.
//!
//! The same property lets an experiment be cut into [`Shard`]s: shard
//! `i/N` computes the runs whose global index is `i` modulo `N`, each run on
//! the stream its index gives, so the union of the shards is the single run.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator of run `run_index` under `master_seed`: the ChaCha8 key is
/// expanded from the master seed and the run index selects the stream.
pub fn run_rng(master_seed: u64, run_index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(master_seed);
    rng.set_stream(run_index);
    rng
}

/// Most shards an experiment may be cut into.
pub const MAX_SHARDS: u64 = 1 << 20;

/// Part `index` of `count` of an experiment's runs: the runs whose global
/// index is `index` modulo `count` (round robin, so every shard gets a share
/// of every stage's runs whatever their cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    /// Which part, from 0.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

/// Why a shard specification is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardError {
    /// Not `INDEX/COUNT`.
    Syntax(String),
    /// A count of 0 or above [`MAX_SHARDS`].
    Count(u64),
    /// An index not below the count.
    Index {
        /// The index given.
        index: u64,
        /// The count given.
        count: u64,
    },
}

impl std::fmt::Display for ShardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShardError::Syntax(text) => write!(
                f,
                "shard {text:?}: expected INDEX/COUNT with INDEX from 0, e.g. 0/4"
            ),
            ShardError::Count(count) => write!(
                f,
                "the shard count must be between 1 and {MAX_SHARDS}, got {count}"
            ),
            ShardError::Index { index, count } => write!(
                f,
                "shard {index}/{count}: shards are numbered from 0 to {}",
                count - 1
            ),
        }
    }
}

impl std::error::Error for ShardError {}

impl Shard {
    /// The whole experiment as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count`, checked.
    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        if count == 0 || count > MAX_SHARDS {
            return Err(ShardError::Count(count));
        }
        if index >= count {
            return Err(ShardError::Index { index, count });
        }
        Ok(Shard { index, count })
    }

    /// Whether run `run_index` of the experiment belongs to this shard.
    pub fn holds(&self, run_index: u64) -> bool {
        run_index % self.count == self.index
    }

    /// The run indices of this shard among `runs` runs, in order.
    pub fn runs(&self, runs: u64) -> impl Iterator<Item = u64> + use<> {
        (self.index..runs).step_by(self.count as usize)
    }

    /// How many of `runs` runs this shard holds.
    pub fn run_count(&self, runs: u64) -> u64 {
        runs.saturating_sub(self.index).div_ceil(self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = ShardError;

    /// Parses `i/N`.
    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let parse = |part: &str| part.trim().parse::<u64>().ok();
        match text.split_once('/').map(|(i, n)| (parse(i), parse(n))) {
            Some((Some(index), Some(count))) => Shard::new(index, count),
            _ => Err(ShardError::Syntax(text.to_string())),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn shards_partition_the_runs() {
        let count = 7;
        let mut seen = vec![0; 100];
        for index in 0..count {
            let shard = Shard::new(index, count).unwrap();
            for run in shard.runs(100) {
                assert!(shard.holds(run));
                seen[run as usize] += 1;
            }
            assert_eq!(shard.run_count(100), shard.runs(100).count() as u64);
            assert_eq!(shard.run_count(3), shard.runs(3).count() as u64);
        }
        assert!(seen.iter().all(|&n| n == 1));
        assert_eq!(
            Shard::WHOLE.runs(5).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
    }

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!("2/8".parse::<Shard>().unwrap().to_string(), "2/8");
        for bad in ["8/8", "1/0", "a/2", "3", "-1/2"] {
            let error = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(
                error.contains("shard") || error.contains("count"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(run_rng(7, 3), |r, _: u64| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(run_rng(7, 3), |r, _: u64| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(run_rng(7, 4), |r, _: u64| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
