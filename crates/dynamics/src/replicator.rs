//! Replicator dynamics in an infinite population (Taylor & Jonker 1978;
//! Hofbauer & Sigmund 1998).
//!
//! ```text
//! ẋ_i = x_i · (f_i(x) − f̄(x)),   f̄(x) = Σ_j x_j f_j(x)
//! ```
//!
//! with `f(x)` the infinite-population fitness of the game (`A·x` for matrix
//! games, multinomial sampling of co-players for group games).
//!
//! Rest points are found face by face: on a face with support `S`, a rest
//! point in its relative interior equalises `f_i` over `S`. On edges
//! (`|S| = 2`) the fitness difference is a polynomial in one variable; its
//! roots are bracketed on a fine grid and refined by bisection, so none is
//! missed unless two roots lie within one grid cell. On larger faces the
//! system is solved by Newton's method from a grid of starting points.
//!
//! Where the strategies of a face earn the same everywhere on it (ties in
//! the payoffs; a constant game's whole simplex), every point of the face
//! is at rest: [`resting_faces`] names such faces and [`rest_points`] lists
//! nothing inside them, only rest points on their boundary faces that do
//! not rest. A continuum of rest points that is not a whole face (strategies
//! that tie everywhere also rest at every mixture of each other rest
//! point's share of them) is not detected: only the points Newton's method
//! converges to are listed.
//!
//! Stability is read from the eigenvalues of the Jacobian restricted to the
//! simplex's tangent space (dimension `n − 1`), transversal directions
//! included, so a boundary rest point is stable only if it also resists
//! invasion by absent strategies.

use crate::DynamicsError;
use accord_games::Game;
use serde::Serialize;

/// Stability of a rest point on the simplex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stability {
    /// Every eigenvalue has negative real part: asymptotically stable.
    Stable,
    /// Every eigenvalue has positive real part: a source.
    Unstable,
    /// Eigenvalues of both signs.
    Saddle,
    /// Some eigenvalue has (numerically) zero real part: linearisation is inconclusive.
    NonHyperbolic,
}

/// A rest point of the replicator dynamics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestPoint {
    /// Strategy frequencies.
    pub frequencies: Vec<f64>,
    /// Indices of strategies with positive frequency.
    pub support: Vec<usize>,
    /// Eigenvalues `(real, imaginary)` of the Jacobian on the simplex.
    pub eigenvalues: Vec<(f64, f64)>,
    /// Classification from the eigenvalues.
    pub stability: Stability,
}

/// `ẋ` at frequencies `x`.
pub fn velocity(game: &Game, frequencies: &[f64]) -> Vec<f64> {
    let mut fitness = vec![0.0; game.strategy_count()];
    game.fitness_infinite(frequencies, &mut fitness);
    replicator(frequencies, &fitness)
}

/// `x_i · (f_i − f̄)`.
fn replicator(frequencies: &[f64], fitness: &[f64]) -> Vec<f64> {
    let mean: f64 = frequencies.iter().zip(fitness).map(|(x, f)| x * f).sum();
    frequencies
        .iter()
        .zip(fitness)
        .map(|(x, f)| x * (f - mean))
        .collect()
}

