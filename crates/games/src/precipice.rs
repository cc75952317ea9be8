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
//! With **private information** (each team knows its own capability only),
//! a symmetric strategy `s(c)` with score `x(c) = c − s(c)` increasing meets
//! the first-order condition `G(c) = e·s(c)·g(c)/x'(c)`, where
//! `G(c) = (c/μ)^(n−1)` is the chance that every rival has a lower
//! capability and `g = G'`. That is the linear equation
//! `s' + (n − 1)·e·s/c = 1`, whose solution bounded at 0 is
//!
//! ```text
//! s(c) = min(1, c/k),   k = 1 + (n − 1)·e        (s = 1 when e = 0)
//! ```
//!
//! At `e = 0` a rival's safe win costs a team nothing, so its payoff is the
//! probability that the winner is safe: everybody playing `s = 1` is then an
//! equilibrium (a team that wins with less safety risks a disaster, one that
//! loses gets 1 anyway) and the most favourable one, with no disaster; that
//! is the equilibrium reported. It is not the limit of the formula: as
//! `e → 0⁺`, `k → 1` and `s(c) → min(1, c)`, so the private-information
//! safety jumps at `e = 0`.
//!
//! The winner is the most capable team, so the race is safe with probability
//! `E[s(c_(n))] = n·μ/((n + 1)·k)` when `μ ≤ k`, else `1 − (k/μ)^n/(n + 1)`.
//!
//! With **public information** (every team knows every capability), the
//! leader, ahead of the second team by `Δ`, plays the highest safety at
//! which the second would rather lose than win by cutting safety
//! (`s_L − Δ ≤ (1 − e)·s_L`), and wins with
//!
//! ```text
//! s_L = min(1, Δ/e)
//! ```
//!
//! The lead of the top of `n` uniform capabilities is `Δ = μ·B`, with
//! `B ~ Beta(1, n)`, so the race is safe with probability
//! `μ·(1 − max(0, 1 − e/μ)^(n+1))/((n + 1)·e)`.
//!
//! The two information regimes' formulas are derived here, for any number
//! of teams, rather than copied from the paper; the tests check each as an
//! equilibrium (no team gains by deviating, by quadrature) and the
//! expectations against brute-force integration over the capabilities.
//!
//! Headline (reproduced in the tests): more teams and more enmity lower
//! safety, and information about capabilities, private or public, lowers
//! it further.

use crate::GameError;
use serde::Serialize;

/// What teams know about capabilities when they choose their safety.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Information {
    /// Nobody knows any capability.
    None,
    /// Each team knows its own capability.
    Private,
    /// Every team knows every capability.
    Public,
}

