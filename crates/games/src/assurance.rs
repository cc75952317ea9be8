//! Dominant assurance contracts: paying pledgers when a pact fails.
//!
//! Source: A. Tabarrok, "The private provision of public goods via dominant
//! assurance contracts", Public Choice 96, 345–362 (1998).
//!
//! `N` agents each decide whether to pledge `c`; the good (worth `v` to every
//! agent) is provided iff at least `K` pledge, and pledges are refunded
//! otherwise. The entrepreneur adds a refund bonus `f` paid to every pledger
//! of a failed contract. With `k` others pledging, pledging pays `v − c` if
//! `k + 1 ≥ K` and `f` otherwise; abstaining pays `v` if `k ≥ K` and 0
//! otherwise. Hence:
//!
//! ```text
//! K = N:   pledging is strictly dominant iff v > c and f > 0;
//! pure:    k pledgers form an equilibrium iff no pledger gains by abstaining and no
//!          abstainer by pledging; exactly K pledgers is one iff v ≥ c, and nobody
//!          pledging is one (for K ≥ 2) iff f = 0;
//! mixed:   each pledges with probability q solving
//!          P(k ≥ K−1)(v − c) + P(k < K−1)·f = P(k ≥ K)·v,   k ~ Bin(N − 1, q).
//! ```
//!
//! Without the bonus (`f = 0`) "nobody pledges" is an equilibrium whenever
//! `K ≥ 2`; with any `f > 0` it is not, because a lone pledger collects the
//! bonus. The bonus also raises the probability of success in the symmetric
//! mixed equilibrium: the refund bonus of Accord's pacts is this mechanism.

use crate::GameError;
use serde::Serialize;

/// A dominant assurance contract.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AssuranceContract {
    /// `N`: agents.
    pub agents: u32,
    /// `K`: pledges needed.
    pub threshold: u32,
    /// `v`: value of the good to each agent.
    pub value: f64,
    /// `c`: the pledge.
    pub cost: f64,
    /// `f`: the refund bonus paid to each pledger of a failed contract.
    pub refund_bonus: f64,
}

/// Equilibria of a contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssuranceEquilibria {
    /// Numbers of pledgers that are pure equilibria (any `k` of the `N` agents).
    pub pure_pledger_counts: Vec<u32>,
    /// Pledge probabilities `q ∈ (0, 1)` of the symmetric mixed equilibria.
    pub mixed_pledge_probabilities: Vec<f64>,
    /// Probability that the good is provided in each mixed equilibrium.
    pub mixed_success_probabilities: Vec<f64>,
    /// Whether pledging is a dominant strategy.
    pub pledging_dominant: bool,
}

/// Most agents accepted (binomial sums are exact in `f64` well beyond this).
pub const MAX_AGENTS: u32 = 1000;

impl AssuranceContract {
    /// Checks `1 ≤ K ≤ N ≤ MAX_AGENTS` and finite `v, c, f` with `c > 0`,
    /// `f ≥ 0`; the first parameter out of range is named in the error.
    pub fn new(
        agents: u32,
        threshold: u32,
        value: f64,
        cost: f64,
        refund_bonus: f64,
    ) -> Result<Self, GameError> {
        if !(1..=MAX_AGENTS).contains(&agents) {
            return Err(GameError::out_of_range(
                "agents N",
                f64::from(agents),
                format!("an integer from 1 to {MAX_AGENTS}"),
            ));
        }
        if !(1..=agents).contains(&threshold) {
            return Err(GameError::out_of_range(
                "threshold K",
                f64::from(threshold),
                format!("an integer from 1 to the number of agents N = {agents}"),
            ));
        }
        if !value.is_finite() {
            return Err(GameError::out_of_range("value v", value, "a finite number"));
        }
        if !(cost.is_finite() && cost > 0.0) {
            return Err(GameError::out_of_range(
                "cost c",
                cost,
                "a finite number > 0",
            ));
        }
        if !(refund_bonus.is_finite() && refund_bonus >= 0.0) {
            return Err(GameError::out_of_range(
                "bonus f",
                refund_bonus,
                "a finite number ≥ 0",
            ));
        }
        Ok(Self {
            agents,
            threshold,
            value,
            cost,
            refund_bonus,
        })
    }

    /// Gain from pledging over abstaining when `others` others pledge.
    pub fn gain_from_pledging(&self, others: u32) -> f64 {
        let k = self.threshold;
        let pledge = if others + 1 >= k {
            self.value - self.cost
        } else {
            self.refund_bonus
        };
        let abstain = if others >= k { self.value } else { 0.0 };
        pledge - abstain
    }

    /// Expected gain from pledging when each other agent pledges with probability `q`.
    fn expected_gain(&self, q: f64) -> f64 {
        let n = self.agents - 1;
        binomial_pmf(n, q)
            .iter()
            .enumerate()
            .map(|(k, w)| w * self.gain_from_pledging(k as u32))
            .sum()
    }

