//! Rubinstein's electronic mail game: coordination under "almost common
//! knowledge".
//!
//! Source: A. Rubinstein, "The Electronic Mail Game: Strategic Behavior Under
//! 'Almost Common Knowledge'", American Economic Review 79(3), 385–391 (1989).
//!
//! Two players choose `A` (safe) or `B` (the coordinated, risky action). In
//! state `a` (probability `1 − p`) only `(A, A)` pays, `M` each; in state `b`
//! (probability `p`) only `(B, B)` pays, `M` each. Whoever plays `B` while the
//! other plays `A` loses `L`; every other outcome pays 0. Player 1 learns the
//! state; in state `b` the players' machines exchange confirmations, each lost
//! with probability `ε`, until one is lost. `T_i` counts the messages player
//! `i`'s machine sent, so a player with `T_i = t ≥ 1` does not know whether its
//! own last message or the other's reply was lost:
//!
//! ```text
//! P(other's count is the lower one | T_i = t ≥ 1) = z = 1/(2 − ε).
//! ```
//!
//! Player 2 with no message (`T₂ = 0`) plays `A` unless the prior alone makes
//! `B` worth it, `p·ε·M ≥ (1 − p)(L + M)`, i.e. `p ≥ (L + M)/(L + M + εM)`
//! (Rubinstein assumes `p < 1/2`, which rules this out). Then, if the lower
//! count plays `A`, playing `B` at `t` pays `(1 − z)M − zL`, so `B` survives
//! only where `(1 − ε)M ≥ L` (ties keep `B`, as the greatest equilibrium
//! does). With `L > (1 − ε)M` (Rubinstein's case `L > M` for every `ε`)
//! induction from `T = 0` unravels every `B`: the only equilibrium plays `A`
//! whatever the number of confirmations, although with many confirmations
//! each player knows that the other knows … to any finite depth that the
//! state is `b`. Finite-depth knowledge is not common knowledge; a witnessed
//! public announcement is.
//!
//! [`EmailGame::greatest_equilibrium`] computes the equilibrium with the most
//! `B` in undominated strategies: player 1 with `T₁ = 0` knows the state is
//! `a`, where `A` weakly dominates `B` (it pays `M` against `A` and 0 against
//! `B`; `B` pays `−L` and 0), so it plays `A` even where player 2 would play
//! `B` and the tie would otherwise keep `B` (always playing `B` is then a
//! weak equilibrium, in dominated strategies). It iterates best responses
//! down from "play `B` whenever a message was sent" (the game is supermodular in the actions, so the iteration ends at
//! the greatest equilibrium), counting confirmations up to
//! [`EmailGame::MAX_COUNT`] and treating higher counts as playing `B`.

use crate::GameError;

/// An electronic mail game.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EmailGame {
    /// `M`: each player's payoff from coordinating on the action the state favours.
    pub coordination_gain: f64,
    /// `L`: the loss of playing `B` while the other plays `A`.
    pub miscoordination_loss: f64,
    /// `ε`: probability that each confirmation is lost, in `(0, 1)`.
    pub message_loss: f64,
    /// `p`: probability of state `b`, in `(0, 1)`.
    pub prior_b: f64,
}

/// Actions of both players by message count (`index = T_i`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EmailEquilibrium {
    /// Player 1 plays `B` at `T₁ = t` iff `player1_plays_b[t]`.
    pub player1_plays_b: Vec<bool>,
    /// Player 2 plays `B` at `T₂ = t` iff `player2_plays_b[t]`.
    pub player2_plays_b: Vec<bool>,
}

impl EmailEquilibrium {
    /// Whether `B` is played at any message count: coordination on `B` happens.
    pub fn coordinates(&self) -> bool {
        self.player1_plays_b
            .iter()
            .chain(&self.player2_plays_b)
            .any(|&b| b)
    }
}

impl EmailGame {
    /// Message counts tracked per player; higher counts are taken to play `B`.
    pub const MAX_COUNT: usize = 200;

