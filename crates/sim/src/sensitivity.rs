//! Variance-based sensitivity: first-order and total Sobol' indices from a
//! Saltelli design ([`crate::design::Saltelli`]), with bootstrap intervals.
//! The definitions are SALib's (`SALib.analyze.sobol.analyze` with
//! `calc_second_order=False`, SALib 1.6), so the numbers can be compared on
//! the same runs; `crates/sim/tests/sensitivity.rs` does, and checks them on
//! the Ishigami function against the closed form.
//!
//! For a model `f` of `d` independent inputs, the first-order index of input
//! `i` is `S_i = V[E(f | x_i)] / V(f)` and its total index is
//! `S_Ti = E[V(f | x_~i)] / V(f)` (Sobol' 1993; Homma & Saltelli 1996). From
//! the outputs of the `N·(d + 2)` runs of the design, `f(A)`, `f(B)` and
//! `f(AB_i)` for `A` with column `i` taken from `B`:
//!
//! ```text
//! y      = (f − mean(f)) / sd(f)                     over all N·(d + 2) runs
//! V      = (1/2N) Σ_j [(y(A)_j − m)² + (y(B)_j − m)²], m the mean of y(A) and y(B)
//! S_i    = (1/N) Σ_j y(B)_j · (y(AB_i)_j − y(A)_j) / V      (Saltelli et al. 2010)
//! S_Ti   = (1/2N) Σ_j (y(A)_j − y(AB_i)_j)² / V              (Jansen 1999)
//! ```
//!
//! The first step is SALib's: the first-order estimator is not invariant to
//! shifting `f`, and centring removes the bias a large mean would add. When
//! the outputs are constant (up to rounding), or those of `A` and `B` are,
//! every index is 0, as in SALib.
//!
//! **Intervals.** The `N` rows `j` are resampled with replacement, the same
//! resample for every index, and every index recomputed from the resampled
//! rows (the centred outputs stay as they are; `V` is recomputed). From `R`
//! resamples, `conf = z_{0.975} · sd` with `sd` the standard deviation (n − 1)
//! of the resampled indices is SALib's `S1_conf`/`ST_conf` (the interval
//! `estimate ± conf`), and `low`/`high` is the 95% percentile interval, the
//! `(R+1)·0.025`-th and `(R+1)·0.975`-th order statistics, as in
//! [`crate::stats`]. Both treat the rows as independent draws. The error of
//! a Sobol' design shrinks faster than a random sample's, but with few base
//! points the bootstrap can still be too narrow: an outside review found, at
//! 16 points, `S_T = 1.23 [1.06, 1.46]` for an output that depends on one
//! input only (true `S_T = 1`). Indices are not clipped to `[0, 1]`: an
//! estimate outside it says the design has too few points.
//! Resamples are drawn from stream [`BOOTSTRAP_STREAM`] of a seed.
//!
//! References: Sobol', I. M. (1993). Sensitivity estimates for nonlinear
//! mathematical models. *Math. Model. Comput. Exp.* 1(4), 407–414. Homma, T.,
//! & Saltelli, A. (1996). Importance measures in global sensitivity analysis
//! of nonlinear models. *Reliab. Eng. Syst. Saf.* 52(1), 1–17. Jansen, M. J.
//! W. (1999). Analysis of variance designs for model output. *Comput. Phys.
//! Commun.* 117(1–2), 35–43. Saltelli, A., Annoni, P., Azzini, I., Campolongo,
//! F., Ratto, M., & Tarantola, S. (2010). Variance based sensitivity analysis
//! of model output. Design and estimator for the total sensitivity index.
//! *Comput. Phys. Commun.* 181(2), 259–270. Herman, J., & Usher, W. (2017).
//! SALib: An open-source Python library for sensitivity analysis. *JOSS* 2(9),
//! 97. Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the
//! Bootstrap*. Chapman & Hall.

use crate::stats::Z_975;
use accord_seed::run_rng;
use rand::RngExt;
use serde::Serialize;

/// Random stream of the bootstrap's resamples under a seed (apart from the
/// runs' streams and [`crate::design::DESIGN_STREAM`]).
pub const BOOTSTRAP_STREAM: u64 = u64::MAX - 3;
/// Bootstrap resamples unless told otherwise.
pub const DEFAULT_RESAMPLES: usize = 1000;

/// One sensitivity index with its bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Index {
    /// The estimate.
    pub estimate: f64,
    /// SALib's half-width: `z_{0.975}` times the bootstrap standard deviation
    /// (NaN without resamples).
    pub conf: f64,
    /// Lower end of the 95% percentile bootstrap interval (NaN without resamples).
    pub low: f64,
    /// Upper end of the 95% percentile bootstrap interval (NaN without resamples).
    pub high: f64,
}

