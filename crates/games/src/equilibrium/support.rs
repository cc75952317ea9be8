//! Support enumeration: every Nash equilibrium of a nondegenerate bimatrix
//! game, and the symmetric equilibria of a symmetric game.
//!
//! Sources: von Stengel (2002), Handbook of Game Theory vol. 3, ch. 45, §2.3
//! ("Equilibria via support enumeration"); N. Nisan et al. (eds.),
//! *Algorithmic Game Theory* (2007), ch. 3; nashpy's `support_enumeration`
//! follows the same algorithm.
//!
//! In a nondegenerate game both supports of an equilibrium have the same size
//! `k`. For every row support `I` and column support `J` with `|I| = |J| = k`,
//! the column strategy `y` must make the row player indifferent on `I` and
//! the row strategy `x` must make the column player indifferent on `J`:
//!
//! ```text
//! Σ_{j∈J} A[i][j]·y_j = u   for i ∈ I,     Σ_{j∈J} y_j = 1,
//! Σ_{i∈I} B[i][j]·x_i = v   for j ∈ J,     Σ_{i∈I} x_i = 1,
//! ```
//!
//! two `(k + 1) × (k + 1)` linear systems, solved by Gaussian elimination
//! with partial pivoting. `(x, y)` is kept when every `x_i` (`i ∈ I`) and
//! `y_j` (`j ∈ J`) exceeds [`TOLERANCE`] and no pure strategy does better:
//! `(A y)_i ≤ u + tol_A` for all rows and `(xᵀ B)_j ≤ v + tol_B` for all
//! columns, `tol = TOLERANCE · max |payoff|`.
//!
//! There are `Σ_k C(m, k)·C(n, k) = C(m + n, m) − 1` support pairs; above
//! [`ENUMERATION_LIMIT`] the function refuses. In a *degenerate* game the
//! indifference systems can be singular (a continuum of equilibria) or an
//! equilibrium may need supports of different sizes: those equilibria are
//! not reported; [`vertex_enumeration`](super::vertex_enumeration) finds the
//! extreme equilibria of any game.
//!
//! For a symmetric game with matrix `A` (so `B = Aᵀ`) a symmetric equilibrium
//! `(x, x)` needs only one system per support `S`:
//! `Σ_{j∈S} A[i][j]·x_j = u` for `i ∈ S`, `Σ_{j∈S} x_j = 1`, with `x_S > 0` and
//! `(A x)_i ≤ u + tol` for every `i`; there are `2ⁿ − 1` supports.

use super::linalg::{solve_in_place, subsets};
use super::{
    Bimatrix, ENUMERATION_LIMIT, Equilibrium, Matrix, TOLERANCE, lexicographic, sort_equilibria,
};
use crate::{GameError, MatrixGame};
use serde::{Deserialize, Serialize};

/// The opponent's mix with support `opponent_support` that makes the player
/// with payoffs `own` (own strategies as rows) indifferent across
/// `own_support`, provided it is strictly positive on its support and leaves
/// the player no better pure strategy. Returns the full-length mix and the
/// player's payoff.
pub(crate) fn equalizer(
    own: &Matrix,
    own_support: &[usize],
    opponent_support: &[usize],
    system: &mut Vec<f64>,
    solution: &mut Vec<f64>,
) -> Option<(Vec<f64>, f64)> {
    let k = opponent_support.len();
    debug_assert_eq!(own_support.len(), k);
    let size = k + 1;
    system.clear();
    solution.clear();
    // Payoffs mapped to [0, 1] (a positive affine map changes no mix that
    // equalises them), so the pivots' test does not depend on the payoffs'
    // unit or level: in millions every support was rejected (an outside review).
    let (least, spread) = own.least_and_spread();
    // Unknowns: the k probabilities, then the payoff u (in those units).
    for &i in own_support {
        system.extend(
            opponent_support
                .iter()
                .map(|&j| (own.get(i, j) - least) / spread),
        );
        system.push(-1.0);
        solution.push(0.0);
    }
    system.extend(std::iter::repeat_n(1.0, k));
    system.push(0.0);
    solution.push(1.0);
    if !solve_in_place(system, solution, size) {
        return None;
    }
    if solution[..k].iter().any(|&p| p.is_nan() || p <= TOLERANCE) {
        return None;
    }
    let mut mix = vec![0.0; own.columns];
    for (&j, &p) in opponent_support.iter().zip(&solution[..k]) {
        mix[j] = p;
    }
    let payoffs = own.payoffs_against(&mix);
    let value = own_support.iter().map(|&i| payoffs[i]).sum::<f64>() / k as f64;
    let tolerance = own.tolerance();
    if payoffs.iter().any(|&p| p > value + tolerance) {
        return None;
    }
    Some((mix, value))
}

