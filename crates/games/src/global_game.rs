//! Global games: coordination with private noisy signals.
//!
//! Sources: S. Morris, H. S. Shin, "Unique equilibrium in a model of
//! self-fulfilling currency attacks", AER 88 (1998); H. Carlsson, E. van
//! Damme, "Global games and equilibrium selection", Econometrica 61 (1993);
//! Morris & Shin, "Global games: theory and applications" (2003).
//!
//! Read for Accord as an assurance pact: a continuum of labs decides whether
//! to pledge. The pact succeeds iff the pledging share is at least the
//! fundamental `θ` (the share needed for coordination to pay), drawn from the
//! prior `θ ~ N(z, 1/α)`. A pledge costs `c` and returns 1 if the pact
//! succeeds. Each lab sees a private signal `x_i = θ + ξ_i`, `ξ_i ~ N(0, 1/β)`.
//! In the threshold equilibrium labs pledge iff `x_i ≤ x*`, and the pact
//! succeeds iff `θ ≤ θ*`, where
//!
//! ```text
//! Φ( √(β/(α+β)) · [ (α/√β)(θ* − z) − Φ⁻¹(θ*) ] ) = c,     x* = θ* + Φ⁻¹(θ*)/√β.
//! ```
//!
//! The equilibrium is unique iff `β ≥ α²/(2π)`. With common knowledge of `θ`
//! (a public announcement) both "all pledge" and "none pledge" are equilibria
//! whenever `0 < θ ≤ 1`, so coordination can succeed whenever it is an
//! equilibrium.

use crate::normal::{cdf, quantile};

/// A global coordination game.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GlobalGame {
    /// `z`: prior mean of the fundamental.
    pub prior_mean: f64,
    /// `α`: prior precision.
    pub prior_precision: f64,
    /// `β`: precision of each private signal.
    pub signal_precision: f64,
    /// `c`: cost of pledging, in units of the benefit of success (`0 < c < 1`).
    pub cost: f64,
}

/// The threshold equilibrium.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Threshold {
    /// `θ*`: the pact succeeds iff `θ ≤ θ*`.
    pub fundamental: f64,
    /// `x*`: a lab pledges iff its signal is at most `x*`.
    pub signal: f64,
    /// Whether `β ≥ α²/(2π)` (the equilibrium is unique).
    pub unique: bool,
}

impl GlobalGame {
    /// `√(β/(α+β))·[(α/√β)(θ − z) − Φ⁻¹(θ)] `, whose `Φ` equals `c` at `θ*`.
    fn index(&self, theta: f64) -> f64 {
        let (a, b) = (self.prior_precision, self.signal_precision);
        (b / (a + b)).sqrt() * ((a / b.sqrt()) * (theta - self.prior_mean) - quantile(theta))
    }

    /// The equilibrium thresholds; `None` if the parameters are out of range
    /// (precisions must be positive, `0 < c < 1`) or, when the equilibrium is
    /// not unique, no crossing is found.
    pub fn threshold(&self) -> Option<Threshold> {
        let (a, b, c) = (self.prior_precision, self.signal_precision, self.cost);
        if !(a > 0.0 && b > 0.0 && c > 0.0 && c < 1.0 && self.prior_mean.is_finite()) {
            return None;
        }
        let target = quantile(c);
        // index(θ) → +∞ as θ → 0 and −∞ as θ → 1 when unique (monotone decreasing).
        let f = |theta: f64| self.index(theta) - target;
        let (mut lo, mut hi) = (GRID_LOW, 1.0 - GRID_LOW);
        if f(TAIL_LOW) < 0.0 || f(hi) > 0.0 {
            return None;
        }
        let theta = if f(lo) < 0.0 {
            lower_tail_root(f)
        } else {
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if f(mid) > 0.0 { lo = mid } else { hi = mid }
            }
            0.5 * (lo + hi)
        };
        Some(Threshold {
            fundamental: theta,
            signal: theta + quantile(theta) / b.sqrt(),
            unique: b >= a * a / (2.0 * std::f64::consts::PI),
        })
    }

    /// Every threshold equilibrium: one where the equilibrium is unique, and
    /// each crossing of the equilibrium condition where it is not (signals
    /// imprecise relative to the prior, `β < α²/(2π)`), found on a grid of
    /// 10⁴ points in `θ ∈ (0, 1)` and refined by bisection. Empty if the
    /// parameters are out of range.
    pub fn thresholds(&self) -> Vec<Threshold> {
        let (a, b, c) = (self.prior_precision, self.signal_precision, self.cost);
        if !(a > 0.0 && b > 0.0 && c > 0.0 && c < 1.0 && self.prior_mean.is_finite()) {
            return Vec::new();
        }
        let target = quantile(c);
        let f = |theta: f64| self.index(theta) - target;
        let unique = b >= a * a / (2.0 * std::f64::consts::PI);
        let grid = 10_000;
        let point = |i: usize| (i as f64 / grid as f64).clamp(GRID_LOW, 1.0 - GRID_LOW);
        let mut found = Vec::new();
        if f(TAIL_LOW) > 0.0 && f(GRID_LOW) < 0.0 {
            let theta = lower_tail_root(f);
            found.push(Threshold {
                fundamental: theta,
                signal: theta + quantile(theta) / b.sqrt(),
                unique,
            });
        }
        for i in 0..grid {
            let (lo, hi) = (point(i), point(i + 1));
            let (f_lo, f_hi) = (f(lo), f(hi));
            if f_lo == 0.0 || f_lo.signum() == f_hi.signum() {
                continue;
            }
            let theta = crate::roots::bisect(f, lo, hi, 0.0);
            found.push(Threshold {
                fundamental: theta,
                signal: theta + quantile(theta) / b.sqrt(),
                unique,
            });
        }
        found
    }

    /// Probability that the pact succeeds given a lab's own signal `x` when
    /// everyone pledges below the signal threshold `x_others` (continuum of labs).
    pub fn success_probability(&self, x: f64, x_others: f64) -> f64 {
        let (a, b) = (self.prior_precision, self.signal_precision);
        // Success iff θ ≤ θ̂ with θ̂ = Φ(√β (x_others − θ̂)).
        let g = |theta: f64| cdf(b.sqrt() * (x_others - theta)) - theta;
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if g(mid) > 0.0 { lo = mid } else { hi = mid }
        }
        let cutoff = 0.5 * (lo + hi);
        let posterior_mean = (a * self.prior_mean + b * x) / (a + b);
        cdf((a + b).sqrt() * (cutoff - posterior_mean))
    }

    /// Best-response signal threshold when everyone else uses `x_others`:
    /// the signal at which success is exactly as likely as `c`.
    pub fn best_response(&self, x_others: f64) -> f64 {
        let (mut lo, mut hi) = (-50.0, 50.0);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if self.success_probability(mid, x_others) > self.cost {
                lo = mid
            } else {
                hi = mid
            }
        }
        0.5 * (lo + hi)
    }
}

