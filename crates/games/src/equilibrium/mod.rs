//! Nash equilibria of two-player normal-form (bimatrix) games.
//!
//! Sources: J. F. Nash, "Non-cooperative games", Annals of Mathematics 54
//! (1951); B. von Stengel, "Computing equilibria for two-person games",
//! Handbook of Game Theory vol. 3, ch. 45 (2002); D. Avis, G. D. Rosenberg,
//! R. Savani, B. von Stengel, "Enumeration of Nash equilibria for two-player
//! games", Economic Theory 42, 9–37 (2010); V. Conitzer, T. Sandholm,
//! "Computing the optimal strategy to commit to", ACM EC 2006; B. von Stengel,
//! S. Zamir, "Leadership games with convex strategy sets", Games and Economic
//! Behavior 69, 446–457 (2010).
//!
//! The row player chooses `i` in `0..m`, the column player `j` in `0..n`; they
//! receive `A[i][j]` and `B[i][j]`. With mixed strategies `x` (over rows) and
//! `y` (over columns) the expected payoffs are
//!
//! ```text
//! u_row(x, y) = xᵀ A y        u_column(x, y) = xᵀ B y
//! ```
//!
//! `(x, y)` is a Nash equilibrium when neither player gains by deviating:
//! `(A y)_i ≤ xᵀ A y` for every row `i` and `(xᵀ B)_j ≤ xᵀ B y` for every column
//! `j`. Equivalently every strategy played with positive probability is a
//! best response (the *best-response condition*). The *exploitability* (also
//! called NashConv) of a profile,
//!
//! ```text
//! NashConv(x, y) = [max_i (A y)_i − xᵀ A y] + [max_j (xᵀ B)_j − xᵀ B y] ≥ 0,
//! ```
//!
//! is zero exactly at equilibria.
//!
//! * [`support_enumeration`] solves the indifference equations on every pair
//!   of equal-size supports (all equilibria of a nondegenerate game);
//! * [`vertex_enumeration`] pairs the vertices of the two best-response
//!   polytopes (all extreme equilibria of any game);
//! * [`symmetric_equilibria`] finds the equilibria `(x, x)` of a symmetric game,
//!   and [`symmetric_group_equilibria`] those of a two-strategy N-player game;
//! * the [`commitment`] module computes the value of committing to a pure or
//!   mixed strategy (Stackelberg leadership).
//!
//! A game is *nondegenerate* when no mixed strategy with `k` strategies in its
//! support has more than `k` pure best responses. Random games with
//! continuously distributed payoffs are nondegenerate with probability one;
//! games with tied payoffs (common with small integers) often are not.
//!
//! Tolerance: payoff comparisons accept an error of [`TOLERANCE`] times the
//! largest |payoff| of that player (so equilibria do not depend on the
//! payoffs' unit); a probability counts as positive when it exceeds
//! [`TOLERANCE`]. With payoffs spread over many orders of magnitude, a
//! profile whose gain from deviating is below that tolerance of the largest
//! payoff counts as an equilibrium.

pub mod commitment;
mod group;
mod linalg;
mod simplex;
mod support;
mod vertex;

pub use group::{GroupEquilibrium, symmetric_group_equilibria};
pub use support::{SymmetricEquilibrium, support_enumeration, symmetric_equilibria};
pub use vertex::{is_degenerate, vertex_enumeration};

use crate::{GameError, MatrixGame};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Relative tolerance of payoff comparisons and the threshold of a positive probability.
pub const TOLERANCE: f64 = 1e-9;

/// Largest number of candidate supports (support enumeration) or
/// tight-constraint sets per polytope (vertex enumeration), `C(m + n, m) − 1`:
/// a 12 × 12 game (2 704 155 candidates) is accepted, 13 × 13 is not.
pub const ENUMERATION_LIMIT: u128 = 4_000_000;

