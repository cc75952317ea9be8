//! Verdicts that survive other worlds. A world file declares the ranges of
//! the parameters it is unsure of (`[uncertainty]`); the worlds around it are
//! sampled by Latin hypercube (McKay, Beckman & Conover 1979): with `N`
//! samples, each parameter's range is cut into `N` equal strata and every
//! stratum is used exactly once,
//!
//! ```text
//! x_{k,d} = low_d + (high_d − low_d) · (π_d(k) + U_{k,d}) / N
//! ```
//!
//! with `π_d` an independent random permutation of `0..N` per parameter and
//! `U` uniform on `[0, 1)`. For each verdict, the share of sampled worlds in
//! which it holds is reported, and its sensitivity to each parameter as the
//! Spearman rank correlation between the parameter's value and the
//! indicator that the verdict holds (ties get average ranks).

use crate::claims::{Verdict, spearman};
use crate::experiment::{Ablation, Setting};
use crate::parameters::{ParameterError, takes_whole_numbers, world_with};
use crate::run::RunOptions;
use crate::world::World;
use accord_seed::run_rng;
use rand::RngExt;
use serde::Serialize;

/// Random stream of the sampler under the master seed (apart from the runs' streams).
const SAMPLER_STREAM: u64 = u64::MAX - 1;

/// Most worlds one robustness check may sample.
pub const MAX_SAMPLES: usize = 4096;

/// One sampled world.
#[derive(Debug, Clone)]
pub struct Sample {
    /// `(path, value)` of every uncertain parameter, in the world's order.
    pub values: Vec<(String, f64)>,
    /// The world with those values.
    pub world: World,
}

/// `samples` worlds around `world` by Latin hypercube over its declared uncertainty.
pub fn latin_hypercube(
    world: &World,
    samples: usize,
    seed: u64,
) -> Result<Vec<Sample>, ParameterError> {
    assert!(
        samples <= MAX_SAMPLES,
        "at most {MAX_SAMPLES} robustness samples (plans are validated first)"
    );
    let mut rng = run_rng(seed, SAMPLER_STREAM);
    let mut columns: Vec<(String, Vec<f64>)> = Vec::with_capacity(world.uncertainty.len());
    for (path, &[low, high]) in &world.uncertainty {
        let mut strata: Vec<usize> = (0..samples).collect();
        crate::stats::shuffle(&mut strata, &mut rng);
        // Whole-number fields take the nearest whole value.
        let whole = takes_whole_numbers(world, path)?;
        let values = strata
            .iter()
            .map(|&s| {
                let value = low + (high - low) * (s as f64 + rng.random::<f64>()) / samples as f64;
                if whole { value.round() } else { value }
            })
            .collect();
        columns.push((path.clone(), values));
    }
    (0..samples)
        .map(|k| {
            let mut sampled = world.clone();
            let mut values = Vec::with_capacity(columns.len());
            for (path, column) in &columns {
                let value = column[k];
                sampled = world_with(&sampled, path, value)?;
                values.push((path.clone(), value));
            }
            Ok(Sample {
                values,
                world: sampled,
            })
        })
        .collect()
}

/// The verdicts `judge` gives for the ablation of every sampled world, in
/// sample order (each world with the same seed and replicates as `setting`).
pub fn verdicts_across(
    setting: &Setting,
    template: &RunOptions,
    samples: &[Sample],
    judge: &(dyn Fn(&Ablation) -> Vec<String> + Sync),
) -> Vec<Vec<String>> {
    samples
        .iter()
        .enumerate()
        .map(|(k, sample)| {
            let local = Setting {
                world: &sample.world,
                sample: Some(k),
                ..*setting
            };
            judge(&Ablation::run(&local, template))
        })
        .collect()
}

/// How one verdict fared across sampled worlds.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictRobustness {
    /// The claim.
    pub claim: String,
    /// Its verdict in the given world.
    pub verdict: String,
    /// Share of sampled worlds with the same verdict.
    pub share_holding: f64,
    /// Share of sampled worlds with a decided verdict (not undetermined)
    /// other than this one: what contradicts it, where `share_holding`
    /// also counts against it the worlds that decide nothing. Zero when this
    /// verdict is undetermined: nothing contradicts it.
    pub share_contrary: f64,
    /// Sampled worlds.
    pub samples: usize,
    /// `(parameter, Spearman correlation with "the verdict holds")`, strongest
    /// first; empty when the verdict holds in all sampled worlds or in none.
    pub sensitivity: Vec<(String, f64)>,
}

