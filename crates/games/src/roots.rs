//! Roots of a continuous function of one variable by bisection, shared by
//! the models that look for equilibria as sign changes on a grid.

/// Most halvings of an interval: beyond about 60 an `f64` interval stops shrinking.
const MAX_HALVINGS: usize = 200;

/// The root of `f` in `[low, high]`, where `f(low)` and `f(high)` differ in
/// sign, to within `tolerance` (or to the precision of `f64`); a midpoint
/// where `f` is exactly 0 is returned as it is.
pub(crate) fn bisect(f: impl Fn(f64) -> f64, mut low: f64, mut high: f64, tolerance: f64) -> f64 {
    let sign_low = f(low).signum();
    for _ in 0..MAX_HALVINGS {
        if high - low <= tolerance {
            break;
        }
        let middle = (low + high) / 2.0;
        let value = f(middle);
        if value == 0.0 {
            return middle;
        }
        if value.signum() == sign_low {
            low = middle;
        } else {
            high = middle;
        }
    }
    (low + high) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_root_of_a_monotone_function() {
        let root = bisect(|x| x * x - 2.0, 1.0, 2.0, 1e-14);
        assert!((root - 2f64.sqrt()).abs() < 1e-13);
        // A decreasing function, and a tolerance below f64 precision.
        let root = bisect(|x| 0.3 - x, 0.0, 1.0, 0.0);
        assert!((root - 0.3).abs() < 1e-15);
    }
}
