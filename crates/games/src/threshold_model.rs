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
use crate::normal::cdf;

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

/// Limit on the mean-field iteration (it converges monotonically).
const MAX_ITERATIONS: usize = 1_000_000;

/// The mean-field equilibrium share acting when thresholds (as shares) are
/// normal with `mean` and `spread` (standard deviation > 0).
pub fn normal_equilibrium_share(mean: f64, spread: f64) -> Result<f64, GameError> {
    if !(mean.is_finite() && spread.is_finite() && spread > 0.0) {
        return Err(GameError::InvalidModel(format!(
            "normal thresholds need a finite mean and a spread > 0 (got {mean}, {spread})"
        )));
    }
    let share = |r: f64| cdf((r - mean) / spread);
    let mut r = 0.0;
    for _ in 0..MAX_ITERATIONS {
        let next = share(r);
        if (next - r).abs() <= 1e-13 {
            return Ok(next);
        }
        r = next;
    }
    Ok(r)
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
}