/// One of the two players of a bimatrix game.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Player {
    /// Chooses the row; payoffs `A`.
    Row,
    /// Chooses the column; payoffs `B`.
    Column,
}

impl Player {
    fn name(self) -> &'static str {
        match self {
            Player::Row => "row player",
            Player::Column => "column player",
        }
    }
}

/// A dense row-major matrix of finite payoffs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    rows: usize,
    columns: usize,
    entries: Vec<f64>,
}

impl Matrix {
    pub(crate) fn get(&self, row: usize, column: usize) -> f64 {
        self.entries[row * self.columns + column]
    }

    pub(crate) fn row(&self, row: usize) -> &[f64] {
        &self.entries[row * self.columns..(row + 1) * self.columns]
    }

    fn transposed(&self) -> Matrix {
        let mut entries = Vec::with_capacity(self.entries.len());
        for j in 0..self.columns {
            for i in 0..self.rows {
                entries.push(self.get(i, j));
            }
        }
        Matrix {
            rows: self.columns,
            columns: self.rows,
            entries,
        }
    }

    /// `(least entry, largest − least)`, the spread 1 for a constant matrix:
    /// the positive affine map `(v − least)/spread` to [0, 1] changes no
    /// equilibrium and makes tolerances independent of the payoffs' unit.
    pub(crate) fn least_and_spread(&self) -> (f64, f64) {
        let least = self.entries.iter().copied().fold(f64::INFINITY, f64::min);
        let most = self
            .entries
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (least, if most > least { most - least } else { 1.0 })
    }

    pub(crate) fn largest_magnitude(&self) -> f64 {
        self.entries.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
    }

    /// Payoff comparison tolerance for the player owning this matrix,
    /// relative to its largest payoff, so that rescaling a player's payoffs
    /// changes no comparison (0 for a matrix of zeros, whose comparisons are exact).
    pub(crate) fn tolerance(&self) -> f64 {
        TOLERANCE * self.largest_magnitude()
    }

    /// `M·mix`: the payoff of each own strategy against the opponent's `mix`.
    pub(crate) fn payoffs_against(&self, mix: &[f64]) -> Vec<f64> {
        (0..self.rows)
            .map(|i| self.row(i).iter().zip(mix).map(|(a, p)| a * p).sum())
            .collect()
    }

    /// `mixᵀ·M`: the owner's payoff for each opponent strategy when the owner plays `mix`.
    pub(crate) fn transposed_payoffs_against(&self, mix: &[f64]) -> Vec<f64> {
        let mut payoffs = vec![0.0; self.columns];
        for (i, &p) in mix.iter().enumerate() {
            for (total, a) in payoffs.iter_mut().zip(self.row(i)) {
                *total += p * a;
            }
        }
        payoffs
    }

    fn to_rows(&self) -> Vec<Vec<f64>> {
        self.entries
            .chunks(self.columns)
            .map(<[f64]>::to_vec)
            .collect()
    }
}

/// A two-player game in normal form: `A[i][j]` and `B[i][j]` are the row
/// and column players' payoffs when the row player plays `i` and the column
/// player `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bimatrix {
    /// `A`, `m × n`.
    row_player: Matrix,
    /// `Bᵀ`, `n × m`: the column player's own strategies as rows.
    column_player: Matrix,
}

fn shape(rows: &[Vec<f64>]) -> String {
    format!(
        "{} row(s) with lengths {:?}",
        rows.len(),
        rows.iter().map(Vec::len).collect::<Vec<_>>()
    )
}

