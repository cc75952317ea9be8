//! Experiments on top of runs: replicates with confidence intervals, every
//! subset of the five mechanism families with Shapley values and pairwise
//! interactions, partial implementation, and individual rationality.
//!
//! Runs are independent and parallel (rayon). Replicate `k` of every
//! configuration uses random stream `k` of the master seed, so configurations
//! are compared on common random numbers and every number is reproducible
//! from the seed whatever the thread count.

use crate::families::{self, Family, Strengths};
use crate::run::{RunOptions, RunResult, run};
use crate::strategy::{Development, Reporting, Strategy};
use crate::world::World;
use accord_core::Protocol;
use rayon::prelude::*;
use serde::Serialize;

/// A mean with its 95% confidence interval over replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// Observations.
    pub n: usize,
}

impl Estimate {
    /// Mean and Student-t interval of `values` (NaNs ignored).
    pub fn of(values: &[f64]) -> Estimate {
        let xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = xs.len();
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
                n,
            };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n == 1 {
            // One observation says nothing about spread: no interval.
            return Estimate {
                mean,
                low: f64::NAN,
                high: f64::NAN,
                n,
            };
        }
        let variance = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_quantile_975(n - 1) * (variance / n as f64).sqrt();
        Estimate {
            mean,
            low: mean - half,
            high: mean + half,
            n,
        }
    }

    /// Whether the interval lies above zero.
    pub fn positive(&self) -> bool {
        self.low > 0.0
    }
}

/// 97.5% quantile of Student's t with `dof` degrees of freedom: exact
/// (`scipy.stats.t.ppf(0.975, dof)`, 8 digits) up to 30, then the
/// Cornish–Fisher expansion, whose error is below 1e-5 from 31 on.
fn t_quantile_975(dof: usize) -> f64 {
    const EXACT: [f64; 30] = [
        12.706205, 4.3026527, 3.1824463, 2.7764451, 2.5705818, 2.4469119, 2.3646243, 2.3060041,
        2.2621572, 2.2281389, 2.2009852, 2.1788128, 2.1603687, 2.1447867, 2.1314495, 2.1199053,
        2.1098156, 2.1009220, 2.0930241, 2.0859634, 2.0796138, 2.0738731, 2.0686576, 2.0638986,
        2.0595386, 2.0555294, 2.0518305, 2.0484071, 2.0452296, 2.0422725,
    ];
    assert!(
        dof >= 1,
        "a t quantile needs at least one degree of freedom"
    );
    if dof <= EXACT.len() {
        return EXACT[dof - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let d = dof as f64;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * d)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * d * d)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * d.powi(3))
}

/// The outcomes of a configuration over its replicates.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Long-run share of lab-periods developed safely.
    pub cooperation: Estimate,
    /// Long-run share of generations with a disaster.
    pub disaster_probability: Estimate,
    /// Long-run sum of labs' payoffs per period.
    pub welfare: Estimate,
    /// First generation with 80% safe development, over runs that got there.
    pub time_to_coordination: Estimate,
    /// Share of runs that reached 80% safe development.
    pub coordinated_share: f64,
    /// Detection rate of audited unsafe development.
    pub detection_rate: Estimate,
    /// False-alarm rate of audited safe development.
    pub false_alarm_rate: Estimate,
}

