//! Information cascades: rational herding on others' actions.
//!
//! Source: S. Bikhchandani, D. Hirshleifer, I. Welch, "A theory of fads,
//! fashion, custom, and cultural change as informational cascades", Journal
//! of Political Economy 100(5), 992–1026 (1992).
//!
//! The value of adopting is high or low with equal prior probability. Agents
//! decide in turn; each sees a private signal that is right with probability
//! `p ∈ (½, 1)` and every predecessor's action, adopts when the posterior of
//! "high" exceeds ½, rejects below, and flips a fair coin when indifferent.
//! Until a cascade starts each pair of agents either acts alike — after which
//! everybody ignores their own signal — or splits and leaves the public
//! belief where it was. With the value high, after `2n` agents
//!
//! ```text
//! P(no cascade)      = (p − p²)ⁿ
//! P(correct cascade) = p(p + 1)(1 − (p − p²)ⁿ) / (2(1 − p + p²))
//! P(wrong cascade)   = (p − 2)(p − 1)(1 − (p − p²)ⁿ) / (2(1 − p + p²))
//! ```
//!
//! so a cascade starts almost at once and is wrong with a probability that
//! stays far from 0 even for accurate signals. [`exact`] computes the same
//! probabilities by Bayesian updating over every history of actions,
//! independently of the pair argument; the tests check one against the other.

use crate::GameError;
use serde::Serialize;

/// Cascade probabilities after a number of agents, when the value is high.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CascadeOdds {
    /// Agents who have decided.
    pub agents: u32,
    /// Probability that everybody from now on adopts whatever their signal.
    pub correct: f64,
    /// Probability that everybody from now on rejects whatever their signal.
    pub wrong: f64,
    /// Probability that the next agent still follows its own signal.
    pub none: f64,
}

fn check_accuracy(accuracy: f64) -> Result<(), GameError> {
    if accuracy > 0.5 && accuracy < 1.0 {
        Ok(())
    } else {
        Err(GameError::InvalidModel(format!(
            "signal accuracy p must be strictly between 1/2 and 1 (got {accuracy})"
        )))
    }
}

/// The closed form (module docs) after `2n` agents.
pub fn closed_form(accuracy: f64, pairs: u32) -> Result<CascadeOdds, GameError> {
    check_accuracy(accuracy)?;
    let p = accuracy;
    let split = (p - p * p).powi(pairs as i32);
    let scale = (1.0 - split) / (2.0 * (1.0 - p + p * p));
    Ok(CascadeOdds {
        agents: 2 * pairs,
        correct: p * (p + 1.0) * scale,
        wrong: (p - 2.0) * (p - 1.0) * scale,
        none: split,
    })
}

/// Most agents [`exact`] enumerates (it visits every history of actions).
pub const EXACT_MAX_AGENTS: u32 = 20;

/// Cascade probabilities after `agents` agents by Bayesian updating over
/// every history of actions (module docs).
pub fn exact(accuracy: f64, agents: u32) -> Result<CascadeOdds, GameError> {
    check_accuracy(accuracy)?;
    if agents > EXACT_MAX_AGENTS {
        return Err(GameError::InvalidModel(format!(
            "exact enumeration is limited to {EXACT_MAX_AGENTS} agents (got {agents}); use the closed form"
        )));
    }
    let p = accuracy;
    // Each history carries its probability under each value (high, low).
    let mut histories = vec![(1.0f64, 1.0f64)];
    for _ in 0..agents {
        let mut next = Vec::with_capacity(histories.len() * 2);
        for &(high, low) in &histories {
            let (adopt_high, adopt_low) = adoption_probabilities(p, high, low);
            next.push((high * adopt_high, low * adopt_low));
            next.push((high * (1.0 - adopt_high), low * (1.0 - adopt_low)));
        }
        histories = next;
    }
    let mut odds = CascadeOdds {
        agents,
        correct: 0.0,
        wrong: 0.0,
        none: 0.0,
    };
    for &(high, low) in &histories {
        match cascade(p, high, low) {
            Some(true) => odds.correct += high,
            Some(false) => odds.wrong += high,
            None => odds.none += high,
        }
    }
    Ok(odds)
}

/// The decision after a history with likelihoods `high`, `low` and a signal
/// pointing high or low: 1 adopt, 0 reject, ½ coin flip.
fn decision(p: f64, high: f64, low: f64, signal_high: bool) -> f64 {
    let (for_high, for_low) = if signal_high {
        (high * p, low * (1.0 - p))
    } else {
        (high * (1.0 - p), low * p)
    };
    let tolerance = 1e-12 * (for_high + for_low);
    if for_high > for_low + tolerance {
        1.0
    } else if for_low > for_high + tolerance {
        0.0
    } else {
        0.5
    }
}

/// Probability of adopting under each value, given the history's likelihoods.
fn adoption_probabilities(p: f64, high: f64, low: f64) -> (f64, f64) {
    let (with_high, with_low) = (decision(p, high, low, true), decision(p, high, low, false));
    (
        p * with_high + (1.0 - p) * with_low,
        (1.0 - p) * with_high + p * with_low,
    )
}

/// `Some(true)` if the next agent adopts whatever its signal, `Some(false)`
/// if it rejects whatever its signal, `None` if its signal decides.
fn cascade(p: f64, high: f64, low: f64) -> Option<bool> {
    match (decision(p, high, low, true), decision(p, high, low, false)) {
        (a, b) if a == 1.0 && b == 1.0 => Some(true),
        (a, b) if a == 0.0 && b == 0.0 => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bayesian_enumeration_reproduces_the_closed_form() {
        for p in [0.55, 0.6, 0.75, 0.9, 0.99] {
            for pairs in 1..=8 {
                let exact = exact(p, 2 * pairs).unwrap();
                let closed = closed_form(p, pairs).unwrap();
                assert!(
                    (exact.correct - closed.correct).abs() < 1e-12,
                    "p = {p}, n = {pairs}"
                );
                assert!((exact.wrong - closed.wrong).abs() < 1e-12);
                assert!((exact.none - closed.none).abs() < 1e-12);
                assert!((exact.correct + exact.wrong + exact.none - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn wrong_cascades_persist_with_accurate_signals() {
        // In the limit the wrong cascade keeps (p − 2)(p − 1)/(2(1 − p + p²)).
        let limit = closed_form(0.8, 1000).unwrap();
        assert!((limit.wrong - (1.2 * 0.2) / (2.0 * 0.84)).abs() < 1e-12);
        assert!(limit.wrong > 0.14);
    }

    #[test]
    fn bad_accuracy_is_an_error() {
        assert!(closed_form(0.5, 3).is_err());
        assert!(exact(1.0, 3).is_err());
        assert!(exact(0.7, 21).is_err());
    }
}