/// First-order and total Sobol' indices of every parameter, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolIndices {
    /// Rows of `A` and of `B` (N).
    pub base_samples: usize,
    /// Variance of the outputs over all `N·(d + 2)` runs.
    pub variance: f64,
    /// Bootstrap resamples behind the intervals.
    pub resamples: usize,
    /// `S_i`, Saltelli et al. (2010).
    pub first_order: Vec<Index>,
    /// `S_Ti`, Jansen (1999).
    pub total: Vec<Index>,
}

/// Why indices cannot be computed from the outputs given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    /// The outputs are not `N·(d + 2)` values with `N ≥ 2`.
    #[error(
        "{outputs} outputs for {parameters} parameters: a Saltelli design has N·(d + 2) runs with N ≥ 2"
    )]
    Shape {
        /// Outputs given.
        outputs: usize,
        /// Parameters (d).
        parameters: usize,
    },
    /// An output is NaN or infinite.
    #[error("output {row} is {value}: every run needs a finite outcome")]
    NotFinite {
        /// Its row in the design.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A resample names a row the design does not have.
    #[error("a resample names row {row} of {rows}")]
    Resample {
        /// The row named.
        row: usize,
        /// Rows of `A` (N).
        rows: usize,
    },
}

/// The indices of `parameters` parameters from the outputs of a Saltelli
/// design, in its row order ([`crate::design::Saltelli::points`]), with
/// `resamples` bootstrap resamples drawn from stream [`BOOTSTRAP_STREAM`] of `seed`.
pub fn sobol_indices(
    parameters: usize,
    outputs: &[f64],
    resamples: usize,
    seed: u64,
) -> Result<SobolIndices, SensitivityError> {
    let runs = Runs::split(parameters, outputs)?;
    let n = runs.a.len();
    let bound = u32::try_from(n).expect("fewer than 2³² base samples");
    let mut rng = run_rng(seed, BOOTSTRAP_STREAM);
    let mut rows = vec![0; n];
    let resampled = (0..resamples).map(|_| {
        for row in &mut rows {
            *row = rng.random_range(0..bound) as usize;
        }
        runs.indices(&rows)
    });
    Ok(runs.summarise(resampled.collect()))
}

/// [`sobol_indices`] with the bootstrap resamples given: each a list of `N`
/// row indices (SALib's `r[:, k]`), so the intervals can be checked against
/// another implementation on the same resamples.
pub fn sobol_indices_with_resamples(
    parameters: usize,
    outputs: &[f64],
    resamples: &[Vec<usize>],
) -> Result<SobolIndices, SensitivityError> {
    let runs = Runs::split(parameters, outputs)?;
    let n = runs.a.len();
    if let Some(&row) = resamples.iter().flatten().find(|&&row| row >= n) {
        return Err(SensitivityError::Resample { row, rows: n });
    }
    let resampled = resamples.iter().map(|rows| runs.indices(rows)).collect();
    Ok(runs.summarise(resampled))
}

/// The normalised outputs of a design, by matrix.
struct Runs {
    a: Vec<f64>,
    b: Vec<f64>,
    /// `ab[i][j]`: row `j` of `AB_i`.
    ab: Vec<Vec<f64>>,
    variance: f64,
}

/// `(S_i, S_Ti)` for every parameter.
type Estimates = (Vec<f64>, Vec<f64>);

