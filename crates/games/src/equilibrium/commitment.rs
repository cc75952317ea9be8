//! The value of commitment: Stackelberg leadership in a bimatrix game.
//!
//! Sources: H. von Stackelberg, *Marktform und Gleichgewicht* (1934);
//! V. Conitzer, T. Sandholm, "Computing the optimal strategy to commit to",
//! Proceedings of ACM EC 2006, 82–90 (the multiple-LPs method); B. von
//! Stengel, S. Zamir, "Leadership games with convex strategy sets", Games and
//! Economic Behavior 69, 446–457 (2010) (commitment to a mixed strategy is
//! never worse for the leader than any Nash equilibrium).
//!
//! The leader announces a strategy and the follower best-responds to it.
//! Ties are broken in the leader's favour (the *strong* Stackelberg
//! equilibrium): among the follower's best responses (within the follower's
//! payoff tolerance, see [`TOLERANCE`](super::TOLERANCE)), the one that pays
//! the leader most, then the lowest index.
//!
//! * Pure commitment: `max_i max { A[i][j] : j ∈ argmax_j' B[i][j'] }`.
//! * Mixed commitment (Conitzer & Sandholm): for every follower strategy `j`
//!   solve the linear program
//!
//!   ```text
//!   maximise  Σ_i x_i·A[i][j]
//!   subject to Σ_i x_i·(B[i][j'] − B[i][j]) ≤ 0   for every j' ≠ j,
//!              Σ_i x_i = 1,  x ≥ 0,
//!   ```
//!
//!   (the leader's best mix among those that make `j` a best response),
//!   skip the infeasible ones and take the best `j` (lowest index on ties).
//!
//! With the row player as leader, `A` is the leader's matrix; with the
//! column player as leader the game is first transposed. Mixed commitment is
//! at least as good for the leader as pure commitment and as every Nash
//! equilibrium; the leader's best Nash payoff is the maximum over the
//! extreme equilibria from [`vertex_enumeration`] (a bilinear payoff attains
//! its maximum over each convex set of equilibria at an extreme one).

use super::simplex::{Constraint, Outcome, Relation, maximise};
use super::{Bimatrix, Equilibrium, Player, vertex_enumeration};
use crate::GameError;
use serde::{Deserialize, Serialize};

/// A leader's commitment and the follower's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    /// Who commits.
    pub leader: Player,
    /// The leader's (pure or mixed) strategy, over the leader's own strategies.
    pub leader_mix: Vec<f64>,
    /// The follower's pure best response (index among the follower's strategies).
    pub follower_response: usize,
    /// The leader's expected payoff.
    pub leader_payoff: f64,
    /// The follower's expected payoff.
    pub follower_payoff: f64,
}

/// Pure commitment and mixed commitment against the leader's best Nash payoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueOfCommitment {
    /// The best commitment to a pure strategy.
    pub pure: Commitment,
    /// The best commitment to a mixed strategy.
    pub mixed: Commitment,
    /// A Nash equilibrium (extreme) that pays the leader most.
    pub best_nash: Equilibrium,
    /// The leader's payoff in `best_nash`.
    pub best_nash_leader_payoff: f64,
}

/// The game with the leader as row player.
fn oriented(game: &Bimatrix, leader: Player) -> Bimatrix {
    match leader {
        Player::Row => game.clone(),
        Player::Column => game.with_players_swapped(),
    }
}

/// Follower's best responses to the leader's mix, the leader's favourite
/// first (leader's payoff, then lowest index).
fn favourable_response(game: &Bimatrix, leader_mix: &[f64]) -> (usize, f64, f64) {
    let follower = game.own_payoffs(Player::Column);
    let follower_payoffs = follower.payoffs_against(leader_mix);
    let best = follower_payoffs
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let tolerance = follower.tolerance();
    let leader_payoffs = game
        .own_payoffs(Player::Row)
        .transposed_payoffs_against(leader_mix);
    let mut choice: Option<usize> = None;
    for j in 0..follower_payoffs.len() {
        if follower_payoffs[j] < best - tolerance {
            continue;
        }
        if choice.is_none_or(|c| leader_payoffs[j] > leader_payoffs[c]) {
            choice = Some(j);
        }
    }
    let j = choice.expect("at least one best response");
    (j, leader_payoffs[j], follower_payoffs[j])
}

