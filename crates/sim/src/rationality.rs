//! Whether complying is a best response for a lab type when every other lab
//! complies, decided from per-replicate utilities.
//!
//! For each deviation d and replicate k the gain is `g_k = u_k(d) − u_k(comply)`
//! (paired: replicate k of both runs uses random stream k). Two one-sided
//! sign-flip tests ([`crate::stats::sign_flip_p_value`]) per deviation:
//!
//! - *profitable*: "mean gain > 0", p-values Holm-corrected (Holm 1979) across
//!   the deviations of the lab type — the family of tests behind one verdict;
//!   deviations with the same gain in every replicate (reporting modes nothing
//!   observes) are one hypothesis and counted once;
//! - *unprofitable*: "mean gain < δ", δ the practical-equivalence margin, 1% of
//!   the absolute mean utility of complying.
//!
//! Verdict: "no" when some deviation is profitable after correction; "yes" when
//! every deviation is unprofitable (an intersection–union test, Berger 1982:
//! each test at level α, no correction needed); "undetermined" otherwise. A
//! gain that is significantly positive yet below δ still makes the deviation
//! profitable: best response is a strict notion. A deviation whose gain is
//! exactly zero in every replicate changes nothing: it is listed as having no
//! effect and not tested.
//!
//! Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance
//! sampling. *Technometrics* 24(4), 295–300.

use crate::stats::{ALPHA, Estimate, differences, holm, sign_flip_p_value};
use serde::Serialize;
use std::fmt;

/// Practical-equivalence margin, relative to the absolute mean utility of complying.
pub const PRACTICAL_EQUIVALENCE_MARGIN: f64 = 0.01;

/// Is complying a best response?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BestResponse {
    /// Every deviation's gain is significantly below the margin.
    Yes,
    /// Some deviation's gain is significantly positive after Holm's correction.
    No,
    /// The evidence decides neither.
    Undetermined,
}

impl fmt::Display for BestResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BestResponse::Yes => "yes",
            BestResponse::No => "no",
            BestResponse::Undetermined => "undetermined",
        })
    }
}

/// What the tests say about one deviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviationResult {
    /// Its gain is significantly positive after correction.
    Profitable,
    /// Its gain is significantly below the margin.
    Unprofitable,
    /// Neither.
    Undetermined,
}

impl fmt::Display for DeviationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviationResult::Profitable => "profitable",
            DeviationResult::Unprofitable => "unprofitable",
            DeviationResult::Undetermined => "undetermined",
        })
    }
}

/// One deviation against compliance.
#[derive(Debug, Clone, Serialize)]
pub struct DeviationTest {
    /// The deviating strategy.
    pub strategy: String,
    /// Its utility per period.
    pub utility: Estimate,
    /// Its utility minus compliance's, paired by replicate.
    pub gain: Estimate,
    /// One-sided p-value of "the gain is positive".
    pub p_profitable: f64,
    /// That p-value after Holm's correction across the lab type's deviations.
    pub p_profitable_holm: f64,
    /// One-sided p-value of "the gain is below the margin".
    pub p_unprofitable: f64,
    /// What the tests decide.
    pub result: DeviationResult,
}

/// Individual rationality of compliance for one lab type.
#[derive(Debug, Clone, Serialize)]
pub struct Rationality {
    /// Lab type.
    pub lab_type: String,
    /// Utility per period of complying when every lab complies.
    pub comply: Estimate,
    /// Practical-equivalence margin δ of this lab type (utility per period).
    pub margin: f64,
    /// Deviations that change the lab's utility in some replicate, tested.
    pub deviations: Vec<DeviationTest>,
    /// Deviations whose utility equals compliance's in every replicate.
    pub no_effect: Vec<String>,
    /// The verdict.
    pub compliance_is_best_response: BestResponse,
    /// Whether joining the protocol, complying and staying beats staying
    /// out or leaving midway (None when participation was not assessed).
    pub participation: Option<Participation>,
}

/// Joining, complying and staying against each way of staying out of the
/// protocol and of leaving it midway, decided by the same tests as the
/// deviations (staying out and leaving are deviations from joining).
#[derive(Debug, Clone, Serialize)]
pub struct Participation {
    /// Each way of staying out or leaving midway against joining, complying
    /// and staying.
    pub stay_out: Vec<DeviationTest>,
    /// Ways of staying out or leaving that change nothing.
    pub no_effect: Vec<String>,
    /// "yes": every way of staying out or leaving does significantly worse;
    /// "no": some way does significantly better; otherwise "undetermined".
    pub joining_pays: BestResponse,
}

