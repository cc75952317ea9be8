//! Granovetter's threshold model of collective behaviour.
//!
//! Source: M. Granovetter, "Threshold models of collective behavior",
//! American Journal of Sociology 83(6), 1420–1443 (1978).
//!
//! Each actor acts once at least its threshold of others have acted. With
//! thresholds `t_i` (numbers of others) the process starting from nobody
//! acting is
//!
//! ```text
//! r₀ = 0,   r_{k+1} = #{i : t_i ≤ r_k},
//! ```
//!
//! which rises to the least fixed point `r* = #{i : t_i ≤ r*}`: the
//! equilibrium number acting. Granovetter's example: thresholds 0, 1, …, 99
//! bring all 100 out; replacing the threshold 1 by 2 stops the cascade at 1.
//! In the mean-field version thresholds are shares with distribution
//! function `F`, and `r_{k+1} = F(r_k)` rises to the least root of `r = F(r)`;
//! with normally distributed thresholds the equilibrium jumps as the spread
//! of thresholds grows (Granovetter's figure 2): a norm can tip from nobody
//! to nearly everybody through a small change in the distribution.

use crate::GameError;
use crate::normal::{cdf, pdf};

/// The equilibrium number of actors for thresholds given as numbers of
/// others who must act first (finite population).
pub fn cascade_size(thresholds: &[f64]) -> Result<usize, GameError> {
    if thresholds.iter().any(|t| t.is_nan()) {
        return Err(GameError::InvalidModel("thresholds must be numbers".into()));
    }
    let mut sorted = thresholds.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut acting = 0usize;
    loop {
        let next = sorted.partition_point(|&t| t <= acting as f64);
        if next == acting {
            return Ok(acting);
        }
        acting = next;
    }
}

/// Bisection steps: enough to shrink [0, 1] below one ulp of any share.
const BISECTION_STEPS: usize = 200;

/// The mean-field equilibrium share acting when thresholds (as shares) are
/// normal with `mean` and `spread` (standard deviation > 0): the least root
/// of `g(r) = F(r) − r` on [0, 1].
///
/// Iterating `r ← F(r)` from 0 reaches it, but near the critical spread it
/// crawls through the bottleneck where a root pair has just vanished, with
/// steps as small as the distance to criticality. Instead the root is found
/// from the shape of `g`: convex below the mean (where `F` is) and concave
/// above it, with `g(0) = F(0) > 0` and `g(1) = F(1) − 1 < 0`. If the minimum
/// of the convex part is ≤ 0 the least root lies before that minimum, where
/// `g` falls; otherwise it is the one crossing of the concave part.
pub fn normal_equilibrium_share(mean: f64, spread: f64) -> Result<f64, GameError> {
    if !(mean.is_finite() && spread.is_finite() && spread > 0.0) {
        return Err(GameError::InvalidModel(format!(
            "normal thresholds need a finite mean and a spread > 0 (got {mean}, {spread})"
        )));
    }
    let g = |r: f64| cdf((r - mean) / spread) - r;
    let slope = |r: f64| pdf((r - mean) / spread) / spread - 1.0;
    let convex_end = mean.clamp(0.0, 1.0);
    // g' rises on the convex part: its minimum is where g' crosses 0.
    let minimum_at = if slope(convex_end) <= 0.0 {
        convex_end
    } else if slope(0.0) >= 0.0 {
        0.0
    } else {
        bisect(0.0, convex_end, |r| slope(r) >= 0.0)
    };
    let least_root = if g(minimum_at) <= 0.0 {
        bisect(0.0, minimum_at, |r| g(r) <= 0.0)
    } else {
        bisect(minimum_at, 1.0, |r| g(r) <= 0.0)
    };
    Ok(cdf((least_root - mean) / spread))
}

/// The least point of `[low, high]` where a monotone `past` turns true
/// (`past(high)` is assumed).
fn bisect(mut low: f64, mut high: f64, past: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..BISECTION_STEPS {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if past(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    high
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granovetter_riot_example() {
        let uniform: Vec<f64> = (0..100).map(f64::from).collect();
        assert_eq!(cascade_size(&uniform).unwrap(), 100);
        let mut broken = uniform.clone();
        broken[1] = 2.0;
        assert_eq!(cascade_size(&broken).unwrap(), 1);
        assert_eq!(cascade_size(&[1.0, 1.0, 2.0]).unwrap(), 0);
    }

    #[test]
    fn the_mean_field_equilibrium_is_a_fixed_point_and_jumps_with_the_spread() {
        let mean = 0.25;
        let mut previous: f64 = 0.0;
        let mut largest_jump: f64 = 0.0;
        for step in 1..=200 {
            let spread = 0.001 * f64::from(step);
            let r = normal_equilibrium_share(mean, spread).unwrap();
            assert!((r - cdf((r - mean) / spread)).abs() < 1e-9);
            largest_jump = largest_jump.max(r - previous);
            previous = r;
        }
        // From almost nobody to almost everybody within a 0.001 change of spread.
        assert!(largest_jump > 0.7, "{largest_jump}");
    }

    /// The least fixed point by its definition: a root of `F(r) = r` with
    /// `F(x) > x` at every grid point below it.
    fn assert_least_fixed_point(mean: f64, spread: f64) -> f64 {
        let r = normal_equilibrium_share(mean, spread).unwrap();
        let g = |x: f64| cdf((x - mean) / spread) - x;
        assert!(
            g(r).abs() < 1e-12,
            "mean {mean}, spread {spread}: g({r}) = {}",
            g(r)
        );
        for k in 0..100_000 {
            let x = r * f64::from(k) / 100_000.0;
            assert!(
                x >= r || g(x) > 0.0,
                "mean {mean}, spread {spread}: root before {r} near {x}"
            );
        }
        r
    }

    #[test]
    fn the_least_fixed_point_holds_right_at_the_critical_spread() {
        // The tipping spread for mean 0.25, where the low root pair vanishes.
        let tips = |spread: f64| normal_equilibrium_share(0.25, spread).unwrap() > 0.5;
        let (mut below, mut above) = (0.05, 0.2);
        assert!(!tips(below) && tips(above));
        for _ in 0..200 {
            let middle = 0.5 * (below + above);
            if tips(middle) {
                above = middle;
            } else {
                below = middle;
            }
        }
        // Iterating r ← F(r) stalled in the bottleneck within 1e-13 of here.
        for offset in [1e-13, 1e-11, 1e-9, 1e-6] {
            assert!(assert_least_fixed_point(0.25, below - offset) < 0.5);
            assert!(assert_least_fixed_point(0.25, above + offset) > 0.5);
        }
        for (mean, spread) in [
            (-0.5, 0.1),
            (0.5, 0.3),
            (1.5, 0.2),
            (0.0, 1e-3),
            (2.0, 1e-3),
            (0.3, 5.0),
        ] {
            assert_least_fixed_point(mean, spread);
        }
        // Means so far out that the scaled threshold is infinite.
        assert_eq!(normal_equilibrium_share(1e308, 0.5).unwrap(), 0.0);
        assert_eq!(normal_equilibrium_share(-1e308, 0.5).unwrap(), 1.0);
    }
}