    /// Pure and symmetric mixed equilibria (module docs). Mixed equilibria are
    /// found as sign changes of the expected gain on a grid of 10⁴ points,
    /// refined by bisection to 1e-12.
    pub fn equilibria(&self) -> AssuranceEquilibria {
        let n = self.agents;
        let pure_pledger_counts = (0..=n)
            .filter(|&k| {
                // Pledgers must not want to abstain, abstainers not to pledge.
                (k == 0 || self.gain_from_pledging(k - 1) >= 0.0)
                    && (k == n || self.gain_from_pledging(k) <= 0.0)
            })
            .collect();
        let grid = 10_000;
        let mut mixed = Vec::new();
        let (mut low, mut previous) = (1e-9, self.expected_gain(1e-9));
        for i in 1..=grid {
            let q = (i as f64 / grid as f64).min(1.0 - 1e-9);
            let current = self.expected_gain(q);
            if current == 0.0 {
                // A root on the grid is taken as it is: `signum` counts 0 as
                // positive, and an outside review found q = 1/2 lost.
                mixed.push(q);
            } else if previous != 0.0 && (previous < 0.0) != (current < 0.0) {
                mixed.push(crate::roots::bisect(
                    |x| self.expected_gain(x),
                    low,
                    q,
                    1e-12,
                ));
            }
            (low, previous) = (q, current);
        }
        let success = mixed
            .iter()
            .map(|&q| {
                binomial_pmf(n, q)
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k as u32 >= self.threshold)
                    .map(|(_, w)| w)
                    .sum()
            })
            .collect();
        AssuranceEquilibria {
            pure_pledger_counts,
            mixed_pledge_probabilities: mixed,
            mixed_success_probabilities: success,
            pledging_dominant: (0..n).all(|k| self.gain_from_pledging(k) > 0.0),
        }
    }
}

/// `P(k)` for `k = 0 … n` of a binomial(n, q), by the stable recurrence.
fn binomial_pmf(n: u32, q: f64) -> Vec<f64> {
    let mut pmf = vec![0.0; n as usize + 1];
    pmf[0] = 1.0;
    for trial in 1..=n as usize {
        for k in (1..=trial).rev() {
            pmf[k] = pmf[k] * (1.0 - q) + pmf[k - 1] * q;
        }
        pmf[0] *= 1.0 - q;
    }
    pmf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unanimity_with_a_bonus_makes_pledging_dominant() {
        let with_bonus = AssuranceContract::new(5, 5, 3.0, 1.0, 0.1).unwrap();
        assert!(with_bonus.equilibria().pledging_dominant);
        assert_eq!(with_bonus.equilibria().pure_pledger_counts, vec![5]);
        let without = AssuranceContract::new(5, 5, 3.0, 1.0, 0.0).unwrap();
        let eq = without.equilibria();
        assert!(!eq.pledging_dominant);
        // A refunded pledge to a failing contract costs nothing: every count short of
        // the pivotal N − 1 is a (weak) equilibrium.
        assert_eq!(eq.pure_pledger_counts, vec![0, 1, 2, 3, 5]);
    }

    #[test]
    fn the_bonus_removes_the_no_pledge_equilibrium_and_raises_success() {
        let plain = AssuranceContract::new(10, 4, 3.0, 1.0, 0.0)
            .unwrap()
            .equilibria();
        assert!(plain.pure_pledger_counts.contains(&0));
        assert!(plain.pure_pledger_counts.contains(&4));
        let mut last_success = 0.0;
        for bonus in [0.05, 0.2, 0.5, 1.0] {
            let eq = AssuranceContract::new(10, 4, 3.0, 1.0, bonus)
                .unwrap()
                .equilibria();
            assert!(!eq.pure_pledger_counts.contains(&0));
            assert_eq!(eq.pure_pledger_counts, vec![4]);
            // The mixed equilibrium with the most pledging succeeds more often as f grows.
            let success = eq
                .mixed_success_probabilities
                .iter()
                .copied()
                .fold(0.0, f64::max);
            assert!(
                success > last_success,
                "f = {bonus}: {success} ≤ {last_success}"
            );
            last_success = success;
        }
    }

    #[test]
    fn each_bad_parameter_is_named_with_its_value_and_domain() {
        for (contract, message) in [
            (
                AssuranceContract::new(0, 1, 3.0, 1.0, 0.2),
                "parameter agents N = 0 is out of range: an integer from 1 to 1000",
            ),
            (
                AssuranceContract::new(6, 7, 3.0, 1.0, 0.2),
                "parameter threshold K = 7 is out of range: an integer from 1 to the number of agents N = 6",
            ),
            (
                AssuranceContract::new(6, 3, f64::NAN, 1.0, 0.2),
                "parameter value v = NaN is out of range: a finite number",
            ),
            (
                AssuranceContract::new(6, 3, 3.0, 0.0, 0.2),
                "parameter cost c = 0 is out of range: a finite number > 0",
            ),
            (
                AssuranceContract::new(6, 3, 3.0, 1.0, -0.1),
                "parameter bonus f = -0.1 is out of range: a finite number ≥ 0",
            ),
        ] {
            assert_eq!(contract.unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn a_mixed_equilibrium_on_the_grid_is_found() {
        // K = 1: indifference at q = 1 − c/v, exactly a grid point here.
        let pair = AssuranceContract::new(2, 1, 1.0, 0.5, 0.1).unwrap();
        assert_eq!(pair.equilibria().mixed_pledge_probabilities, [0.5]);
        // N = 3, K = 2: the gain 0.5 − 0.5q − q² vanishes at q = 1/2 alone.
        let three = AssuranceContract::new(3, 2, 1.25, 1.0, 0.5).unwrap();
        let mixed = three.equilibria().mixed_pledge_probabilities;
        assert_eq!(mixed.len(), 1, "{mixed:?}");
        assert!((mixed[0] - 0.5).abs() < 1e-12, "{mixed:?}");
    }

    #[test]
    fn mixed_equilibria_make_pledgers_indifferent() {
        let contract = AssuranceContract::new(8, 3, 2.0, 1.0, 0.3).unwrap();
        for q in contract.equilibria().mixed_pledge_probabilities {
            assert!(contract.expected_gain(q).abs() < 1e-9);
        }
    }
}
