//! A liability pool and the care it leaves labs an incentive to take: flat
//! premiums dilute care (moral hazard), premiums rated on each lab's own
//! risk restore it.
//!
//! Source: the unilateral-accident model of tort law (Shavell, *Economic
//! Analysis of Accident Law*, 1987, ch. 2) with insurance premiums in place
//! of damages; the dilution result is derived in `MODELS.md` ("Liability
//! pool").
//!
//! `N` labs each choose care `x_i ≥ 0` at cost `x_i`; lab i causes an
//! accident with probability `p_i = p₀·e^(−x_i)` and harm `h`. The pool pays
//! every harm and charges lab i the premium
//!
//! ```text
//! premium_i = h · [ ρ·p_i + (1 − ρ)·(1/N)·Σ_j p_j ]
//! ```
//!
//! with `ρ ∈ [0, 1]` the weight of the lab's own risk rating (`ρ = 0`: a flat
//! premium, the pool's expected claims shared equally; `ρ = 1`: a perfectly
//! rated premium, the same incentive as full liability). Lab i minimises
//! `x_i + premium_i`; the first-order condition `w·p₀·h·e^(−x) = 1` with the
//! weight on its own risk `w = ρ + (1 − ρ)/N` gives the dominant-strategy care
//!
//! ```text
//! x* = max(0, ln(w·p₀·h))     full liability (ρ = 1): ln(p₀h); flat (ρ = 0): ln(p₀h/N)
//! ```
//!
//! whatever the others do, and the accident probability `min(p₀, 1/(w·h))`.
//! The planner minimising `Σ_i (x_i + p_i·h)` chooses `ln(p₀h)`: only a
//! premium rated on the lab's own risk reaches it.

use crate::GameError;
use serde::Serialize;

/// Labs a pool may hold in this model.
pub const MAX_LABS: usize = 1_000_000;

/// A liability pool among `labs` labs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LiabilityPool {
    /// `N`: labs sharing the pool (at least 1).
    pub labs: usize,
    /// `p₀`: accident probability without care, in `(0, 1]`.
    pub base_accident_probability: f64,
    /// `h`: harm of an accident, in units of care cost (`h > 0`).
    pub harm: f64,
    /// `ρ`: weight of each lab's own risk rating in its premium, in `[0, 1]`.
    pub rating_weight: f64,
}

impl LiabilityPool {
    /// A pool; `1 ≤ N ≤ MAX_LABS`, `p₀ ∈ (0, 1]`, `h > 0`, `ρ ∈ [0, 1]`.
    pub fn new(
        labs: usize,
        base_accident_probability: f64,
        harm: f64,
        rating_weight: f64,
    ) -> Result<Self, GameError> {
        if !(1..=MAX_LABS).contains(&labs) {
            return Err(GameError::InvalidModel(format!(
                "a pool needs 1 to {MAX_LABS} labs, got {labs}"
            )));
        }
        if !(base_accident_probability > 0.0 && base_accident_probability <= 1.0) {
            return Err(GameError::InvalidModel(format!(
                "the accident probability without care p₀ must lie in (0, 1], got {base_accident_probability}"
            )));
        }
        if !(harm.is_finite() && harm > 0.0) {
            return Err(GameError::InvalidModel(format!(
                "the harm h must be positive and finite, got {harm}"
            )));
        }
        if !(0.0..=1.0).contains(&rating_weight) {
            return Err(GameError::InvalidModel(format!(
                "the rating weight ρ must lie in [0, 1], got {rating_weight}"
            )));
        }
        Ok(Self {
            labs,
            base_accident_probability,
            harm,
            rating_weight,
        })
    }

    /// `w = ρ + (1 − ρ)/N`: the share of its own expected harm a lab pays for.
    pub fn own_risk_weight(&self) -> f64 {
        self.rating_weight + (1.0 - self.rating_weight) / self.labs as f64
    }

    /// `x* = max(0, ln(w·p₀·h))`: each lab's equilibrium (dominant) care.
    pub fn equilibrium_care(&self) -> f64 {
        (self.own_risk_weight() * self.base_accident_probability * self.harm)
            .ln()
            .max(0.0)
    }

    /// `ln(p₀h)⁺`: the care that minimises the expected social cost (and that
    /// full liability induces).
    pub fn efficient_care(&self) -> f64 {
        (self.base_accident_probability * self.harm).ln().max(0.0)
    }

    /// `p₀·e^(−x)`: a lab's accident probability at care `x`.
    pub fn accident_probability(&self, care: f64) -> f64 {
        self.base_accident_probability * (-care).exp()
    }

