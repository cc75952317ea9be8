//! Experiments on top of runs: replicates with confidence intervals, every
//! subset of the five mechanism families with Shapley values and pairwise
//! interactions, partial implementation, and individual rationality.
//!
//! Runs are independent and parallel (rayon). Replicate `k` of every
//! configuration uses random stream `k` of the master seed, so configurations
//! are compared on common random numbers and every number is reproducible
//! from the seed whatever the thread count. Intervals, tests and verdicts are
//! in [`crate::stats`], [`crate::claims`] and [`crate::rationality`].

use crate::claims::SUBSETS;
use crate::families::{self, Family, Strengths};
pub use crate::rationality::Rationality;
use crate::run::{RunOptions, RunResult, run};
use crate::stats::CensoredTime;
pub use crate::stats::Estimate;
use crate::strategy::{Development, Reporting, Strategy};
use crate::world::World;
use accord_core::Protocol;
use rayon::prelude::*;
use serde::Serialize;

/// The outcomes of a configuration over its replicates.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Long-run share of lab-periods developed safely.
    pub cooperation: Estimate,
    /// Long-run share of generations with a disaster.
    pub disaster_probability: Estimate,
    /// Long-run sum of labs' payoffs per period (race payoff units per period, summed over labs).
    pub welfare: Estimate,
    /// Generations until the safe share first reaches 80%, censored at the
    /// horizon for runs that never get there.
    pub time_to_coordination: CensoredTime,
    /// Share of runs that reached 80% safe development (Wilson interval).
    pub coordinated_share: Estimate,
    /// Detection rate of audited unsafe development.
    pub detection_rate: Estimate,
    /// False-alarm rate of audited safe development.
    pub false_alarm_rate: Estimate,
}

impl Summary {
    /// Summarises runs.
    pub fn of(runs: &[RunResult]) -> Summary {
        let pick = |f: &dyn Fn(&RunResult) -> f64| {
            Estimate::mean_of(&runs.iter().map(f).collect::<Vec<_>>())
        };
        let times: Vec<(Option<u32>, u32)> = runs
            .iter()
            .map(|r| (r.time_to_coordination, r.generations_run))
            .collect();
        Summary {
            cooperation: pick(&|r| r.cooperation),
            disaster_probability: pick(&|r| r.disaster_rate),
            welfare: pick(&|r| r.welfare),
            time_to_coordination: CensoredTime::of(&times),
            coordinated_share: Estimate::wilson(
                runs.iter()
                    .filter(|r| r.time_to_coordination.is_some())
                    .count(),
                runs.len(),
            ),
            detection_rate: pick(&|r| r.detection_rate.unwrap_or(f64::NAN)),
            false_alarm_rate: pick(&|r| r.false_alarm_rate.unwrap_or(f64::NAN)),
        }
    }
}

/// What an experiment runs on.
#[derive(Clone, Copy)]
pub struct Setting<'a> {
    /// The world.
    pub world: &'a World,
    /// The protocol as written (all families at full strength).
    pub protocol: &'a Protocol,
    /// Master seed.
    pub seed: u64,
    /// Replicates per configuration.
    pub replicates: u64,
    /// Called once per finished run (for progress bars).
    pub progress: &'a (dyn Fn() + Sync),
}

impl Setting<'_> {
    /// Runs every replicate of a configuration, in parallel.
    pub fn replicate(&self, strengths: &Strengths, template: &RunOptions) -> Vec<RunResult> {
        let (protocol, world) = families::apply(self.protocol, self.world, strengths);
        (0..self.replicates)
            .into_par_iter()
            .map(|k| {
                let options = RunOptions {
                    seed: self.seed,
                    run_index: k,
                    ..template.clone()
                };
                let result = run(&world, &protocol, &options);
                (self.progress)();
                result
            })
            .collect()
    }
}

/// Outcome of one subset of families.
#[derive(Debug, Clone, Serialize)]
pub struct SubsetResult {
    /// Families on.
    pub families: Vec<Family>,
    /// Outcomes.
    pub summary: Summary,
    #[serde(skip)]
    runs: Vec<RunResult>,
}

impl SubsetResult {
    /// The runs, in replicate order.
    pub fn runs(&self) -> &[RunResult] {
        &self.runs
    }
}