impl Rationality {
    /// Assesses compliance against each deviation from per-replicate utilities
    /// (`comply[k]` and each deviation's `values[k]` from replicate k).
    pub fn assess(
        lab_type: &str,
        comply: &[f64],
        deviations: &[(String, Vec<f64>)],
    ) -> Rationality {
        let comply_estimate = Estimate::mean_of(comply);
        let margin = PRACTICAL_EQUIVALENCE_MARGIN * comply_estimate.mean.abs();
        let (changed, unchanged): (Vec<_>, Vec<_>) = deviations
            .iter()
            .map(|(strategy, values)| (strategy, values, differences(comply, values)))
            .partition(|(_, _, gains)| gains.iter().any(|&g| g != 0.0));
        // Deviations with identical gains in every replicate (reporting modes
        // nothing observes) are one hypothesis: Holm counts each once.
        let mut distinct: Vec<&Vec<f64>> = Vec::new();
        let hypothesis: Vec<usize> = changed
            .iter()
            .map(|(_, _, gains)| {
                distinct
                    .iter()
                    .position(|d| *d == gains)
                    .unwrap_or_else(|| {
                        distinct.push(gains);
                        distinct.len() - 1
                    })
            })
            .collect();
        let p_distinct: Vec<f64> = distinct.iter().map(|g| sign_flip_p_value(g)).collect();
        let adjusted_distinct = holm(&p_distinct);
        let p_profitable: Vec<f64> = hypothesis.iter().map(|&h| p_distinct[h]).collect();
        let adjusted: Vec<f64> = hypothesis.iter().map(|&h| adjusted_distinct[h]).collect();
        let tests: Vec<DeviationTest> = changed
            .iter()
            .zip(p_profitable.iter().zip(&adjusted))
            .map(|((strategy, values, gains), (&p, &p_holm))| {
                let below_margin: Vec<f64> = gains.iter().map(|g| margin - g).collect();
                let p_unprofitable = sign_flip_p_value(&below_margin);
                let result = if p_holm < ALPHA {
                    DeviationResult::Profitable
                } else if p_unprofitable < ALPHA {
                    DeviationResult::Unprofitable
                } else {
                    DeviationResult::Undetermined
                };
                DeviationTest {
                    strategy: (*strategy).clone(),
                    utility: Estimate::mean_of(values),
                    gain: Estimate::mean_of(gains),
                    p_profitable: p,
                    p_profitable_holm: p_holm,
                    p_unprofitable,
                    result,
                }
            })
            .collect();
        let verdict = if comply_estimate.n == 0 {
            BestResponse::Undetermined
        } else if tests
            .iter()
            .any(|t| t.result == DeviationResult::Profitable)
        {
            BestResponse::No
        } else if tests
            .iter()
            .all(|t| t.result == DeviationResult::Unprofitable)
        {
            BestResponse::Yes
        } else {
            BestResponse::Undetermined
        };
        Rationality {
            lab_type: lab_type.to_string(),
            comply: comply_estimate,
            margin,
            deviations: tests,
            no_effect: unchanged.into_iter().map(|(s, _, _)| s.clone()).collect(),
            compliance_is_best_response: verdict,
            participation: None,
        }
    }

    /// Adds the participation constraint: `comply[k]` against each way of
    /// staying out or leaving, `outside[i].1[k]` from replicate k.
    pub fn with_participation(mut self, comply: &[f64], outside: &[(String, Vec<f64>)]) -> Self {
        let outside = Rationality::assess(&self.lab_type, comply, outside);
        self.participation = Some(Participation {
            stay_out: outside.deviations,
            no_effect: outside.no_effect,
            joining_pays: outside.compliance_is_best_response,
        });
        self
    }