    /// Checks the parameters: `M, L > 0` finite, `0 < ε < 1`, `0 < p < 1`;
    /// the first one out of range is named in the error.
    pub fn new(
        coordination_gain: f64,
        miscoordination_loss: f64,
        message_loss: f64,
        prior_b: f64,
    ) -> Result<Self, GameError> {
        for (name, value) in [
            ("gain M", coordination_gain),
            ("loss L", miscoordination_loss),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(GameError::out_of_range(name, value, "a finite number > 0"));
            }
        }
        for (name, value) in [("message loss ε", message_loss), ("prior p", prior_b)] {
            if !(value > 0.0 && value < 1.0) {
                return Err(GameError::out_of_range(
                    name,
                    value,
                    "a probability strictly between 0 and 1",
                ));
            }
        }
        Ok(Self {
            coordination_gain,
            miscoordination_loss,
            message_loss,
            prior_b,
        })
    }

    /// `z = 1/(2 − ε)`: a player with `t ≥ 1` messages sent puts this
    /// probability on the other having the lower count.
    pub fn lower_count_probability(&self) -> f64 {
        1.0 / (2.0 - self.message_loss)
    }

    /// Whether the prior alone makes player 2 play `B` without a message:
    /// `p·ε·M ≥ (1 − p)(L + M)` (module docs).
    pub fn prior_alone_sustains(&self) -> bool {
        let (m, l, eps, p) = (
            self.coordination_gain,
            self.miscoordination_loss,
            self.message_loss,
            self.prior_b,
        );
        weakly_exceeds(p * eps * m, (1.0 - p) * (l + m))
    }

    /// The closed-form condition for coordination on `B` in the greatest
    /// equilibrium: the prior alone sustains it, or `(1 − ε)M ≥ L`.
    pub fn sustains_coordination(&self) -> bool {
        self.prior_alone_sustains()
            || weakly_exceeds(
                (1.0 - self.message_loss) * self.coordination_gain,
                self.miscoordination_loss,
            )
    }

    /// The equilibrium with the most `B` (module docs).
    pub fn greatest_equilibrium(&self) -> EmailEquilibrium {
        let count = Self::MAX_COUNT;
        let (m, l, eps, p) = (
            self.coordination_gain,
            self.miscoordination_loss,
            self.message_loss,
            self.prior_b,
        );
        // Start from the top: B wherever a message was sent (state a, T₁ = 0, always plays A).
        let mut one: Vec<bool> = (0..=count).map(|t| t > 0).collect();
        let mut two: Vec<bool> = vec![true; count + 1];
        let plays_b = |actions: &[bool], t: usize| actions.get(t).copied().unwrap_or(true);
        // Whether B pays at least as much as A against an opponent playing B with
        // `b_with_b` of the mass in state b and A with `b_with_a` of it (state a apart).
        let b_pays = |in_a: f64, b_with_b: f64, b_with_a: f64| {
            // State a: B against A loses L (the opponent in state a plays A); A against A gains M.
            weakly_exceeds(b_with_b * m, in_a * (l + m) + b_with_a * l)
        };
        // Weights of the opponent playing B and A among its possible counts.
        let split = |actions: &[bool], counts: &[(f64, usize)]| {
            counts.iter().fold((0.0, 0.0), |(b, a), &(weight, other)| {
                if plays_b(actions, other) {
                    (b + weight, a)
                } else {
                    (b, a + weight)
                }
            })
        };
        loop {
            // Player 1: T₁ = 0 is state a, where A weakly dominates B; at T₁ = t the
            // other has T₂ = t − 1 (own message lost, weight 1) or t (weight 1 − ε).
            let best_one: Vec<bool> = (0..=count)
                .map(|t| {
                    t > 0 && {
                        let (with_b, with_a) = split(&two, &[(1.0, t - 1), (1.0 - eps, t)]);
                        b_pays(0.0, with_b, with_a)
                    }
                })
                .collect();
            // Player 2: T₂ = 0 is state a (weight 1 − p, the other at T₁ = 0) or state b
            // with the first message lost (weight p·ε, the other at T₁ = 1); at T₂ = t the
            // other has T₁ = t (own reply lost, weight 1) or t + 1 (weight 1 − ε).
            let best_two: Vec<bool> = (0..=count)
                .map(|t| {
                    if t == 0 {
                        let (with_b, with_a) = split(&one, &[(p * eps, 1)]);
                        b_pays(1.0 - p, with_b, with_a)
                    } else {
                        let (with_b, with_a) = split(&one, &[(1.0, t), (1.0 - eps, t + 1)]);
                        b_pays(0.0, with_b, with_a)
                    }
                })
                .collect();
            // From the top, best responses only ever switch B to A.
            let next_one: Vec<bool> = one.iter().zip(&best_one).map(|(&a, &b)| a && b).collect();
            let next_two: Vec<bool> = two.iter().zip(&best_two).map(|(&a, &b)| a && b).collect();
            if next_one == one && next_two == two {
                return EmailEquilibrium {
                    player1_plays_b: one,
                    player2_plays_b: two,
                };
            }
            (one, two) = (next_one, next_two);
        }
    }
}

/// Relative difference below which two payoffs tie: decimal inputs are not
/// exact in binary (`(1 − 0.8)·1` is `0.19999999999999996`), and a tie must
/// not turn on the last bit.
const TIE_TOLERANCE: f64 = 1e-12;

