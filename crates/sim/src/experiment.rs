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
use std::collections::VecDeque;
use std::sync::Mutex;

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
    /// Detection rate of audited unsafe development (a monitor's vote).
    pub detection_rate: Estimate,
    /// Conviction rate of audited unsafe development (the panel's verdict).
    pub conviction_rate: Estimate,
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
            conviction_rate: pick(&|r| r.conviction_rate.unwrap_or(f64::NAN)),
            false_alarm_rate: pick(&|r| r.false_alarm_rate.unwrap_or(f64::NAN)),
        }
    }
}

/// One configuration of an experiment: family strengths and the options of
/// its runs. It runs `replicates` times; replicate `k` on random stream `k`.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// Strength of each family (`families::Strengths`).
    pub strengths: Strengths,
    /// Options of every replicate (seed and run index are set per run).
    pub template: RunOptions,
}

impl Configuration {
    /// `strengths` with `template`.
    pub fn new(strengths: Strengths, template: &RunOptions) -> Configuration {
        Configuration {
            strengths,
            template: template.clone(),
        }
    }
}

/// A configuration with the world it runs in (`None`: the experiment's own
/// world; `Some(s)`: robustness sample `s`).
pub type Placed = (Option<usize>, Configuration);

/// Where an experiment's runs come from.
pub enum Runs {
    /// Simulated when the experiment asks for them.
    Simulate,
    /// Simulated beforehand (by shards): each configuration's replicates, in
    /// the order the experiment asks for them, with the robustness sample
    /// it ran in (`None`: the experiment's own world).
    Recorded(Mutex<VecDeque<(Placed, Vec<RunResult>)>>),
}

impl Runs {
    /// Runs recorded for `configurations` (each with its robustness sample)
    /// in order, `results` holding `replicates` runs per configuration
    /// (replicate order).
    pub fn recorded(configurations: Vec<Placed>, results: Vec<RunResult>, replicates: u64) -> Runs {
        assert_eq!(
            results.len() as u64,
            configurations.len() as u64 * replicates,
            "one result per replicate of every configuration"
        );
        let mut results = results.into_iter();
        Runs::Recorded(Mutex::new(
            configurations
                .into_iter()
                .map(|c| (c, results.by_ref().take(replicates as usize).collect()))
                .collect(),
        ))
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
    /// The robustness sample `world` is (`None`: the experiment's own world).
    pub sample: Option<usize>,
    /// Where the runs come from.
    pub runs: &'a Runs,
    /// Called once per finished run (for progress bars).
    pub progress: &'a (dyn Fn() + Sync),
}

impl Setting<'_> {
    /// Every replicate of a configuration, simulated in parallel or taken
    /// from the recorded runs.
    pub fn replicate(&self, configuration: &Configuration) -> Vec<RunResult> {
        match self.runs {
            Runs::Simulate => self.simulate(configuration, 0..self.replicates),
            Runs::Recorded(queue) => {
                let (recorded, runs) = queue
                    .lock()
                    .expect("no run panicked")
                    .pop_front()
                    .expect("a recorded run for every configuration the experiment asks for");
                assert_eq!(
                    recorded,
                    (self.sample, configuration.clone()),
                    "recorded runs are consumed in the order they were planned"
                );
                runs
            }
        }
    }

