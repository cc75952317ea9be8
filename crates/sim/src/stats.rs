//! Statistics of experiments: intervals that respect the bounds of what they
//! estimate, censored times, and paired one-sided tests with a correction for
//! multiple comparisons. Every interval is a 95% interval; every function is a
//! function of its data alone (the bootstrap's generator has a fixed seed), so
//! the same data give the same numbers whatever the thread count.
//!
//! - **Means over replicates** (shares, probabilities, welfare, paired
//!   differences, Shapley values): percentile bootstrap (Efron & Tibshirani
//!   1993, ch. 13). B = 1999 resamples of the replicates with replacement; the
//!   interval runs from the 50th to the 1950th of the sorted resampled means
//!   (the (B+1)·0.025-th and (B+1)·0.975-th order statistics). A resampled mean
//!   lies between the smallest and the largest observation, so the interval of
//!   a share stays inside [0, 1]. Differences are paired: the statistic is the
//!   mean of the per-replicate differences, resampled by replicate.
//! - **A proportion of runs** (the share of runs that coordinate): Wilson score
//!   interval (Wilson 1927), `(k + z²/2)/(n + z²) ± z·√(k(n−k)/n + z²/4)/(n + z²)`,
//!   z = 1.96, which stays inside [0, 1].
//! - **Censored times** (time to coordination, censored at the horizon when a
//!   run never coordinates): Kaplan–Meier survival (Kaplan & Meier 1958)
//!   `S(t) = Π_{j ≤ t} (1 − d_j/r_j)`, d_j events at generation j, r_j runs
//!   still at risk; reported as the median (first t with S(t) ≤ 0.5, if any)
//!   and the restricted mean up to the horizon τ, `Σ_{t<τ} S(t)` (Royston &
//!   Parmar 2013), with a bootstrap interval over runs, and the censored share.
//! - **One-sided paired tests**: the sign-flip randomization test (Fisher 1935,
//!   §21): under "the mean difference is zero" with differences symmetric about
//!   zero, every pattern of signs is equally likely; p is the share of the 2^n
//!   patterns whose sum is at least the observed sum (exact up to 12
//!   replicates, else 9999 random patterns with p = (1 + count)/(1 + 9999),
//!   Phipson & Smyth 2010). With n replicates p ≥ 2^−n, so a handful of
//!   replicates can never be significant.
//! - **Multiplicity**: Holm's step-down adjustment (Holm 1979): with p-values
//!   sorted p_(1) ≤ … ≤ p_(m), the adjusted p_(i) is
//!   `max_{j ≤ i} min(1, (m − j + 1)·p_(j))`.
//!
//! References: Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the
//! Bootstrap*. Chapman & Hall. Wilson, E. B. (1927). Probable inference, the
//! law of succession, and statistical inference. *JASA* 22(158), 209–212.
//! Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete
//! observations. *JASA* 53(282), 457–481. Royston, P., & Parmar, M. K. B.
//! (2013). Restricted mean survival time. *BMC Medical Research Methodology*
//! 13, 152. Fisher, R. A. (1935). *The Design of Experiments*. Oliver & Boyd.
//! Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be
//! zero. *Statistical Applications in Genetics and Molecular Biology* 9(1).
//! Holm, S. (1979). A simple sequentially rejective multiple test procedure.
//! *Scandinavian Journal of Statistics* 6(2), 65–70.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Shuffles `items` in place (Fisher–Yates, one `random_range(0..=i)` draw per position from the end).
pub fn shuffle<T>(items: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
}

