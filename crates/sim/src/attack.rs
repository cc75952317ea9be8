//! The protocol's worst adversary: the deviation from compliance that gains
//! most against the protocol, searched exhaustively over the discrete
//! choices a lab or a coalition has.
//!
//! Every other lab complies and strategies are held fixed. The search space,
//! per lab type t:
//!
//! - **who**: a coalition of the first k labs of type t, `1 ≤ k ≤ min(K, count_t)`;
//!   and, across types, the k fastest labs (**leaders**, `2 ≤ k ≤ K`);
//! - **what**: every deviation of [`Strategy::deviations`] (unsafe development
//!   with each reporting mode, threshold manipulation), staying out of the
//!   protocol and leaving it (developing safely or not);
//! - **when**: from the start, or only from the middle of the run after a
//!   clean record (comply early, defect late; staying out is decided at
//!   registration, and leaving happens mid-run, at the price of whatever
//!   binds the lab then: the cost of exit);
//! - **how often**: for each coalition's best unsafe strategy, the share q of
//!   generations it develops unsafely (safely otherwise, drawn each
//!   generation), searched by the cross-entropy method (Rubinstein 1999) over
//!   `q ≥ 2/G` (one unsafe generation expected in the measured half) —
//!   intermittent violations can beat both corners when sanctions escalate
//!   with repeated breaches and a clean record resets them.
//!
//! The gain of a deviation is, per replicate r (paired: the same random
//! stream with and without it), the coalition's mean utility per period over
//! the second half of the run minus the same labs' utility when all comply:
//!
//! ```text
//! gain_r = (1/k) Σ_{ℓ ∈ coalition} [ u_ℓ,r(deviation) − u_ℓ,r(comply) ]
//! ```
//!
//! The **exploitability** is the largest mean gain. The maximum of many noisy
//! means is biased upwards, and a deviation whose estimate was lucky can
//! displace a steadier one that gains more, so each group's best three
//! distinct deviations (intensities of one deviation count once, and so do
//! deviations with identical paired gains; one that changes nothing is no
//! finalist) are run again on fresh replicates (streams `R … 2R − 1`), the
//! best of them is run a third time (streams `2R … 3R − 1`), and its gain is
//! reported from that third set alone, with a 95% interval.
//! The **verdict** reads every type's confirmed interval: exploitable if one
//! lies above 0; not exploitable if none reaches above the practical-
//! equivalence margin `δ` (1% of the coalition's utility when all comply, as
//! in `evaluate`) and no finalist's rerun interval does either (a steady
//! deviation that gains little can win the rerun over a noisy one that
//! gains more); undetermined otherwise. With no protocol, two identical labs in a
//! pairwise race and expected payoffs, the gains are DSAIR's
//! `Π(AU,AS) − Π(AS,AS)` (one lab) and `Π(AU,AU) − Π(AS,AS)` (both) exactly
//! (test in `tests/textbook.rs`).

use crate::rationality::PRACTICAL_EQUIVALENCE_MARGIN;
use crate::stats::{Estimate, MIN_REPLICATES_FOR_VERDICT, Side, differences};
use crate::strategy::{Development, Reporting, Strategy};
use crate::{RunOptions, RunResult, World, run};
use accord_core::Protocol;
use rayon::prelude::*;
use serde::Serialize;

/// Runs an attack may make.
pub const MAX_RUNS: u64 = 1_000_000;

/// How the search is run.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackPlan {
    /// Replicates per deviation (and again for the confirmation).
    pub replicates: u64,
    /// Generations per run (gains are measured over the second half).
    pub generations: u32,
    /// `K`: largest coalition.
    pub max_coalition: usize,
    /// Master seed.
    pub seed: u64,
}

impl AttackPlan {
    /// Whether the plan's sizes allow a search (the run limit depends on
    /// the world and is checked when the search starts).
    pub fn check(&self) -> Result<(), AttackError> {
        if self.replicates < 2 || self.generations < 2 {
            return Err(AttackError::TooSmall);
        }
        if self.max_coalition == 0 {
            return Err(AttackError::NoCoalition);
        }
        Ok(())
    }
}