impl Bimatrix {
    /// Builds a game from the rows of `A` (row player) and of `B` (column
    /// player). Both must be `m × n` with `m, n ≥ 1` and finite entries.
    pub fn new(
        row_payoffs: Vec<Vec<f64>>,
        column_payoffs: Vec<Vec<f64>>,
    ) -> Result<Self, GameError> {
        let rows = row_payoffs.len();
        let columns = row_payoffs.first().map_or(0, Vec::len);
        let well_formed =
            |matrix: &[Vec<f64>]| matrix.len() == rows && matrix.iter().all(|r| r.len() == columns);
        if rows == 0 || columns == 0 || !well_formed(&row_payoffs) || !well_formed(&column_payoffs)
        {
            return Err(GameError::BimatrixShape {
                row_player: shape(&row_payoffs),
                column_player: shape(&column_payoffs),
            });
        }
        for (name, matrix) in [("A", &row_payoffs), ("B", &column_payoffs)] {
            for (i, row) in matrix.iter().enumerate() {
                for (j, &value) in row.iter().enumerate() {
                    if !value.is_finite() {
                        return Err(GameError::NonFinitePayoff {
                            what: format!("{name}[{i}][{j}]"),
                            value,
                        });
                    }
                }
            }
        }
        let a = Matrix {
            rows,
            columns,
            entries: row_payoffs.into_iter().flatten().collect(),
        };
        let b = Matrix {
            rows,
            columns,
            entries: column_payoffs.into_iter().flatten().collect(),
        };
        let game = Self {
            row_player: a,
            column_player: b.transposed(),
        };
        game.check_payoff_magnitudes()?;
        Ok(game)
    }

    /// Refuses payoffs beyond [`MAX_PAYOFF_MAGNITUDE`]. The enumerations
    /// check too, as a game converted from a [`MatrixGame`] skips `new`.
    pub(crate) fn check_payoff_magnitudes(&self) -> Result<(), GameError> {
        let a = &self.row_player;
        let b_transposed = &self.column_player;
        let too_large = a
            .entries
            .iter()
            .enumerate()
            .map(|(k, &value)| (format!("A[{}][{}]", k / a.columns, k % a.columns), value))
            .chain(b_transposed.entries.iter().enumerate().map(|(k, &value)| {
                let (column, row) = (k / b_transposed.columns, k % b_transposed.columns);
                (format!("B[{row}][{column}]"), value)
            }))
            .find(|(_, value)| value.abs() > MAX_PAYOFF_MAGNITUDE);
        match too_large {
            Some((what, value)) => Err(GameError::PayoffTooLarge { what, value }),
            None => Ok(()),
        }
    }

    /// Builds the zero-sum game with `B = −A`.
    pub fn zero_sum(row_payoffs: Vec<Vec<f64>>) -> Result<Self, GameError> {
        let negated = row_payoffs
            .iter()
            .map(|row| row.iter().map(|v| -v).collect())
            .collect();
        Self::new(row_payoffs, negated)
    }

    /// Number of row strategies `m`.
    pub fn rows(&self) -> usize {
        self.row_player.rows
    }

    /// Number of column strategies `n`.
    pub fn columns(&self) -> usize {
        self.row_player.columns
    }

    /// `A[row][column]`.
    pub fn row_payoff(&self, row: usize, column: usize) -> f64 {
        self.row_player.get(row, column)
    }

    /// `B[row][column]`.
    pub fn column_payoff(&self, row: usize, column: usize) -> f64 {
        self.column_player.get(column, row)
    }

    /// The rows of `A`.
    pub fn row_payoffs(&self) -> Vec<Vec<f64>> {
        self.row_player.to_rows()
    }

    /// The rows of `B`.
    pub fn column_payoffs(&self) -> Vec<Vec<f64>> {
        self.column_player.transposed().to_rows()
    }

    /// The same game with the players' roles exchanged: `(Bᵀ, Aᵀ)`.
    pub fn with_players_swapped(&self) -> Self {
        Self {
            row_player: self.column_player.clone(),
            column_player: self.row_player.clone(),
        }
    }

    /// A player's payoffs with that player's own strategies as rows
    /// (`A` for the row player, `Bᵀ` for the column player).
    pub(crate) fn own_payoffs(&self, player: Player) -> &Matrix {
        match player {
            Player::Row => &self.row_player,
            Player::Column => &self.column_player,
        }
    }