/// Bootstrap resamples per interval.
pub const RESAMPLES: usize = 1999;
/// Seed of the bootstrap's generator: fixed, so an interval depends on its data alone.
const BOOTSTRAP_SEED: u64 = 0xB007_5EED;
/// Random sign patterns of the sign-flip test above [`EXACT_SIGN_FLIP_MAX`] replicates.
const SIGN_FLIPS: usize = 9999;
/// Up to this many replicates the sign-flip test enumerates every pattern.
const EXACT_SIGN_FLIP_MAX: usize = 12;
/// 97.5% quantile of the standard normal.
pub(crate) const Z_975: f64 = 1.959_963_984_540_054;
/// Significance level of every one-sided test.
pub const ALPHA: f64 = 0.05;
/// Fewest replicates on which an interval may decide a verdict: with five, even
/// five differences of one sign are not significant under a distribution-free
/// two-sided 5% test (2·2⁻⁵ = 0.0625), while a percentile interval would already
/// exclude zero.
pub const MIN_REPLICATES_FOR_VERDICT: usize = 6;
/// How far an interval's end must pass a decision boundary to lie beyond it.
/// A resampled mean of values that sum exactly to the boundary can miss it by
/// a rounding residue (an outside review found a lower end of 9.25e-18 for a
/// mean of multiples of 0.05 that is exactly 0, deciding a verdict); every
/// outcome here is a share or a payoff of order 1 to 10⁴, so no real
/// difference is this small.
pub const DECISION_TOLERANCE: f64 = 1e-9;

/// A mean with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate.
    pub mean: f64,
    /// Lower end of the 95% interval (NaN: no interval).
    pub low: f64,
    /// Upper end of the 95% interval (NaN: no interval).
    pub high: f64,
    /// Observations.
    pub n: usize,
}

/// Where an interval lies relative to a decision boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Entirely above it.
    Above,
    /// Entirely below it.
    Below,
    /// It contains the boundary.
    Straddles,
    /// No interval (too few observations).
    Unknown,
}

impl Estimate {
    const MISSING: Estimate = Estimate {
        mean: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
        n: 0,
    };

    /// Mean of `values` (non-finite values dropped) with its percentile
    /// bootstrap interval; no interval from fewer than two values.
    pub fn mean_of(values: &[f64]) -> Estimate {
        let xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if xs.is_empty() {
            return Estimate::MISSING;
        }
        let mean = mean(&xs);
        let (low, high) = percentile_interval(xs.len(), |sample| {
            sample.iter().map(|&i| xs[i]).sum::<f64>() / sample.len() as f64
        })
        // Rounding in a resampled sum must not carry the interval past the data.
        .map_or((f64::NAN, f64::NAN), |(low, high)| {
            let (min, max) = xs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            (low.max(min), high.min(max))
        });
        // The mean's own rounding may differ from the resamples' in the last
        // bit; a missing interval stays missing.
        let (low, high) = if low.is_nan() {
            (low, high)
        } else {
            (low.min(mean), high.max(mean))
        };
        Estimate {
            mean,
            low,
            high,
            n: xs.len(),
        }
    }

    /// Per-replicate differences `after − before` and their mean with a paired
    /// bootstrap interval (pairs where either value is missing dropped).
    pub fn paired_difference(before: &[f64], after: &[f64]) -> Estimate {
        Estimate::mean_of(&differences(before, after))
    }

    /// `successes` out of `trials` with the Wilson score interval.
    pub fn wilson(successes: usize, trials: usize) -> Estimate {
        if trials == 0 {
            return Estimate::MISSING;
        }
        let (k, n, z2) = (successes as f64, trials as f64, Z_975 * Z_975);
        let centre = (k + z2 / 2.0) / (n + z2);
        let half = Z_975 * (k * (n - k) / n + z2 / 4.0).sqrt() / (n + z2);
        Estimate {
            mean: k / n,
            low: (centre - half).max(0.0),
            high: (centre + half).min(1.0),
            n: trials,
        }
    }

    /// Where the interval lies relative to `boundary`, ends within
    /// [`DECISION_TOLERANCE`] of it counting as on it.
    pub fn side_of(&self, boundary: f64) -> Side {
        if !(self.low.is_finite() && self.high.is_finite()) {
            Side::Unknown
        } else if self.low > boundary + DECISION_TOLERANCE {
            Side::Above
        } else if self.high < boundary - DECISION_TOLERANCE {
            Side::Below
        } else {
            Side::Straddles
        }
    }
}