    /// Replicates `replicates` of a configuration, simulated in parallel.
    pub fn simulate(
        &self,
        configuration: &Configuration,
        replicates: impl IntoParallelIterator<Item = u64>,
    ) -> Vec<RunResult> {
        let (protocol, world) =
            families::apply(self.protocol, self.world, &configuration.strengths);
        replicates
            .into_par_iter()
            .map(|k| {
                let options = RunOptions {
                    seed: self.seed,
                    run_index: k,
                    ..configuration.template.clone()
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
    /// Its configurations: every subset of the five families, by mask.
    pub fn configurations(template: &RunOptions) -> Vec<Configuration> {
        (0u32..32)
            .map(|mask| Configuration::new(families::subset_strengths(mask), template))
            .collect()
    }

    /// Runs every subset of the five families.
    pub fn run(setting: &Setting, template: &RunOptions) -> Ablation {
        let subsets: Vec<SubsetResult> = (0u32..32)
            .zip(Ablation::configurations(template))
            .map(|(mask, configuration)| {
                let runs = setting.replicate(&configuration);
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

/// The configurations of [`partial_implementation`], family by family and level by level.
pub fn partial_configurations(template: &RunOptions, levels: &[f64]) -> Vec<Configuration> {
    Family::ALL
        .iter()
        .flat_map(|&family| {
            levels.iter().map(move |&level| {
                let mut strengths = [1.0; 5];
                strengths[family.index()] = level;
                Configuration::new(strengths, template)
            })
        })
        .collect()
}

/// Partial implementation curves for every family.
pub fn partial_implementation(
    setting: &Setting,
    template: &RunOptions,
    levels: &[f64],
) -> Vec<PartialCurve> {
    let mut summaries = partial_configurations(template, levels)
        .into_iter()
        .map(|configuration| Summary::of(&setting.replicate(&configuration)));
    Family::ALL
        .iter()
        .map(|&family| PartialCurve {
            family,
            points: levels
                .iter()
                .map(|&level| (level, summaries.next().expect("one per level")))
                .collect(),
        })
        .collect()
}

/// How the focal lab of a type plays in an individual-rationality run.
struct Play {
    /// Its label in the report (the strategy, or how it stays out).
    label: String,
    /// Its configuration (every other lab complies, strategies fixed).
    configuration: Configuration,
}

/// How the focal lab takes part in the protocol.
#[derive(Clone, Copy, PartialEq)]
enum Membership {
    /// Joins and stays.
    Stays,
    /// Never joins.
    StaysOut,
    /// Joins, complies for the first half of the run, then leaves (rule 25a).
    LeavesMidway,
}

/// The plays of every lab type, in the world's order: `(type name, index
/// of its first lab, compliance, the deviations, the two ways of staying
/// out and the two ways of leaving midway)`.
fn rationality_plays(world: &World, generations: u32) -> Vec<(String, usize, Vec<Play>)> {
    let labs = world.lab_count();
    let mut first = 0;
    let mut plays = Vec::new();
    for t in &world.lab {
        let focal = first;
        first += t.count as usize;
        let play = |label: String, strategy: Strategy, membership: Membership| {
            let mut strategies = vec![Strategy::COMPLY; labs];
            strategies[focal] = strategy;
            let mut members = vec![true; labs];
            members[focal] = membership != Membership::StaysOut;
            let leaves = membership == Membership::LeavesMidway;
            let template = RunOptions {
                strategies: Some(strategies),
                members: Some(members),
                comply_until: leaves.then_some(generations / 2),
                departures: leaves.then(|| {
                    let mut departures = vec![false; labs];
                    departures[focal] = true;
                    departures
                }),
                fixed: true,
                generations: Some(generations),
                ..RunOptions::default()
            };
            Play {
                label,
                configuration: Configuration::new([1.0; 5], &template),
            }
        };
        let mut list = vec![play(
            Strategy::COMPLY.to_string(),
            Strategy::COMPLY,
            Membership::Stays,
        )];
        list.extend(
            Strategy::deviations()
                .into_iter()
                .map(|s| play(s.to_string(), s, Membership::Stays)),
        );
        for (development, label, membership) in [
            (
                Development::Safe,
                "stay out (develop safely)",
                Membership::StaysOut,
            ),
            (
                Development::Unsafe,
                "stay out (develop unsafely)",
                Membership::StaysOut,
            ),
            (
                Development::Safe,
                "leave midway (develop safely)",
                Membership::LeavesMidway,
            ),
            (
                Development::Unsafe,
                "leave midway (develop unsafely)",
                Membership::LeavesMidway,
            ),
        ] {
            let strategy = Strategy {
                development,
                reporting: Reporting::Honest,
            };
            list.push(play(label.to_string(), strategy, membership));
        }
        plays.push((t.name.clone(), focal, list));
    }
    plays
}

/// The configurations of [`individual_rationality`], in the order it runs them.
pub fn rationality_configurations(world: &World, generations: u32) -> Vec<Configuration> {
    rationality_plays(world, generations)
        .into_iter()
        .flat_map(|(_, _, plays)| plays.into_iter().map(|p| p.configuration))
        .collect()
}

/// For each lab type: compliance against every unilateral deviation, all
/// others complying, strategies held fixed for `generations` generations.
pub fn individual_rationality(setting: &Setting, generations: u32) -> Vec<Rationality> {
    let deviations = Strategy::deviations().len();
    rationality_plays(setting.world, generations)
        .into_iter()
        .map(|(name, focal, plays)| {
            let mut utilities: Vec<(String, Vec<f64>)> = plays
                .into_iter()
                .map(|play| {
                    let utility = setting
                        .replicate(&play.configuration)
                        .iter()
                        .map(|r| r.mean_utility[focal])
                        .collect();
                    (play.label, utility)
                })
                .collect();
            let outside = utilities.split_off(1 + deviations);
            let (_, comply) = utilities.remove(0);
            Rationality::assess(&name, &comply, &utilities).with_participation(&comply, &outside)
        })
        .collect()
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