    fn strategy_count(&self, player: Player) -> usize {
        self.own_payoffs(player).rows
    }

    /// Checks that `mix` is a probability vector over `player`'s strategies
    /// (entries ≥ 0 and summing to 1, both within [`TOLERANCE`]).
    fn check_mix(&self, player: Player, mix: &[f64]) -> Result<(), GameError> {
        let strategies = self.strategy_count(player);
        let reject = |reason: String| GameError::NotAMixedStrategy {
            player: player.name().to_string(),
            mix: mix.to_vec(),
            strategies,
            reason,
        };
        if mix.len() != strategies {
            return Err(reject(format!("it has {} entries", mix.len())));
        }
        if let Some(p) = mix.iter().find(|p| !p.is_finite() || **p < -TOLERANCE) {
            return Err(reject(format!("entry {p} is not a probability")));
        }
        let total: f64 = mix.iter().sum();
        if (total - 1.0).abs() > TOLERANCE {
            return Err(reject(format!("it sums to {total}")));
        }
        Ok(())
    }

    /// Expected payoffs `(xᵀ A y, xᵀ B y)` of a mixed profile.
    pub fn expected_payoffs(
        &self,
        row_mix: &[f64],
        column_mix: &[f64],
    ) -> Result<(f64, f64), GameError> {
        self.check_mix(Player::Row, row_mix)?;
        self.check_mix(Player::Column, column_mix)?;
        Ok(self.payoffs_unchecked(row_mix, column_mix))
    }

    fn payoffs_unchecked(&self, row_mix: &[f64], column_mix: &[f64]) -> (f64, f64) {
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
        (
            dot(row_mix, &self.row_player.payoffs_against(column_mix)),
            dot(column_mix, &self.column_player.payoffs_against(row_mix)),
        )
    }

    /// `player`'s pure best responses to the opponent's `opponent_mix`, with
    /// ties within the player's payoff tolerance.
    pub fn best_responses(
        &self,
        player: Player,
        opponent_mix: &[f64],
    ) -> Result<BestResponses, GameError> {
        let opponent = match player {
            Player::Row => Player::Column,
            Player::Column => Player::Row,
        };
        self.check_mix(opponent, opponent_mix)?;
        Ok(best_responses_of(self.own_payoffs(player), opponent_mix))
    }

    /// Exploitability (NashConv) of the profile `(row_mix, column_mix)`: the
    /// sum over both players of their best-response payoff minus their
    /// current payoff. Zero exactly at a Nash equilibrium, positive elsewhere.
    pub fn exploitability(&self, row_mix: &[f64], column_mix: &[f64]) -> Result<f64, GameError> {
        let (row_payoff, column_payoff) = self.expected_payoffs(row_mix, column_mix)?;
        let row_best = best_responses_of(&self.row_player, column_mix).payoff;
        let column_best = best_responses_of(&self.column_player, row_mix).payoff;
        Ok((row_best - row_payoff).max(0.0) + (column_best - column_payoff).max(0.0))
    }

    /// Builds the [`Equilibrium`] record of a profile (payoffs computed here).
    fn equilibrium(&self, row: Vec<f64>, column: Vec<f64>) -> Equilibrium {
        let (row_payoff, column_payoff) = self.payoffs_unchecked(&row, &column);
        Equilibrium {
            row,
            column,
            row_payoff,
            column_payoff,
        }
    }

    /// `C(m + n, m) − 1`: the candidate supports of support enumeration.
    fn candidate_supports(&self) -> u128 {
        linalg::binomial(self.rows() + self.columns(), self.rows()).saturating_sub(1)
    }
}

/// Largest payoff magnitude the equilibrium methods take: pivots and
/// determinants multiply payoffs, and 1e150² is still far from overflow.
pub const MAX_PAYOFF_MAGNITUDE: f64 = 1e150;