/// All Nash equilibria of a nondegenerate game (see the module documentation
/// for what is and is not found in degenerate games), sorted
/// lexicographically by `(row, column)`.
///
/// Errors with [`GameError::GameTooLarge`] when `C(m + n, m) − 1` exceeds
/// [`ENUMERATION_LIMIT`].
pub fn support_enumeration(game: &Bimatrix) -> Result<Vec<Equilibrium>, GameError> {
    game.check_payoff_magnitudes()?;
    let candidates = game.candidate_supports();
    if candidates > ENUMERATION_LIMIT {
        return Err(GameError::GameTooLarge {
            method: "support enumeration",
            rows: game.rows(),
            columns: game.columns(),
            candidates,
            limit: ENUMERATION_LIMIT,
            advice: "vertex_enumeration has the same limit (it also examines C(m + n, m) sets per polytope); games this large need a path-following method such as Lemke–Howson, which accord-games does not provide",
        });
    }
    let (m, n) = (game.rows(), game.columns());
    let mut equilibria = Vec::new();
    let (mut system, mut solution) = (Vec::new(), Vec::new());
    for k in 1..=m.min(n) {
        let row_supports = subsets(m, k);
        let column_supports = subsets(n, k);
        for rows in &row_supports {
            for columns in &column_supports {
                let Some((row_mix, _)) = equalizer(
                    &game.column_player,
                    columns,
                    rows,
                    &mut system,
                    &mut solution,
                ) else {
                    continue;
                };
                let Some((column_mix, _)) =
                    equalizer(&game.row_player, rows, columns, &mut system, &mut solution)
                else {
                    continue;
                };
                equilibria.push(game.equilibrium(row_mix, column_mix));
            }
        }
    }
    sort_equilibria(&mut equilibria);
    Ok(equilibria)
}

/// A symmetric equilibrium `(x, x)` of a symmetric game.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymmetricEquilibrium {
    /// The mixed strategy `x` both players use.
    pub strategy: Vec<f64>,
    /// Each player's payoff `xᵀ A x`.
    pub payoff: f64,
}

