//! Inspection games: how often a monitor must inspect, and what committing
//! to an inspection rate is worth.
//!
//! Source: R. Avenhaus, B. von Stengel, S. Zamir, "Inspection games",
//! Handbook of Game Theory vol. 3, ch. 51 (2002), sections 2–3; M. Dresher,
//! "A sampling inspection problem in arms control agreements: a
//! game-theoretic analysis", RAND RM-2972-ARPA (1962).
//!
//! **One inspection** ([`InspectionGame`]). The inspectee acts legally or
//! violates; the inspector inspects or not. Payoffs (inspector, inspectee):
//! legal & no inspection (0, 0); legal & inspection (−e, 0); violation not
//! inspected (−c, b); violation inspected, hence detected, (−a, −f), with
//! `0 < e < c`, `a < c`, `b, f > 0`. No pure equilibrium exists; the mixed one
//! makes each side indifferent:
//!
//! ```text
//! inspection probability  p* = b / (b + f)
//! violation probability   q* = e / (e + c − a)
//! inspector's payoff      −c·q*      inspectee's payoff   0
//! ```
//!
//! **Inspector leadership.** An inspector who announces and keeps `p ≥ p*`
//! makes legal behaviour a best response (ties resolved in the leader's
//! favour) and earns `−e·p*`; below `p*` the inspectee violates and the
//! inspector earns at best (as `p → p*`) `−(a·p* + c·(1 − p*))`. The leader
//! takes the better of the two:
//!
//! ```text
//! leader's payoff  max(−e·p*, −(a·p* + c·(1 − p*)))  ≥  −c·q*
//! ```
//!
//! It deters (commits to `p*` and sees no violation) exactly when
//! `e·p* ≤ a·p* + c·(1 − p*)`; then deterrence needs a credible commitment,
//! not more inspections. When inspections are dear against what a violation
//! costs the inspector, it is better to tolerate violations than to deter them.
//!
//! **Dresher's recursive game** ([`dresher`]). Over `n` periods the inspector
//! has `m ≤ n` inspections and the inspectee may violate once. Zero-sum, the
//! inspectee's payoff is 1 for an undetected violation, `−detected_loss` for a
//! detected one (Dresher: 1) and 0 without violation. Its value solves
//!
//! ```text
//! v(n, m) = val [ −detected_loss      1
//!                  v(n−1, m−1)    v(n−1, m) ],   v(n, n) = 0,  v(n, 0) = 1,
//! ```
//!
//! rows violate / wait, columns inspect / not. With `detected_loss = 1`,
//! `v(n, m) = C(n−1, m) / Σ_{i=0}^{m} C(n, i)` (Dresher 1962); with
//! `detected_loss = 0`, `v(n, m) = (n − m)/n`.

use crate::GameError;
use serde::Serialize;

/// The one-shot inspection game; parameters as in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InspectionGame {
    /// `e`: the inspector's cost of an inspection of a legal inspectee.
    pub inspection_cost: f64,
    /// `c`: the inspector's loss from an undetected violation.
    pub undetected_loss: f64,
    /// `a`: the inspector's loss from a detected violation (`a < c`).
    pub detected_loss: f64,
    /// `b`: the inspectee's gain from an undetected violation.
    pub violation_gain: f64,
    /// `f`: the inspectee's penalty when a violation is detected.
    pub penalty: f64,
}

/// Equilibrium and leadership outcome of an [`InspectionGame`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InspectionEquilibrium {
    /// `p*`: probability of inspection in the simultaneous game.
    pub inspection_probability: f64,
    /// `q*`: probability of violation in the simultaneous game.
    pub violation_probability: f64,
    /// The inspector's payoff in the simultaneous game, `−c·q*`.
    pub inspector_payoff: f64,
    /// The inspector's payoff when it commits to an inspection rate first:
    /// `max(−e·p*, −(a·p* + c·(1 − p*)))`.
    pub inspector_payoff_as_leader: f64,
    /// Whether the leader deters (`e·p* ≤ a·p* + c·(1 − p*)`): it commits to
    /// `p*` and the inspectee stays legal; otherwise it tolerates violations.
    pub leader_deters: bool,
}