/// `x ≥ y`, a tie within [`TIE_TOLERANCE`] counting as equal.
fn weakly_exceeds(x: f64, y: f64) -> bool {
    x >= y - TIE_TOLERANCE * x.abs().max(y.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rubinstein_no_finite_depth_of_knowledge_coordinates_when_l_exceeds_m() {
        // Rubinstein (1989), Proposition: with L > M the only equilibrium plays A
        // at every message count, for every ε.
        for eps in [0.001, 0.01, 0.1, 0.5] {
            for p in [0.1, 0.3, 0.49] {
                let game = EmailGame::new(1.0, 1.5, eps, p).unwrap();
                let equilibrium = game.greatest_equilibrium();
                assert!(!equilibrium.coordinates(), "ε = {eps}, p = {p}");
                assert!(!game.sustains_coordination());
            }
        }
    }

    #[test]
    fn the_greatest_equilibrium_follows_the_closed_form() {
        for (m, l) in [(1.0, 0.5), (1.0, 0.9), (2.0, 1.0), (1.0, 0.99), (1.0, 1.2)] {
            for eps in [0.01, 0.05, 0.2, 0.6] {
                let game = EmailGame::new(m, l, eps, 0.3).unwrap();
                let margin = (1.0 - eps) * m - l;
                if margin.abs() < 1e-9 {
                    continue;
                }
                assert_eq!(
                    game.greatest_equilibrium().coordinates(),
                    game.sustains_coordination(),
                    "M = {m}, L = {l}, ε = {eps}"
                );
                assert_eq!(game.sustains_coordination(), margin > 0.0);
            }
        }
    }

    #[test]
    fn the_closed_form_holds_at_ties_and_for_any_prior() {
        // A tie (1 − ε)M = L keeps B, as the greatest equilibrium does.
        let tie = EmailGame::new(2.0, 1.0, 0.5, 0.3).unwrap();
        assert!(tie.sustains_coordination() && tie.greatest_equilibrium().coordinates());
        // So do ties that decimal inputs miss in binary by the last bit.
        for (m, l, eps) in [(1.0, 0.2, 0.8), (3.0, 2.1, 0.3)] {
            let tie = EmailGame::new(m, l, eps, 0.3).unwrap();
            assert!(tie.sustains_coordination(), "M = {m}, L = {l}, ε = {eps}");
            assert!(
                tie.greatest_equilibrium().coordinates(),
                "M = {m}, L = {l}, ε = {eps}"
            );
        }
        // Beyond Rubinstein's p < 1/2: with p ≥ (L + M)/(L + M + εM) player 2
        // plays B without a message and nothing unravels, even with L > M.
        for p in [0.05, 0.3, 0.5, 0.9, 0.96, 0.97, 0.99, 0.999] {
            for (m, l, eps) in [(1.0, 2.0, 0.1), (1.0, 1.5, 0.5), (1.0, 0.5, 0.1)] {
                let game = EmailGame::new(m, l, eps, p).unwrap();
                let equilibrium = game.greatest_equilibrium();
                assert_eq!(
                    equilibrium.coordinates(),
                    game.sustains_coordination(),
                    "M = {m}, L = {l}, ε = {eps}, p = {p}"
                );
                assert_eq!(equilibrium.player2_plays_b[0], game.prior_alone_sustains());
            }
        }
        assert!(
            EmailGame::new(1.0, 2.0, 0.1, 0.99)
                .unwrap()
                .prior_alone_sustains()
        );
    }

    #[test]
    fn where_coordination_survives_it_starts_with_the_first_message() {
        let equilibrium = EmailGame::new(1.0, 0.5, 0.1, 0.3)
            .unwrap()
            .greatest_equilibrium();
        assert!(!equilibrium.player1_plays_b[0]);
        assert!(equilibrium.player1_plays_b[1..].iter().all(|&b| b));
        assert!(!equilibrium.player2_plays_b[0]);
        assert!(equilibrium.player2_plays_b[1..].iter().all(|&b| b));
    }

    #[test]
    fn the_posterior_on_the_lower_count_is_one_over_two_minus_epsilon() {
        let game = EmailGame::new(1.0, 1.0, 0.2, 0.3).unwrap();
        assert!((game.lower_count_probability() - 1.0 / 1.8).abs() < 1e-15);
    }

    #[test]
    fn each_bad_parameter_is_named_with_its_value_and_domain() {
        for (game, message) in [
            (
                EmailGame::new(1.0, 1.0, 0.0, 0.3),
                "parameter message loss ε = 0 is out of range: a probability strictly between 0 and 1",
            ),
            (
                EmailGame::new(1.0, 1.0, 0.1, 1.0),
                "parameter prior p = 1 is out of range: a probability strictly between 0 and 1",
            ),
            (
                EmailGame::new(-1.0, 1.0, 0.1, 0.3),
                "parameter gain M = -1 is out of range: a finite number > 0",
            ),
            (
                EmailGame::new(1.0, f64::NAN, 0.1, 0.3),
                "parameter loss L = NaN is out of range: a finite number > 0",
            ),
        ] {
            assert_eq!(game.unwrap_err().to_string(), message);
        }
    }
}
