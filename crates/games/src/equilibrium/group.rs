//! Symmetric Nash equilibria of symmetric N-player games with two strategies.
//!
//! Source: J. M. Pacheco, F. C. Santos, M. O. Souza, B. Skyrms, "Evolutionary
//! dynamics of collective action in N-person stag hunt dilemmas", Proc. R.
//! Soc. B 276 (2009); the gain function of Bach, Helvik & Christiansen (2006).
//!
//! When every co-player plays strategy 0 with probability `x`, a focal player
//! gains by playing 0 rather than 1
//!
//! ```text
//! g(x) = f_0(x) − f_1(x) = Σ_{k=0}^{N−1} C(N−1, k) x^k (1−x)^{N−1−k} [P_0(k+1) − P_1(k)],
//! ```
//!
//! with `P_i(k)` the payoff of an `i`-player among `k` players of strategy 0.
//! The symmetric equilibria are `x = 1` if `g(1) ≥ 0`, `x = 0` if `g(0) ≤ 0`,
//! and every interior root of `g` (a polynomial of degree at most `N − 1`,
//! hence at most `N − 1` of them). They coincide with the rest points of the
//! replicator dynamics on the edge, and an interior root is stable under it
//! exactly where `g` falls through zero.

use crate::{GameError, GroupGame};
use serde::Serialize;

/// A symmetric equilibrium of a two-strategy group game.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupEquilibrium {
    /// `x`: probability of strategy 0.
    pub probability: f64,
    /// Whether the replicator dynamics returns to it after small deviations
    /// (`g` decreasing through the root, or the pure state strictly better).
    pub stable: bool,
}

/// Grid on which sign changes of the gain function are looked for.
const GRID: usize = 20_000;

/// The symmetric equilibria (module docs), ordered by `x`. Interior roots
/// are found as sign changes of `g` on a grid of 20,000 intervals, refined
/// by bisection to 1e-13; a root where `g` touches zero without changing
/// sign between grid points is not reported.
pub fn symmetric_group_equilibria(game: &GroupGame) -> Result<Vec<GroupEquilibrium>, GameError> {
    if game.strategy_count() != 2 {
        return Err(GameError::InvalidModel(format!(
            "symmetric equilibria of group games are computed for two strategies; this game has {}",
            game.strategy_count()
        )));
    }
    let gain = |x: f64| {
        let mut fitness = [0.0; 2];
        game.fitness_infinite(&[x, 1.0 - x], &mut fitness);
        fitness[0] - fitness[1]
    };
    let mut found = Vec::new();
    let at_zero = gain(0.0);
    if at_zero <= 0.0 {
        found.push(GroupEquilibrium {
            probability: 0.0,
            stable: at_zero < 0.0,
        });
    }
    let point = |i: usize| i as f64 / GRID as f64;
    for i in 0..GRID {
        let (low, high) = (point(i), point(i + 1));
        let (g_low, g_high) = (gain(low), gain(high));
        // A root exactly on a grid point is counted once, from the interval it starts.
        if g_low == 0.0 && i > 0 {
            found.push(GroupEquilibrium {
                probability: low,
                stable: g_high < 0.0,
            });
            continue;
        }
        if g_low == 0.0 || g_high == 0.0 || g_low.signum() == g_high.signum() {
            continue;
        }
        found.push(GroupEquilibrium {
            probability: crate::roots::bisect(gain, low, high, 1e-13),
            stable: g_low > 0.0,
        });
    }
    let at_one = gain(1.0);
    if at_one >= 0.0 {
        found.push(GroupEquilibrium {
            probability: 1.0,
            stable: at_one > 0.0,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(differences: [f64; 3]) -> GroupGame {
        // N = 3; P_0(k) − P_1(k − 1) = differences[k − 1] through P_1 = 0.
        GroupGame::from_fn(vec!["A".into(), "B".into()], 3, |group, i| {
            if i == 0 {
                differences[group[0] - 1]
            } else {
                0.0
            }
        })
        .unwrap()
    }

    #[test]
    fn interior_roots_of_a_quadratic_gain_function() {
        // g(x) = −(1−x)² + 2·2x(1−x) − x² = −1 + 6x − 6x²: roots (3 ± √3)/6.
        let equilibria = symmetric_group_equilibria(&game([-1.0, 2.0, -1.0])).unwrap();
        let xs: Vec<f64> = equilibria.iter().map(|e| e.probability).collect();
        let root = 3f64.sqrt() / 6.0;
        // g(1) = −1 < 0: everyone playing A is not an equilibrium.
        assert_eq!(xs.len(), 3, "{equilibria:?}");
        assert_eq!(xs[0], 0.0);
        assert!((xs[1] - (0.5 - root)).abs() < 1e-12);
        assert!((xs[2] - (0.5 + root)).abs() < 1e-12);
        // 0 attracts, the lower root repels, the upper one attracts.
        let stable: Vec<bool> = equilibria.iter().map(|e| e.stable).collect();
        assert_eq!(stable, vec![true, false, true]);
    }

    #[test]
    fn a_dominant_strategy_is_the_only_equilibrium() {
        let equilibria = symmetric_group_equilibria(&game([1.0, 1.0, 1.0])).unwrap();
        assert_eq!(equilibria.len(), 1);
        assert_eq!(equilibria[0].probability, 1.0);
    }
}