impl Summary {
    /// Summarises runs.
    pub fn of(runs: &[RunResult]) -> Summary {
        let pick =
            |f: &dyn Fn(&RunResult) -> f64| Estimate::of(&runs.iter().map(f).collect::<Vec<_>>());
        Summary {
            cooperation: pick(&|r| r.cooperation),
            disaster_probability: pick(&|r| r.disaster_rate),
            welfare: pick(&|r| r.welfare),
            time_to_coordination: pick(&|r| r.time_to_coordination.map_or(f64::NAN, f64::from)),
            coordinated_share: runs
                .iter()
                .filter(|r| r.time_to_coordination.is_some())
                .count() as f64
                / runs.len().max(1) as f64,
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
        let replicates = setting.replicates as usize;
        let value = |metric: fn(&RunResult) -> f64| -> Vec<Vec<f64>> {
            (0..replicates)
                .map(|k| subsets.iter().map(|s| metric(&s.runs[k])).collect())
                .collect()
        };
        let cooperation = value(|r| r.cooperation);
        let welfare = value(|r| r.welfare);
        let disasters = value(|r| r.disaster_rate);
        let interactions = (0..5)
            .flat_map(|a| (a + 1..5).map(move |b| (a, b)))
            .map(|(a, b)| Interaction {
                a: Family::ALL[a],
                b: Family::ALL[b],
                index: Estimate::of(
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

    /// The outcome with no family on (no protocol) and with all on.
    pub fn extremes(&self) -> (&Summary, &Summary) {
        (&self.subsets[0].summary, &self.subsets[31].summary)
    }
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Shapley value of player `i` from `v` indexed by subset mask (5 players).
fn shapley(v: &[f64], i: usize) -> f64 {
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

fn contributions(values: &[Vec<f64>]) -> Vec<Contribution> {
    Family::ALL
        .iter()
        .map(|&family| {
            let i = family.index();
            let per = |f: &dyn Fn(&[f64]) -> f64| {
                Estimate::of(&values.iter().map(|v| f(v)).collect::<Vec<_>>())
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

/// Individual rationality of compliance for one lab type.
#[derive(Debug, Clone, Serialize)]
pub struct Rationality {
    /// Lab type.
    pub lab_type: String,
    /// Utility per period of complying when every lab complies.
    pub comply: Estimate,
    /// Utility of each unilateral deviation.
    pub deviations: Vec<(String, Estimate)>,
    /// The deviation with the highest mean utility.
    pub best_deviation: String,
    /// Best deviation's utility minus compliance's (paired by replicate).
    pub gain: Estimate,
    /// Compliance is a best response: no deviation's gain is significantly positive.
    pub compliance_is_best_response: bool,
    /// Utility of staying out of the protocol, developing safely and unsafely.
    pub stay_out: Vec<(String, Estimate)>,
    /// Joining and complying minus the better way of staying out (paired by replicate).
    pub participation_gain: Estimate,
}

impl Rationality {
    /// Utility of the best deviation.
    pub fn best_deviation_utility(&self) -> Estimate {
        self.deviations
            .iter()
            .find(|(strategy, _)| *strategy == self.best_deviation)
            .map(|(_, utility)| *utility)
            .expect("the best deviation is one of the deviations")
    }
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
        let deviations: Vec<(Strategy, Vec<f64>)> = Strategy::deviations()
            .into_iter()
            .map(|s| (s, play(s)))
            .collect();
        let stay_out: Vec<(String, Vec<f64>)> = [Development::Safe, Development::Unsafe]
            .into_iter()
            .map(|development| {
                let strategy = Strategy {
                    development,
                    reporting: Reporting::Honest,
                };
                let label = match development {
                    Development::Safe => "stay out, develop safely",
                    _ => "stay out, develop unsafely",
                };
                (label.to_string(), play_as(strategy, false))
            })
            .collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let (_, best_outside) = stay_out
            .iter()
            .max_by(|a, b| mean(&a.1).total_cmp(&mean(&b.1)))
            .expect("two ways of staying out");
        let participation_gain = Estimate::of(
            &comply
                .iter()
                .zip(best_outside)
                .map(|(c, o)| c - o)
                .collect::<Vec<_>>(),
        );
        let (best, best_values) = deviations
            .iter()
            .max_by(|a, b| mean(&a.1).total_cmp(&mean(&b.1)))
            .expect("six deviations");
        let gain = Estimate::of(
            &best_values
                .iter()
                .zip(&comply)
                .map(|(d, c)| d - c)
                .collect::<Vec<_>>(),
        );
        let significant = deviations.iter().any(|(_, values)| {
            Estimate::of(
                &values
                    .iter()
                    .zip(&comply)
                    .map(|(d, c)| d - c)
                    .collect::<Vec<_>>(),
            )
            .positive()
        });
        results.push(Rationality {
            lab_type: t.name.clone(),
            comply: Estimate::of(&comply),
            deviations: deviations
                .iter()
                .map(|(s, v)| (s.to_string(), Estimate::of(v)))
                .collect(),
            best_deviation: best.to_string(),
            gain,
            compliance_is_best_response: !significant,
            stay_out: stay_out
                .iter()
                .map(|(label, v)| (label.clone(), Estimate::of(v)))
                .collect(),
            participation_gain,
        });
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

    #[test]
    fn t_quantiles_match_scipy() {
        // scipy.stats.t.ppf(0.975, dof) for dof in (3, 5, 30, 31, 40, 100, 1000).
        let reference = [
            (3, 3.1824463052837078),
            (5, 2.5705818356363146),
            (30, 2.0422724563012378),
            (31, 2.039513446396408),
            (40, 2.021075390306273),
            (100, 1.9839715185235518),
            (1000, 1.9623390808264083),
        ];
        for (dof, exact) in reference {
            let error = (t_quantile_975(dof) - exact).abs();
            assert!(error < 1e-5, "dof {dof}: error {error}");
        }
    }

    #[test]
    fn one_observation_has_no_interval() {
        let one = Estimate::of(&[0.4]);
        assert_eq!(one.mean, 0.4);
        assert!(one.low.is_nan() && one.high.is_nan() && !one.positive());
    }
}