/// Why an attack cannot run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AttackError {
    /// Too few replicates or generations.
    #[error(
        "expected at least 2 replicates and 2 generations (gains are measured over the second half)"
    )]
    TooSmall,
    /// No coalition.
    #[error("expected a largest coalition of at least 1 lab")]
    NoCoalition,
    /// Too many runs.
    #[error(
        "the search needs {0} runs, more than the limit of {MAX_RUNS}; use fewer replicates or a smaller coalition"
    )]
    TooManyRuns(u64),
}

/// When a deviation starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// From the first generation.
    Throughout,
    /// From the middle of the run, after complying until then.
    Late,
}

/// One deviation and what it gains.
#[derive(Debug, Clone, Serialize)]
pub struct Deviation {
    /// The lab type searched (or "leaders").
    pub who: String,
    /// The deviating labs' ids.
    pub coalition: Vec<String>,
    /// The deviating strategy, or how the coalition stays out.
    pub strategy: String,
    /// When it starts.
    pub timing: Timing,
    /// The coalition's mean gain per lab and period over compliance.
    pub gain: Estimate,
    /// `δ`: the gain too small to matter, 1% of the coalition's utility per
    /// lab and period when all comply (`|mean|`, the practical-equivalence
    /// margin of `evaluate`'s individual rationality).
    pub margin: f64,
    /// For unsafe deviations: share of the run's unsafe lab-periods in which
    /// a monitor found a violation (mean over replicates). The coalition's
    /// periods dominate, but unfunded periods of budget-limited labs count too.
    /// Over the whole run, whereas the gain is measured over its second half.
    /// None for safe deviations, or without unsafe periods or monitors.
    pub detected_share: Option<f64>,
}

/// The best deviation of one lab type (or of the leaders).
#[derive(Debug, Clone, Serialize)]
pub struct Searched {
    /// The lab type searched (or "leaders").
    pub who: String,
    /// Deviations tried.
    pub tried: usize,
    /// The one with the largest mean gain in the search.
    pub best_in_search: Deviation,
    /// The best of the search's three best distinct deviations on fresh
    /// replicates, run again on a third set: its unbiased gain.
    pub confirmed: Deviation,
    /// The finalists as rerun on the fresh replicates (the search's order),
    /// the best of which was confirmed.
    pub finalists: Vec<Deviation>,
}

/// The result of an attack.
#[derive(Debug, Clone, Serialize)]
pub struct Attack {
    /// Replicates per deviation.
    pub replicates: u64,
    /// Generations per run.
    pub generations: u32,
    /// Per lab type, then the leaders' coalitions (if any).
    pub searched: Vec<Searched>,
}

impl Attack {
    /// The confirmed deviation with the largest mean gain: the protocol's exploitability.
    pub fn exploitability(&self) -> Option<&Deviation> {
        self.confirmed().reduce(|best, d| {
            if d.gain.mean > best.gain.mean {
                d
            } else {
                best
            }
        })
    }

    /// What the search shows, from every searched type's confirmed best
    /// deviation (not only the one with the largest mean, whose interval may
    /// straddle 0 while another type's lies above it), with the deviation
    /// that decides it: exploitable when some confirmed interval lies above
    /// 0 (the largest such mean); not exploitable when no confirmed interval
    /// and no finalist's rerun interval reaches above its margin `δ` (the
    /// exploitability itself); undetermined otherwise (the deviation that may
    /// gain most, by the upper end of its interval). A steady deviation that
    /// gains little can win the rerun over a noisy one that gains more; its
    /// narrow interval alone must not certify the protocol. The margin makes
    /// "not exploitable" reachable: an intermittent deviation loses in
    /// proportion to its share of unsafe generations, so near the deterrence
    /// boundary its loss is far smaller than its noise, and "certainly below
    /// 0" would need many times the replicates. With fewer than
    /// [`MIN_REPLICATES_FOR_VERDICT`] replicates nothing is decided (the
    /// percentile interval of two runs is their range, which covers the
    /// mean about half the time): undetermined, by the deviation that may
    /// gain most.
    pub fn verdict(&self) -> Option<(Verdict, &Deviation)> {
        let upper = |d: &Deviation| {
            if d.gain.high.is_nan() {
                d.gain.mean
            } else {
                d.gain.high
            }
        };
        let everyone = || {
            self.confirmed()
                .chain(self.searched.iter().flat_map(|s| &s.finalists))
        };
        if !self.decides() {
            return everyone()
                .max_by(|a, b| upper(a).total_cmp(&upper(b)))
                .map(|d| (Verdict::Undetermined, d));
        }
        let by_mean = |a: &&Deviation, b: &&Deviation| a.gain.mean.total_cmp(&b.gain.mean);
        if let Some(significant) = self
            .confirmed()
            .filter(|d| d.gain.side_of(0.0) == Side::Above)
            .max_by(by_mean)
        {
            return Some((Verdict::Exploitable, significant));
        }
        // Without an interval only a mean at most δ rules a gain out; a
        // missing estimate rules out nothing.
        let may_gain = |d: &&Deviation| {
            d.gain.high > d.margin
                || (d.gain.high.is_nan() && (d.gain.mean.is_nan() || d.gain.mean > d.margin))
        };
        match everyone()
            .filter(may_gain)
            .max_by(|a, b| upper(a).total_cmp(&upper(b)))
        {
            Some(open) => Some((Verdict::Undetermined, open)),
            None => self
                .exploitability()
                .map(|best| (Verdict::NotExploitable, best)),
        }
    }