/// `after[k] − before[k]` for every replicate k where both are finite.
pub fn differences(before: &[f64], after: &[f64]) -> Vec<f64> {
    before
        .iter()
        .zip(after)
        .map(|(b, a)| a - b)
        .filter(|d| d.is_finite())
        .collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The 95% percentile bootstrap interval of `statistic` over `n` units:
/// `statistic` receives the indices of one resample (drawn with replacement).
/// None for fewer than two units.
pub fn percentile_interval(
    n: usize,
    mut statistic: impl FnMut(&[usize]) -> f64,
) -> Option<(f64, f64)> {
    if n < 2 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
    let mut sample = vec![0; n];
    let bound = u32::try_from(n).expect("fewer than 2³² replicates");
    let mut values: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            for slot in &mut sample {
                *slot = rng.random_range(0..bound) as usize;
            }
            statistic(&sample)
        })
        .collect();
    values.sort_by(f64::total_cmp);
    // (B + 1)·α-th order statistic, 1-based.
    let order = |alpha: f64| values[((RESAMPLES + 1) as f64 * alpha).round() as usize - 1];
    Some((order(0.025), order(0.975)))
}

/// One-sided sign-flip p-value for "the mean of `differences` is above zero".
/// 1 when there is nothing to test.
pub fn sign_flip_p_value(differences: &[f64]) -> f64 {
    let n = differences.len();
    if n == 0 {
        return 1.0;
    }
    let observed: f64 = differences.iter().sum();
    // Patterns whose sum equals the observed one up to rounding count as "at least".
    let tolerance = 1e-9 * differences.iter().map(|d| d.abs()).sum::<f64>();
    let at_least = |signs: &dyn Fn(usize) -> bool| {
        let sum: f64 = differences
            .iter()
            .enumerate()
            .map(|(i, d)| if signs(i) { *d } else { -d })
            .sum();
        sum >= observed - tolerance
    };
    if n <= EXACT_SIGN_FLIP_MAX {
        let patterns = 1usize << n;
        let count = (0..patterns)
            .filter(|pattern| at_least(&|i| pattern & (1 << i) == 0))
            .count();
        count as f64 / patterns as f64
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
        let mut signs = vec![true; n];
        let count = (0..SIGN_FLIPS)
            .filter(|_| {
                for s in &mut signs {
                    *s = rng.random::<bool>();
                }
                at_least(&|i| signs[i])
            })
            .count();
        (1 + count) as f64 / (1 + SIGN_FLIPS) as f64
    }
}

/// Holm's step-down adjusted p-values, in the order given.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0_f64;
    for (rank, &index) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[index]).min(1.0));
        adjusted[index] = running;
    }
    adjusted
}

/// Time to an event that some runs never reach within their horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CensoredTime {
    /// Kaplan–Meier median (generations), None when fewer than half the runs
    /// are estimated to reach the event by the horizon.
    pub median: Option<u32>,
    /// Restricted mean time up to the horizon, with a bootstrap interval over
    /// runs (always within [0, horizon]).
    pub restricted_mean: Estimate,
    /// The horizon τ: the longest follow-up among the runs.
    pub horizon: u32,
    /// Share of runs that did not reach the event (censored at their horizon).
    pub censored_share: f64,
}

impl CensoredTime {
    /// From `(event time, follow-up)` per run: the event time when the run
    /// reached the event, and the generations it was observed for.
    pub fn of(runs: &[(Option<u32>, u32)]) -> CensoredTime {
        let horizon = runs.iter().map(|r| r.1).max().unwrap_or(0);
        if runs.is_empty() {
            return CensoredTime {
                median: None,
                restricted_mean: Estimate::MISSING,
                horizon,
                censored_share: f64::NAN,
            };
        }
        let survival = kaplan_meier(runs.iter().copied(), horizon);
        let (low, high) = percentile_interval(runs.len(), |sample| {
            kaplan_meier(sample.iter().map(|&i| runs[i]), horizon)
                .iter()
                .sum()
        })
        .unwrap_or((f64::NAN, f64::NAN));
        CensoredTime {
            median: survival.iter().position(|&s| s <= 0.5).map(|t| t as u32),
            restricted_mean: Estimate {
                mean: survival.iter().sum(),
                low,
                high,
                n: runs.len(),
            },
            horizon,
            censored_share: runs.iter().filter(|r| r.0.is_none()).count() as f64
                / runs.len() as f64,
        }
    }
}

