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
//!
//! Thresholds are solved for in `y = Φ⁻¹(θ*)`, where the condition reads
//!
//! ```text
//! g(y) = √(β/(α+β)) · [ (α/√β)(Φ(y) − z) − y ] − Φ⁻¹(c) = 0,   θ* = Φ(y),   x* = Φ(y) + y/√β.
//! ```
//!
//! Since `0 < Φ(y) < 1`, every root lies in `[−(α/√β)z − k, (α/√β)(1 − z) − k]`
//! with `k = Φ⁻¹(c)·√((α+β)/β)`, where `g` changes sign from + to −. `g` is
//! decreasing except where `(α/√β)·φ(y) > 1`, that is `|y| < y_m` with
//! `y_m = √(2 ln(α/√(2πβ)))` (only when `β < α²/2π`), where it increases: so it
//! has at most three roots, one on each monotone piece, and bisection on
//! each finds them all to double precision. A pact that almost never or
//! almost always succeeds keeps its exact `x*` even where `θ*` is within
//! 10⁻¹⁶ of 1 and prints as 1 (an outside review found such thresholds
//! refused, or `x*` off by 10⁻⁴, when they were sought in `θ`).

use crate::GameError;
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
    /// Whether `β ≥ α²/(2π)`: the threshold equilibrium is unique whatever
    /// the cost `c`. Below that bound some costs have several and others
    /// (near 0 and 1) still one; [`GlobalGame::thresholds`] lists them. A
    /// property of the game, repeated on each threshold.
    pub unique_for_every_cost: bool,
}

impl GlobalGame {
    /// A global game; `z` finite, `α, β > 0` finite and `0 < c < 1`, the
    /// first parameter out of range named in the error.
    pub fn new(
        prior_mean: f64,
        prior_precision: f64,
        signal_precision: f64,
        cost: f64,
    ) -> Result<Self, GameError> {
        let game = Self {
            prior_mean,
            prior_precision,
            signal_precision,
            cost,
        };
        game.check()?;
        Ok(game)
    }