impl InspectionGame {
    /// Checks `0 < e < c`, `a < c` and `b, f > 0`, all finite; the first
    /// parameter out of range is named in the error.
    pub fn new(
        inspection_cost: f64,
        undetected_loss: f64,
        detected_loss: f64,
        violation_gain: f64,
        penalty: f64,
    ) -> Result<Self, GameError> {
        if !(inspection_cost.is_finite() && inspection_cost > 0.0) {
            return Err(GameError::out_of_range(
                "inspection cost e",
                inspection_cost,
                "a finite number > 0",
            ));
        }
        if !(undetected_loss.is_finite() && undetected_loss > inspection_cost) {
            return Err(GameError::out_of_range(
                "undetected loss c",
                undetected_loss,
                format!(
                    "a finite number above the inspection cost e = {inspection_cost} (the model assumes an inspection costs less than an undetected violation)"
                ),
            ));
        }
        if !(detected_loss.is_finite() && detected_loss < undetected_loss) {
            return Err(GameError::out_of_range(
                "detected loss a",
                detected_loss,
                format!(
                    "a finite number below the undetected loss c = {undetected_loss} (a detected violation must cost the inspector less than an undetected one)"
                ),
            ));
        }
        for (name, value) in [("violation gain b", violation_gain), ("penalty f", penalty)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(GameError::out_of_range(name, value, "a finite number > 0"));
            }
        }
        Ok(Self {
            inspection_cost,
            undetected_loss,
            detected_loss,
            violation_gain,
            penalty,
        })
    }

    /// The mixed equilibrium and the leadership payoff (module docs).
    pub fn equilibrium(&self) -> InspectionEquilibrium {
        let (e, c, a, b, f) = (
            self.inspection_cost,
            self.undetected_loss,
            self.detected_loss,
            self.violation_gain,
            self.penalty,
        );
        // In ratio form: b + f overflows to infinity for values near f64::MAX
        // (an outside review got p* = 0 for b = f = 1e308).
        let p = 1.0 / (1.0 + f / b);
        let q = 1.0 / (1.0 + (c - a) / e);
        let deterring = -e * p;
        let tolerating = -(a * p + c * (1.0 - p));
        InspectionEquilibrium {
            inspection_probability: p,
            violation_probability: q,
            inspector_payoff: -c * q,
            inspector_payoff_as_leader: deterring.max(tolerating),
            leader_deters: deterring >= tolerating,
        }
    }
}

/// Dresher's game at one `(n, m)`: its value and the first period's equilibrium.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DresherValue {
    /// Periods remaining.
    pub periods: u32,
    /// Inspections remaining.
    pub inspections: u32,
    /// The inspectee's equilibrium payoff `v(n, m)`.
    pub value: f64,
    /// Probability that the inspectee violates now.
    pub violation_probability: f64,
    /// Probability that the inspector inspects now.
    pub inspection_probability: f64,
}

/// Largest number of periods [`dresher`] accepts (the table is `O(n·m)`).
pub const DRESHER_MAX_PERIODS: u32 = 100_000;

/// Value and first-period strategies of Dresher's game with `periods`
/// periods and `inspections` inspections (module docs).
pub fn dresher(
    periods: u32,
    inspections: u32,
    detected_loss: f64,
) -> Result<DresherValue, GameError> {
    if periods == 0 || periods > DRESHER_MAX_PERIODS || inspections > periods {
        return Err(GameError::InvalidModel(format!(
            "Dresher's game needs 1 ≤ n ≤ {DRESHER_MAX_PERIODS} periods and 0 ≤ m ≤ n inspections (got n = {periods}, m = {inspections})"
        )));
    }
    if !(detected_loss.is_finite() && detected_loss >= 0.0) {
        return Err(GameError::InvalidModel(format!(
            "the loss of a detected violation must be a finite number ≥ 0 (got {detected_loss})"
        )));
    }
    let m_max = inspections as usize;
    // values[m] = v(n', m) for the current n'; v(0, 0) = 0 (nothing left to do).
    let mut values = vec![0.0; m_max + 1];
    let mut first = (0.0, 0.0);
    for n in 1..=periods as usize {
        let mut next = vec![0.0; m_max + 1];
        for (m, slot) in next.iter_mut().enumerate() {
            let (value, violate, inspect) = if m >= n {
                (0.0, 0.0, 1.0)
            } else if m == 0 {
                (1.0, 1.0, 0.0)
            } else {
                solve_2x2_zero_sum(-detected_loss, 1.0, values[m - 1], values[m])
            };
            *slot = value;
            if n == periods as usize && m == m_max {
                first = (violate, inspect);
            }
        }
        values = next;
    }
    Ok(DresherValue {
        periods,
        inspections,
        value: values[m_max],
        violation_probability: first.0,
        inspection_probability: first.1,
    })
}