/// Integrates the dynamics from `start` for `duration` time units and
/// returns `(time, frequencies)` every `step` time units, the last at
/// `duration` exactly. Between reports the classical fourth-order
/// Runge–Kutta method runs on substeps whose size is controlled by step
/// doubling (local error at most [`TRAJECTORY_TOLERANCE`]): payoffs in the
/// thousands make the dynamics fast, and a fixed step of 0.01 overshot a
/// coordination game's unstable point into the wrong basin (an outside
/// review, payoffs 1e3).
pub fn trajectory(
    game: &Game,
    start: &[f64],
    duration: f64,
    step: f64,
) -> Result<Vec<(f64, Vec<f64>)>, DynamicsError> {
    check_frequencies(game, start)?;
    if !(step > 0.0 && duration >= 0.0 && duration.is_finite() && duration / step <= MAX_STEPS) {
        return Err(DynamicsError::Integration(format!(
            "integration needs step > 0, duration ≥ 0 and at most {MAX_STEPS} steps (got step {step}, duration {duration})"
        )));
    }
    let reports = (duration / step).ceil() as usize;
    let mut x = start.to_vec();
    let mut out = Vec::with_capacity(reports + 1);
    out.push((0.0, x.clone()));
    let mut substep = step.min(duration);
    let mut substeps = 0.0;
    for r in 1..=reports {
        let (from, to) = ((r - 1) as f64 * step, (r as f64 * step).min(duration));
        let mut t = from;
        while t < to {
            let h = substep.min(to - t);
            let whole = rk4_step(game, &x, h);
            let midway = rk4_step(game, &x, h / 2.0);
            let half = rk4_step(game, &midway, h / 2.0);
            // A step that leaves the simplex is too long, however well its
            // halves agree (both may overshoot to the same far side).
            let left = [&whole, &midway, &half]
                .iter()
                .any(|y| y.iter().any(|&v| v < -TRAJECTORY_TOLERANCE));
            let error = if left {
                f64::INFINITY
            } else {
                distance(&whole, &half)
            };
            substeps += 3.0;
            if substeps > 3.0 * MAX_STEPS {
                return Err(DynamicsError::Integration(format!(
                    "the dynamics are too fast to follow for {duration} time units in {MAX_STEPS} steps (payoffs this large speed them up); shorten the duration"
                )));
            }
            if error <= TRAJECTORY_TOLERANCE || h <= f64::EPSILON * to.max(1.0) {
                x = onto_simplex(half);
                t += h;
                // Fifth-order local error: grow by at most 2.
                let grow = 0.9 * (TRAJECTORY_TOLERANCE / error.max(1e-300)).powf(0.2);
                substep = h * grow.clamp(1.0, 2.0);
            } else {
                let shrink = 0.9 * (TRAJECTORY_TOLERANCE / error).powf(0.2);
                substep = h * if shrink.is_finite() {
                    shrink.clamp(0.1, 0.5)
                } else {
                    0.1
                };
            }
        }
        out.push((to, x.clone()));
    }
    Ok(out)
}

/// Largest local error of a substep of [`trajectory`].
pub const TRAJECTORY_TOLERANCE: f64 = 1e-10;

/// Most reports, and most substeps, of a trajectory.
const MAX_STEPS: f64 = 10_000_000.0;

/// One classical Runge–Kutta step of size `h`.
fn rk4_step(game: &Game, x: &[f64], h: f64) -> Vec<f64> {
    let add = |x: &[f64], k: &[f64], h: f64| -> Vec<f64> {
        x.iter().zip(k).map(|(a, b)| a + h * b).collect()
    };
    let k1 = velocity(game, x);
    let k2 = velocity(game, &add(x, &k1, h / 2.0));
    let k3 = velocity(game, &add(x, &k2, h / 2.0));
    let k4 = velocity(game, &add(x, &k3, h));
    (0..x.len())
        .map(|i| x[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]))
        .collect()
}

/// Rounding's excursions off the simplex, taken back.
fn onto_simplex(mut x: Vec<f64>) -> Vec<f64> {
    x.iter_mut().for_each(|v| *v = v.max(0.0));
    let total: f64 = x.iter().sum();
    x.iter_mut().for_each(|v| *v /= total);
    x
}

