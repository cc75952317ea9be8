//! Stationary distributions of small dense Markov chains.

use crate::fixation::log_sum_exp;

/// Stationary distribution `π` (with `π T = π`, `Σ π = 1`) of an irreducible
/// row-stochastic matrix `transition` given as rows, by the
/// Grassmann–Taksar–Heyman state-reduction algorithm (Grassmann, Taksar,
/// Heyman, Operations Research 33, 1985).
///
/// GTH never subtracts: each diagonal is recomputed as the sum of the
/// off-diagonal mass, so probabilities spanning hundreds of orders of
/// magnitude keep full relative accuracy. It costs `O(n³)` and is meant for
/// the small chains of the small-mutation limit; large chains use the sparse
/// solver.
pub fn stationary_distribution_gth(transition: &[Vec<f64>]) -> Vec<f64> {
    let n = transition.len();
    assert!(n >= 1, "empty chain");
    assert!(
        transition.iter().all(|row| row.len() == n),
        "transition matrix must be square"
    );
    let mut p: Vec<Vec<f64>> = transition.to_vec();
    // Reduce states n−1 … 1; after eliminating k, rows/columns < k describe
    // the chain censored on {0, …, k−1}.
    for k in (1..n).rev() {
        let leave: f64 = p[k][..k].iter().sum();
        if leave <= 0.0 {
            // State k cannot reach the remaining states: its mass stays where it is.
            continue;
        }
        let (kept, eliminated) = p.split_at_mut(k);
        let row_k = &eliminated[0][..k];
        for row in kept.iter_mut() {
            let into_k = row[k] / leave;
            if into_k == 0.0 {
                continue;
            }
            for (target, &via) in row[..k].iter_mut().zip(row_k) {
                *target += into_k * via;
            }
        }
    }
    let mut pi = vec![0.0; n];
    pi[0] = 1.0;
    for k in 1..n {
        let leave: f64 = p[k][..k].iter().sum();
        let inflow: f64 = (0..k).map(|i| pi[i] * p[i][k]).sum();
        pi[k] = if leave > 0.0 { inflow / leave } else { 0.0 };
    }
    let total: f64 = pi.iter().sum();
    pi.iter().map(|x| x / total).collect()
}

/// Natural logs of the stationary distribution of an irreducible chain
/// given by the logs of its off-diagonal transition probabilities
/// (`log_transition[from][to]`, `-∞` for an impossible move; the diagonal is
/// ignored, as GTH never needs it).
///
/// The same state reduction as [`stationary_distribution_gth`], carried out on
/// logarithms with `ln(eᵃ + eᵇ)` in place of sums, so transitions of
/// `e^-10000` and `e^-1` in one chain keep their full relative accuracy
/// (linear GTH would store the first as 0 and could find the chain
/// reducible). The result is normalised: `logsumexp(ln π) = 0`.
pub fn log_stationary_distribution_gth(log_transition: &[Vec<f64>]) -> Vec<f64> {
    let n = log_transition.len();
    assert!(n >= 1, "empty chain");
    assert!(
        log_transition.iter().all(|row| row.len() == n),
        "transition matrix must be square"
    );
    let mut l: Vec<Vec<f64>> = log_transition.to_vec();
    for (i, row) in l.iter_mut().enumerate() {
        row[i] = f64::NEG_INFINITY;
    }
    for k in (1..n).rev() {
        let leave = log_sum_exp(&l[k][..k]);
        if leave == f64::NEG_INFINITY {
            continue;
        }
        let (kept, eliminated) = l.split_at_mut(k);
        let row_k = &eliminated[0][..k];
        for (i, row) in kept.iter_mut().enumerate() {
            let into_k = row[k] - leave;
            if into_k == f64::NEG_INFINITY {
                continue;
            }
            for (j, (target, &via)) in row[..k].iter_mut().zip(row_k).enumerate() {
                if j != i {
                    *target = log_add_exp(*target, into_k + via);
                }
            }
        }
    }
    let mut log_pi = vec![f64::NEG_INFINITY; n];
    log_pi[0] = 0.0;
    for k in 1..n {
        let leave = log_sum_exp(&l[k][..k]);
        let inflow: Vec<f64> = (0..k).map(|i| log_pi[i] + l[i][k]).collect();
        if leave > f64::NEG_INFINITY {
            log_pi[k] = log_sum_exp(&inflow) - leave;
        }
    }
    let total = log_sum_exp(&log_pi);
    log_pi.iter().map(|x| x - total).collect()
}

/// `ln(eᵃ + eᵇ)` without overflow.
fn log_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    if low == f64::NEG_INFINITY {
        return high;
    }
    high + (low - high).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_gth_agrees_with_linear_gth() {
        let t = vec![
            vec![0.5, 0.3, 0.2],
            vec![0.1, 0.6, 0.3],
            vec![0.4, 0.4, 0.2],
        ];
        let logs: Vec<Vec<f64>> = t
            .iter()
            .map(|r| r.iter().map(|p: &f64| p.ln()).collect())
            .collect();
        let linear = stationary_distribution_gth(&t);
        for (l, p) in log_stationary_distribution_gth(&logs).iter().zip(&linear) {
            assert!((l.exp() - p).abs() < 1e-15);
        }
    }

    #[test]
    fn log_gth_is_exact_beyond_underflow() {
        // Birth–death chain π ∝ (1, 2e, 2e²) with ln e = −2000: linear GTH
        // would see every upward move as 0.
        let ln_e = -2000.0;
        let half = 0.5f64.ln();
        let n = f64::NEG_INFINITY;
        let logs = vec![
            vec![0.0, ln_e, n],
            vec![half, 0.0, half + ln_e],
            vec![n, half, 0.0],
        ];
        let log_pi = log_stationary_distribution_gth(&logs);
        assert!((log_pi[0]).abs() < 1e-12);
        assert!((log_pi[1] - (2f64.ln() + ln_e)).abs() < 1e-9);
        assert!((log_pi[2] - (2f64.ln() + 2.0 * ln_e)).abs() < 1e-9);
    }

    #[test]
    fn two_state_chain() {
        let pi = stationary_distribution_gth(&[vec![0.9, 0.1], vec![0.3, 0.7]]);
        assert!((pi[0] - 0.75).abs() < 1e-15);
        assert!((pi[1] - 0.25).abs() < 1e-15);
    }

    #[test]
    fn tiny_probabilities_keep_relative_accuracy() {
        // Birth–death chain with ratio 1e-100 per step: π ∝ (1, 1e-100, 1e-200).
        let e = 1e-100;
        let t = vec![
            vec![1.0 - e, e, 0.0],
            vec![0.5, 0.5 - 0.5 * e, 0.5 * e],
            vec![0.0, 0.5, 0.5],
        ];
        let pi = stationary_distribution_gth(&t);
        assert!((pi[1] / pi[0] / (2.0 * e) - 1.0).abs() < 1e-12);
        assert!((pi[2] / pi[1] / e - 1.0).abs() < 1e-12);
    }
}