/// The symmetric game as a bimatrix game: `A` is the matrix, `B = Aᵀ`.
impl From<&MatrixGame> for Bimatrix {
    fn from(game: &MatrixGame) -> Self {
        let a = Matrix {
            rows: game.strategy_count(),
            columns: game.strategy_count(),
            entries: game.rows().into_iter().flatten().collect(),
        };
        // B = Aᵀ, so the column player's own-strategy view Bᵀ is A itself.
        Self {
            column_player: a.clone(),
            row_player: a,
        }
    }
}

/// A player's pure best responses and the payoff they earn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestResponses {
    /// Indices of every pure strategy within tolerance of the best payoff, ascending.
    pub strategies: Vec<usize>,
    /// The best payoff against the opponent's mix.
    pub payoff: f64,
}

fn best_responses_of(own_payoffs: &Matrix, opponent_mix: &[f64]) -> BestResponses {
    let payoffs = own_payoffs.payoffs_against(opponent_mix);
    let payoff = payoffs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let tolerance = own_payoffs.tolerance();
    BestResponses {
        strategies: (0..payoffs.len())
            .filter(|&i| payoffs[i] >= payoff - tolerance)
            .collect(),
        payoff,
    }
}

/// Pure best responses of a player whose payoff against the opponent's pure
/// strategy `j` when playing `i` is `payoffs[i][j]`, to the opponent's
/// `opponent_mix` (ties within [`TOLERANCE`] relative).
pub fn best_responses(
    payoffs: &[Vec<f64>],
    opponent_mix: &[f64],
) -> Result<BestResponses, GameError> {
    let column_payoffs: Vec<Vec<f64>> = payoffs.iter().map(|row| vec![0.0; row.len()]).collect();
    let game = Bimatrix::new(payoffs.to_vec(), column_payoffs)?;
    game.best_responses(Player::Row, opponent_mix)
}

/// A Nash equilibrium `(x, y)` with its payoffs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Equilibrium {
    /// The row player's mixed strategy `x`.
    pub row: Vec<f64>,
    /// The column player's mixed strategy `y`.
    pub column: Vec<f64>,
    /// `xᵀ A y`.
    pub row_payoff: f64,
    /// `xᵀ B y`.
    pub column_payoff: f64,
}

fn lexicographic(a: &[f64], b: &[f64]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(u, v)| u.total_cmp(v))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// Sorts equilibria lexicographically by `(row, column)`.
fn sort_equilibria(equilibria: &mut [Equilibrium]) {
    equilibria.sort_by(|p, q| {
        lexicographic(&p.row, &q.row).then_with(|| lexicographic(&p.column, &q.column))
    });
}