/// The leader's best commitment to a pure strategy (ties: lowest index).
pub fn pure_commitment(game: &Bimatrix, leader: Player) -> Commitment {
    let game = oriented(game, leader);
    let mut best: Option<Commitment> = None;
    for i in 0..game.rows() {
        let mut mix = vec![0.0; game.rows()];
        mix[i] = 1.0;
        let (j, leader_payoff, follower_payoff) = favourable_response(&game, &mix);
        if best
            .as_ref()
            .is_none_or(|b| leader_payoff > b.leader_payoff)
        {
            best = Some(Commitment {
                leader,
                leader_mix: mix,
                follower_response: j,
                leader_payoff,
                follower_payoff,
            });
        }
    }
    best.expect("a game has at least one strategy")
}

/// The leader's optimal commitment to a mixed strategy, by Conitzer and
/// Sandholm's multiple linear programs.
pub fn mixed_commitment(game: &Bimatrix, leader: Player) -> Result<Commitment, GameError> {
    let game = oriented(game, leader);
    let (m, n) = (game.rows(), game.columns());
    // The programs see payoffs in units of each player's largest, so the
    // simplex's tolerances do not depend on the payoffs' unit.
    let unit = |player: Player| {
        let largest = game.own_payoffs(player).largest_magnitude();
        if largest > 0.0 { largest } else { 1.0 }
    };
    let (leader_unit, follower_unit) = (unit(Player::Row), unit(Player::Column));
    let mut best: Option<Commitment> = None;
    for j in 0..n {
        let objective: Vec<f64> = (0..m)
            .map(|i| game.row_payoff(i, j) / leader_unit)
            .collect();
        let mut constraints: Vec<Constraint> = (0..n)
            .filter(|&other| other != j)
            .map(|other| Constraint {
                coefficients: (0..m)
                    .map(|i| {
                        (game.column_payoff(i, other) - game.column_payoff(i, j)) / follower_unit
                    })
                    .collect(),
                relation: Relation::AtMost,
                bound: 0.0,
            })
            .collect();
        constraints.push(Constraint {
            coefficients: vec![1.0; m],
            relation: Relation::Equal,
            bound: 1.0,
        });
        let outcome = maximise(&objective, &constraints).map_err(|reason| {
            GameError::LinearProgramFailed {
                purpose: format!(
                    "the leader's best mix that makes follower strategy {j} a best response"
                ),
                reason,
            }
        })?;
        let point = match outcome {
            Outcome::Optimal { point, .. } => point,
            Outcome::Infeasible => continue,
            Outcome::Unbounded => unreachable!("the simplex of mixed strategies is bounded"),
        };
        let total: f64 = point.iter().sum();
        let mix: Vec<f64> = point.iter().map(|p| p / total).collect();
        let leader_payoff: f64 = (0..m).map(|i| mix[i] * game.row_payoff(i, j)).sum();
        let follower_payoff: f64 = (0..m).map(|i| mix[i] * game.column_payoff(i, j)).sum();
        let tolerance = game.own_payoffs(Player::Row).tolerance();
        if best
            .as_ref()
            .is_none_or(|b| leader_payoff > b.leader_payoff + tolerance)
        {
            best = Some(Commitment {
                leader,
                leader_mix: mix,
                follower_response: j,
                leader_payoff,
                follower_payoff,
            });
        }
    }
    best.ok_or_else(|| GameError::LinearProgramFailed {
        purpose: "mixed commitment".to_string(),
        reason: "every follower strategy's program was reported infeasible, but some strategy is always a best response".to_string(),
    })
}

