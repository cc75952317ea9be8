//! Tipping a convention with a committed minority: the binary naming game.
//!
//! Source: J. Xie, S. Sreenivasan, G. Korniss, W. Zhang, C. Lim,
//! B. K. Szymanski, "Social consensus through the influence of committed
//! minorities", Physical Review E 84, 011130 (2011).
//!
//! Agents hold the word A, the word B, or both (AB); a share `p` is committed
//! to A and never changes. A random speaker utters one of its words (AB says
//! either at random) to a random listener; if the listener knows the word
//! both keep only it, otherwise the listener adds it. The mean-field
//! densities of the uncommitted agents follow (eq. 1 of the source)
//!
//! ```text
//! dn_A/dt = −n_A n_B + n_AB² + n_A n_AB + (3/2) p n_AB
//! dn_B/dt = −n_A n_B + n_AB² + n_B n_AB − p n_B,     n_AB = 1 − p − n_A − n_B.
//! ```
//!
//! Starting from everybody else saying B, the population stays B-dominated
//! below a critical committed share `p_c ≈ 0.0979` and tips to A above it.
//! Read for Accord: how large a committed core of safety-first labs must be
//! before a safety norm becomes everybody's.

use crate::GameError;

/// Densities `(n_A, n_B)` of uncommitted agents after integrating the
/// mean-field equations from everybody uncommitted saying B, for `duration`
/// time units with step `step` (classical Runge–Kutta).
pub fn densities_after(committed: f64, duration: f64, step: f64) -> Result<(f64, f64), GameError> {
    if !(0.0..1.0).contains(&committed) {
        return Err(GameError::InvalidModel(format!(
            "the committed share must be in [0, 1) (got {committed})"
        )));
    }
    if !(step > 0.0 && duration >= 0.0 && duration / step <= 1e7) {
        return Err(GameError::InvalidModel(
            "integration needs step > 0, duration ≥ 0 and at most 10⁷ steps".into(),
        ));
    }
    let p = committed;
    let velocity = |(a, b): (f64, f64)| {
        let ab = (1.0 - p - a - b).max(0.0);
        (
            -a * b + ab * ab + a * ab + 1.5 * p * ab,
            -a * b + ab * ab + b * ab - p * b,
        )
    };
    let mut state = (0.0, 1.0 - p);
    let steps = (duration / step).ceil() as usize;
    for _ in 0..steps {
        let k1 = velocity(state);
        let k2 = velocity((state.0 + step / 2.0 * k1.0, state.1 + step / 2.0 * k1.1));
        let k3 = velocity((state.0 + step / 2.0 * k2.0, state.1 + step / 2.0 * k2.1));
        let k4 = velocity((state.0 + step * k3.0, state.1 + step * k3.1));
        state.0 += step / 6.0 * (k1.0 + 2.0 * k2.0 + 2.0 * k3.0 + k4.0);
        state.1 += step / 6.0 * (k1.1 + 2.0 * k2.1 + 2.0 * k3.1 + k4.1);
    }
    Ok(state)
}

/// Whether a committed share `p` tips the population to A: after a long
/// integration the uncommitted B speakers are gone.
pub fn tips(committed: f64) -> Result<bool, GameError> {
    let (_, b) = densities_after(committed, 4000.0, 0.05)?;
    Ok(b < 1e-3)
}

/// The critical committed share, by bisection on [`tips`] to `tolerance`.
pub fn critical_share(tolerance: f64) -> Result<f64, GameError> {
    let (mut low, mut high) = (0.0, 0.5);
    if tolerance.is_nan() || tolerance <= 0.0 {
        return Err(GameError::InvalidModel("the tolerance must be > 0".into()));
    }
    while high - low > tolerance {
        let middle = (low + high) / 2.0;
        if tips(middle)? {
            high = middle;
        } else {
            low = middle;
        }
    }
    Ok((low + high) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_critical_committed_share_matches_xie_et_al() {
        let p_c = critical_share(1e-4).unwrap();
        assert!((p_c - 0.0979).abs() < 5e-4, "{p_c}");
        assert!(!tips(0.09).unwrap());
        assert!(tips(0.11).unwrap());
    }
}