/// Sets probabilities within [`TOLERANCE`] of zero to exactly zero.
fn clean_probabilities(mix: &mut [f64]) {
    for p in mix.iter_mut() {
        if p.abs() <= TOLERANCE {
            *p = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matching_pennies() -> Bimatrix {
        Bimatrix::zero_sum(vec![vec![1.0, -1.0], vec![-1.0, 1.0]]).unwrap()
    }

    #[test]
    fn rejects_bad_shapes_and_payoffs() {
        assert!(matches!(
            Bimatrix::new(vec![], vec![]),
            Err(GameError::BimatrixShape { .. })
        ));
        assert!(matches!(
            Bimatrix::new(vec![vec![1.0, 2.0]], vec![vec![1.0]]),
            Err(GameError::BimatrixShape { .. })
        ));
        assert!(matches!(
            Bimatrix::new(vec![vec![1.0], vec![1.0, 2.0]], vec![vec![1.0], vec![1.0]]),
            Err(GameError::BimatrixShape { .. })
        ));
        assert!(matches!(
            Bimatrix::new(vec![vec![f64::NAN]], vec![vec![0.0]]),
            Err(GameError::NonFinitePayoff { .. })
        ));
        // Products of payoffs this large overflow: refused, not a panic later.
        let huge = vec![vec![9e307, -9e307], vec![-9e307, 9e307]];
        let error = Bimatrix::new(huge.clone(), huge.clone()).unwrap_err();
        assert!(error.to_string().contains("rescale"), "{error}");
        let symmetric = MatrixGame::new(vec!["X".into(), "Y".into()], huge).unwrap();
        assert!(matches!(
            symmetric_equilibria(&symmetric),
            Err(GameError::PayoffTooLarge { .. })
        ));
        // Converted without `new`, the enumerations still refuse it.
        let converted = Bimatrix::from(&symmetric);
        assert!(matches!(
            vertex_enumeration(&converted),
            Err(GameError::PayoffTooLarge { .. })
        ));
        assert!(matches!(
            support_enumeration(&converted),
            Err(GameError::PayoffTooLarge { .. })
        ));
        let named = Bimatrix::new(vec![vec![0.0, 1.0]], vec![vec![0.0, -2e200]]).unwrap_err();
        assert!(named.to_string().contains("B[0][1]"), "{named}");
    }

    #[test]
    fn accessors_and_player_swap() {
        let game = Bimatrix::new(
            vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]],
            vec![vec![7.0, 8.0, 9.0], vec![10.0, 11.0, 12.0]],
        )
        .unwrap();
        assert_eq!((game.rows(), game.columns()), (2, 3));
        assert_eq!(game.row_payoff(1, 2), 6.0);
        assert_eq!(game.column_payoff(1, 0), 10.0);
        assert_eq!(game.column_payoffs()[0], vec![7.0, 8.0, 9.0]);
        let swapped = game.with_players_swapped();
        assert_eq!((swapped.rows(), swapped.columns()), (3, 2));
        assert_eq!(swapped.row_payoff(2, 1), 12.0);
        assert_eq!(swapped.column_payoff(2, 1), 6.0);
    }

    #[test]
    fn symmetric_conversion_transposes() {
        let symmetric = MatrixGame::new(
            vec!["C".into(), "D".into()],
            vec![vec![3.0, 0.0], vec![5.0, 1.0]],
        )
        .unwrap();
        let game = Bimatrix::from(&symmetric);
        assert_eq!(game.row_payoffs(), vec![vec![3.0, 0.0], vec![5.0, 1.0]]);
        assert_eq!(game.column_payoffs(), vec![vec![3.0, 5.0], vec![0.0, 1.0]]);
    }

    #[test]
    fn best_responses_and_exploitability() {
        let game = matching_pennies();
        let tie = game.best_responses(Player::Row, &[0.5, 0.5]).unwrap();
        assert_eq!(tie.strategies, vec![0, 1]);
        assert_eq!(tie.payoff, 0.0);
        let heads = game.best_responses(Player::Column, &[1.0, 0.0]).unwrap();
        assert_eq!(heads.strategies, vec![1]);
        assert_eq!(heads.payoff, 1.0);
        assert_eq!(game.exploitability(&[0.5, 0.5], &[0.5, 0.5]).unwrap(), 0.0);
        // (H, H): the column player gains 2 by switching to T; the row player is content.
        assert_eq!(game.exploitability(&[1.0, 0.0], &[1.0, 0.0]).unwrap(), 2.0);
        let free = best_responses(&[vec![1.0, 0.0], vec![0.0, 2.0]], &[0.5, 0.5]).unwrap();
        assert_eq!(free.strategies, vec![1]);
        assert_eq!(free.payoff, 1.0);
    }

    #[test]
    fn rejects_non_probability_vectors() {
        let game = matching_pennies();
        for bad in [
            vec![0.5],
            vec![0.7, 0.7],
            vec![-0.5, 1.5],
            vec![f64::NAN, 1.0],
        ] {
            assert!(matches!(
                game.exploitability(&bad, &[0.5, 0.5]),
                Err(GameError::NotAMixedStrategy { .. })
            ));
        }
    }
}