impl Information {
    /// The three regimes, least informed first.
    pub const ALL: [Information; 3] =
        [Information::None, Information::Private, Information::Public];
}

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
    /// A race; `n ≥ 2`, `μ > 0` and `e ∈ [0, 1]`, the first parameter out of
    /// range named in the error.
    pub fn new(teams: usize, capability_spread: f64, enmity: f64) -> Result<Self, GameError> {
        if teams < 2 {
            return Err(GameError::out_of_range(
                "teams n",
                teams as f64,
                "at least 2 teams",
            ));
        }
        if !(capability_spread.is_finite() && capability_spread > 0.0) {
            return Err(GameError::out_of_range(
                "spread μ",
                capability_spread,
                "a finite number > 0 (capabilities are uniform on [0, μ])",
            ));
        }
        if !(0.0..=1.0).contains(&enmity) {
            return Err(GameError::out_of_range(
                "enmity e",
                enmity,
                "a number in [0, 1]",
            ));
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

    /// The probability that the race is safe: `s*` with no information,
    /// else the expected safety of the winner.
    pub fn safety(&self, information: Information) -> f64 {
        match information {
            Information::None => self.no_information_safety(),
            Information::Private => self.private_information_expected_safety(),
            Information::Public => self.public_information_expected_safety(),
        }
    }

    /// With private information, the safety `s(c) = min(1, c/k)` of a team
    /// of capability `c`, `k = 1 + (n − 1)·e`.
    pub fn private_information_safety(&self, capability: f64) -> f64 {
        if self.enmity == 0.0 {
            return 1.0;
        }
        (capability / self.private_information_scale()).min(1.0)
    }

    /// `k = 1 + (n − 1)·e`.
    fn private_information_scale(&self) -> f64 {
        1.0 + (self.teams - 1) as f64 * self.enmity
    }

    /// `E[s(c_(n))]`: the winner is the most capable team.
    pub fn private_information_expected_safety(&self) -> f64 {
        if self.enmity == 0.0 {
            return 1.0;
        }
        let (n, mu, k) = (
            self.teams as f64,
            self.capability_spread,
            self.private_information_scale(),
        );
        if mu <= k {
            n * mu / ((n + 1.0) * k)
        } else {
            1.0 - (k / mu).powi(self.teams as i32) / (n + 1.0)
        }
    }

    /// With public information, the safety `min(1, Δ/e)` of a leader ahead
    /// of the second team by `lead` (`Δ`).
    pub fn public_information_safety(&self, lead: f64) -> f64 {
        if self.enmity == 0.0 {
            return 1.0;
        }
        (lead / self.enmity).min(1.0)
    }

    /// `E[min(1, Δ/e)]` with `Δ/μ ~ Beta(1, n)`.
    pub fn public_information_expected_safety(&self) -> f64 {
        if self.enmity == 0.0 {
            return 1.0;
        }
        let (n, mu, e) = (self.teams as f64, self.capability_spread, self.enmity);
        // 1 − (1 − e/μ)^(n+1), without the cancellation that gave 1.11 for
        // e/μ = 1e-16 (an outside review).
        let reached = if e < mu {
            -((n + 1.0) * (-e / mu).ln_1p()).exp_m1()
        } else {
            1.0
        };
        (mu * reached / ((n + 1.0) * e)).min(1.0)
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

    /// Public information with enmity far below the spread: the race is all
    /// but safe, `1 − e·n/(2μ)` to first order (an outside review found
    /// 1.11 at e/μ = 1e-16 and 0 below it).
    #[test]
    fn public_information_is_accurate_at_tiny_enmity() {
        for (n, mu, e) in [
            (3, 1.0, 1e-16),
            (3, 1.0, 1e-17),
            (2, 1e16, 1.0),
            (3, 1.0, 1e-9),
        ] {
            let safety = Precipice::new(n, mu, e)
                .unwrap()
                .public_information_expected_safety();
            let first_order = 1.0 - e * n as f64 / (2.0 * mu);
            assert!(
                (safety - first_order).abs() <= 1e-15,
                "n={n} μ={mu} e={e}: {safety}"
            );
        }
    }

    /// The paper's headline: more teams and more enmity raise risk.
    #[test]
    fn more_teams_and_more_enmity_raise_risk() {
        let risk = |n, mu, e| Precipice::new(n, mu, e).unwrap().no_information_disaster();
        assert!(risk(5, 0.5, 0.8) > risk(2, 0.5, 0.8));
        assert!(risk(3, 0.5, 0.9) > risk(3, 0.5, 0.4));
    }

    /// Cases on both sides of the cap `s = 1` (`μ ≶ k`, `μ ≶ e`).
    const CASES: [(usize, f64, f64); 6] = [
        (2, 1.0, 1.0),
        (3, 0.6, 0.8),
        (5, 1.0, 0.5),
        (2, 0.2, 0.9),
        (2, 3.0, 0.5),
        (4, 6.0, 0.3),
    ];

    /// Midpoint rule on `[0, upper]`.
    fn integrate(upper: f64, cells: usize, f: impl Fn(f64) -> f64) -> f64 {
        let width = upper / cells as f64;
        (0..cells).map(|k| f((k as f64 + 0.5) * width)).sum::<f64>() * width
    }

    /// A team of capability `c` playing `s` while every rival plays the
    /// private-information strategy: it wins against the most capable rival
    /// `m` (density `g`) iff `c − s > m − s(m)`, else gets `(1 − e)·s(m)`.
    fn private_payoff(race: &Precipice, capability: f64, safety: f64) -> f64 {
        let (n, mu, e) = (race.teams, race.capability_spread, race.enmity);
        let density = |m: f64| (n - 1) as f64 * (m / mu).powi(n as i32 - 2) / mu;
        integrate(mu, 2_000, |m| {
            let rival = race.private_information_safety(m);
            let payoff = if capability - safety > m - rival {
                safety
            } else {
                (1.0 - e) * rival
            };
            density(m) * payoff
        })
    }

    #[test]
    fn private_information_strategy_is_a_symmetric_equilibrium() {
        for (n, mu, e) in CASES {
            let race = Precipice::new(n, mu, e).unwrap();
            for step in 0..=8 {
                let capability = mu * (0.05 + 0.9 * f64::from(step) / 8.0);
                let own = race.private_information_safety(capability);
                let at_strategy = private_payoff(&race, capability, own);
                let (best_safety, best) = (0..=400)
                    .map(|k| f64::from(k) / 400.0)
                    .map(|s| (s, private_payoff(&race, capability, s)))
                    .fold(
                        (0.0, f64::NEG_INFINITY),
                        |a, b| if b.1 > a.1 { b } else { a },
                    );
                assert!(
                    best <= at_strategy + 2e-3,
                    "n={n} μ={mu} e={e} c={capability}: s(c)={own} pays {at_strategy}, s={best_safety} pays {best}"
                );
            }
        }
    }

    /// The module docs' statement on `e = 0`: full safety is an equilibrium
    /// and is reported, while the formula's limit as `e → 0⁺` is `min(1, c)`.
    #[test]
    fn zero_enmity_reports_full_safety_not_the_formulas_limit() {
        for (n, mu) in [(2, 0.5), (3, 1.0), (4, 2.0)] {
            let calm = Precipice::new(n, mu, 0.0).unwrap();
            let barely = Precipice::new(n, mu, 1e-9).unwrap();
            for step in 1..=8 {
                let capability = mu * f64::from(step) / 9.0;
                assert_eq!(calm.private_information_safety(capability), 1.0);
                assert!(
                    (barely.private_information_safety(capability) - capability.min(1.0)).abs()
                        < 1e-8
                );
                let at_full = private_payoff(&calm, capability, 1.0);
                let best = (0..=400)
                    .map(|k| private_payoff(&calm, capability, f64::from(k) / 400.0))
                    .fold(f64::NEG_INFINITY, f64::max);
                assert!(
                    best <= at_full + 1e-12,
                    "n={n} μ={mu} c={capability}: {best} > {at_full}"
                );
            }
            assert_eq!(calm.private_information_expected_safety(), 1.0);
            assert!(barely.private_information_expected_safety() < 1.0);
        }
    }

    #[test]
    fn private_information_safety_is_the_winners_by_integration() {
        for (n, mu, e) in CASES {
            let race = Precipice::new(n, mu, e).unwrap();
            // The most capable of n teams has density n·c^(n−1)/μ^n.
            let integrated = integrate(mu, 20_000, |c| {
                n as f64 * (c / mu).powi(n as i32 - 1) / mu * race.private_information_safety(c)
            });
            let closed = race.private_information_expected_safety();
            assert!(
                (integrated - closed).abs() < 1e-6,
                "n={n} μ={mu} e={e}: {integrated} by integration, {closed} closed form"
            );
        }
    }

    /// With public information nobody gains by deviating from: the leader
    /// plays `min(1, Δ/e)`, every other team `max(0, s_L − Δ_j)` (at most
    /// tying the leader's score; ties go to the leader).
    #[test]
    fn public_information_profile_is_an_equilibrium() {
        for (n, mu, e) in CASES {
            let race = Precipice::new(n, mu, e).unwrap();
            for profile in 0..20u32 {
                // A spread of capability profiles, deterministic.
                let capabilities: Vec<f64> = (0..n)
                    .map(|i| mu * ((f64::from(profile) * 0.618 + i as f64 * 0.377) % 1.0))
                    .collect();
                let mut sorted = capabilities.clone();
                sorted.sort_by(|a, b| b.total_cmp(a));
                let leader = sorted[0];
                let s_leader = race.public_information_safety(leader - sorted[1]);
                let safeties: Vec<f64> = capabilities
                    .iter()
                    .map(|&c| (s_leader - (leader - c)).max(0.0))
                    .collect();
                for (j, &c) in capabilities.iter().enumerate() {
                    let rivals_best = (0..n)
                        .filter(|&i| i != j)
                        .map(|i| capabilities[i] - safeties[i])
                        .fold(f64::NEG_INFINITY, f64::max);
                    let is_leader = c == leader;
                    let equilibrium = if is_leader {
                        s_leader
                    } else {
                        (1.0 - e) * s_leader
                    };
                    for k in 0..=400 {
                        let s = f64::from(k) / 400.0;
                        let wins = if is_leader {
                            c - s >= rivals_best
                        } else {
                            c - s > rivals_best
                        };
                        // Losing to a non-leader is never better than to the leader here.
                        let payoff = if wins { s } else { (1.0 - e) * s_leader };
                        assert!(
                            payoff <= equilibrium + 1e-12,
                            "n={n} μ={mu} e={e} c={capabilities:?}: team {j} gains with s={s}"
                        );
                    }
                }
            }
        }
    }

    /// `E[min(1, Δ/e)]` by brute force over the capabilities of two and three teams.
    #[test]
    fn public_information_safety_matches_brute_force() {
        for (mu, e) in [(1.0, 1.0), (1.0, 0.3), (0.4, 0.9), (3.0, 0.5)] {
            let cells = 1_000;
            let width = mu / cells as f64;
            let at = |k: usize| (k as f64 + 0.5) * width;
            let two = Precipice::new(2, mu, e).unwrap();
            let mut sum = 0.0;
            for a in 0..cells {
                for b in 0..cells {
                    sum += two.public_information_safety((at(a) - at(b)).abs());
                }
            }
            let brute = sum / (cells * cells) as f64;
            let closed = two.public_information_expected_safety();
            assert!(
                (brute - closed).abs() < 1e-3,
                "n=2 μ={mu} e={e}: {brute} vs {closed}"
            );

            let cells = 90;
            let width = mu / cells as f64;
            let at = |k: usize| (k as f64 + 0.5) * width;
            let three = Precipice::new(3, mu, e).unwrap();
            let mut sum = 0.0;
            for a in 0..cells {
                for b in 0..cells {
                    for c in 0..cells {
                        let mut v = [at(a), at(b), at(c)];
                        v.sort_by(|x, y| y.total_cmp(x));
                        sum += three.public_information_safety(v[0] - v[1]);
                    }
                }
            }
            let brute = sum / (cells * cells * cells) as f64;
            let closed = three.public_information_expected_safety();
            assert!(
                (brute - closed).abs() < 5e-3,
                "n=3 μ={mu} e={e}: {brute} vs {closed}"
            );
        }
    }

    /// The paper's headline on information: knowing capabilities, one's own
    /// or everyone's, never makes the race safer.
    #[test]
    fn information_about_capabilities_raises_risk() {
        let mut strictly = 0;
        for n in 2..=6 {
            for mu in [0.2, 0.5, 1.0, 2.0, 4.0] {
                for e in [0.0, 0.1, 0.5, 1.0] {
                    let race = Precipice::new(n, mu, e).unwrap();
                    let none = race.safety(Information::None);
                    for information in [Information::Private, Information::Public] {
                        let informed = race.safety(information);
                        assert!(
                            informed <= none + 1e-12,
                            "n={n} μ={mu} e={e}: {information:?} {informed} > none {none}"
                        );
                        strictly += usize::from(informed < none - 1e-9);
                    }
                }
            }
        }
        assert!(strictly > 100, "{strictly}");
    }

    #[test]
    fn each_bad_parameter_is_named_with_its_value_and_domain() {
        for (race, message) in [
            (
                Precipice::new(1, 1.0, 0.5),
                "parameter teams n = 1 is out of range: at least 2 teams",
            ),
            (
                Precipice::new(2, 0.0, 0.5),
                "parameter spread μ = 0 is out of range: a finite number > 0 (capabilities are uniform on [0, μ])",
            ),
            (
                Precipice::new(2, f64::INFINITY, 0.5),
                "parameter spread μ = inf is out of range: a finite number > 0 (capabilities are uniform on [0, μ])",
            ),
            (
                Precipice::new(2, 1.0, 1.5),
                "parameter enmity e = 1.5 is out of range: a number in [0, 1]",
            ),
            (
                Precipice::new(2, 1.0, f64::NAN),
                "parameter enmity e = NaN is out of range: a number in [0, 1]",
            ),
        ] {
            assert_eq!(race.unwrap_err().to_string(), message);
        }
    }
}