    /// Whether the replicates are enough for a verdict.
    pub fn decides(&self) -> bool {
        self.replicates as usize >= MIN_REPLICATES_FOR_VERDICT
    }

    fn confirmed(&self) -> impl Iterator<Item = &Deviation> {
        self.searched.iter().map(|s| &s.confirmed)
    }
}

/// What an attack shows about a protocol (see [`Attack::verdict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Some lab type's best deviation gains: its 95% interval lies above 0.
    Exploitable,
    /// No lab type's deviation can gain more than its margin: every
    /// confirmed and finalist interval's upper end is at most `δ`.
    NotExploitable,
    /// Neither: some interval reaches above its margin and none lies above 0.
    Undetermined,
}

/// One candidate: who deviates, how and when.
#[derive(Debug, Clone)]
struct Candidate {
    coalition: Vec<usize>,
    strategy: Strategy,
    member: bool,
    /// Members that leave the protocol when the deviation starts (late).
    leaves: bool,
    label: String,
    timing: Timing,
    /// Mixed: unsafe in each generation with this probability.
    intensity: Option<f64>,
}

impl Candidate {
    /// The same deviation, whatever its intensity.
    fn same_deviation(&self, other: &Candidate) -> bool {
        self.coalition == other.coalition
            && self.strategy == other.strategy
            && self.member == other.member
            && self.leaves == other.leaves
            && self.timing == other.timing
    }

    fn options(&self, labs: usize, plan: &AttackPlan, run_index: u64) -> RunOptions {
        let mut strategies = vec![Strategy::COMPLY; labs];
        let mut members = vec![true; labs];
        for &lab in &self.coalition {
            strategies[lab] = self.strategy;
            members[lab] = self.member;
        }
        RunOptions {
            seed: plan.seed,
            run_index,
            strategies: Some(strategies),
            members: Some(members),
            fixed: true,
            generations: Some(plan.generations),
            comply_until: (self.timing == Timing::Late).then_some(plan.generations / 2),
            departures: self.leaves.then(|| {
                let mut leaving = vec![false; labs];
                for &lab in &self.coalition {
                    leaving[lab] = true;
                }
                leaving
            }),
            unsafe_probability: self.intensity.map(|q| {
                let mut mixed = vec![None; labs];
                for &lab in &self.coalition {
                    mixed[lab] = Some(q);
                }
                mixed
            }),
            ..RunOptions::default()
        }
    }
}