impl Runs {
    fn split(parameters: usize, outputs: &[f64]) -> Result<Runs, SensitivityError> {
        let step = parameters + 2;
        let shape = SensitivityError::Shape {
            outputs: outputs.len(),
            parameters,
        };
        if parameters == 0 || !outputs.len().is_multiple_of(step) || outputs.len() / step < 2 {
            return Err(shape);
        }
        if let Some((row, &value)) = outputs.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SensitivityError::NotFinite { row, value });
        }
        let (low, high, size) = outputs.iter().fold(
            (f64::INFINITY, f64::NEG_INFINITY, 0.0_f64),
            |(l, h, s), &f| (l.min(f), h.max(f), s.max(f.abs())),
        );
        // Equal outputs: their mean carries rounding, and dividing that by a
        // standard deviation of rounding would make indices out of noise.
        let constant = high - low <= 4.0 * f64::EPSILON * size;
        let mean = mean(outputs.iter().copied());
        let variance = if constant {
            0.0
        } else {
            mean_of_squares(outputs.iter().copied(), mean)
        };
        let y: Vec<f64> = if constant {
            vec![0.0; outputs.len()]
        } else {
            outputs
                .iter()
                .map(|f| (f - mean) / variance.sqrt())
                .collect()
        };
        let column =
            |offset: usize| -> Vec<f64> { y.iter().skip(offset).step_by(step).copied().collect() };
        Ok(Runs {
            a: column(0),
            b: column(step - 1),
            ab: (0..parameters).map(|i| column(1 + i)).collect(),
            variance,
        })
    }

    /// The estimates on rows `rows` (with repeats) of the design.
    fn indices(&self, rows: &[usize]) -> Estimates {
        let d = self.ab.len();
        let pooled = || rows.iter().flat_map(|&j| [self.a[j], self.b[j]]);
        let (low, high) = pooled().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), y| {
            (l.min(y), h.max(y))
        });
        let variance = mean_of_squares(pooled(), mean(pooled()));
        // SALib: no spread, or no variance, gives indices of 0.
        if high - low <= f64::EPSILON || variance <= f64::EPSILON {
            return (vec![0.0; d], vec![0.0; d]);
        }
        let n = rows.len() as f64;
        self.ab
            .iter()
            .map(|ab| {
                let (mut first, mut total) = (0.0, 0.0);
                for &j in rows {
                    first += self.b[j] * (ab[j] - self.a[j]);
                    total += (self.a[j] - ab[j]).powi(2);
                }
                (first / n / variance, 0.5 * total / n / variance)
            })
            .unzip()
    }

    /// Point estimates with intervals from the resampled estimates.
    fn summarise(&self, resampled: Vec<Estimates>) -> SobolIndices {
        let all: Vec<usize> = (0..self.a.len()).collect();
        let (first, total) = self.indices(&all);
        let index = |i: usize, estimate: f64, pick: fn(&Estimates, usize) -> f64| {
            interval(estimate, resampled.iter().map(|e| pick(e, i)).collect())
        };
        SobolIndices {
            base_samples: self.a.len(),
            variance: self.variance,
            resamples: resampled.len(),
            first_order: (0..first.len())
                .map(|i| index(i, first[i], |e, i| e.0[i]))
                .collect(),
            total: (0..total.len())
                .map(|i| index(i, total[i], |e, i| e.1[i]))
                .collect(),
        }
    }
}

/// An index with its intervals from its resampled values.
fn interval(estimate: f64, mut values: Vec<f64>) -> Index {
    let r = values.len();
    if r < 2 {
        return Index {
            estimate,
            conf: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let m = mean(values.iter().copied());
    let sd = (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (r - 1) as f64).sqrt();
    values.sort_by(f64::total_cmp);
    // (R + 1)·α-th order statistic, 1-based, kept inside the resamples.
    let order = |alpha: f64| values[(((r + 1) as f64 * alpha).round() as usize).clamp(1, r) - 1];
    Index {
        estimate,
        conf: Z_975 * sd,
        low: order(0.025),
        high: order(0.975),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    sum / count as f64
}

/// Mean squared deviation from `centre` (the population variance about the mean).
fn mean_of_squares(values: impl Iterator<Item = f64>, centre: f64) -> f64 {
    mean(values.map(|v| (v - centre).powi(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs of `f` on a Saltelli design of `d` parameters.
    fn outputs(d: usize, n: usize, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        crate::design::Saltelli::new(d, n)
            .unwrap()
            .points()
            .iter()
            .map(|x| f(x))
            .collect()
    }

    #[test]
    fn shapes_and_values_are_checked() {
        let error = sobol_indices(2, &[0.0; 7], 10, 1).unwrap_err();
        assert!(matches!(error, SensitivityError::Shape { .. }), "{error}");
        assert!(sobol_indices(2, &[0.0; 4], 10, 1).is_err(), "N = 1");
        let mut y = vec![1.0; 8];
        y[5] = f64::NAN;
        let error = sobol_indices(2, &y, 10, 1).unwrap_err();
        assert!(error.to_string().contains("output 5"), "{error}");
        let error = sobol_indices_with_resamples(2, &[1.0; 8], &[vec![0, 2]]).unwrap_err();
        assert_eq!(error, SensitivityError::Resample { row: 2, rows: 2 });
    }

    #[test]
    fn constant_outputs_have_indices_of_zero() {
        let s = sobol_indices(3, &outputs(3, 16, |_| 4.2), 50, 1).unwrap();
        assert_eq!(s.variance, 0.0);
        for index in s.first_order.iter().chain(&s.total) {
            assert_eq!((index.estimate, index.conf), (0.0, 0.0));
        }
    }

    #[test]
    fn the_bootstrap_is_reproducible_and_brackets_the_estimate() {
        let y = outputs(2, 64, |x| x[0] + 2.0 * x[1] * x[1]);
        let one = sobol_indices(2, &y, 200, 9).unwrap();
        assert_eq!(one, sobol_indices(2, &y, 200, 9).unwrap());
        assert_ne!(one, sobol_indices(2, &y, 200, 10).unwrap());
        for index in one.first_order.iter().chain(&one.total) {
            assert!(index.low <= index.estimate && index.estimate <= index.high);
            assert!(index.conf > 0.0);
        }
        let none = sobol_indices(2, &y, 0, 9).unwrap();
        assert!(none.first_order[0].conf.is_nan() && none.total[1].low.is_nan());
        assert_eq!(none.first_order[0].estimate, one.first_order[0].estimate);
    }
}
