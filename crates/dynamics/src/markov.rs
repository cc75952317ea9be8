//! Stationary distributions of small dense Markov chains.

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

#[cfg(test)]
mod tests {
    use super::*;

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
