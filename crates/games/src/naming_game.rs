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
//!
//! [`tips`] integrates until the B speakers fall below 10⁻³ (tipped), the
//! state settles at a fixed point (not tipped), or `t` reaches [`HORIZON`].
//! The B-dominated fixed point vanishes in a saddle-node bifurcation at
//! `p = 0.0978891038`; just above it the population lingers near the
//! vanished point for about `5.4/√(p − 0.0978891038)` time units, so shares
//! less than about `7·10⁻⁸` above it do not tip within the horizon. Over the
//! horizon the critical share is `p_c = 0.0978891766` (eq. 1 integrated with
//! LSODA, relative tolerance 10⁻¹¹, to `t = 20 000`).

use crate::GameError;

/// Longest integration [`tips`] runs, the horizon of the reference value of `p_c`.
pub const HORIZON: f64 = 20_000.0;
/// Runge–Kutta step of [`tips`].
const STEP: f64 = 0.05;
/// Density of uncommitted B speakers below which the population has tipped.
const TIPPED: f64 = 1e-3;
/// Speed below which the state has settled at a fixed point: over 10⁴ times
/// slower than the slowest passage that still tips within the horizon.
const SETTLED: f64 = 1e-12;
/// Most Runge–Kutta steps [`densities_after`] takes.
const MAX_STEPS: f64 = 1e7;

/// `(dn_A/dt, dn_B/dt)` at `(n_A, n_B)` with committed share `p` (eq. 1).
fn velocity(p: f64, (a, b): (f64, f64)) -> (f64, f64) {
    let ab = (1.0 - p - a - b).max(0.0);
    (
        -a * b + ab * ab + a * ab + 1.5 * p * ab,
        -a * b + ab * ab + b * ab - p * b,
    )
}

/// One classical Runge–Kutta step of length `step`.
fn runge_kutta_step(p: f64, state: (f64, f64), step: f64) -> (f64, f64) {
    let k1 = velocity(p, state);
    let k2 = velocity(
        p,
        (state.0 + step / 2.0 * k1.0, state.1 + step / 2.0 * k1.1),
    );
    let k3 = velocity(
        p,
        (state.0 + step / 2.0 * k2.0, state.1 + step / 2.0 * k2.1),
    );
    let k4 = velocity(p, (state.0 + step * k3.0, state.1 + step * k3.1));
    (
        state.0 + step / 6.0 * (k1.0 + 2.0 * k2.0 + 2.0 * k3.0 + k4.0),
        state.1 + step / 6.0 * (k1.1 + 2.0 * k2.1 + 2.0 * k3.1 + k4.1),
    )
}

fn check_committed(committed: f64) -> Result<(), GameError> {
    if (0.0..1.0).contains(&committed) {
        Ok(())
    } else {
        Err(GameError::out_of_range(
            "committed share p",
            committed,
            "a share in [0, 1)",
        ))
    }
}

/// Densities `(n_A, n_B)` of uncommitted agents after integrating the
/// mean-field equations from everybody uncommitted saying B, for `duration`
/// time units with step `step` (classical Runge–Kutta).
pub fn densities_after(committed: f64, duration: f64, step: f64) -> Result<(f64, f64), GameError> {
    check_committed(committed)?;
    if !(step.is_finite() && step > 0.0) {
        return Err(GameError::out_of_range("step", step, "a finite number > 0"));
    }
    if !(duration >= 0.0 && duration / step <= MAX_STEPS) {
        return Err(GameError::out_of_range(
            "duration",
            duration,
            format!("a number ≥ 0 of at most 10⁷ steps of {step}"),
        ));
    }
    let mut state = (0.0, 1.0 - committed);
    for _ in 0..(duration / step).ceil() as usize {
        state = runge_kutta_step(committed, state, step);
    }
    Ok(state)
}

/// Whether a committed share `p` tips the population to A within
/// [`HORIZON`] (module docs).
pub fn tips(committed: f64) -> Result<bool, GameError> {
    check_committed(committed)?;
    let mut state = (0.0, 1.0 - committed);
    for _ in 0..(HORIZON / STEP).ceil() as usize {
        state = runge_kutta_step(committed, state, STEP);
        if state.1 < TIPPED {
            return Ok(true);
        }
        let (da, db) = velocity(committed, state);
        if da.abs().max(db.abs()) < SETTLED {
            return Ok(false);
        }
    }
    Ok(false)
}

/// The critical committed share by bisection on [`tips`] over `[0, ½]`:
/// the smallest share found to tip, within `tolerance` of the largest found
/// not to. So the share returned tips and the share `tolerance` below it
/// does not.
pub fn critical_share(tolerance: f64) -> Result<f64, GameError> {
    if tolerance.is_nan() || tolerance <= 0.0 {
        return Err(GameError::out_of_range(
            "tolerance",
            tolerance,
            "a number > 0",
        ));
    }
    let (mut low, mut high) = (0.0, 0.5);
    while high - low > tolerance {
        let middle = (low + high) / 2.0;
        // Below the spacing of doubles the bracket cannot shrink further.
        if middle <= low || middle >= high {
            break;
        }
        if tips(middle)? {
            high = middle;
        } else {
            low = middle;
        }
    }
    Ok(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Xie et al. (2011) give `p_c ≈ 0.0979`; the reference over the horizon
    /// is 0.0978891766 (module docs). Tolerance 2·10⁻⁹: the bisection's 10⁻⁹
    /// plus the reference's last digit (the Runge–Kutta boundary agrees with
    /// it to 10⁻¹⁰, with step 0.05 or 0.02).
    #[test]
    fn the_critical_committed_share_matches_the_reference() {
        let p_c = critical_share(1e-9).unwrap();
        assert!((p_c - 0.097_889_176_6).abs() < 2e-9, "{p_c}");
        assert!(!tips(0.09).unwrap());
        assert!(tips(0.11).unwrap());
    }

    #[test]
    fn the_critical_share_tips_and_a_tolerance_below_it_does_not() {
        for tolerance in [1e-5, 1e-7] {
            let p_c = critical_share(tolerance).unwrap();
            assert!(tips(p_c).unwrap(), "tolerance {tolerance}: {p_c}");
            assert!(
                !tips(p_c - tolerance).unwrap(),
                "tolerance {tolerance}: {p_c}"
            );
        }
        // Reported as not tipping when the integration stopped at t = 4000.
        assert!(tips(0.097_890_5).unwrap());
    }

    #[test]
    fn bad_parameters_are_named() {
        assert_eq!(
            tips(1.0).unwrap_err().to_string(),
            "parameter committed share p = 1 is out of range: a share in [0, 1)"
        );
        assert_eq!(
            critical_share(0.0).unwrap_err().to_string(),
            "parameter tolerance = 0 is out of range: a number > 0"
        );
        assert!(densities_after(0.1, 10.0, 0.0).is_err());
        assert!(densities_after(0.1, 1e9, 0.01).is_err());
    }
}
