//! Vertex enumeration: every extreme Nash equilibrium of a bimatrix game, by
//! pairing the vertices of the two best-response polytopes.
//!
//! Sources: D. Avis, G. D. Rosenberg, R. Savani, B. von Stengel,
//! "Enumeration of Nash equilibria for two-player games", Economic Theory 42,
//! 9–37 (2010), §2–3; B. von Stengel (2002), Handbook of Game Theory vol. 3,
//! ch. 45, §2.5–2.6 (Theorem 2.10 for the label characterisation of
//! nondegeneracy). nashpy's `vertex_enumeration` and Gambit's `enummixed`
//! compute the same set.
//!
//! A positive affine map of a player's payoffs changes no equilibrium, so
//! both matrices are first mapped to entries from 1 to 2:
//! `A' = (A − min A)/(max A − min A) + 1`, and `B'` likewise (the tolerances
//! below are then the same whatever the payoffs' unit). The best-response
//! polytopes are bounded:
//!
//! ```text
//! P = { x ∈ ℝᵐ : x ≥ 0, B'ᵀ x ≤ 1 }      Q = { y ∈ ℝⁿ : A' y ≤ 1, y ≥ 0 }
//! ```
//!
//! Labels `0..m` name the row strategies and `m..m+n` the columns. A point
//! `x ∈ P` has label `i` when `x_i = 0` and label `m + j` when
//! `(B'ᵀ x)_j = 1` (column `j` is a best response); `y ∈ Q` has label `i`
//! when `(A' y)_i = 1` and label `m + j` when `y_j = 0`. A pair `(x, y) ≠ (0, 0)`
//! that carries every label is a Nash equilibrium after normalisation
//! `(x / Σx, y / Σy)`, and the pairs of *vertices* with all labels are the
//! extreme equilibria; every equilibrium is a convex combination of extreme
//! ones within a maximal Nash subset. In a nondegenerate game each vertex of
//! `P` has exactly `m` labels and each vertex of `Q` exactly `n`, and the
//! extreme equilibria are all the equilibria.
//!
//! Vertices are found by choosing tight constraints: a vertex of `P` whose
//! positive coordinates lie in `S` solves `Σ_{i∈S} B'[i][j]·x_i = 1` for
//! `|S|` columns `j` with `x_i = 0` off `S`, for some choice of `|S|`
//! linearly independent tight columns. Every such square system is solved
//! (`C(m + n, m) − 1` of them, refused above [`ENUMERATION_LIMIT`]) and the
//! feasible solutions (`x ≥ −tol`, `B'ᵀ x ≤ 1 + tol`, `tol` = [`TOLERANCE`]
//! relative to `Σx` and to 1 respectively) are kept once each, so vertices
//! of degenerate polytopes are found as well.

use super::linalg::{solve_in_place, subsets};
use super::{
    Bimatrix, ENUMERATION_LIMIT, Equilibrium, Matrix, TOLERANCE, clean_probabilities,
    sort_equilibria,
};
use crate::GameError;

/// A vertex of `{z ≥ 0, M z ≤ 1}` with its labels.
struct Vertex {
    point: Vec<f64>,
    /// `zero[s]`: variable `s` is 0.
    zero: Vec<bool>,
    /// `tight[t]`: constraint `t` holds with equality.
    tight: Vec<bool>,
}

impl Vertex {
    fn label_count(&self) -> usize {
        self.zero.iter().chain(&self.tight).filter(|&&b| b).count()
    }
}

/// `(M − min M)/(max M − min M) + 1` (entries from 1 to 2; all 1 for a
/// constant matrix): a positive affine map of a player's payoffs changes no
/// equilibrium, and this one makes the enumeration's tolerances the same
/// whatever the payoffs' unit (a game scaled by 1e-10 has its own equilibria).
fn shifted(matrix: &Matrix) -> Matrix {
    let (least, range) = matrix.least_and_spread();
    Matrix {
        rows: matrix.rows,
        columns: matrix.columns,
        entries: matrix
            .entries
            .iter()
            .map(|v| (v - least) / range + 1.0)
            .collect(),
    }
}

/// The nonzero vertices of `{z ∈ ℝ^v : z ≥ 0, M z ≤ 1}` for a `c × v`
/// matrix `M` with positive entries.
fn polytope_vertices(constraints: &Matrix) -> Vec<Vertex> {
    let (count, variables) = (constraints.rows, constraints.columns);
    let mut vertices: Vec<Vertex> = Vec::new();
    let (mut system, mut solution) = (Vec::new(), Vec::new());
    for k in 1..=variables.min(count) {
        let supports = subsets(variables, k);
        let tight_sets = subsets(count, k);
        for support in &supports {
            for tight in &tight_sets {
                system.clear();
                for &t in tight {
                    system.extend(support.iter().map(|&s| constraints.get(t, s)));
                }
                solution.clear();
                solution.resize(k, 1.0);
                if !solve_in_place(&mut system, &mut solution, k) {
                    continue;
                }
                let total: f64 = solution.iter().sum();
                if total.is_nan()
                    || total <= 0.0
                    || solution.iter().any(|&z| z < -TOLERANCE * total)
                {
                    continue;
                }
                let mut point = vec![0.0; variables];
                for (&s, &z) in support.iter().zip(&solution) {
                    point[s] = z.max(0.0);
                }
                let values = constraints.payoffs_against(&point);
                if values.iter().any(|&v| v > 1.0 + TOLERANCE) {
                    continue;
                }
                let known = vertices.iter().any(|vertex| {
                    vertex
                        .point
                        .iter()
                        .zip(&point)
                        .all(|(a, b)| (a - b).abs() <= TOLERANCE * total)
                });
                if known {
                    continue;
                }
                vertices.push(Vertex {
                    zero: point.iter().map(|&z| z <= TOLERANCE * total).collect(),
                    tight: values.iter().map(|&v| v >= 1.0 - TOLERANCE).collect(),
                    point,
                });
            }
        }
    }
    vertices
}