    /// Lab 0's cost `x_0 + premium_0` when it takes care `own` and every
    /// other lab takes care `others` (from the premium rule itself, not
    /// from the closed form).
    pub fn cost(&self, own: f64, others: f64) -> f64 {
        let n = self.labs as f64;
        let (own_risk, other_risk) = (
            self.accident_probability(own),
            self.accident_probability(others),
        );
        let pooled = (own_risk + (n - 1.0) * other_risk) / n;
        own + self.harm * (self.rating_weight * own_risk + (1.0 - self.rating_weight) * pooled)
    }

    /// Expected social cost per lab, `x + p(x)·h`, when every lab takes care `x`.
    pub fn social_cost_per_lab(&self, care: f64) -> f64 {
        care + self.accident_probability(care) * self.harm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The minimiser of lab 0's cost against `others`, by golden-section
    /// search on `[0, 60]` (the cost is convex in own care).
    fn best_response(pool: &LiabilityPool, others: f64) -> f64 {
        let (mut low, mut high) = (0.0f64, 60.0f64);
        let ratio = (5f64.sqrt() - 1.0) / 2.0;
        for _ in 0..200 {
            let a = high - ratio * (high - low);
            let b = low + ratio * (high - low);
            if pool.cost(a, others) <= pool.cost(b, others) {
                high = b;
            } else {
                low = a;
            }
        }
        (low + high) / 2.0
    }

    #[test]
    fn numerical_best_responses_match_the_closed_form() {
        for (n, p0, h, rho) in [
            (1, 0.5, 100.0, 0.0),
            (5, 0.5, 100.0, 0.0),
            (5, 0.5, 100.0, 1.0),
            (5, 0.5, 100.0, 0.5),
            (40, 0.2, 1000.0, 0.0),
            (40, 0.2, 1000.0, 0.8),
            (10, 1.0, 3.0, 0.0),
        ] {
            let pool = LiabilityPool::new(n, p0, h, rho).unwrap();
            let star = pool.equilibrium_care();
            // Dominant: the best response is x* whatever the others do.
            for others in [0.0, star, 3.0, 10.0] {
                let found = best_response(&pool, others);
                assert!(
                    (found - star).abs() < 1e-6,
                    "N {n} p₀ {p0} h {h} ρ {rho}, others {others}: {found} vs x* {star}"
                );
            }
        }
    }

    #[test]
    fn flat_premiums_dilute_care_from_ln_p0h_to_ln_p0h_over_n() {
        let (p0, h) = (0.5, 1000.0);
        for n in [1, 2, 10, 100] {
            let flat = LiabilityPool::new(n, p0, h, 0.0).unwrap();
            let rated = LiabilityPool::new(n, p0, h, 1.0).unwrap();
            assert!((flat.equilibrium_care() - (p0 * h / n as f64).ln()).abs() < 1e-12);
            assert!((rated.equilibrium_care() - (p0 * h).ln()).abs() < 1e-12);
            assert_eq!(rated.equilibrium_care(), rated.efficient_care());
            // Moral hazard costs society: the flat pool's cost is higher from N = 2 on.
            let (x_flat, x_rated) = (flat.equilibrium_care(), rated.equilibrium_care());
            if n > 1 {
                assert!(flat.social_cost_per_lab(x_flat) > rated.social_cost_per_lab(x_rated));
            }
        }
        // Care falls with the pool's size and rises with the rating weight.
        let care = |n, rho| {
            LiabilityPool::new(n, p0, h, rho)
                .unwrap()
                .equilibrium_care()
        };
        assert!(care(2, 0.0) > care(20, 0.0));
        assert!(care(20, 0.5) > care(20, 0.1));
        // A pool large enough drives care to zero: N ≥ p₀h.
        assert_eq!(care(500, 0.0), 0.0);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(LiabilityPool::new(0, 0.5, 10.0, 0.0).is_err());
        assert!(LiabilityPool::new(2, 0.0, 10.0, 0.0).is_err());
        assert!(LiabilityPool::new(2, 1.5, 10.0, 0.0).is_err());
        assert!(LiabilityPool::new(2, 0.5, -1.0, 0.0).is_err());
        assert!(LiabilityPool::new(2, 0.5, f64::INFINITY, 0.0).is_err());
        assert!(LiabilityPool::new(2, 0.5, 10.0, 1.2).is_err());
        assert!(LiabilityPool::new(2, 0.5, 10.0, f64::NAN).is_err());
    }
}