/// Kaplan–Meier `S(t) = P(T > t)` for t = 0 … horizon − 1. A run whose
/// event is at generation t is at risk up to t; a censored run is at risk
/// for every generation it was observed. Beyond the last run at risk the
/// curve stays flat.
fn kaplan_meier(runs: impl Iterator<Item = (Option<u32>, u32)> + Clone, horizon: u32) -> Vec<f64> {
    let mut survival = 1.0;
    (0..horizon)
        .map(|t| {
            let (mut events, mut at_risk) = (0u32, 0u32);
            for (event, follow_up) in runs.clone() {
                match event {
                    Some(e) if e >= t => {
                        at_risk += 1;
                        events += u32::from(e == t);
                    }
                    None if follow_up > t => at_risk += 1,
                    _ => {}
                }
            }
            if at_risk > 0 {
                survival *= 1.0 - f64::from(events) / f64::from(at_risk);
            }
            survival
        })
        .collect()
}

/// A statement about the experiment's statistics or model and what it does to the numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assumption {
    /// The assumption.
    pub assumption: String,
    /// What it does to the report's numbers.
    pub effect: String,
}

impl Assumption {
    /// An assumption and its effect.
    pub fn new(assumption: impl Into<String>, effect: impl Into<String>) -> Self {
        Self {
            assumption: assumption.into(),
            effect: effect.into(),
        }
    }
}

