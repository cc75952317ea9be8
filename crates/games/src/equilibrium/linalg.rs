//! Dense linear algebra for the tiny systems of equilibrium computation:
//! Gaussian elimination with partial pivoting (Golub & Van Loan, *Matrix
//! Computations*, 4th ed., §3.4).
//!
//! `solve(M, b)` reduces `[M | b]` to upper-triangular form, at step `k`
//! swapping in the row with the largest `|M[i][k]|` (`i ≥ k`), then
//! back-substitutes. A pivot below `SINGULAR_PIVOT · max|M|` means the system
//! is singular to working precision and no solution is returned: for the
//! indifference systems this is a degenerate support, which the callers skip.

/// Pivots smaller than this times the largest entry count as zero.
pub(crate) const SINGULAR_PIVOT: f64 = 1e-12;

/// Solves `M·z = b` for a square `size × size` row-major `matrix`, in place:
/// on success `rhs` holds `z`. Returns `false` when `M` is singular.
pub(crate) fn solve_in_place(matrix: &mut [f64], rhs: &mut [f64], size: usize) -> bool {
    debug_assert_eq!(matrix.len(), size * size);
    debug_assert_eq!(rhs.len(), size);
    let scale = matrix.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return false;
    }
    let threshold = SINGULAR_PIVOT * scale;
    for k in 0..size {
        let (pivot_row, pivot) =
            (k..size)
                .map(|i| (i, matrix[i * size + k].abs()))
                .fold(
                    (k, -1.0),
                    |best, cur| if cur.1 > best.1 { cur } else { best },
                );
        if pivot <= threshold {
            return false;
        }
        if pivot_row != k {
            for j in 0..size {
                matrix.swap(k * size + j, pivot_row * size + j);
            }
            rhs.swap(k, pivot_row);
        }
        let diagonal = matrix[k * size + k];
        for i in k + 1..size {
            let factor = matrix[i * size + k] / diagonal;
            if factor == 0.0 {
                continue;
            }
            matrix[i * size + k] = 0.0;
            for j in k + 1..size {
                matrix[i * size + j] -= factor * matrix[k * size + j];
            }
            rhs[i] -= factor * rhs[k];
        }
    }
    for k in (0..size).rev() {
        let mut value = rhs[k];
        for j in k + 1..size {
            value -= matrix[k * size + j] * rhs[j];
        }
        rhs[k] = value / matrix[k * size + k];
    }
    true
}

/// `C(n, k)`, saturating at `u128::MAX`.
pub(crate) fn binomial(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut value: u128 = 1;
    for i in 0..k {
        // value · (n − i) / (i + 1) is exact at every step (it is C(n, i + 1)).
        match value.checked_mul((n - i) as u128) {
            Some(product) => value = product / (i + 1) as u128,
            None => return u128::MAX,
        }
    }
    value
}

/// Every `k`-subset of `0..n` in lexicographic order.
pub(crate) fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut all = Vec::new();
    if k > n {
        return all;
    }
    let mut current: Vec<usize> = (0..k).collect();
    loop {
        all.push(current.clone());
        // Advance the rightmost index that can still move.
        let Some(position) = (0..k).rev().find(|&p| current[p] < n - k + p) else {
            return all;
        };
        current[position] += 1;
        for p in position + 1..k {
            current[p] = current[p - 1] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_system_that_needs_pivoting() {
        // 0·a + 1·b = 2, 1·a + 1·b = 3  →  a = 1, b = 2 (the first pivot is zero without a swap).
        let mut matrix = vec![0.0, 1.0, 1.0, 1.0];
        let mut rhs = vec![2.0, 3.0];
        assert!(solve_in_place(&mut matrix, &mut rhs, 2));
        assert_eq!(rhs, vec![1.0, 2.0]);
    }

    #[test]
    fn solves_a_3x3_system() {
        // 2a + b − c = 8, −3a − b + 2c = −11, −2a + b + 2c = −3  →  (2, 3, −1).
        let mut matrix = vec![2.0, 1.0, -1.0, -3.0, -1.0, 2.0, -2.0, 1.0, 2.0];
        let mut rhs = vec![8.0, -11.0, -3.0];
        assert!(solve_in_place(&mut matrix, &mut rhs, 3));
        for (got, want) in rhs.iter().zip([2.0, 3.0, -1.0]) {
            assert!((got - want).abs() < 1e-14);
        }
    }

    #[test]
    fn refuses_singular_systems() {
        let mut matrix = vec![1.0, 2.0, 2.0, 4.0];
        let mut rhs = vec![1.0, 2.0];
        assert!(!solve_in_place(&mut matrix, &mut rhs, 2));
        let mut zero = vec![0.0; 4];
        assert!(!solve_in_place(&mut zero, &mut [1.0, 1.0], 2));
    }

    #[test]
    fn binomials_and_subsets() {
        assert_eq!(binomial(12, 6), 924);
        assert_eq!(binomial(5, 0), 1);
        assert_eq!(binomial(3, 4), 0);
        assert_eq!(binomial(300, 150), u128::MAX);
        assert_eq!(
            subsets(4, 2),
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(subsets(3, 0), vec![Vec::<usize>::new()]);
        for n in 0..7 {
            for k in 0..=n {
                assert_eq!(subsets(n, k).len() as u128, binomial(n, k));
            }
        }
    }
}