fn too_large(game: &Bimatrix) -> Option<GameError> {
    let candidates = game.candidate_supports();
    (candidates > ENUMERATION_LIMIT).then_some(GameError::GameTooLarge {
        method: "vertex enumeration",
        rows: game.rows(),
        columns: game.columns(),
        candidates,
        limit: ENUMERATION_LIMIT,
        advice: "games this large need a path-following method such as Lemke–Howson (one equilibrium) or lrs-based enumeration, which accord-games does not provide",
    })
}

/// The vertices of `P` (over rows) and `Q` (over columns).
fn best_response_polytopes(game: &Bimatrix) -> (Vec<Vertex>, Vec<Vertex>) {
    // P's constraints are the columns: B'ᵀ, the column player's own view.
    let p = polytope_vertices(&shifted(&game.column_player));
    let q = polytope_vertices(&shifted(&game.row_player));
    (p, q)
}

fn normalised(point: &[f64]) -> Vec<f64> {
    let total: f64 = point.iter().sum();
    let mut mix: Vec<f64> = point.iter().map(|z| z / total).collect();
    clean_probabilities(&mut mix);
    let total: f64 = mix.iter().sum();
    mix.iter_mut().for_each(|p| *p /= total);
    mix
}

/// Every extreme Nash equilibrium (all equilibria when the game is
/// nondegenerate), sorted lexicographically by `(row, column)`.
///
/// Errors with [`GameError::GameTooLarge`] when `C(m + n, m) − 1` exceeds
/// [`ENUMERATION_LIMIT`].
pub fn vertex_enumeration(game: &Bimatrix) -> Result<Vec<Equilibrium>, GameError> {
    game.check_payoff_magnitudes()?;
    if let Some(error) = too_large(game) {
        return Err(error);
    }
    let (p, q) = best_response_polytopes(game);
    let mut equilibria = Vec::new();
    for x in &p {
        for y in &q {
            // Rows: x_i = 0 or row i is a best response to y; columns likewise.
            let rows_labelled = x.zero.iter().zip(&y.tight).all(|(a, b)| *a || *b);
            let columns_labelled = x.tight.iter().zip(&y.zero).all(|(a, b)| *a || *b);
            if rows_labelled && columns_labelled {
                equilibria.push(game.equilibrium(normalised(&x.point), normalised(&y.point)));
            }
        }
    }
    sort_equilibria(&mut equilibria);
    Ok(equilibria)
}

/// Whether the game is degenerate: some mixed strategy with `k` strategies
/// in its support has more than `k` pure best responses. Decided, as in von
/// Stengel (2002, Theorem 2.10), by whether some vertex of `P` has more than
/// `m` labels or some vertex of `Q` more than `n` (within [`TOLERANCE`]).
pub fn is_degenerate(game: &Bimatrix) -> Result<bool, GameError> {
    if let Some(error) = too_large(game) {
        return Err(error);
    }
    let (p, q) = best_response_polytopes(game);
    Ok(p.iter().any(|v| v.label_count() > game.rows())
        || q.iter().any(|v| v.label_count() > game.columns()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equilibrium::support_enumeration;

    #[test]
    fn matches_support_enumeration_on_battle_of_the_sexes() {
        let game = Bimatrix::new(
            vec![vec![3.0, 0.0], vec![0.0, 2.0]],
            vec![vec![2.0, 0.0], vec![0.0, 3.0]],
        )
        .unwrap();
        let by_vertices = vertex_enumeration(&game).unwrap();
        let by_supports = support_enumeration(&game).unwrap();
        assert_eq!(by_vertices.len(), 3);
        for (a, b) in by_vertices.iter().zip(&by_supports) {
            for (u, v) in a
                .row
                .iter()
                .chain(&a.column)
                .zip(b.row.iter().chain(&b.column))
            {
                assert!((u - v).abs() < 1e-12);
            }
        }
        assert!(!is_degenerate(&game).unwrap());
    }

    #[test]
    fn degenerate_game_has_a_continuum_reported_by_its_ends() {
        // A = [[1, 1], [0, 0]] (row 0 weakly dominant, always a best response),
        // B = [[1, 1], [0, 0]]: against row 0 both columns are best responses,
        // so (row 0, any y) is an equilibrium; the extreme ones are y = (1, 0)
        // and y = (0, 1). Support enumeration (equal sizes, pure supports)
        // finds the same two endpoints here.
        let game = Bimatrix::new(
            vec![vec![1.0, 1.0], vec![0.0, 0.0]],
            vec![vec![1.0, 1.0], vec![0.0, 0.0]],
        )
        .unwrap();
        assert!(is_degenerate(&game).unwrap());
        let extreme = vertex_enumeration(&game).unwrap();
        assert_eq!(extreme.len(), 2);
        assert_eq!(extreme[0].row, vec![1.0, 0.0]);
        assert_eq!(extreme[0].column, vec![0.0, 1.0]);
        assert_eq!(extreme[1].column, vec![1.0, 0.0]);
    }

    #[test]
    fn refuses_large_games() {
        let big = Bimatrix::new(vec![vec![0.0; 13]; 13], vec![vec![0.0; 13]; 13]).unwrap();
        assert!(matches!(
            vertex_enumeration(&big),
            Err(GameError::GameTooLarge { .. })
        ));
    }
}