/// Every rest point of the replicator dynamics on the simplex: vertices,
/// points on edges and faces, and interior points. Limited to games of at
/// most [`MAX_STRATEGIES`] strategies (the number of faces is `2ⁿ − 1`).
pub fn rest_points(game: &Game) -> Result<Vec<RestPoint>, DynamicsError> {
    let n = game.strategy_count();
    if n > MAX_STRATEGIES {
        return Err(DynamicsError::TooManyStrategies {
            strategies: n,
            limit: MAX_STRATEGIES,
            why: "rest points are searched face by face (2ⁿ − 1 faces)",
        });
    }
    let scaled = Scaled::new(game);
    let mut points: Vec<RestPoint> = Vec::new();
    for mask in 1u32..(1 << n) {
        let support = support_of(mask, n);
        let candidates = match support.len() {
            1 => vec![vertex(n, support[0])],
            _ if face_rests(&scaled, &support) => Vec::new(),
            2 => edge_roots(&scaled, support[0], support[1]),
            _ => face_roots(&scaled, &support),
        };
        for x in candidates {
            if points.iter().all(|p| distance(&p.frequencies, &x) > 1e-7) {
                points.push(classify(&scaled, x));
            }
        }
    }
    Ok(points)
}

/// The largest faces (supports of two or more strategies, in increasing
/// order) every point of which is at rest: their strategies earn the same
/// wherever only they are played.
pub fn resting_faces(game: &Game) -> Vec<Vec<usize>> {
    let scaled = Scaled::new(game);
    let n = game.strategy_count().min(MAX_STRATEGIES);
    let resting: Vec<u32> = (1u32..(1 << n))
        .filter(|mask| mask.count_ones() >= 2)
        .filter(|&mask| face_rests(&scaled, &support_of(mask, n)))
        .collect();
    resting
        .iter()
        .filter(|&&mask| {
            !resting
                .iter()
                .any(|&larger| larger != mask && larger & mask == mask)
        })
        .map(|&mask| support_of(mask, n))
        .collect()
}

fn support_of(mask: u32, n: usize) -> Vec<usize> {
    (0..n).filter(|i| mask & (1 << i) != 0).collect()
}

/// The game's fitness in units of its own: `(f − shift)/unit`, with `shift`
/// the least and `unit` the spread of the fitness at the vertices and the
/// barycentre. Adding a constant to every payoff, or scaling them, changes
/// neither the rest points nor their stability (time only runs at another
/// speed), so the search runs in these units and its tolerances do not
/// depend on the payoffs' level or unit (an outside review found the
/// interior rest point of a game in thousands missed, and every point of a
/// game in units of 1e-14 declared at rest). Eigenvalues are reported in the
/// game's own units.
struct Scaled<'a> {
    game: &'a Game,
    shift: f64,
    unit: f64,
}

impl<'a> Scaled<'a> {
    fn new(game: &'a Game) -> Self {
        let n = game.strategy_count();
        let mut fitness = vec![0.0; n];
        let (mut least, mut most) = (f64::INFINITY, f64::NEG_INFINITY);
        let samples = (0..n)
            .map(|i| vertex(n, i))
            .chain(std::iter::once(vec![1.0 / n as f64; n]));
        for x in samples {
            game.fitness_infinite(&x, &mut fitness);
            for &f in &fitness {
                least = least.min(f);
                most = most.max(f);
            }
        }
        let spread = most - least;
        if least.is_finite() && spread.is_finite() && spread > 0.0 {
            Self {
                game,
                shift: least,
                unit: spread,
            }
        } else {
            Self {
                game,
                shift: 0.0,
                unit: 1.0,
            }
        }
    }

    fn strategy_count(&self) -> usize {
        self.game.strategy_count()
    }

    fn fitness(&self, x: &[f64], out: &mut [f64]) {
        self.game.fitness_infinite(x, out);
        for f in out.iter_mut() {
            *f = (*f - self.shift) / self.unit;
        }
    }

    /// `ẋ` in these units (the game's own divided by `unit`).
    fn velocity(&self, frequencies: &[f64]) -> Vec<f64> {
        let mut fitness = vec![0.0; self.strategy_count()];
        self.fitness(frequencies, &mut fitness);
        replicator(frequencies, &fitness)
    }
}