    /// The tested deviation with the largest mean gain, if any deviation
    /// changes anything; the first of equal ones, so that capturing
    /// monitors that do not exist never stands in for racing honestly (an
    /// outside review found the last named).
    pub fn best_deviation(&self) -> Option<&DeviationTest> {
        self.deviations.iter().reduce(|best, d| {
            if d.gain.mean > best.gain.mean {
                d
            } else {
                best
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compliance utility 10 with a little replicate noise, over `n` replicates.
    fn comply(n: usize) -> Vec<f64> {
        (0..n).map(|k| 10.0 + 0.1 * (k % 3) as f64).collect()
    }

    fn shifted(base: &[f64], by: f64) -> Vec<f64> {
        base.iter()
            .enumerate()
            .map(|(k, b)| b + by + 0.05 * (k % 2) as f64)
            .collect()
    }

    #[test]
    fn too_few_replicates_leave_the_verdict_undetermined() {
        // Three replicates, every deviation clearly worse: the old rule said "yes" by default.
        let c = comply(3);
        let deviations = vec![
            ("unsafe".to_string(), shifted(&c, -5.0)),
            ("capture".to_string(), shifted(&c, -1.0)),
        ];
        let r = Rationality::assess("leader", &c, &deviations);
        assert_eq!(r.compliance_is_best_response, BestResponse::Undetermined);
        // And a clearly profitable deviation is not yet "no" either.
        let r = Rationality::assess("leader", &c, &[("unsafe".into(), shifted(&c, 5.0))]);
        assert_eq!(r.compliance_is_best_response, BestResponse::Undetermined);
    }

    #[test]
    fn enough_replicates_decide_yes_and_no() {
        let c = comply(8);
        let worse = vec![
            ("unsafe".to_string(), shifted(&c, -5.0)),
            ("capture".to_string(), shifted(&c, -1.0)),
        ];
        let yes = Rationality::assess("leader", &c, &worse);
        assert_eq!(yes.compliance_is_best_response, BestResponse::Yes);
        assert!(
            yes.deviations
                .iter()
                .all(|t| t.result == DeviationResult::Unprofitable)
        );
        let mut tempted = worse.clone();
        tempted.push(("game metrics".to_string(), shifted(&c, 2.0)));
        let no = Rationality::assess("leader", &c, &tempted);
        assert_eq!(no.compliance_is_best_response, BestResponse::No);
        assert_eq!(no.best_deviation().unwrap().strategy, "game metrics");
    }

    #[test]
    fn the_first_of_equally_good_deviations_is_the_best() {
        let c = comply(8);
        let tied: Vec<(String, Vec<f64>)> = ["unsafe/honest", "unsafe/gaming", "unsafe/capture"]
            .iter()
            .map(|s| (s.to_string(), shifted(&c, 2.0)))
            .collect();
        let tested = Rationality::assess("leader", &c, &tied);
        assert_eq!(tested.best_deviation().unwrap().strategy, "unsafe/honest");
    }

    #[test]
    fn gains_within_noise_of_zero_are_undetermined() {
        let c = comply(8);
        let noise: Vec<f64> = c
            .iter()
            .enumerate()
            .map(|(k, v)| v + if k % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        let r = Rationality::assess("follower", &c, &[("unsafe".into(), noise)]);
        assert_eq!(r.compliance_is_best_response, BestResponse::Undetermined);
    }

    #[test]
    fn holm_correction_guards_against_one_lucky_deviation_among_many() {
        // Six replicates: one deviation ahead in every replicate has p = 1/64,
        // significant alone but not after correction across six deviations.
        let c = comply(6);
        let mut deviations: Vec<(String, Vec<f64>)> = (0..5)
            .map(|i| (format!("worse {i}"), shifted(&c, -3.0 - f64::from(i))))
            .collect();
        deviations.push(("lucky".into(), shifted(&c, 0.2)));
        let r = Rationality::assess("follower", &c, &deviations);
        let lucky = r.deviations.iter().find(|t| t.strategy == "lucky").unwrap();
        assert!(lucky.p_profitable < ALPHA && lucky.p_profitable_holm >= ALPHA);
        assert_eq!(r.compliance_is_best_response, BestResponse::Undetermined);
    }

    #[test]
    fn identical_deviations_are_one_hypothesis() {
        // Six replicates, five reporting modes with the same gains in every
        // replicate (nothing observes how a lab reports): one test, p = 1/64,
        // as significant as the single deviation it is.
        let c = comply(6);
        let ahead = shifted(&c, 0.2);
        let same: Vec<(String, Vec<f64>)> = (0..5)
            .map(|i| (format!("unsafe, report {i}"), ahead.clone()))
            .collect();
        let r = Rationality::assess("follower", &c, &same);
        assert_eq!(r.deviations.len(), 5);
        assert!(r.deviations.iter().all(|t| t.p_profitable_holm < ALPHA));
        assert_eq!(r.compliance_is_best_response, BestResponse::No);
        let alone = Rationality::assess("follower", &c, &same[..1]);
        assert_eq!(alone.compliance_is_best_response, BestResponse::No);
    }

    #[test]
    fn deviations_that_change_nothing_are_reported_as_no_effect() {
        let c = comply(8);
        let r = Rationality::assess(
            "leader",
            &c,
            &[
                ("manipulate threshold".into(), c.clone()),
                ("unsafe".into(), shifted(&c, -2.0)),
            ],
        );
        assert_eq!(r.no_effect, vec!["manipulate threshold".to_string()]);
        assert_eq!(r.deviations.len(), 1);
        assert_eq!(r.compliance_is_best_response, BestResponse::Yes);
    }
}