/// Pure and mixed commitment for `leader`, beside the leader's best Nash payoff.
pub fn value_of_commitment(
    game: &Bimatrix,
    leader: Player,
) -> Result<ValueOfCommitment, GameError> {
    let equilibria = vertex_enumeration(game)?;
    let leader_payoff = |e: &Equilibrium| match leader {
        Player::Row => e.row_payoff,
        Player::Column => e.column_payoff,
    };
    let best_nash = equilibria
        .iter()
        .max_by(|a, b| leader_payoff(a).total_cmp(&leader_payoff(b)))
        .cloned()
        .expect("every finite game has an extreme equilibrium");
    Ok(ValueOfCommitment {
        pure: pure_commitment(game, leader),
        mixed: mixed_commitment(game, leader)?,
        best_nash_leader_payoff: leader_payoff(&best_nash),
        best_nash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Conitzer & Sandholm (2006), the example of §1:
    ///
    /// ```text
    ///        L      R
    ///   U  2, 1   4, 0
    ///   D  1, 0   3, 1
    /// ```
    fn conitzer_sandholm() -> Bimatrix {
        Bimatrix::new(
            vec![vec![2.0, 4.0], vec![1.0, 3.0]],
            vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        )
        .unwrap()
    }

    #[test]
    fn commitment_to_a_mix_beats_nash_in_the_textbook_example() {
        // U strictly dominates D for the row player, so the only equilibrium
        // is (U, L): payoff 2. Committing to D makes R the follower's reply:
        // payoff 3. Committing to U with probability p: the follower gets p
        // from L and 1 − p from R, so R is a best response iff p ≤ 1/2, and
        // then the leader earns 4p + 3(1 − p) = 3 + p, at most 3.5 at p = 1/2
        // (the follower is indifferent and breaks the tie for the leader);
        // with L the leader earns 2p + (1 − p) = 1 + p ≤ 2.
        let value = value_of_commitment(&conitzer_sandholm(), Player::Row).unwrap();
        assert_eq!(value.best_nash_leader_payoff, 2.0);
        assert_eq!(value.best_nash.row, vec![1.0, 0.0]);
        assert_eq!(value.pure.leader_mix, vec![0.0, 1.0]);
        assert_eq!(value.pure.follower_response, 1);
        assert_eq!(value.pure.leader_payoff, 3.0);
        assert_eq!(value.mixed.follower_response, 1);
        assert!((value.mixed.leader_payoff - 3.5).abs() < 1e-12);
        assert!((value.mixed.leader_mix[0] - 0.5).abs() < 1e-12);
        assert!((value.mixed.follower_payoff - 0.5).abs() < 1e-12);
    }

    #[test]
    fn column_leader_is_the_transposed_game() {
        // With the column player leading, the row player follows.
        let game = conitzer_sandholm();
        let direct = mixed_commitment(&game, Player::Column).unwrap();
        let transposed = mixed_commitment(&game.with_players_swapped(), Player::Row).unwrap();
        assert_eq!(direct.leader_mix, transposed.leader_mix);
        assert_eq!(direct.leader_payoff, transposed.leader_payoff);
        assert_eq!(direct.leader, Player::Column);
        // The row player always answers with the dominant U, so the column
        // player's best commitment is L, earning 1.
        assert_eq!(direct.follower_response, 0);
        assert!((direct.leader_payoff - 1.0).abs() < 1e-12);
    }

    #[test]
    fn ties_are_broken_for_the_leader() {
        // The follower is indifferent everywhere; the leader gets 5 at (1, 1).
        let game = Bimatrix::new(
            vec![vec![0.0, 1.0], vec![2.0, 5.0]],
            vec![vec![0.0, 0.0], vec![0.0, 0.0]],
        )
        .unwrap();
        let pure = pure_commitment(&game, Player::Row);
        assert_eq!(
            (pure.leader_mix.clone(), pure.follower_response),
            (vec![0.0, 1.0], 1)
        );
        assert_eq!(pure.leader_payoff, 5.0);
        assert!((mixed_commitment(&game, Player::Row).unwrap().leader_payoff - 5.0).abs() < 1e-12);
    }
}