/// Whether every strategy of `support` earns the same everywhere on its
/// face, relative to the size of the payoffs. Fitness is a polynomial of
/// degree `d` below the group size, and a polynomial of degree `d` that
/// vanishes on the principal lattice of order `d` of a simplex is zero, so
/// on a lattice of order at least `d` this is an identity test. The order
/// is 64 on edges (groups of up to 65) and as high as keeps a face's lattice
/// within [`MAX_FACE_SAMPLES`] points beyond, at least `d` for matrix games
/// and small groups.
fn face_rests(game: &Scaled, support: &[usize]) -> bool {
    let (n, m) = (game.strategy_count(), support.len());
    debug_assert!(m >= 2);
    let mut order = 64;
    while order > 1 && lattice_size(order, m) > MAX_FACE_SAMPLES {
        order -= 1;
    }
    let mut fitness = vec![0.0; n];
    let mut x = vec![0.0; n];
    let mut size: f64 = 0.0;
    let mut largest_difference: f64 = 0.0;
    for counts in accord_games::composition::all(order, m) {
        for (&i, &count) in support.iter().zip(&counts) {
            x[i] = count as f64 / order as f64;
        }
        game.fitness(&x, &mut fitness);
        let (least, most) = support
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                (lo.min(fitness[i]), hi.max(fitness[i]))
            });
        size = size.max(least.abs()).max(most.abs());
        largest_difference = largest_difference.max(most - least);
    }
    largest_difference <= 1e-12 * size.max(1.0)
}

/// Points on the principal lattice of order `order` of an `(m − 1)`-simplex:
/// `C(order + m − 1, m − 1)`.
fn lattice_size(order: usize, m: usize) -> usize {
    (1..m).fold(1usize, |size, k| size.saturating_mul(order + k) / k)
}

/// Most points [`face_rests`] evaluates on one face.
const MAX_FACE_SAMPLES: usize = 20_000;

/// Largest number of strategies [`rest_points`] accepts.
pub const MAX_STRATEGIES: usize = 8;

fn check_frequencies(game: &Game, x: &[f64]) -> Result<(), DynamicsError> {
    let ok = x.len() == game.strategy_count()
        && x.iter().all(|v| v.is_finite() && *v >= 0.0)
        && (x.iter().sum::<f64>() - 1.0).abs() < 1e-9;
    if ok {
        Ok(())
    } else {
        Err(DynamicsError::BadFrequencies(x.to_vec()))
    }
}

fn vertex(n: usize, i: usize) -> Vec<f64> {
    let mut x = vec![0.0; n];
    x[i] = 1.0;
    x
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Interior roots of `f_a − f_b` on the edge between `a` and `b`.
fn edge_roots(game: &Scaled, a: usize, b: usize) -> Vec<Vec<f64>> {
    const GRID: usize = 4000;
    let n = game.strategy_count();
    let point = |t: f64| {
        let mut x = vec![0.0; n];
        x[a] = t;
        x[b] = 1.0 - t;
        x
    };
    let mut fitness = vec![0.0; n];
    let mut difference = |t: f64| {
        game.fitness(&point(t), &mut fitness);
        fitness[a] - fitness[b]
    };
    let scale = {
        let mut s: f64 = 0.0;
        for i in 0..=8 {
            s = s.max(difference(i as f64 / 8.0).abs());
        }
        s.max(1e-300)
    };
    let zero_tolerance = 1e-13 * scale;
    let mut roots = Vec::new();
    let mut previous = (0.0, difference(0.0));
    for i in 1..=GRID {
        let t = i as f64 / GRID as f64;
        let value = difference(t);
        if i < GRID && value.abs() <= zero_tolerance {
            roots.push(t);
        } else if previous.1.abs() > zero_tolerance
            && value.abs() > zero_tolerance
            && previous.1.signum() != value.signum()
        {
            let (mut lo, mut hi, mut f_lo) = (previous.0, t, previous.1);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                let f_mid = difference(mid);
                if f_mid.signum() == f_lo.signum() {
                    lo = mid;
                    f_lo = f_mid;
                } else {
                    hi = mid;
                }
                if hi - lo < 1e-15 {
                    break;
                }
            }
            roots.push(0.5 * (lo + hi));
        }
        previous = (t, value);
    }
    roots.retain(|&t| t > 0.0 && t < 1.0);
    roots.into_iter().map(point).collect()
}