    /// Checks the parameters of a game however it was built (see [`Self::new`]).
    pub fn check(&self) -> Result<(), GameError> {
        if !self.prior_mean.is_finite() {
            return Err(GameError::out_of_range(
                "prior mean z",
                self.prior_mean,
                "a finite number",
            ));
        }
        for (name, value) in [
            ("prior precision α", self.prior_precision),
            ("signal precision β", self.signal_precision),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(GameError::out_of_range(name, value, "a finite number > 0"));
            }
        }
        if !(self.cost > 0.0 && self.cost < 1.0) {
            return Err(GameError::out_of_range(
                "cost c",
                self.cost,
                "a number strictly between 0 and 1 (the cost of pledging relative to the benefit of success)",
            ));
        }
        Ok(())
    }

    /// `g(y)` of the module docs: zero at `y = Φ⁻¹(θ*)`.
    fn condition(&self, y: f64) -> f64 {
        let (a, b) = (self.prior_precision, self.signal_precision);
        (b / (a + b)).sqrt() * ((a / b.sqrt()) * (cdf(y) - self.prior_mean) - y)
            - quantile(self.cost)
    }

    /// Whether `β ≥ α²/(2π)` (Morris and Shin 2003, section 2.2): then the
    /// equilibrium condition decreases in `θ` and crosses `Φ⁻¹(c)` once for
    /// every cost.
    pub fn unique_for_every_cost(&self) -> bool {
        self.signal_precision >= self.prior_precision.powi(2) / (2.0 * std::f64::consts::PI)
    }

    /// The lowest threshold equilibrium (the only one where it is unique);
    /// `None` if [`Self::check`] rejects the parameters.
    pub fn threshold(&self) -> Option<Threshold> {
        self.thresholds().into_iter().next()
    }

    /// Every threshold equilibrium, by increasing `θ*`: one where the
    /// equilibrium is unique, and up to three where signals are imprecise
    /// relative to the prior (`β < α²/(2π)`), each bisected to double
    /// precision on a piece where the condition is monotone (module docs).
    /// Empty only if [`Self::check`] rejects the parameters.
    pub fn thresholds(&self) -> Vec<Threshold> {
        if self.check().is_err() {
            return Vec::new();
        }
        let (a, b) = (self.prior_precision, self.signal_precision);
        let slope = a / b.sqrt();
        let k = quantile(self.cost) * ((a + b) / b).sqrt();
        // One beyond the bounds on every root, so the signs there are strict.
        let (low, high) = (
            -slope * self.prior_mean - k - 1.0,
            slope * (1.0 - self.prior_mean) - k + 1.0,
        );
        let mut ends = vec![low];
        let peak_density = slope / (2.0 * std::f64::consts::PI).sqrt();
        if peak_density > 1.0 {
            let turn = (2.0 * peak_density.ln()).sqrt();
            ends.extend([(-turn).clamp(low, high), turn.clamp(low, high)]);
        }
        ends.push(high);
        let g = |y: f64| self.condition(y);
        let mut roots: Vec<f64> = Vec::new();
        for piece in ends.windows(2) {
            let (lo, hi) = (piece[0], piece[1]);
            let (g_lo, g_hi) = (g(lo), g(hi));
            let root = if g_lo == 0.0 {
                lo
            } else if g_hi == 0.0 {
                hi
            } else if (g_lo < 0.0) != (g_hi < 0.0) {
                crate::roots::bisect(g, lo, hi, 0.0)
            } else {
                continue;
            };
            if roots.last() != Some(&root) {
                roots.push(root);
            }
        }
        roots
            .into_iter()
            .map(|y| Threshold {
                fundamental: cdf(y),
                signal: cdf(y) + y / b.sqrt(),
                unique_for_every_cost: self.unique_for_every_cost(),
            })
            .collect()
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
        assert!(t.unique_for_every_cost);
        // Success condition: the share pledging at θ* equals θ*.
        assert!(
            (cdf(g.signal_precision.sqrt() * (t.signal - t.fundamental)) - t.fundamental).abs()
                < 1e-12
        );
        // Indifference of the marginal lab.
        assert!((g.success_probability(t.signal, t.signal) - g.cost).abs() < 1e-9);
    }

    /// With `z = c = 1/2` the equilibrium condition holds exactly at the
    /// grid point 1/2, from either side (an outside review found it dropped:
    /// "no threshold equilibrium").
    #[test]
    fn a_threshold_on_a_grid_point_is_found() {
        for (a, b) in [(4.0, 100.0), (2.5, 1.0)] {
            let g = GlobalGame {
                prior_mean: 0.5,
                prior_precision: a,
                signal_precision: b,
                cost: 0.5,
            };
            let found = g.thresholds();
            assert_eq!(found.len(), 1, "α = {a}, β = {b}: {found:?}");
            assert_eq!(found[0].fundamental, 0.5);
        }
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
            let y = quantile(t.fundamental);
            assert!(g.condition(y).abs() < 1e-6, "g({y}) = {}", g.condition(y));
            let all = g.thresholds();
            assert!(!all.is_empty() && all[0].fundamental < 1e-15);
        }
    }

    #[test]
    fn each_bad_parameter_is_named_with_its_value_and_domain() {
        for (game, message) in [
            (
                GlobalGame::new(f64::NAN, 4.0, 100.0, 0.4),
                "parameter prior mean z = NaN is out of range: a finite number",
            ),
            (
                GlobalGame::new(0.6, 0.0, 100.0, 0.4),
                "parameter prior precision α = 0 is out of range: a finite number > 0",
            ),
            (
                GlobalGame::new(0.6, 4.0, f64::INFINITY, 0.4),
                "parameter signal precision β = inf is out of range: a finite number > 0",
            ),
            (
                GlobalGame::new(0.6, 4.0, 100.0, 1.0),
                "parameter cost c = 1 is out of range: a number strictly between 0 and 1 (the cost of pledging relative to the benefit of success)",
            ),
        ] {
            assert_eq!(game.unwrap_err().to_string(), message);
        }
        let unchecked = GlobalGame {
            prior_mean: f64::NAN,
            ..game()
        };
        assert!(unchecked.check().is_err());
        assert!(unchecked.threshold().is_none() && unchecked.thresholds().is_empty());
    }

    #[test]
    fn a_crossing_too_close_to_1_to_store_is_listed_with_its_exact_signal() {
        // Symmetric about ½: crossings at 7.6·10⁻²⁴, ½ and 1 − 7.6·10⁻²⁴
        // (not a double: θ* prints as 1, x* keeps its value).
        let symmetric = GlobalGame::new(0.5, 20.0, 1.0, 0.5).unwrap();
        let listed = symmetric.thresholds();
        assert_eq!(listed.len(), 3, "{listed:?}");
        assert!((listed[0].fundamental / 7.62e-24 - 1.0).abs() < 1e-2);
        assert!((listed[1].fundamental - 0.5).abs() < 1e-12);
        assert_eq!(listed[2].fundamental, 1.0);
        // By symmetry y₃ = −y₁, with β = 1 so that x* = θ* + y.
        let (y1, y3) = (
            listed[0].signal - listed[0].fundamental,
            listed[2].signal - listed[2].fundamental,
        );
        assert!((y3 + y1).abs() < 1e-12 * y1.abs(), "{y1} {y3}");
    }

    /// An outside review's cases, solved in `y` with mpmath at 40 digits:
    /// the first was refused ("no threshold equilibrium"), the second's
    /// `x*` was off by 1.4·10⁻⁴ relative.
    #[test]
    fn a_pact_that_almost_always_succeeds_keeps_its_exact_signal() {
        for (z, alpha, beta, c, signal) in [
            (0.1, 4.0, 0.05, 0.4, 83.197),
            (0.6, 0.5, 0.05, 0.02, 35.462019),
        ] {
            let listed = GlobalGame::new(z, alpha, beta, c).unwrap().thresholds();
            assert_eq!(listed.len(), 1, "{listed:?}");
            assert!(
                (listed[0].signal / signal - 1.0).abs() < 1e-5,
                "{} vs {signal}",
                listed[0].signal
            );
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
            assert!(!t.unique_for_every_cost);
            assert!(vague.condition(quantile(t.fundamental)).abs() < 1e-9);
        }
    }
}