/// Value of the zero-sum game `[[x, y], [z, w]]` for the row player, with the
/// probability of row 0 and of column 0. Dresher's game never has a saddle
/// point: waiting beats violating against an inspection (`x < z`) and
/// violating beats waiting against none (`w < y`).
fn solve_2x2_zero_sum(x: f64, y: f64, z: f64, w: f64) -> (f64, f64, f64) {
    debug_assert!(x < z && w < y, "Dresher's stage game has no saddle point");
    let denominator = x + w - y - z;
    let value = (x * w - y * z) / denominator;
    let row = (w - z) / denominator;
    let column = (w - y) / denominator;
    (value, row, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binomial(n: u64, k: u64) -> f64 {
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn the_mixed_equilibrium_makes_both_sides_indifferent() {
        let game = InspectionGame::new(1.0, 10.0, 2.0, 4.0, 6.0).unwrap();
        let eq = game.equilibrium();
        let (p, q) = (eq.inspection_probability, eq.violation_probability);
        // Inspectee: violating pays (1 − p)b − p f, legal pays 0.
        assert!(((1.0 - p) * 4.0 - p * 6.0).abs() < 1e-12);
        // Inspector: inspecting pays −e(1 − q) − a q, not inspecting −c q.
        assert!((-(1.0 - q) - 2.0 * q - (-10.0 * q)).abs() < 1e-12);
        assert!((p - 0.4).abs() < 1e-15 && (q - 1.0 / 9.0).abs() < 1e-15);
        assert!((eq.inspector_payoff + 10.0 / 9.0).abs() < 1e-12);
        // Leadership: −e p* = −0.4 beats −c q* = −1.11.
        assert!(eq.inspector_payoff_as_leader > eq.inspector_payoff);
    }

    #[test]
    fn leading_is_never_worse_than_the_simultaneous_game() {
        // Costly inspections against a cheap detected violation: tolerating
        // beats deterring, −(0.1·p* + 1·(1 − p*)) = −0.10891 > −0.9·p*.
        let dear = InspectionGame::new(0.9, 1.0, 0.1, 1.0, 0.01)
            .unwrap()
            .equilibrium();
        assert!(!dear.leader_deters);
        assert!((dear.inspector_payoff_as_leader + 0.108_910_891_089_108_9).abs() < 1e-12);
        for e in [0.1, 0.5, 0.9] {
            for a in [-1.0, 0.0, 0.5] {
                for (b, f) in [(1.0, 0.01), (1.0, 1.0), (0.1, 5.0)] {
                    let eq = InspectionGame::new(e, 1.0, a, b, f).unwrap().equilibrium();
                    let p = eq.inspection_probability;
                    // The leader's best commitment over a fine grid of rates,
                    // with ties at p* resolved in its favour.
                    let best = (0..=10_000)
                        .map(|k| k as f64 / 10_000.0)
                        .chain([p])
                        .map(|x| {
                            let violate = (1.0 - x) * b - x * f > 0.0;
                            if violate {
                                -(a * x + (1.0 - x))
                            } else {
                                -e * x
                            }
                        })
                        .fold(f64::NEG_INFINITY, f64::max);
                    assert!(
                        (eq.inspector_payoff_as_leader - best).abs() < 1e-3,
                        "e {e}, a {a}"
                    );
                    assert!(eq.inspector_payoff_as_leader >= eq.inspector_payoff - 1e-12);
                }
            }
        }
    }

    #[test]
    fn dresher_values_match_the_closed_form() {
        for n in 1..=30u32 {
            for m in 0..=n {
                let v = dresher(n, m, 1.0).unwrap().value;
                let total: f64 = (0..=m).map(|i| binomial(n as u64, i as u64)).sum();
                let expected = binomial(n as u64 - 1, m as u64) / total;
                assert!(
                    (v - expected).abs() < 1e-12,
                    "v({n}, {m}) = {v}, expected {expected}"
                );
                let free = dresher(n, m, 0.0).unwrap().value;
                assert!((free - f64::from(n - m) / f64::from(n)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn dresher_small_cases_by_hand() {
        // v(2, 1) = val [[−1, 1], [1, 0]] = 1/3, violating with probability 1/3.
        let d = dresher(2, 1, 1.0).unwrap();
        assert!((d.value - 1.0 / 3.0).abs() < 1e-15);
        assert!((d.violation_probability - 1.0 / 3.0).abs() < 1e-15);
        assert!((d.inspection_probability - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn each_bad_parameter_is_named_with_its_value_and_domain() {
        for (game, message) in [
            (
                InspectionGame::new(0.0, 10.0, 2.0, 4.0, 6.0),
                "parameter inspection cost e = 0 is out of range: a finite number > 0",
            ),
            (
                InspectionGame::new(5.0, 1.0, 0.0, 1.0, 1.0),
                "parameter undetected loss c = 1 is out of range: a finite number above the inspection cost e = 5 (the model assumes an inspection costs less than an undetected violation)",
            ),
            (
                InspectionGame::new(1.0, 10.0, 12.0, 4.0, 6.0),
                "parameter detected loss a = 12 is out of range: a finite number below the undetected loss c = 10 (a detected violation must cost the inspector less than an undetected one)",
            ),
            (
                InspectionGame::new(1.0, 10.0, 2.0, f64::NAN, 6.0),
                "parameter violation gain b = NaN is out of range: a finite number > 0",
            ),
            (
                InspectionGame::new(1.0, 10.0, 2.0, 4.0, -6.0),
                "parameter penalty f = -6 is out of range: a finite number > 0",
            ),
        ] {
            assert_eq!(game.unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn bad_dresher_parameters_are_errors() {
        assert!(dresher(3, 4, 1.0).is_err());
        assert!(dresher(0, 0, 1.0).is_err());
        assert!(dresher(3, 1, f64::NAN).is_err());
    }

    #[test]
    fn equilibria_at_the_largest_values_do_not_overflow() {
        let big = InspectionGame::new(1e308, 1.5e308, 0.0, 1e308, 1e308).unwrap();
        let equilibrium = big.equilibrium();
        assert_eq!(equilibrium.inspection_probability, 0.5);
        assert!((equilibrium.violation_probability - 0.4).abs() < 1e-15);
    }
}