/// The symmetric Nash equilibria `(x, x)` of a symmetric game, by support
/// enumeration on the symmetric indifference system, sorted
/// lexicographically. Complete when the game is nondegenerate as a bimatrix
/// game `(A, Aᵀ)`; in a degenerate game symmetric equilibria whose
/// indifference system is singular are not reported.
///
/// Errors with [`GameError::GameTooLarge`] when `2ⁿ − 1` exceeds
/// [`ENUMERATION_LIMIT`] (`n > 21`).
pub fn symmetric_equilibria(game: &MatrixGame) -> Result<Vec<SymmetricEquilibrium>, GameError> {
    let n = game.strategy_count();
    Bimatrix::from(game).check_payoff_magnitudes()?;
    let candidates = if n >= 127 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    };
    if candidates > ENUMERATION_LIMIT {
        return Err(GameError::GameTooLarge {
            method: "symmetric support enumeration",
            rows: n,
            columns: n,
            candidates,
            limit: ENUMERATION_LIMIT,
            advice: "vertex_enumeration on Bimatrix::from(&game) finds every extreme equilibrium (symmetric or not) of games up to 12 × 12",
        });
    }
    let matrix = Matrix {
        rows: n,
        columns: n,
        entries: game.rows().into_iter().flatten().collect(),
    };
    let mut found = Vec::new();
    let (mut system, mut solution) = (Vec::new(), Vec::new());
    for k in 1..=n {
        for support in subsets(n, k) {
            if let Some((strategy, payoff)) =
                equalizer(&matrix, &support, &support, &mut system, &mut solution)
            {
                found.push(SymmetricEquilibrium { strategy, payoff });
            }
        }
    }
    found.sort_by(|p, q| lexicographic(&p.strategy, &q.strategy));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(u, v)| (u - v).abs() < 1e-12)
    }

    #[test]
    fn battle_of_the_sexes_has_three_equilibria() {
        // A = [[3, 0], [0, 2]], B = [[2, 0], [0, 3]]: two pure equilibria and
        // the mixed one x = (3/5, 2/5), y = (2/5, 3/5), payoffs (6/5, 6/5).
        let game = Bimatrix::new(
            vec![vec![3.0, 0.0], vec![0.0, 2.0]],
            vec![vec![2.0, 0.0], vec![0.0, 3.0]],
        )
        .unwrap();
        let equilibria = support_enumeration(&game).unwrap();
        assert_eq!(equilibria.len(), 3);
        assert!(close(&equilibria[0].row, &[0.0, 1.0]));
        assert!(close(&equilibria[1].row, &[0.6, 0.4]));
        assert!(close(&equilibria[1].column, &[0.4, 0.6]));
        assert!((equilibria[1].row_payoff - 1.2).abs() < 1e-12);
        assert!((equilibria[1].column_payoff - 1.2).abs() < 1e-12);
        assert!(close(&equilibria[2].row, &[1.0, 0.0]));
        assert_eq!(equilibria[2].row_payoff, 3.0);
    }

    #[test]
    fn rectangular_game() {
        // Row dominates: A = [[1, 1, 1]], column player's best column is 2.
        let game = Bimatrix::new(vec![vec![1.0, 1.0, 1.0]], vec![vec![0.0, 1.0, 2.0]]).unwrap();
        let equilibria = support_enumeration(&game).unwrap();
        assert_eq!(equilibria.len(), 1);
        assert_eq!(equilibria[0].column, vec![0.0, 0.0, 1.0]);
    }

    #[test]
    fn refuses_large_games() {
        let big = Bimatrix::new(vec![vec![0.0; 13]; 13], vec![vec![0.0; 13]; 13]).unwrap();
        let error = support_enumeration(&big).unwrap_err();
        assert!(matches!(error, GameError::GameTooLarge { .. }));
        assert!(error.to_string().contains("13×13"));
        let long = MatrixGame::new(
            (0..22).map(|i| format!("s{i}")).collect(),
            vec![vec![0.0; 22]; 22],
        )
        .unwrap();
        assert!(matches!(
            symmetric_equilibria(&long),
            Err(GameError::GameTooLarge { .. })
        ));
    }

    #[test]
    fn symmetric_equilibria_of_classics() {
        // Hawk–dove (V = 2, C = 4): A = [[−1, 2], [0, 1]]; the only symmetric
        // equilibrium mixes hawk with probability V/C = 1/2, payoff 1/2.
        let hawk_dove = MatrixGame::new(
            vec!["H".into(), "D".into()],
            vec![vec![-1.0, 2.0], vec![0.0, 1.0]],
        )
        .unwrap();
        let found = symmetric_equilibria(&hawk_dove).unwrap();
        assert_eq!(found.len(), 1);
        assert!(close(&found[0].strategy, &[0.5, 0.5]));
        assert!((found[0].payoff - 0.5).abs() < 1e-12);
        // Rock–paper–scissors: only the uniform mix.
        let rps = MatrixGame::new(
            vec!["R".into(), "P".into(), "S".into()],
            vec![
                vec![0.0, -1.0, 1.0],
                vec![1.0, 0.0, -1.0],
                vec![-1.0, 1.0, 0.0],
            ],
        )
        .unwrap();
        let found = symmetric_equilibria(&rps).unwrap();
        assert_eq!(found.len(), 1);
        assert!(close(&found[0].strategy, &[1.0 / 3.0; 3]));
        // Stag hunt: both pure profiles and the mix with stag played half the
        // time (4p = 3p + (1 − p) at p = 1/2).
        let stag = MatrixGame::new(
            vec!["S".into(), "H".into()],
            vec![vec![4.0, 0.0], vec![3.0, 1.0]],
        )
        .unwrap();
        let found = symmetric_equilibria(&stag).unwrap();
        assert_eq!(found.len(), 3);
        assert!(close(&found[1].strategy, &[0.5, 0.5]));
    }
}