/// Rest points in the relative interior of the face spanned by `support` (≥ 3 strategies).
fn face_roots(game: &Scaled, support: &[usize]) -> Vec<Vec<f64>> {
    let n = game.strategy_count();
    let m = support.len();
    // Starting points: 105 on a triangle, 84 on a tetrahedron, C(m + 1, 2)
    // beyond (fewer missed interior points of group games, an outside
    // review found, than with 28, 4 and 1).
    let resolution = match m {
        3 => 16,
        4 => 10,
        _ => m + 2,
    };
    let embed = |y: &[f64]| {
        let mut x = vec![0.0; n];
        let last = 1.0 - y.iter().sum::<f64>();
        for (k, &i) in support[..m - 1].iter().enumerate() {
            x[i] = y[k];
        }
        x[support[m - 1]] = last;
        x
    };
    let mut fitness = vec![0.0; n];
    let mut residual = |y: &[f64]| -> Vec<f64> {
        game.fitness(&embed(y), &mut fitness);
        let reference = fitness[support[m - 1]];
        support[..m - 1]
            .iter()
            .map(|&i| fitness[i] - reference)
            .collect()
    };
    let mut found = Vec::new();
    for start in interior_grid(m, resolution) {
        let mut y = start;
        let mut converged = false;
        for _ in 0..60 {
            let r = residual(&y);
            let norm = r.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            // In the game's units; where rounding of the payoffs keeps the
            // residual above that, a step that no longer moves the point
            // settles it (an outside review found roots lost both ways).
            if norm < 1e-12 {
                converged = true;
                break;
            }
            let mut jacobian = vec![vec![0.0; m - 1]; m - 1];
            for k in 0..m - 1 {
                let h = 1e-7;
                let mut plus = y.clone();
                plus[k] += h;
                let mut minus = y.clone();
                minus[k] -= h;
                let (rp, rm) = (residual(&plus), residual(&minus));
                for row in 0..m - 1 {
                    jacobian[row][k] = (rp[row] - rm[row]) / (2.0 * h);
                }
            }
            let Some(delta) = solve_dense(jacobian, r) else {
                break;
            };
            for k in 0..m - 1 {
                y[k] -= delta[k];
            }
            if y.iter().any(|v| !v.is_finite()) {
                break;
            }
            let step = delta.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            if step <= 1e-14 {
                let r = residual(&y);
                converged = r.iter().all(|v| v.abs() < 1e-8);
                break;
            }
        }
        let inside = y.iter().all(|&v| v > 1e-12) && y.iter().sum::<f64>() < 1.0 - 1e-12;
        if converged && inside {
            let x = embed(&y);
            if found.iter().all(|p: &Vec<f64>| distance(p, &x) > 1e-7) {
                found.push(x);
            }
        }
    }
    found
}

/// Points strictly inside the `m`-simplex on a grid of the given resolution,
/// as the first `m − 1` coordinates.
fn interior_grid(m: usize, resolution: usize) -> Vec<Vec<f64>> {
    accord_games::composition::all(resolution, m)
        .filter(|c| c.iter().all(|&v| v > 0))
        .map(|c| {
            c[..m - 1]
                .iter()
                .map(|&v| v as f64 / resolution as f64)
                .collect()
        })
        .chain(std::iter::once(vec![1.0 / m as f64; m - 1]))
        .collect()
}

/// Solves `a·x = b` by Gaussian elimination with partial pivoting; `None` if singular.
fn solve_dense(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (offset, row) in lower.iter_mut().enumerate() {
            let factor = row[col] / pivot_row[col];
            for (target, &source) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *target -= factor * source;
            }
            b[col + 1 + offset] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    Some(x)
}