/// Searches every lab type's (and the leaders') deviations under `protocol`.
pub fn attack(
    world: &World,
    protocol: &Protocol,
    plan: &AttackPlan,
) -> Result<Attack, AttackError> {
    plan.check()?;
    let ids = world.participant_ids();
    let labs = ids.len();
    let mut groups: Vec<(String, Vec<Vec<usize>>)> = Vec::new();
    let mut first = 0;
    for t in &world.lab {
        let count = t.count as usize;
        let coalitions = (1..=count.min(plan.max_coalition))
            .map(|k| (first..first + k).collect())
            .collect();
        groups.push((t.name.clone(), coalitions));
        first += count;
    }
    let mut by_speed: Vec<usize> = (0..labs).collect();
    let kinds = world.lab_kinds();
    by_speed.sort_by(|&a, &b| {
        world.lab[kinds[b]]
            .speed
            .total_cmp(&world.lab[kinds[a]].speed)
    });
    let leaders: Vec<Vec<usize>> = (2..=plan.max_coalition.min(labs))
        .map(|k| by_speed[..k].to_vec())
        .collect();
    if !leaders.is_empty() {
        groups.push(("leaders".into(), leaders));
    }
    let candidates: Vec<(usize, Candidate)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, (_, coalitions))| {
            coalitions.iter().flat_map(move |coalition| {
                candidates_for(coalition).into_iter().map(move |c| (g, c))
            })
        })
        .collect();
    // Every candidate and cross-entropy draw once, each group's finalists
    // once more and its choice again, and the baseline three times.
    let coalitions: usize = groups.iter().map(|(_, c)| c.len()).sum();
    let evaluations = candidates.len()
        + coalitions * CE_SAMPLES * CE_ITERATIONS
        + groups.len() * (FINALISTS + 1)
        + 3;
    let runs = evaluations as u64 * plan.replicates;
    if runs > MAX_RUNS {
        return Err(AttackError::TooManyRuns(runs));
    }
    let replicate = |options: &(dyn Fn(u64) -> RunOptions + Sync), from: u64| -> Vec<RunResult> {
        (from..from + plan.replicates)
            .into_par_iter()
            .map(|r| run(world, protocol, &options(r)))
            .collect()
    };
    // Compliance is the deviation of nobody.
    let nobody = Candidate {
        coalition: Vec::new(),
        strategy: Strategy::COMPLY,
        member: true,
        leaves: false,
        label: Strategy::COMPLY.to_string(),
        timing: Timing::Throughout,
        intensity: None,
    };
    let comply = |r: u64| nobody.options(labs, plan, r);
    let baseline = replicate(&comply, 0);
    let fresh_baseline = replicate(&comply, plan.replicates);
    let final_baseline = replicate(&comply, 2 * plan.replicates);
    let assess = |candidate: &Candidate, from: u64, baseline: &[RunResult], who: &str| {
        let runs = replicate(&|r| candidate.options(labs, plan, r), from);
        let coalition_utility = |result: &RunResult| {
            candidate
                .coalition
                .iter()
                .map(|&lab| result.mean_utility[lab])
                .sum::<f64>()
                / candidate.coalition.len() as f64
        };
        let before: Vec<f64> = baseline.iter().map(coalition_utility).collect();
        let after: Vec<f64> = runs.iter().map(coalition_utility).collect();
        let gains = differences(&before, &after);
        let detected: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.detected_share_of_unsafe)
            .collect();
        let deviation = Deviation {
            who: who.to_string(),
            coalition: candidate
                .coalition
                .iter()
                .map(|&lab| ids[lab].clone())
                .collect(),
            strategy: candidate.label.clone(),
            timing: candidate.timing,
            gain: Estimate::mean_of(&gains),
            margin: PRACTICAL_EQUIVALENCE_MARGIN
                * (before.iter().sum::<f64>() / before.len() as f64).abs(),
            detected_share: (candidate.strategy.development == Development::Unsafe
                && !detected.is_empty())
            .then(|| detected.iter().sum::<f64>() / detected.len() as f64),
        };
        Assessed { deviation, gains }
    };
    let searched = groups
        .iter()
        .enumerate()
        .map(|(g, (who, _))| {
            let mut tried: Vec<(Candidate, Assessed)> = candidates
                .iter()
                .filter(|(group, _)| *group == g)
                .map(|(_, c)| (c.clone(), assess(c, 0, &baseline, who)))
                .collect();
            // Intensities: the cross-entropy method around each coalition's
            // best unsafe strategy.
            let coalitions = &groups[g].1;
            for (c, coalition) in coalitions.iter().enumerate() {
                let Some((seed_candidate, _)) = tried
                    .iter()
                    .filter(|(candidate, _)| {
                        candidate.coalition == *coalition
                            && candidate.member
                            && candidate.timing == Timing::Throughout
                            && candidate.strategy.development == Development::Unsafe
                    })
                    .reduce(|best, x| {
                        if x.1.deviation.gain.mean > best.1.deviation.gain.mean {
                            x
                        } else {
                            best
                        }
                    })
                else {
                    continue;
                };
                let seed_candidate = seed_candidate.clone();
                let mut draws =
                    accord_seed::run_rng(plan.seed, (1 << 56) | ((g as u64) << 16) | c as u64);
                let mut evaluate = |q: f64| {
                    let candidate = Candidate {
                        label: format!("{} in a share {q:.3} of generations", seed_candidate.label),
                        intensity: Some(q),
                        ..seed_candidate.clone()
                    };
                    let assessed = assess(&candidate, 0, &baseline, who);
                    let gain = assessed.deviation.gain.mean;
                    tried.push((candidate, assessed));
                    gain
                };
                cross_entropy_maximum(&mut evaluate, least_intensity(plan.generations), &mut draws);
            }
            let (best_in_search, finalists) = finalists(&tried);
            let reruns: Vec<(&Candidate, Deviation)> = finalists
                .into_iter()
                .map(|c| {
                    (
                        c,
                        assess(c, plan.replicates, &fresh_baseline, who).deviation,
                    )
                })
                .collect();
            let (chosen, _) = reruns
                .iter()
                .reduce(|best, x| if rank(&x.1) > rank(&best.1) { x } else { best })
                .expect("every group has a finalist");
            Searched {
                who: who.clone(),
                tried: tried.len(),
                best_in_search: best_in_search.clone(),
                confirmed: assess(chosen, 2 * plan.replicates, &final_baseline, who).deviation,
                finalists: reruns.into_iter().map(|(_, d)| d).collect(),
            }
        })
        .collect();
    Ok(Attack {
        replicates: plan.replicates,
        generations: plan.generations,
        searched,
    })
}