/// A family's contribution to one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// Family.
    pub family: Family,
    /// The seed paper's leverage class for it.
    pub claimed_leverage: &'static str,
    /// Shapley value.
    pub shapley: Estimate,
    /// `v(all) − v(all without it)`.
    pub removal_loss: Estimate,
    /// `v({it}) − v(∅)`.
    pub alone_gain: Estimate,
}

/// Pairwise Shapley interaction index of two families.
#[derive(Debug, Clone, Serialize)]
pub struct Interaction {
    /// First family.
    pub a: Family,
    /// Second family.
    pub b: Family,
    /// Interaction index (positive: complements).
    pub index: Estimate,
}

/// Every subset of families, with attributions for each outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Ablation {
    /// All 32 subsets.
    pub subsets: Vec<SubsetResult>,
    /// Attribution of long-run cooperation.
    pub cooperation: Vec<Contribution>,
    /// Attribution of welfare.
    pub welfare: Vec<Contribution>,
    /// Attribution of disaster probability (negative: the family lowers it).
    pub disaster_probability: Vec<Contribution>,
    /// Pairwise interactions on cooperation.
    pub interactions: Vec<Interaction>,
}

impl Ablation {
    /// Runs every subset of the five families.
    pub fn run(setting: &Setting, template: &RunOptions) -> Ablation {
        let subsets: Vec<SubsetResult> = (0u32..32)
            .map(|mask| {
                let runs = setting.replicate(&families::subset_strengths(mask), template);
                SubsetResult {
                    families: Family::ALL
                        .iter()
                        .copied()
                        .filter(|f| mask & (1 << f.index()) != 0)
                        .collect(),
                    summary: Summary::of(&runs),
                    runs,
                }
            })
            .collect();
        let cooperation = Ablation::table_of(&subsets, |r| r.cooperation);
        let welfare = Ablation::table_of(&subsets, |r| r.welfare);
        let disasters = Ablation::table_of(&subsets, |r| r.disaster_rate);
        let interactions = (0..5)
            .flat_map(|a| (a + 1..5).map(move |b| (a, b)))
            .map(|(a, b)| Interaction {
                a: Family::ALL[a],
                b: Family::ALL[b],
                index: Estimate::mean_of(
                    &cooperation
                        .iter()
                        .map(|v| interaction_index(v, a, b))
                        .collect::<Vec<_>>(),
                ),
            })
            .collect();
        Ablation {
            cooperation: contributions(&cooperation),
            welfare: contributions(&welfare),
            disaster_probability: contributions(&disasters),
            interactions,
            subsets,
        }
    }

    /// An outcome of every subset per replicate: `table[k][mask]`.
    pub fn table(&self, metric: fn(&RunResult) -> f64) -> Vec<[f64; SUBSETS]> {
        Ablation::table_of(&self.subsets, metric)
    }

    fn table_of(subsets: &[SubsetResult], metric: fn(&RunResult) -> f64) -> Vec<[f64; SUBSETS]> {
        let replicates = subsets.first().map_or(0, |s| s.runs.len());
        (0..replicates)
            .map(|k| std::array::from_fn(|mask| metric(&subsets[mask].runs[k])))
            .collect()
    }