/// Summarises verdicts across samples: `verdicts[k][c]` is claim `c`'s
/// verdict in sample `k`, `reference[c]` = `(claim, verdict in the given world)`.
pub fn summarise(
    samples: &[Sample],
    reference: &[(String, String)],
    verdicts: &[Vec<String>],
) -> Vec<VerdictRobustness> {
    assert_eq!(samples.len(), verdicts.len(), "one verdict list per sample");
    reference
        .iter()
        .enumerate()
        .map(|(c, (claim, verdict))| {
            let holds: Vec<f64> = verdicts
                .iter()
                .map(|v| f64::from(u8::from(v[c] == *verdict)))
                .collect();
            // A verdict that holds everywhere or nowhere has nothing to predict.
            let varies = holds.iter().any(|&h| h != holds[0]);
            let mut sensitivity: Vec<(String, f64)> = samples
                .first()
                .filter(|_| varies)
                .map(|s| s.values.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(d, path)| {
                    let column: Vec<f64> = samples.iter().map(|s| s.values[d].1).collect();
                    (path, spearman(&column, &holds))
                })
                .collect();
            sensitivity.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
            // Nothing contradicts a verdict that decides nothing.
            let undetermined = Verdict::Undetermined.to_string();
            let contrary = verdicts
                .iter()
                .filter(|v| *verdict != undetermined && v[c] != *verdict && v[c] != undetermined)
                .count();
            VerdictRobustness {
                claim: claim.clone(),
                verdict: verdict.clone(),
                share_holding: holds.iter().sum::<f64>() / holds.len().max(1) as f64,
                share_contrary: contrary as f64 / verdicts.len().max(1) as f64,
                samples: samples.len(),
                sensitivity,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap()
    }

    #[test]
    fn every_stratum_is_used_once() {
        let world = world();
        assert!(
            !world.uncertainty.is_empty(),
            "the shipped world declares its uncertainty"
        );
        let samples = latin_hypercube(&world, 16, 5).unwrap();
        for (d, (path, [low, high])) in world.uncertainty.iter().enumerate() {
            let mut strata: Vec<usize> = samples
                .iter()
                .map(|s| {
                    assert_eq!(&s.values[d].0, path);
                    let x = (s.values[d].1 - low) / (high - low);
                    assert!((0.0..=1.0).contains(&x), "{path}: {x}");
                    ((x * 16.0).floor() as usize).min(15)
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..16).collect::<Vec<_>>(), "{path}");
        }
        let again = latin_hypercube(&world, 16, 5).unwrap();
        assert_eq!(
            samples[3].values, again[3].values,
            "reproducible from the seed"
        );
    }

    #[test]
    fn sensitivity_finds_the_parameter_that_decides() {
        let world = world();
        let samples = latin_hypercube(&world, 20, 1).unwrap();
        let (path, _) = world.uncertainty.iter().next().unwrap();
        let verdicts: Vec<Vec<String>> = samples
            .iter()
            .map(|s| {
                let x = s.values[0].1;
                let [low, high] = world.uncertainty[path];
                vec![
                    if x > (low + high) / 2.0 {
                        "confirmed"
                    } else {
                        "refuted"
                    }
                    .to_string(),
                ]
            })
            .collect();
        let summary = summarise(&samples, &[("claim".into(), "confirmed".into())], &verdicts);
        assert!((summary[0].share_holding - 0.5).abs() < 1e-12);
        assert!((summary[0].share_contrary - 0.5).abs() < 1e-12);
        assert_eq!(&summary[0].sensitivity[0].0, path);
        // Worlds that decide nothing do not hold the verdict, nor contradict it.
        let undecided: Vec<Vec<String>> = verdicts
            .iter()
            .map(|v| {
                vec![if v[0] == "refuted" {
                    "undetermined".into()
                } else {
                    v[0].clone()
                }]
            })
            .collect();
        let summary = summarise(
            &samples,
            &[("claim".into(), "confirmed".into())],
            &undecided,
        );
        assert!((summary[0].share_holding - 0.5).abs() < 1e-12);
        assert_eq!(summary[0].share_contrary, 0.0);
        assert!(summary[0].sensitivity[0].1 > 0.8);
        // Nothing contradicts an undetermined verdict (an outside review
        // found one "contrary" to the worlds that decided it).
        let summary = summarise(
            &samples,
            &[("claim".into(), "undetermined".into())],
            &undecided,
        );
        assert_eq!(summary[0].share_contrary, 0.0);
        // Holding everywhere, it has nothing to predict (every ρ would be 0).
        let everywhere = vec![vec!["confirmed".to_string()]; samples.len()];
        let summary = summarise(
            &samples,
            &[("claim".into(), "confirmed".into())],
            &everywhere,
        );
        assert_eq!(summary[0].share_holding, 1.0);
        assert!(summary[0].sensitivity.is_empty());
    }
}