/// A deviation's gain for ranking: a missing mean ranks last.
fn rank(deviation: &Deviation) -> f64 {
    let gain = deviation.gain.mean;
    if gain.is_nan() {
        f64::NEG_INFINITY
    } else {
        gain
    }
}

/// A deviation as the search measured it: its estimate, and the paired
/// gains per replicate it came from.
struct Assessed {
    deviation: Deviation,
    gains: Vec<f64>,
}

impl Assessed {
    /// Every paired run gave the coalition exactly what compliance gave it:
    /// the deviation changed nothing it could gain by (intensity 0, gaming a
    /// metric nobody reads, evading monitors there are none of).
    fn inert(&self) -> bool {
        !self.gains.is_empty() && self.gains.iter().all(|&g| g == 0.0)
    }
}

/// The search's best deviation and the [`FINALISTS`] best distinct ones,
/// best first. The sort is stable, so of equal gains the simplest deviation
/// (listed first) leads. Distinct means neither the same deviation at
/// another intensity nor one with exactly the same paired gains (deviations
/// that differ in name only: every reporting evasion when nobody monitors).
/// An inert deviation is compliance in effect: its exact 0 would beat every
/// real finalist whose rerun came out below 0, and its 0 [0, 0] would then
/// read as "not exploitable", so it is a finalist only when every deviation
/// of the group is inert.
fn finalists(tried: &[(Candidate, Assessed)]) -> (&Deviation, Vec<&Candidate>) {
    let mut ranked: Vec<&(Candidate, Assessed)> = tried.iter().collect();
    ranked.sort_by(|a, b| rank(&b.1.deviation).total_cmp(&rank(&a.1.deviation)));
    let mut chosen: Vec<&(Candidate, Assessed)> = Vec::with_capacity(FINALISTS);
    for entry in &ranked {
        if chosen.len() == FINALISTS {
            break;
        }
        let (candidate, assessed) = entry;
        let distinct = !chosen
            .iter()
            .any(|(c, a)| c.same_deviation(candidate) || a.gains == assessed.gains);
        if !assessed.inert() && distinct {
            chosen.push(entry);
        }
    }
    if chosen.is_empty() {
        chosen.push(ranked[0]);
    }
    (
        &ranked[0].1.deviation,
        chosen.into_iter().map(|(c, _)| c).collect(),
    )
}

/// Distinct deviations of a group run again on fresh replicates, the
/// search's best first: one whose search estimate was lucky cannot hide a
/// steadier one that gains more.
const FINALISTS: usize = 3;

/// Cross-entropy samples per iteration, elite samples kept, and iterations.
const CE_SAMPLES: usize = 8;
const CE_ELITE: usize = 2;
const CE_ITERATIONS: usize = 4;

