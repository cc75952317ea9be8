//! Compositions of a population (or a group) into strategy counts.
//!
//! A state of a finite population of `total` individuals playing `parts`
//! strategies is a composition `k = (k_1, …, k_n)` with `Σ k_i = total`. There
//! are `C(total + parts − 1, parts − 1)` of them.
//!
//! Ordering convention (the same as EGTtools' `sample_simplex` and
//! `calculate_state`): compositions are numbered in *descending*
//! lexicographic order, so index 0 is `(total, 0, …, 0)` and the last index is
//! `(0, …, 0, total)`. Keeping EGTtools' order lets a stationary distribution
//! over states be compared entry by entry.

/// Exact binomial coefficient `C(n, k)`, or `None` when it overflows `u64`.
pub fn binomial_u64(n: u64, k: u64) -> Option<u64> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut result: u128 = 1;
    for i in 0..k {
        // result * (n - i) / (i + 1) stays an integer at every step.
        result = result.checked_mul(u128::from(n - i))? / u128::from(i + 1);
        if result > u128::from(u64::MAX) {
            return None;
        }
    }
    u64::try_from(result).ok()
}

/// Binomial coefficient as `f64`, accurate to a few ulps for the sizes used
/// here (populations up to millions, groups up to hundreds).
pub fn binomial_f64(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    let mut result = 1.0_f64;
    for i in 0..k {
        result = result * (n - i) as f64 / (i + 1) as f64;
    }
    result
}

/// Number of compositions of `total` into `parts` non-negative parts,
/// `C(total + parts − 1, parts − 1)`, or `None` if it does not fit in `usize`.
pub fn checked_count(total: usize, parts: usize) -> Option<usize> {
    assert!(parts >= 1, "a composition needs at least one part");
    let n = binomial_u64((total + parts - 1) as u64, (parts - 1) as u64)?;
    usize::try_from(n).ok()
}

/// Number of compositions of `total` into `parts` non-negative parts.
///
/// Panics if the count does not fit in `usize`; callers facing user-sized
/// populations use [`checked_count`].
pub fn count(total: usize, parts: usize) -> usize {
    checked_count(total, parts).expect("number of compositions overflows usize")
}

/// Index of `composition` in the descending-lexicographic order.
pub fn rank(composition: &[usize]) -> usize {
    let parts = composition.len();
    let mut remaining: usize = composition.iter().sum();
    let mut index = 0;
    for (position, &value) in composition.iter().enumerate().take(parts.saturating_sub(1)) {
        debug_assert!(value <= remaining);
        let later_parts = parts - position - 1;
        if value < remaining {
            // Compositions whose entry at `position` is larger than `value`
            // (all later entries free) come first; hockey-stick identity.
            index += count(remaining - value - 1, later_parts + 1);
        }
        remaining -= value;
    }
    index
}

/// The composition at `index` in the descending-lexicographic order.
pub fn unrank(mut index: usize, total: usize, parts: usize) -> Vec<usize> {
    assert!(
        index < count(total, parts),
        "composition index out of range"
    );
    let mut composition = vec![0; parts];
    let mut remaining = total;
    for (position, slot) in composition.iter_mut().enumerate().take(parts - 1) {
        let later_parts = parts - position - 1;
        // Values remaining, remaining − 1, …, remaining − m together cover
        // C(m + later_parts, later_parts) states (hockey stick): find the
        // smallest m whose block contains `index` by binary search.
        let covered = |m: usize| count(m, later_parts + 1);
        let (mut lo, mut hi) = (0, remaining);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if covered(mid) > index {
                hi = mid
            } else {
                lo = mid + 1
            }
        }
        if lo > 0 {
            index -= covered(lo - 1);
        }
        *slot = remaining - lo;
        remaining -= *slot;
    }
    composition[parts - 1] = remaining;
    composition
}

/// Iterator over all compositions of `total` into `parts`, in index order.
pub fn all(total: usize, parts: usize) -> Compositions {
    let mut first = vec![0; parts];
    first[0] = total;
    Compositions { next: Some(first) }
}

/// Iterator returned by [`all`].
#[derive(Debug, Clone)]
pub struct Compositions {
    next: Option<Vec<usize>>,
}

impl Iterator for Compositions {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let current = self.next.take()?;
        let parts = current.len();
        // Successor in descending-lexicographic order: find the last position
        // before the final part that can give one unit to the suffix.
        let mut successor = current.clone();
        let pivot = (0..parts.saturating_sub(1))
            .rev()
            .find(|&p| successor[p] > 0);
        if let Some(p) = pivot {
            successor[p] -= 1;
            let suffix: usize = successor[p + 1..].iter().sum::<usize>() + 1;
            for v in &mut successor[p + 1..] {
                *v = 0;
            }
            successor[p + 1] = suffix;
            self.next = Some(successor);
        }
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn order_matches_egttools_sample_simplex() {
        // egttools.sample_simplex(i, 3, 3) for i = 0..10 (egttools 0.1.14.2).
        let expected = [
            [3, 0, 0],
            [2, 1, 0],
            [2, 0, 1],
            [1, 2, 0],
            [1, 1, 1],
            [1, 0, 2],
            [0, 3, 0],
            [0, 2, 1],
            [0, 1, 2],
            [0, 0, 3],
        ];
        let listed: Vec<Vec<usize>> = all(3, 3).collect();
        assert_eq!(listed.len(), count(3, 3));
        for (index, composition) in expected.iter().enumerate() {
            assert_eq!(listed[index], composition.to_vec());
            assert_eq!(rank(composition), index);
            assert_eq!(unrank(index, 3, 3), composition.to_vec());
        }
    }

    #[test]
    fn counts() {
        assert_eq!(count(1000, 3), 501_501);
        assert_eq!(count(100, 2), 101);
        assert_eq!(count(7, 1), 1);
        assert_eq!(binomial_u64(60, 30), Some(118_264_581_564_861_424));
        assert_eq!(binomial_f64(10, 3), 120.0);
    }

    proptest! {
        #[test]
        fn rank_and_unrank_are_inverse(total in 0usize..40, parts in 1usize..6, seed in 0usize..1_000_000) {
            let n = count(total, parts);
            let index = seed % n;
            let composition = unrank(index, total, parts);
            prop_assert_eq!(composition.iter().sum::<usize>(), total);
            prop_assert_eq!(rank(&composition), index);
        }

        #[test]
        fn iterator_enumerates_in_rank_order(total in 0usize..12, parts in 1usize..5) {
            let mut seen = 0;
            for (index, composition) in all(total, parts).enumerate() {
                prop_assert_eq!(rank(&composition), index);
                seen += 1;
            }
            prop_assert_eq!(seen, count(total, parts));
        }
    }
}