/// The statistical assumptions behind every interval, test and verdict, for
/// an experiment with `replicates` replicates per configuration.
pub fn statistical_assumptions(replicates: u64) -> Vec<Assumption> {
    // The smallest p-value a sign-flip test can reach.
    let smallest_p = 0.5_f64.powi(i32::try_from(replicates).unwrap_or(i32::MAX));
    vec![
        Assumption::new(
            format!(
                "Means over replicates carry 95% percentile bootstrap intervals ({RESAMPLES} resamples; Efron & Tibshirani 1993), paired by replicate for differences, Shapley values and removal losses."
            ),
            "Intervals of shares and probabilities stay inside [0, 1]; with few replicates they are too narrow (a percentile interval never reaches past the data), which is why verdicts need more replicates than intervals do.",
        ),
        Assumption::new(
            "The share of runs that coordinate carries a Wilson score interval (Wilson 1927).",
            "The interval stays inside [0, 1] and is honest for a handful of runs.",
        ),
        Assumption::new(
            "Time to coordination is right-censored at the horizon: Kaplan–Meier median and restricted mean up to the horizon (Kaplan & Meier 1958), with the censored share.",
            "Runs that never coordinate count as reaching coordination no earlier than the horizon, so no time exceeds the horizon and a high censored share marks the time as a lower bound.",
        ),
        Assumption::new(
            format!(
                "Individual rationality uses one-sided sign-flip randomization tests (Fisher 1935) at level {ALPHA}, Holm-corrected (Holm 1979) across the deviations of each lab type; compliance is a best response only when every deviation's gain is significantly below the practical-equivalence margin (an intersection–union test, Berger 1982, needs no correction)."
            ),
            format!(
                "With {replicates} replicates the smallest attainable p-value is 2^−{replicates} = {smallest_p:.2e}; with fewer than five no test can be significant, so the verdict is \"undetermined\" rather than \"yes\" for lack of evidence. Deviations that change nothing in any replicate are listed as having no effect and are not tested."
            ),
        ),
        Assumption::new(
            format!(
                "A claim's verdict needs at least {MIN_REPLICATES_FOR_VERDICT} replicates, and it is \"undetermined\" whenever the interval it rests on contains the decision boundary."
            ),
            "Verdicts state what the evidence decides; a verdict is never the default for lack of evidence.",
        ),
        Assumption::new(
            "Replicate k of every configuration uses random stream k of the master seed (common random numbers).",
            "Differences between configurations are paired by replicate, which narrows their intervals; streams diverge after the first draw a configuration makes differently.",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_intervals_stay_in_the_unit_interval() {
        // The Student-t interval of these was [−0.55, 1.05].
        for values in [
            vec![0.0, 0.0, 0.0, 1.0],
            vec![1.0, 1.0, 1.0, 0.0],
            vec![0.0, 1.0],
            vec![0.99, 1.0, 1.0, 0.98, 1.0],
        ] {
            let e = Estimate::mean_of(&values);
            assert!(
                (0.0..=1.0).contains(&e.low) && (0.0..=1.0).contains(&e.high),
                "{values:?}: {e:?}"
            );
            assert!(e.low <= e.mean && e.mean <= e.high, "{values:?}: {e:?}");
        }
    }

    #[test]
    fn bootstrap_intervals_are_reproducible_and_shrink_with_data() {
        let values: Vec<f64> = (0..40).map(|i| f64::from(i % 7) / 6.0).collect();
        let small = Estimate::mean_of(&values[..8]);
        assert_eq!(small, Estimate::mean_of(&values[..8]));
        let large = Estimate::mean_of(&values);
        assert!(large.high - large.low < small.high - small.low);
        let constant = Estimate::mean_of(&[0.3; 6]);
        assert_eq!((constant.low, constant.high), (0.3, 0.3));
        assert!(Estimate::mean_of(&[0.4]).low.is_nan());
        assert_eq!(Estimate::mean_of(&[0.4]).side_of(0.0), Side::Unknown);
    }

    #[test]
    fn wilson_matches_the_textbook() {
        // 0 of 10: [0, 0.2775]; 5 of 10: [0.2366, 0.7634] (Wilson 1927; Newcombe 1998, table I).
        let none = Estimate::wilson(0, 10);
        assert!(none.low == 0.0 && (none.high - 0.2775).abs() < 1e-4);
        let half = Estimate::wilson(5, 10);
        assert!((half.low - 0.2366).abs() < 1e-4 && (half.high - 0.7634).abs() < 1e-4);
        assert!(Estimate::wilson(0, 0).mean.is_nan());
    }

    #[test]
    fn sign_flip_p_values_are_exact_and_honest_about_small_samples() {
        // Three positive differences: the observed pattern is the best of 8.
        assert_eq!(sign_flip_p_value(&[1.0, 2.0, 3.0]), 1.0 / 8.0);
        // Six positive differences: 1/64 < 0.05.
        assert!(sign_flip_p_value(&[1.0; 6]) < ALPHA);
        // Negative differences are not evidence of a positive mean.
        assert!(sign_flip_p_value(&[-1.0, -2.0, -0.5, -1.0, -3.0, -1.0]) > 0.95);
        // Monte Carlo above twelve replicates: clearly positive, never zero.
        let p = sign_flip_p_value(&[1.0; 20]);
        assert!(p > 0.0 && p < 0.001, "{p}");
        assert_eq!(sign_flip_p_value(&[]), 1.0);
    }

    #[test]
    fn holm_adjusts_step_down() {
        // Sorted 0.01, 0.03, 0.04: 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06.
        let adjusted = holm(&[0.04, 0.01, 0.03]);
        let expected = [0.06, 0.03, 0.06];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!((a - e).abs() < 1e-12, "{adjusted:?}");
        }
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0]);
    }

    #[test]
    fn censored_times_never_exceed_the_horizon_and_count_censoring() {
        // Two of four runs never coordinate within 10 generations.
        let runs = [(Some(2), 10), (Some(4), 10), (None, 10), (None, 10)];
        let t = CensoredTime::of(&runs);
        assert_eq!(t.horizon, 10);
        assert_eq!(t.censored_share, 0.5);
        // S = 1, 1, 0.75, 0.75, 0.5, … : restricted mean 2 + 2·0.75 + 6·0.5 = 6.5.
        assert!((t.restricted_mean.mean - 6.5).abs() < 1e-12);
        assert_eq!(t.median, Some(4));
        assert!(t.restricted_mean.high <= 10.0 && t.restricted_mean.low >= 0.0);
        // Mostly censored: the median is not reached, the mean stays at the horizon or below.
        let late = CensoredTime::of(&[(Some(9), 10), (None, 10), (None, 10)]);
        assert_eq!(late.median, None);
        assert!(late.restricted_mean.mean <= 10.0 && late.restricted_mean.high <= 10.0);
    }

    #[test]
    fn kaplan_meier_handles_censoring_before_events() {
        // A run censored after 3 generations leaves the risk set before the event at 5.
        let s = kaplan_meier([(None, 3), (Some(5), 8), (None, 8)].into_iter(), 8);
        assert_eq!(&s[..5], &[1.0; 5]);
        assert!((s[5] - 0.5).abs() < 1e-12 && (s[7] - 0.5).abs() < 1e-12);
    }
}