/// The least share of generations an intermittent deviation is searched
/// at: one unsafe generation expected in the measured second half. Below it
/// a run holds no violation more often than not, and the deviation is
/// compliance in all but luck, with a steady gain near 0 that would win a
/// rerun against any noisy deviation that truly gains.
fn least_intensity(generations: u32) -> f64 {
    (2.0 / f64::from(generations)).min(1.0)
}

/// Maximises `gain(q)` over `q ∈ [least, 1]` by the cross-entropy method
/// (Rubinstein 1999): draw `q` from a normal clipped to `[least, 1]`, refit
/// its mean and spread to the best `CE_ELITE` of `CE_SAMPLES`,
/// `CE_ITERATIONS` times.
fn cross_entropy_maximum(
    gain: &mut dyn FnMut(f64) -> f64,
    least: f64,
    draws: &mut rand_chacha::ChaCha8Rng,
) {
    let (mut mean, mut spread) = (0.5f64, 0.35f64);
    for _ in 0..CE_ITERATIONS {
        let mut scored: Vec<(f64, f64)> = (0..CE_SAMPLES)
            .map(|_| {
                let q = (mean + spread * crate::run::normal(draws)).clamp(least, 1.0);
                (q, gain(q))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        let elite = &scored[..CE_ELITE];
        mean = elite.iter().map(|e| e.0).sum::<f64>() / CE_ELITE as f64;
        let variance = elite.iter().map(|e| (e.0 - mean).powi(2)).sum::<f64>() / CE_ELITE as f64;
        // Keep some spread so that one lucky pair does not end the search.
        spread = variance.sqrt().max(0.05);
    }
}

/// Every deviation of one coalition: each deviating strategy from the start
/// and from the middle, and staying out of the protocol.
fn candidates_for(coalition: &[usize]) -> Vec<Candidate> {
    let mut list = Vec::new();
    for strategy in Strategy::deviations() {
        for timing in [Timing::Throughout, Timing::Late] {
            list.push(Candidate {
                coalition: coalition.to_vec(),
                strategy,
                member: true,
                leaves: false,
                label: strategy.to_string(),
                timing,
                intensity: None,
            });
        }
    }
    for (development, how) in [
        (Development::Safe, "safely"),
        (Development::Unsafe, "unsafely"),
    ] {
        let strategy = Strategy {
            development,
            reporting: Reporting::Honest,
        };
        list.push(Candidate {
            coalition: coalition.to_vec(),
            strategy,
            member: false,
            leaves: false,
            label: format!("stay out (develop {how})"),
            timing: Timing::Throughout,
            intensity: None,
        });
        list.push(Candidate {
            coalition: coalition.to_vec(),
            strategy,
            member: true,
            leaves: true,
            label: format!("leave (develop {how})"),
            timing: Timing::Late,
            intensity: None,
        });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn searched(who: &str, mean: f64, low: f64, high: f64) -> Searched {
        let deviation = Deviation {
            who: who.into(),
            coalition: vec![format!("{who}-1")],
            strategy: "unsafe/honest".into(),
            timing: Timing::Throughout,
            gain: Estimate {
                mean,
                low,
                high,
                n: 8,
            },
            margin: 0.0,
            detected_share: None,
        };
        Searched {
            who: who.into(),
            tried: 1,
            best_in_search: deviation.clone(),
            finalists: vec![deviation.clone()],
            confirmed: deviation,
        }
    }

    #[test]
    fn finalists_are_the_best_distinct_deviations_whatever_their_intensity() {
        let candidate = |strategy: &str, intensity: Option<f64>| Candidate {
            coalition: vec![0],
            strategy: strategy.parse().unwrap(),
            member: true,
            leaves: false,
            label: strategy.into(),
            timing: Timing::Throughout,
            intensity,
        };
        let tried = |entries: Vec<(&str, Option<f64>, Vec<f64>)>| -> Vec<(Candidate, Assessed)> {
            entries
                .into_iter()
                .map(|(strategy, intensity, gains)| {
                    let mut deviation = searched("lab", 0.0, 0.0, 0.0).confirmed;
                    deviation.strategy = strategy.into();
                    deviation.gain = Estimate::mean_of(&gains);
                    (
                        candidate(strategy, intensity),
                        Assessed { deviation, gains },
                    )
                })
                .collect()
        };
        let labels = |finalists: Vec<&Candidate>| -> Vec<(String, Option<f64>)> {
            finalists
                .iter()
                .map(|c| (c.label.clone(), c.intensity))
                .collect()
        };
        let searched_deviations = tried(vec![
            ("unsafe/honest", None, vec![-0.1, -0.3]),
            ("unsafe/gaming", Some(0.2), vec![0.8, 1.0]),
            // Compliance in effect ranks above every loss, yet is no finalist:
            // intensity 0, or a manipulation of a metric nobody reads.
            ("unsafe/selective", Some(0.0), vec![0.0, 0.0]),
            ("safe/threshold-manipulation", None, vec![0.0, 0.0]),
            ("unsafe/gaming", Some(0.3), vec![1.0, 1.0]),
            ("unsafe/gaming", None, vec![0.8, 0.8]),
            // The same gains under another name: the same deviation in effect.
            ("unsafe/selective", None, vec![-0.1, -0.3]),
            ("unsafe/honest", Some(0.5), Vec::new()),
            ("unsafe/capture", None, vec![-0.4, -0.4]),
        ]);
        let (best, chosen) = finalists(&searched_deviations);
        assert_eq!(best.gain.mean, 1.0);
        // Gaming at any intensity counts once; of equal gains the first listed.
        assert_eq!(
            labels(chosen),
            [
                ("unsafe/gaming".to_string(), Some(0.3)),
                ("unsafe/honest".to_string(), None),
                ("unsafe/capture".to_string(), None)
            ]
        );
        // Where every deviation is inert, the best of them stands for the group.
        let inert = tried(vec![
            ("safe/threshold-manipulation", None, vec![0.0, 0.0]),
            ("unsafe/gaming", Some(0.0), vec![0.0, 0.0]),
        ]);
        let (_, chosen) = finalists(&inert);
        assert_eq!(
            labels(chosen),
            [("safe/threshold-manipulation".to_string(), None)]
        );
    }

    #[test]
    fn a_coalition_may_stay_out_or_leave_midway_but_not_leave_from_the_start() {
        let list = candidates_for(&[0, 1]);
        let exits: Vec<(&str, bool, bool, Timing)> = list
            .iter()
            .filter(|c| !c.member || c.leaves)
            .map(|c| (c.label.as_str(), c.member, c.leaves, c.timing))
            .collect();
        assert_eq!(
            exits,
            [
                (
                    "stay out (develop safely)",
                    false,
                    false,
                    Timing::Throughout
                ),
                ("leave (develop safely)", true, true, Timing::Late),
                (
                    "stay out (develop unsafely)",
                    false,
                    false,
                    Timing::Throughout
                ),
                ("leave (develop unsafely)", true, true, Timing::Late),
            ]
        );
        let plan = AttackPlan {
            replicates: 2,
            generations: 10,
            max_coalition: 2,
            seed: 1,
        };
        let leave = list.iter().find(|c| c.leaves).unwrap().options(3, &plan, 0);
        assert_eq!(leave.comply_until, Some(5));
        assert_eq!(leave.departures, Some(vec![true, true, false]));
        assert_eq!(leave.members, Some(vec![true; 3]));
    }

    fn verdict_of(searched: Vec<Searched>) -> (Verdict, String) {
        let attack = Attack {
            replicates: 8,
            generations: 20,
            searched,
        };
        let (verdict, decisive) = attack.verdict().unwrap();
        (verdict, decisive.who.clone())
    }

    #[test]
    fn the_verdict_reads_every_types_interval_not_only_the_largest_mean() {
        // The largest mean straddles 0; a smaller one is certain.
        assert_eq!(
            verdict_of(vec![
                searched("steady", 0.24, -0.38, 0.92),
                searched("noisy", 0.13, 0.13, 0.13),
            ]),
            (Verdict::Exploitable, "noisy".into())
        );
        // The largest mean is 0 for sure; another type may still gain.
        assert_eq!(
            verdict_of(vec![
                searched("manipulator", 0.0, 0.0, 0.0),
                searched("gamer", -0.13, -0.76, 0.56),
            ]),
            (Verdict::Undetermined, "gamer".into())
        );
        // Nobody can gain: a deviation that changes nothing is no exploit.
        assert_eq!(
            verdict_of(vec![
                searched("manipulator", 0.0, 0.0, 0.0),
                searched("gamer", -0.5, -0.9, -0.1),
            ]),
            (Verdict::NotExploitable, "manipulator".into())
        );
        // A steady deviation that gains nothing won the rerun, but a
        // finalist that lost it may still gain: nothing is certified.
        let mut steady = searched("gamer", -0.01, -0.02, 0.0);
        steady
            .finalists
            .push(searched("gamer", -0.32, -1.1, 0.45).confirmed);
        assert_eq!(
            verdict_of(vec![steady]),
            (Verdict::Undetermined, "gamer".into())
        );
        // A gain certainly below the margin is negligible.
        let mut small = searched("gamer", -0.1, -0.3, 0.07);
        small.confirmed.margin = 0.2;
        small.finalists[0].margin = 0.2;
        assert_eq!(
            verdict_of(vec![small]),
            (Verdict::NotExploitable, "gamer".into())
        );
        // A missing estimate shows nothing either way.
        assert_eq!(
            verdict_of(vec![
                searched("manipulator", 0.0, 0.0, 0.0),
                searched("unknown", f64::NAN, f64::NAN, f64::NAN),
            ])
            .0,
            Verdict::Undetermined
        );
    }

    #[test]
    fn too_few_replicates_decide_nothing() {
        // Intervals that would read "exploitable" and "not exploitable" at
        // 8 replicates (an outside review found verdicts from 2 runs wrong).
        for (low, high) in [(0.22, 0.63), (-0.9, -0.1)] {
            let attack = Attack {
                replicates: MIN_REPLICATES_FOR_VERDICT as u64 - 1,
                generations: 20,
                searched: vec![searched("gamer", (low + high) / 2.0, low, high)],
            };
            assert!(!attack.decides());
            assert_eq!(attack.verdict().unwrap().0, Verdict::Undetermined);
        }
    }

    #[test]
    fn cross_entropy_finds_an_interior_maximum() {
        let mut tried = Vec::new();
        let mut gain = |q: f64| {
            tried.push(q);
            -(q - 0.3).powi(2)
        };
        cross_entropy_maximum(
            &mut gain,
            least_intensity(20),
            &mut accord_seed::run_rng(1, 0),
        );
        assert_eq!(tried.len(), CE_SAMPLES * CE_ITERATIONS);
        let best = tried
            .iter()
            .copied()
            .min_by(|a, b| (a - 0.3).abs().total_cmp(&(b - 0.3).abs()))
            .unwrap();
        assert!((best - 0.3).abs() < 0.03, "closest sample {best}");
        assert!(tried.iter().all(|q| (0.1..=1.0).contains(q)));
        // A maximum below one expected unsafe generation is never tried.
        let mut tried = Vec::new();
        let mut falling = |q: f64| {
            tried.push(q);
            -q
        };
        cross_entropy_maximum(
            &mut falling,
            least_intensity(20),
            &mut accord_seed::run_rng(1, 0),
        );
        assert!(tried.iter().all(|&q| q >= 0.1), "{tried:?}");
    }

    #[test]
    fn a_mixed_lab_develops_unsafely_in_its_share_of_generations() {
        let world = World::parse(
            "[world]\nname = \"w\"\n[learning]\nrule = \"fixed\"\n[[lab]]\nname = \"a\"\ncount = 2\n",
        )
        .unwrap();
        let protocol =
            accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
        let generations = 2000;
        let result = run(
            &world,
            &protocol,
            &RunOptions {
                record: true,
                generations: Some(generations),
                strategies: Some(vec![Strategy::COMPLY; 2]),
                unsafe_probability: Some(vec![Some(0.3), None]),
                ..RunOptions::default()
            },
        );
        let unsafe_share = |lab: &str| {
            result
                .labs
                .iter()
                .filter(|r| r.lab == lab && !r.developed_safely)
                .count() as f64
                / f64::from(generations)
        };
        // Binomial standard error √(0.3·0.7/2000) ≈ 0.010.
        assert!(
            (unsafe_share("a-1") - 0.3).abs() < 0.04,
            "{}",
            unsafe_share("a-1")
        );
        assert_eq!(unsafe_share("a-2"), 0.0);
    }
}
