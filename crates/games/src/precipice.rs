//! Racing to the precipice: how many teams, how much enmity and how much
//! they know about each other's capabilities set the safety of the race.
//!
//! Source: S. Armstrong, N. Bostrom and C. Shulman, "Racing to the
//! precipice: a model of artificial intelligence development", AI & Society
//! 31, 201–206 (2016). Notation as in `MODELS.md`.
//!
//! `n` teams draw capabilities `c_i ~ U[0, μ]` and choose safety
//! `s_i ∈ [0, 1]`; the team with the highest `c_i − s_i` builds the AI,
//! which is safe with probability `s_winner`. A team gets 1 if it wins
//! safely, `1 − e` if another team does (`e`: enmity), 0 on disaster.
//!
//! With **no information** (nobody knows any capability) every team plays
//! the same safety, and a team lowering its safety by `δ` wins with
//! probability `1/n + δ/μ + O(δ²)` whatever `n` (the density of the best
//! rival's lead at 0 is `1/μ`). The first-order condition
//! `1/n − e·s/μ = 0` gives the symmetric equilibrium
//!
//! ```text
//! s* = min(1, μ / (n·e))          (s* = 1 when e = 0)
//! ```
//!
//! and the disaster probability `1 − s*`.
//!
//! Headline (reproduced in the tests): more teams and more enmity lower
//! safety. The regimes where teams know capabilities (their own, or
//! everyone's), in which the paper finds that information raises risk, are
//! not modelled here yet.

use crate::GameError;
use serde::Serialize;

/// A race of `teams` teams.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Precipice {
    /// `n`: teams in the race (at least 2).
    pub teams: usize,
    /// `μ`: capabilities are uniform on `[0, μ]` (`μ > 0`).
    pub capability_spread: f64,
    /// `e`: enmity, in `[0, 1]`: the loss when another team wins safely.
    pub enmity: f64,
}

impl Precipice {
    /// A race; `n ≥ 2`, `μ > 0` and `e ∈ [0, 1]`.
    pub fn new(teams: usize, capability_spread: f64, enmity: f64) -> Result<Self, GameError> {
        if teams < 2 || !(capability_spread.is_finite() && capability_spread > 0.0) {
            return Err(GameError::InvalidModel(
                "a race needs at least 2 teams and a capability spread μ > 0".into(),
            ));
        }
        if !(0.0..=1.0).contains(&enmity) {
            return Err(GameError::InvalidModel(format!(
                "enmity e must lie in [0, 1], got {enmity}"
            )));
        }
        Ok(Self {
            teams,
            capability_spread,
            enmity,
        })
    }

    /// `s* = min(1, μ/(n·e))`: the symmetric safety with no information.
    pub fn no_information_safety(&self) -> f64 {
        if self.enmity == 0.0 {
            return 1.0;
        }
        (self.capability_spread / (self.teams as f64 * self.enmity)).min(1.0)
    }

    /// `1 − s*`: the probability that the race ends in disaster.
    pub fn no_information_disaster(&self) -> f64 {
        1.0 - self.no_information_safety()
    }

    /// With no information, the expected utility of a team playing `own`
    /// while every other team plays `others` (computed by quadrature of
    /// the win probability, not from the closed form above).
    pub fn no_information_payoff(&self, own: f64, others: f64) -> f64 {
        let win = self.win_probability(others - own);
        win * own + (1.0 - win) * (1.0 - self.enmity) * others
    }

    /// `P(c_i + δ > max of the n − 1 rivals' capabilities)`, by the
    /// midpoint rule on 20,000 cells (error far below the tests' 1e-4).
    fn win_probability(&self, lead: f64) -> f64 {
        const CELLS: usize = 20_000;
        let mu = self.capability_spread;
        let rivals = (self.teams - 1) as i32;
        let width = mu / CELLS as f64;
        (0..CELLS)
            .map(|k| {
                let c = (k as f64 + 0.5) * width;
                ((c + lead) / mu).clamp(0.0, 1.0).powi(rivals)
            })
            .sum::<f64>()
            / CELLS as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The best response to everyone else playing `s*` is `s*`: no team
    /// gains by deviating, over a grid of 1,001 safeties.
    #[test]
    fn no_information_safety_is_a_symmetric_equilibrium() {
        for (n, mu, e) in [
            (2, 1.0, 1.0),
            (3, 0.6, 0.8),
            (5, 1.0, 0.5),
            (2, 0.2, 0.9),
            (4, 3.0, 0.5),
        ] {
            let race = Precipice::new(n, mu, e).unwrap();
            let star = race.no_information_safety();
            let at_star = race.no_information_payoff(star, star);
            let best = (0..=1000)
                .map(|k| k as f64 / 1000.0)
                .map(|s| race.no_information_payoff(s, star))
                .fold(f64::NEG_INFINITY, f64::max);
            assert!(
                best <= at_star + 1e-4,
                "n={n} μ={mu} e={e}: s*={star} pays {at_star}, a deviation {best}"
            );
        }
    }

    #[test]
    fn closed_forms_at_hand_checked_points() {
        // n = 2, μ = 1, e = 1: s* = 1/2.
        let race = Precipice::new(2, 1.0, 1.0).unwrap();
        assert!((race.no_information_safety() - 0.5).abs() < 1e-12);
        // μ ≥ n·e: everyone fully safe without information.
        assert_eq!(
            Precipice::new(3, 2.0, 0.5).unwrap().no_information_safety(),
            1.0
        );
        // No enmity: nobody races.
        assert_eq!(
            Precipice::new(4, 0.1, 0.0)
                .unwrap()
                .no_information_disaster(),
            0.0
        );
    }

    /// The paper's headline: more teams and more enmity raise risk.
    #[test]
    fn more_teams_and_more_enmity_raise_risk() {
        let risk = |n, mu, e| Precipice::new(n, mu, e).unwrap().no_information_disaster();
        assert!(risk(5, 0.5, 0.8) > risk(2, 0.5, 0.8));
        assert!(risk(3, 0.5, 0.9) > risk(3, 0.5, 0.4));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(Precipice::new(1, 1.0, 0.5).is_err());
        assert!(Precipice::new(2, 0.0, 0.5).is_err());
        assert!(Precipice::new(2, 1.0, 1.5).is_err());
    }
}