    /// The outcome with no family on (no protocol) and with all on.
    pub fn extremes(&self) -> (&Summary, &Summary) {
        (&self.subsets[0].summary, &self.subsets[31].summary)
    }
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Shapley value of player `i` from `v` indexed by subset mask (5 players).
pub(crate) fn shapley(v: &[f64], i: usize) -> f64 {
    let n = 5;
    (0u32..32)
        .filter(|s| s & (1 << i) == 0)
        .map(|s| {
            let size = s.count_ones() as usize;
            factorial(size) * factorial(n - size - 1) / factorial(n)
                * (v[(s | (1 << i)) as usize] - v[s as usize])
        })
        .sum()
}

/// Shapley interaction index of players `i` and `j` (Grabisch 1997).
fn interaction_index(v: &[f64], i: usize, j: usize) -> f64 {
    let n = 5;
    (0u32..32)
        .filter(|s| s & (1 << i) == 0 && s & (1 << j) == 0)
        .map(|s| {
            let size = s.count_ones() as usize;
            let (si, sj, sij) = (
                (s | 1 << i) as usize,
                (s | 1 << j) as usize,
                (s | 1 << i | 1 << j) as usize,
            );
            factorial(size) * factorial(n - size - 2) / factorial(n - 1)
                * (v[sij] - v[si] - v[sj] + v[s as usize])
        })
        .sum()
}

fn contributions(values: &[[f64; SUBSETS]]) -> Vec<Contribution> {
    Family::ALL
        .iter()
        .map(|&family| {
            let i = family.index();
            let per = |f: &dyn Fn(&[f64]) -> f64| {
                Estimate::mean_of(&values.iter().map(|v| f(v)).collect::<Vec<_>>())
            };
            Contribution {
                family,
                claimed_leverage: family.claimed_leverage(),
                shapley: per(&|v| shapley(v, i)),
                removal_loss: per(&|v| v[31] - v[31 ^ (1 << i)]),
                alone_gain: per(&|v| v[1 << i] - v[0]),
            }
        })
        .collect()
}

/// Outcome as one family's strength goes from 0 to full, the others at full strength.
#[derive(Debug, Clone, Serialize)]
pub struct PartialCurve {
    /// Family varied.
    pub family: Family,
    /// `(strength, outcomes)`.
    pub points: Vec<(f64, Summary)>,
}

/// Partial implementation curves for every family.
pub fn partial_implementation(
    setting: &Setting,
    template: &RunOptions,
    levels: &[f64],
) -> Vec<PartialCurve> {
    Family::ALL
        .iter()
        .map(|&family| PartialCurve {
            family,
            points: levels
                .iter()
                .map(|&level| {
                    let mut strengths = [1.0; 5];
                    strengths[family.index()] = level;
                    (level, Summary::of(&setting.replicate(&strengths, template)))
                })
                .collect(),
        })
        .collect()
}

/// For each lab type: compliance against every unilateral deviation, all
/// others complying, strategies held fixed for `generations` generations.
pub fn individual_rationality(setting: &Setting, generations: u32) -> Vec<Rationality> {
    let world = setting.world;
    let labs = world.lab_count();
    let mut first = 0;
    let mut results = Vec::new();
    for t in &world.lab {
        let focal = first;
        first += t.count as usize;
        let play_as = |strategy: Strategy, member: bool| -> Vec<f64> {
            let mut strategies = vec![Strategy::COMPLY; labs];
            strategies[focal] = strategy;
            let mut members = vec![true; labs];
            members[focal] = member;
            let template = RunOptions {
                strategies: Some(strategies),
                members: Some(members),
                fixed: true,
                generations: Some(generations),
                ..RunOptions::default()
            };
            setting
                .replicate(&[1.0; 5], &template)
                .iter()
                .map(|r| r.mean_utility[focal])
                .collect()
        };
        let play = |strategy: Strategy| play_as(strategy, true);
        let comply = play(Strategy::COMPLY);
        let deviations: Vec<(String, Vec<f64>)> = Strategy::deviations()
            .into_iter()
            .map(|s| (s.to_string(), play(s)))
            .collect();
        let stay_out: Vec<(String, Vec<f64>)> = [Development::Safe, Development::Unsafe]
            .into_iter()
            .map(|development| {
                let strategy = Strategy {
                    development,
                    reporting: Reporting::Honest,
                };
                let label = match development {
                    Development::Safe => "stay out (develop safely)",
                    _ => "stay out (develop unsafely)",
                };
                (label.to_string(), play_as(strategy, false))
            })
            .collect();
        results.push(
            Rationality::assess(&t.name, &comply, &deviations)
                .with_participation(&comply, &stay_out),
        );
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapley_of_an_additive_game_is_its_weights() {
        let weights = [1.0, 2.0, 3.0, 4.0, 5.0];
        let v: Vec<f64> = (0u32..32)
            .map(|s| {
                (0..5)
                    .filter(|i| s & (1 << i) != 0)
                    .map(|i| weights[i])
                    .sum()
            })
            .collect();
        for (i, weight) in weights.iter().enumerate() {
            assert!((shapley(&v, i) - weight).abs() < 1e-12);
            for j in i + 1..5 {
                assert!(interaction_index(&v, i, j).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn complements_have_positive_interaction() {
        // v(S) = 1 iff both 0 and 1 are in S.
        let v: Vec<f64> = (0u32..32)
            .map(|s| f64::from(u8::from(s & 3 == 3)))
            .collect();
        assert!((shapley(&v, 0) - 0.5).abs() < 1e-12);
        assert!((interaction_index(&v, 0, 1) - 1.0).abs() < 1e-12);
        let efficiency: f64 = (0..5).map(|i| shapley(&v, i)).sum();
        assert!((efficiency - (v[31] - v[0])).abs() < 1e-12);
    }
}