/// The search grid's ends: `θ ∈ [10⁻¹⁵, 1 − 10⁻¹⁵]`.
const GRID_LOW: f64 = 1e-15;
/// How far below the grid a threshold is still sought (a pact that almost
/// never succeeds, `θ*` as small as 10⁻³⁰⁰, is an answer, not an error).
const TAIL_LOW: f64 = 1e-300;

/// The root of `f` in `[TAIL_LOW, GRID_LOW]` (where `f` changes sign),
/// bisected in `ln θ` so that tiny thresholds come out to full precision.
fn lower_tail_root(f: impl Fn(f64) -> f64) -> f64 {
    crate::roots::bisect(|u: f64| f(u.exp()), TAIL_LOW.ln(), GRID_LOW.ln(), 0.0).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game() -> GlobalGame {
        GlobalGame {
            prior_mean: 0.5,
            prior_precision: 1.0,
            signal_precision: 100.0,
            cost: 0.4,
        }
    }

    #[test]
    fn threshold_solves_the_equilibrium_conditions() {
        let g = game();
        let t = g.threshold().unwrap();
        assert!(t.unique);
        // Success condition: the share pledging at θ* equals θ*.
        assert!(
            (cdf(g.signal_precision.sqrt() * (t.signal - t.fundamental)) - t.fundamental).abs()
                < 1e-12
        );
        // Indifference of the marginal lab.
        assert!((g.success_probability(t.signal, t.signal) - g.cost).abs() < 1e-9);
    }

    #[test]
    fn a_pact_that_almost_never_succeeds_has_a_tiny_threshold_not_none() {
        // The index runs from +∞ at θ → 0 to −∞ at θ → 1, so a root exists;
        // here it lies far below 10⁻¹⁵ (about 10⁻¹⁸⁰ and 10⁻⁴⁰).
        for (z, alpha, beta, c) in [(3.0, 30.0, 10.0, 0.4), (0.5, 1.0, 0.01, 0.9)] {
            let g = GlobalGame {
                prior_mean: z,
                prior_precision: alpha,
                signal_precision: beta,
                cost: c,
            };
            let t = g.threshold().expect("a threshold exists");
            assert!(
                t.fundamental > 0.0 && t.fundamental < 1e-15,
                "{}",
                t.fundamental
            );
            let target = quantile(c);
            assert!(
                (g.index(t.fundamental) - target).abs() < 1e-6 * target.abs().max(1.0),
                "index {} vs {target}",
                g.index(t.fundamental)
            );
            let all = g.thresholds();
            assert!(!all.is_empty() && all[0].fundamental < 1e-15);
        }
    }

    #[test]
    fn iterated_best_responses_converge_to_the_threshold() {
        let g = game();
        let t = g.threshold().unwrap();
        for start in [-2.0, 0.2, 3.0] {
            let mut x = start;
            for _ in 0..100 {
                x = g.best_response(x);
            }
            assert!(
                (x - t.signal).abs() < 1e-6,
                "from {start}: {x} vs {}",
                t.signal
            );
        }
    }

    #[test]
    fn precise_signals_approach_the_risk_dominant_threshold() {
        // As β → ∞, θ* → 1 − c (the Laplacian belief about others' share is uniform).
        let g = GlobalGame {
            signal_precision: 1e8,
            ..game()
        };
        assert!((g.threshold().unwrap().fundamental - 0.6).abs() < 1e-3);
    }

    #[test]
    fn imprecise_signals_give_several_thresholds_precise_ones_one() {
        let precise = game();
        let all = precise.thresholds();
        assert_eq!(all.len(), 1);
        let one = precise.threshold().unwrap();
        assert!((all[0].fundamental - one.fundamental).abs() < 1e-9);
        let vague = GlobalGame {
            prior_mean: 0.5,
            prior_precision: 6.0,
            signal_precision: 1.0,
            cost: 0.5,
        };
        let several = vague.thresholds();
        assert_eq!(several.len(), 3, "{several:?}");
        for t in &several {
            assert!(!t.unique);
            assert!((cdf(vague.index(t.fundamental)) - 0.5).abs() < 1e-9);
        }
    }
}
