//! A lab's utility, the quantity its learning compares (`docs/model.md`,
//! section 8), written once for every path of the simulator:
//!
//! ```text
//! U_i = payoff_i − ρ_i·loss_i − [unsafe_i ∧ E_i ≥ e_i ∧ N_i ≥ n_i]·k_i·L_t + w·(score_i − mean score)
//! ```
//!
//! with `ρ_i` the type's `risk_aversion` and `loss_i` its own loss from its
//! disaster; the norm term (section 6) with `k_i` = `norm_sensitivity`, the
//! empirical and normative expectations `E_i`, `N_i` against the type's
//! thresholds and the norm loss `L_t` (zero where the protocol has no
//! social-norms mechanism); and praise and blame with `w` = `praise_weight`
//! where the protocol publishes a leaderboard (zero otherwise).

use crate::world::LabType;

/// Everything a lab's utility depends on besides its type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct UtilityTerms {
    /// Material payoff per period (race, disasters, credits, bribes).
    pub payoff: f64,
    /// The lab's own loss from its disaster, per period.
    pub own_loss: f64,
    /// Whether it developed unsafely (violated the norm).
    pub developed_unsafely: bool,
    /// Empirical and normative expectations `(E_i, N_i)`.
    pub expectations: (f64, f64),
    /// `L_t`: what one violator of its type takes from complying labs.
    pub norm_loss: f64,
    /// `w·(score_i − mean score)`, 0 without a leaderboard.
    pub praise: f64,
}

/// Whether the norm binds a lab of type `t` with expectations `(E, N)`.
pub(crate) fn norm_binds(t: &LabType, (empirical, normative): (f64, f64)) -> bool {
    empirical >= t.empirical_threshold && normative >= t.normative_threshold
}

/// `U_i` (module docs).
pub(crate) fn utility(t: &LabType, terms: &UtilityTerms) -> f64 {
    let norm_cost = if terms.developed_unsafely && norm_binds(t, terms.expectations) {
        t.norm_sensitivity * terms.norm_loss
    } else {
        0.0
    };
    terms.payoff - t.risk_aversion * terms.own_loss - norm_cost + terms.praise
}