fn classify(game: &Scaled, x: Vec<f64>) -> RestPoint {
    let n = game.strategy_count();
    let support = (0..n).filter(|&i| x[i] > 0.0).collect();
    if n == 1 {
        return RestPoint {
            frequencies: x,
            support,
            eigenvalues: Vec::new(),
            stability: Stability::NonHyperbolic,
        };
    }
    // Tangent basis v_k = e_k − e_{n−1}; since the tangent space is invariant,
    // J·V = V·K and K is the first n − 1 rows of J·V.
    // Central differences: truncation O(h²), rounding of the fitness
    // amplified by 1/h; 1e-4 keeps both below the test of a zero real part
    // even for payoffs at a level of 1e6.
    let h = 1e-4;
    let mut k = faer::Mat::<f64>::zeros(n - 1, n - 1);
    for col in 0..n - 1 {
        let mut plus = x.clone();
        plus[col] += h;
        plus[n - 1] -= h;
        let mut minus = x.clone();
        minus[col] -= h;
        minus[n - 1] += h;
        let (vp, vm) = (game.velocity(&plus), game.velocity(&minus));
        for row in 0..n - 1 {
            k[(row, col)] = (vp[row] - vm[row]) / (2.0 * h);
        }
    }
    // In the game's units: fitness spans [0, 1] at the sample points.
    let eigenvalues: Vec<(f64, f64)> = k
        .eigenvalues()
        .map(|values| values.iter().map(|c| (c.re, c.im)).collect())
        .unwrap_or_default();
    let mut fitness = vec![0.0; n];
    game.fitness(&x, &mut fitness);
    let scale = fitness.iter().fold(1.0f64, |m, f| m.max(f.abs()));
    let tolerance = 1e-6 * scale;
    let stability = if eigenvalues.iter().any(|e| e.0.abs() <= tolerance) || eigenvalues.is_empty()
    {
        Stability::NonHyperbolic
    } else if eigenvalues.iter().all(|e| e.0 < 0.0) {
        Stability::Stable
    } else if eigenvalues.iter().all(|e| e.0 > 0.0) {
        Stability::Unstable
    } else {
        Stability::Saddle
    };
    RestPoint {
        frequencies: x,
        support,
        eigenvalues: eigenvalues
            .into_iter()
            .map(|(re, im)| (re * game.unit, im * game.unit))
            .collect(),
        stability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_games::MatrixGame;

    fn matrix(rows: Vec<Vec<f64>>) -> Game {
        let names = (0..rows.len()).map(|i| format!("S{i}")).collect();
        MatrixGame::new(names, rows).unwrap().into()
    }

    #[test]
    fn hawk_dove_has_a_stable_interior_point() {
        // V = 2, C = 3: mixed equilibrium at hawk share V/C = 2/3.
        let game = matrix(vec![vec![-0.5, 2.0], vec![0.0, 1.0]]);
        let points = rest_points(&game).unwrap();
        let interior: Vec<_> = points.iter().filter(|p| p.support.len() == 2).collect();
        assert_eq!(interior.len(), 1);
        assert!((interior[0].frequencies[0] - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(interior[0].stability, Stability::Stable);
        assert!(
            points
                .iter()
                .filter(|p| p.support.len() == 1)
                .all(|p| p.stability == Stability::Unstable)
        );
    }

    #[test]
    fn coordination_game_has_an_unstable_interior_point() {
        let game = matrix(vec![vec![2.0, 0.0], vec![0.0, 1.0]]);
        let points = rest_points(&game).unwrap();
        let interior = points.iter().find(|p| p.support.len() == 2).unwrap();
        assert!((interior.frequencies[0] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(interior.stability, Stability::Unstable);
    }

    #[test]
    fn rock_paper_scissors_centre() {
        // Zero-sum RPS: the centre is a neutral centre (purely imaginary eigenvalues).
        let zero_sum = matrix(vec![
            vec![0.0, -1.0, 1.0],
            vec![1.0, 0.0, -1.0],
            vec![-1.0, 1.0, 0.0],
        ]);
        let points = rest_points(&zero_sum).unwrap();
        let centre = points.iter().find(|p| p.support.len() == 3).unwrap();
        for x in &centre.frequencies {
            assert!((x - 1.0 / 3.0).abs() < 1e-9);
        }
        assert_eq!(centre.stability, Stability::NonHyperbolic);
        // Lifting every payoff by 1e6 changes nothing (it labelled the
        // centre stable once).
        let lifted = matrix(vec![
            vec![1e6, 1e6 - 1.0, 1e6 + 1.0],
            vec![1e6 + 1.0, 1e6, 1e6 - 1.0],
            vec![1e6 - 1.0, 1e6 + 1.0, 1e6],
        ]);
        let centre = rest_points(&lifted)
            .unwrap()
            .into_iter()
            .find(|p| p.support.len() == 3)
            .unwrap();
        assert_eq!(centre.stability, Stability::NonHyperbolic);
        // Winning pays more than losing costs: the centre attracts.
        let stable = matrix(vec![
            vec![0.0, -1.0, 2.0],
            vec![2.0, 0.0, -1.0],
            vec![-1.0, 2.0, 0.0],
        ]);
        let centre = rest_points(&stable)
            .unwrap()
            .into_iter()
            .find(|p| p.support.len() == 3)
            .unwrap();
        assert_eq!(centre.stability, Stability::Stable);
        assert_eq!(points.len(), 4, "three vertices and the centre");
    }

    /// Two strategies that always earn the same rest at every mixture:
    /// the edge is named, and only its ends are listed (an outside review
    /// found four thousand grid points printed as rest points).
    #[test]
    fn an_edge_of_ties_is_named_not_listed_point_by_point() {
        let ties = matrix(vec![
            vec![1.0, 1.0, 0.0],
            vec![1.0, 1.0, 0.0],
            vec![0.0, 0.0, 0.5],
        ]);
        assert_eq!(resting_faces(&ties), [vec![0, 1]]);
        let points = rest_points(&ties).unwrap();
        assert!(points.len() < 10, "{} rest points", points.len());
        assert!(points.iter().all(|p| p.support != [0, 1]));
        let hawk_dove = matrix(vec![vec![-0.5, 2.0], vec![0.0, 1.0]]);
        assert!(resting_faces(&hawk_dove).is_empty());
    }

    /// A constant game rests everywhere: its whole simplex is named and no
    /// point inside it listed (an outside review found interior grid
    /// points listed as rest points), in matrix and group form alike.
    #[test]
    fn a_face_of_ties_is_named_not_listed_point_by_point() {
        let constant = matrix(vec![vec![2.0; 4]; 4]);
        assert_eq!(resting_faces(&constant), [vec![0, 1, 2, 3]]);
        let points = rest_points(&constant).unwrap();
        assert_eq!(points.len(), 4, "only the vertices: {points:?}");
        assert!(points.iter().all(|p| p.support.len() == 1));
        // Two strategies that tie with each other, beside a third that
        // does not: only their edge rests.
        let partial = matrix(vec![
            vec![1.0, 1.0, 3.0],
            vec![1.0, 1.0, 3.0],
            vec![0.0, 2.0, 0.5],
        ]);
        assert_eq!(resting_faces(&partial), [vec![0, 1]]);
    }

    /// The payoffs' level and unit change neither the rest points nor their
    /// stability; eigenvalues scale with the unit.
    #[test]
    fn rest_points_do_not_depend_on_the_payoffs_level_or_unit() {
        let rps = [[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]];
        let game = |unit: f64, shift: f64| {
            matrix(
                rps.iter()
                    .map(|row| row.iter().map(|v| v * unit + shift).collect())
                    .collect(),
            )
        };
        let reference = rest_points(&game(1.0, 0.0)).unwrap();
        assert_eq!(reference.len(), 4);
        for (unit, shift) in [
            (1e3, 0.0),
            (1e6, 0.0),
            (1e-6, 0.0),
            (1e-14, 0.0),
            (1.0, 1e6),
            (1e-3, 1e6),
        ] {
            let points = rest_points(&game(unit, shift)).unwrap();
            assert_eq!(points.len(), reference.len(), "unit {unit}, shift {shift}");
            assert!(resting_faces(&game(unit, shift)).is_empty());
            // Payoffs differing by `unit` at a level of 1e6 keep only
            // about 1e-10/unit of their differences: positions and
            // finite-difference eigenvalues lose as many digits.
            let lost = if shift > 0.0 { 1e-10 / unit } else { 1e-16 };
            for (p, q) in points.iter().zip(&reference) {
                assert!(distance(&p.frequencies, &q.frequencies) < 1e-9 + 10.0 * lost);
                assert_eq!(p.stability, q.stability, "unit {unit}, shift {shift}");
                for (a, b) in p.eigenvalues.iter().zip(&q.eigenvalues) {
                    assert!(
                        (a.0 - b.0 * unit).abs() < (1e-6 + 1e5 * lost) * unit,
                        "{a:?} vs {b:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn trajectory_stays_on_the_simplex() {
        let game = matrix(vec![
            vec![0.0, -1.0, 2.0],
            vec![2.0, 0.0, -1.0],
            vec![-1.0, 2.0, 0.0],
        ]);
        let path = trajectory(&game, &[0.6, 0.3, 0.1], 50.0, 0.01).unwrap();
        let (_, last) = path.last().unwrap();
        assert!((last.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for x in last {
            assert!((x - 1.0 / 3.0).abs() < 0.05, "{last:?}");
        }
    }

    #[test]
    fn trajectory_follows_the_logistic_solution() {
        // The prisoner's dilemma has f_C − f_D = −1 everywhere, so
        // x(t) = x₀e^{−t} / (1 − x₀ + x₀e^{−t}).
        let game = matrix(vec![vec![3.0, 0.0], vec![4.0, 1.0]]);
        let path = trajectory(&game, &[0.7, 0.3], 5.0, 0.25).unwrap();
        assert_eq!(path.len(), 21);
        for (t, x) in &path {
            let decay = 0.7 * (-t).exp();
            let exact = decay / (0.3 + decay);
            assert!((x[0] - exact).abs() < 1e-8, "t {t}: {} vs {exact}", x[0]);
        }
    }

    #[test]
    fn fast_dynamics_stay_in_their_basin() {
        // A coordination game: from x = 0.6 > ½ the first strategy takes over,
        // however large the payoffs (a fixed step of 0.01 overshot at 1e3).
        for scale in [10.0, 1e3, 1e4, 1e6] {
            let game = matrix(vec![vec![scale, 0.0], vec![0.0, scale]]);
            let path = trajectory(&game, &[0.6, 0.4], 5.0, 0.01).unwrap();
            let (t, last) = path.last().unwrap();
            assert_eq!(*t, 5.0);
            assert!(last[0] > 0.999, "payoff {scale}: {last:?}");
            let dip = path
                .windows(2)
                .map(|w| w[0].1[0] - w[1].1[0])
                .fold(0.0f64, f64::max);
            assert!(
                dip < 1e-8,
                "payoff {scale}: the share of the first strategy only grows (dip {dip})"
            );
        }
    }

    #[test]
    fn a_step_longer_than_the_duration_ends_at_the_duration() {
        let game = matrix(vec![vec![3.0, 0.0], vec![4.0, 1.0]]);
        let path = trajectory(&game, &[0.5, 0.5], 5.0, 1e9).unwrap();
        assert_eq!(path.len(), 2);
        let (t, x) = &path[1];
        assert_eq!(*t, 5.0);
        assert!(x.iter().all(|v| v.is_finite()), "{x:?}");
        let decay = 0.5 * (-5.0f64).exp();
        assert!((x[0] - decay / (0.5 + decay)).abs() < 1e-8, "{x:?}");
    }
}
