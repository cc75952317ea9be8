//! The bunching estimator: excess mass just below a threshold.
//!
//! Sources: R. Chetty, J. N. Friedman, T. Olsen, L. Pistaferri, "Adjustment
//! costs, firm responses, and micro vs. macro labor supply elasticities",
//! QJE 126(2) 2011; H. J. Kleven, "Bunching", Annual Review of Economics 8,
//! 2016 (and Kleven & Waseem, QJE 2013, for thresholds that create notches).
//!
//! Reported values `z` (log10 of the value for quantities spanning decades)
//! are binned in bins of width `h` relative to the threshold `τ`. A
//! polynomial of order `q` is fitted to the bin counts outside an excluded
//! window `[τ − w_below, τ + w_above)`, which is equivalent to the regression
//!
//! ```text
//! c_j = Σ_{i≤q} β_i · T_i(x_j) + Σ_{k ∈ window} γ_k · 1[j = k] + ε_j
//! ```
//!
//! (Chebyshev basis `T_i` on `x = z/range` for conditioning; the fitted space
//! is the same as with powers). The counterfactual `ĉ_j` is the polynomial
//! part. Excess mass below the threshold is `B = Σ_{window, z<τ} (c_j − ĉ_j)`,
//! missing mass above it `M = Σ_{window, z≥τ} (ĉ_j − c_j)`; the upper end of
//! the window grows bin by bin until `M ≥ B` (the integration constraint:
//! bunchers come from above the threshold). The normalised estimate is
//! `b̂ = B / mean_{window, z<τ}(ĉ_j)`, the excess in units of counterfactual
//! bins. Its interval comes from a Poisson bootstrap of the reports: every
//! bin's count is redrawn as `c_j* ~ Poisson(c_j)` and the whole estimate,
//! window search included, is recomputed (in the point estimate's unit of
//! counterfactual bins); the 2.5% and 97.5% quantiles bound it. Each bin thus keeps its own noise: counts near a peak vary more than in
//! the tails, which a residual bootstrap (residuals of all bins pooled, as in
//! Chetty et al.) spreads evenly, so its intervals came out about half as wide
//! as the estimate's real spread (coverage 65–80% where 95% was claimed; an
//! outside review found it, and `tests/bunching_coverage.rs` measures it).
//! The bootstrap is deterministic: its generator is seeded from the data.

use crate::spec::BunchingSpec;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Binned reports around a threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    /// Threshold, in the original unit.
    threshold: f64,
    /// Bins are on log10 of the values.
    log_scale: bool,
    /// Bin width.
    bin_width: f64,
    /// Bins on each side of the threshold.
    half_bins: usize,
    /// Counts of bins `−half_bins … half_bins − 1` (bin `i` covers `[i·h, (i+1)·h)` from the threshold).
    counts: Vec<u64>,
    /// Reports received, in range or not.
    reports: u64,
}

impl Histogram {
    /// An empty histogram for a threshold and detector settings.
    pub fn new(threshold: f64, log_scale: bool, spec: &BunchingSpec) -> Self {
        let half_bins = (spec.fit_range / spec.bin_width).ceil().max(1.0) as usize;
        Self {
            threshold,
            log_scale,
            bin_width: spec.bin_width,
            half_bins,
            counts: vec![0; 2 * half_bins],
            reports: 0,
        }
    }

    /// A histogram of `values`.
    pub fn from_values(
        threshold: f64,
        log_scale: bool,
        spec: &BunchingSpec,
        values: impl IntoIterator<Item = f64>,
    ) -> Self {
        let mut histogram = Self::new(threshold, log_scale, spec);
        for value in values {
            histogram.add(value);
        }
        histogram
    }

    /// Adds one reported value.
    pub fn add(&mut self, value: f64) {
        self.reports += 1;
        let z = if self.log_scale {
            if value <= 0.0 {
                return;
            }
            value.log10() - self.threshold.log10()
        } else {
            value - self.threshold
        };
        let bin = (z / self.bin_width).floor();
        if bin.is_finite() && bin >= -(self.half_bins as f64) && bin < self.half_bins as f64 {
            self.counts[(bin as i64 + self.half_bins as i64) as usize] += 1;
        }
    }

    /// Reports received.
    pub fn reports(&self) -> u64 {
        self.reports
    }

    /// Reports inside the fitted range.
    pub fn in_range(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn centre(&self, index: usize) -> f64 {
        (index as f64 - self.half_bins as f64 + 0.5) * self.bin_width
    }
}

/// The estimate and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BunchingEstimate {
    /// Threshold tested.
    pub threshold: f64,
    /// Whether values were binned on log10.
    pub log_scale: bool,
    /// Bin width.
    pub bin_width: f64,
    /// Excluded window relative to the threshold, `[lower, upper)`.
    pub window: (f64, f64),
    /// `B`: reports in excess of the counterfactual below the threshold.
    pub excess_mass: f64,
    /// `M`: reports missing above the threshold.
    pub missing_mass: f64,
    /// `b̂`: excess mass in units of the average counterfactual bin.
    pub normalised_excess: f64,
    /// Bootstrap standard error of `b̂`.
    pub standard_error: f64,
    /// 95% bootstrap interval of `b̂`.
    pub interval: (f64, f64),
    /// Bootstrap replicates.
    pub replicates: u32,
    /// Reports received (in range or not).
    pub reports: u64,
    /// Reports within the fitted range.
    pub reports_in_range: u64,
    /// Bin centres relative to the threshold.
    pub bins: Vec<f64>,
    /// Observed counts.
    pub counts: Vec<f64>,
    /// Counterfactual counts.
    pub counterfactual: Vec<f64>,
}

impl BunchingEstimate {
    /// Whether the 95% interval excludes zero excess.
    pub fn significant(&self) -> bool {
        self.excess_mass > 0.0 && self.interval.0 > 0.0
    }
}

/// The excluded window and fit of the point estimate.
struct Setup {
    projections: Projections,
    counts: Vec<f64>,
    window: Window,
    fit: Fit,
}

/// The least-squares fit outside each window the search may try: the design
/// depends on the window only, so each window's QR factorization is computed
/// once and the bootstrap's fits only apply it (`O(n·terms)` each).
struct Projections {
    /// One row per bin: the polynomial's terms there.
    basis: Vec<Vec<f64>>,
    /// The window's first bin, the same in every window tried.
    lo: usize,
    /// By window `lo..hi` (indexed by `hi`): the design's factorization,
    /// `None` if too few bins lie outside the window to fit.
    by_end: Vec<std::cell::OnceCell<Option<Qr>>>,
}

impl Projections {
    fn new(basis: Vec<Vec<f64>>, lo: usize) -> Self {
        let n = basis.len();
        Self {
            basis,
            lo,
            by_end: (0..=n).map(|_| std::cell::OnceCell::new()).collect(),
        }
    }

    /// The fit outside `lo..hi`; `None` if too few bins lie outside it.
    fn fit(&self, counts: &[f64], zero: usize, hi: usize) -> Option<Fit> {
        let lo = self.lo;
        let qr = self.by_end[hi]
            .get_or_init(|| {
                let design: Vec<&[f64]> = (0..self.basis.len())
                    .filter(|&j| j < lo || j >= hi)
                    .map(|j| self.basis[j].as_slice())
                    .collect();
                (design.len() > self.basis.first()?.len())
                    .then(|| Qr::factor(&design))
                    .flatten()
            })
            .as_ref()?;
        let targets: Vec<f64> = (0..counts.len())
            .filter(|&j| j < lo || j >= hi)
            .map(|j| counts[j])
            .collect();
        let beta = qr.solve(&targets);
        let counterfactual: Vec<f64> = self
            .basis
            .iter()
            .map(|row| row.iter().zip(&beta).map(|(a, b)| a * b).sum())
            .collect();
        let excess = (lo..zero).map(|j| counts[j] - counterfactual[j]).sum();
        let missing = (zero..hi).map(|j| counterfactual[j] - counts[j]).sum();
        Some(Fit {
            lo,
            hi,
            zero,
            counterfactual,
            excess,
            missing,
        })
    }
}

/// The window's shape: bins below the threshold, and at most how many above.
#[derive(Clone, Copy)]
struct Window {
    zero: usize,
    below: usize,
    max_above: usize,
    order: usize,
}

impl Window {
    /// Widens the window above the threshold until missing mass covers the
    /// excess (the integration constraint) and returns that fit.
    fn fit(self, projections: &Projections, counts: &[f64]) -> Option<Fit> {
        debug_assert_eq!(projections.lo, self.zero - self.below);
        let mut fit = projections.fit(counts, self.zero, self.zero)?;
        while fit.hi - self.zero < self.max_above && fit.missing < fit.excess {
            // A window too wide to fit what is left ends the search there.
            match projections.fit(counts, self.zero, fit.hi + 1) {
                Some(wider) => fit = wider,
                None => break,
            }
        }
        Some(fit)
    }
}

fn point_fit(histogram: &Histogram, spec: &BunchingSpec) -> Option<Setup> {
    let h = histogram.bin_width;
    let n = histogram.counts.len();
    let zero = histogram.half_bins;
    let window = Window {
        zero,
        below: ((spec.window_below / h).round() as usize).clamp(1, zero),
        max_above: ((spec.max_window_above / h).round() as usize).min(n - zero),
        order: spec.polynomial_order as usize,
    };
    let counts: Vec<f64> = histogram.counts.iter().map(|&c| c as f64).collect();
    // The polynomial in Chebyshev form on x = z/range, for conditioning (the
    // fitted space is the same as with powers); one row per bin.
    let projections = Projections::new(
        (0..n)
            .map(|i| chebyshev(histogram.centre(i) / (zero as f64 * h), window.order))
            .collect(),
        zero - window.below,
    );
    let fit = window.fit(&projections, &counts)?;
    Some(Setup {
        projections,
        counts,
        window,
        fit,
    })
}

/// The point estimate of the excess mass `B` alone (no bootstrap): a cheap
/// screen before the full estimate.
pub fn excess_mass(histogram: &Histogram, spec: &BunchingSpec) -> Option<f64> {
    point_fit(histogram, spec).map(|s| s.fit.excess)
}

/// Estimates bunching; `None` if too few bins lie outside the window to fit
/// the polynomial.
pub fn estimate_bunching(histogram: &Histogram, spec: &BunchingSpec) -> Option<BunchingEstimate> {
    let h = histogram.bin_width;
    let n = histogram.counts.len();
    let zero = histogram.half_bins;
    let Setup {
        projections,
        counts,
        window,
        fit,
    } = point_fit(histogram, spec)?;
    let (below, above) = (zero - fit.lo, fit.hi - zero);
    // Replicates keep the point estimate's unit: where few reports lie
    // near the threshold a replicate's own counterfactual can come out near
    // zero and its ratio without bound.
    let unit = fit.counterfactual_bin();
    let point = fit.excess / unit;
    let mut rng = ChaCha8Rng::seed_from_u64(seed(histogram, spec));
    let replicates = spec.bootstrap_replicates;
    let mut draws = Vec::with_capacity(replicates as usize);
    let mut sample = vec![0.0; n];
    for _ in 0..replicates {
        for (s, &c) in sample.iter_mut().zip(&counts) {
            *s = poisson(&mut rng, c);
        }
        if let Some(replicate) = window.fit(&projections, &sample) {
            draws.push(replicate.excess / unit);
        }
    }
    if draws.is_empty() {
        return None;
    }
    draws.sort_by(f64::total_cmp);
    let quantile =
        |q: f64| draws[((q * (draws.len() - 1) as f64).round() as usize).min(draws.len() - 1)];
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    let variance =
        draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (draws.len().max(2) - 1) as f64;
    Some(BunchingEstimate {
        threshold: histogram.threshold,
        log_scale: histogram.log_scale,
        bin_width: h,
        window: (-(below as f64) * h, above as f64 * h),
        excess_mass: fit.excess,
        missing_mass: fit.missing,
        normalised_excess: point,
        standard_error: variance.sqrt(),
        interval: (quantile(0.025), quantile(0.975)),
        replicates,
        reports: histogram.reports,
        reports_in_range: histogram.in_range(),
        bins: (0..n).map(|i| histogram.centre(i)).collect(),
        counts,
        counterfactual: fit.counterfactual,
    })
}

/// A polynomial fit outside the window `[lo, hi)` of bin indices (`zero` is the first bin at or above the threshold).
struct Fit {
    lo: usize,
    hi: usize,
    zero: usize,
    counterfactual: Vec<f64>,
    excess: f64,
    missing: f64,
}

impl Fit {
    /// The average counterfactual count of the window's bins below the
    /// threshold: the unit of `b̂`.
    fn counterfactual_bin(&self) -> f64 {
        let bins = (self.zero - self.lo) as f64;
        let mean: f64 = (self.lo..self.zero)
            .map(|j| self.counterfactual[j])
            .sum::<f64>()
            / bins;
        mean.max(1e-9)
    }
}

/// Means above which a Poisson draw is taken from its normal approximation:
/// skewness `1/√mean` at most 0.0625 there, and inversion's cost grows with
/// the mean.
const POISSON_NORMAL_ABOVE: f64 = 256.0;

/// A draw from Poisson(`mean`): exact by inversion of the distribution
/// function for small means, `round(mean + √mean·Z)` (Box–Muller) above
/// [`POISSON_NORMAL_ABOVE`], where a bootstrap needs only the variance right.
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    debug_assert!(mean >= 0.0 && mean.is_finite());
    if mean > POISSON_NORMAL_ABOVE {
        let (u, v): (f64, f64) = (rng.random(), rng.random());
        let z = (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        return (mean + mean.sqrt() * z).round().max(0.0);
    }
    let target: f64 = rng.random();
    let (mut k, mut probability) = (0.0, (-mean).exp());
    let mut cumulative = probability;
    // The tail beyond mean + 40·√mean + 40 has probability below 1e-300.
    let last = mean + 40.0 * mean.sqrt() + 40.0;
    while cumulative <= target && k < last {
        k += 1.0;
        probability *= mean / k;
        cumulative += probability;
    }
    k
}

/// `T_0(x) … T_order(x)`.
fn chebyshev(x: f64, order: usize) -> Vec<f64> {
    let mut t = Vec::with_capacity(order + 1);
    t.push(1.0);
    if order >= 1 {
        t.push(x);
    }
    for k in 2..=order {
        t.push(2.0 * x * t[k - 1] - t[k - 2]);
    }
    t
}

/// A Householder QR factorization of a tall design `A`, kept to solve
/// `min ‖A·β − y‖` for many `y`.
struct Qr {
    /// Rows of `A`.
    rows: usize,
    /// Householder vectors `v_k` (acting on rows `k..`) with `‖v_k‖²`.
    reflectors: Vec<(Vec<f64>, f64)>,
    /// `R`, column-major: `r[j][k]` for `k ≤ j`.
    r: Vec<Vec<f64>>,
}

impl Qr {
    /// Factors `A` (its rows given); `None` if it is rank-deficient.
    fn factor(a: &[&[f64]]) -> Option<Self> {
        let (m, n) = (a.len(), a.first()?.len());
        // Column-major copy: each Householder step works on whole columns.
        let mut columns: Vec<Vec<f64>> = (0..n)
            .map(|j| a.iter().map(|row| row[j]).collect())
            .collect();
        let mut reflectors = Vec::with_capacity(n);
        for k in 0..n {
            let pivot = &columns[k][k..m];
            let norm = pivot.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm < 1e-12 {
                return None;
            }
            let alpha = if pivot[0] > 0.0 { -norm } else { norm };
            let mut v = pivot.to_vec();
            v[0] -= alpha;
            let vnorm2: f64 = v.iter().map(|x| x * x).sum();
            for column in columns.iter_mut().skip(k) {
                reflect(&v, vnorm2, &mut column[k..m]);
            }
            reflectors.push((v, vnorm2));
        }
        if (0..n).any(|k| columns[k][k].abs() < 1e-12) {
            return None;
        }
        Some(Self {
            rows: m,
            reflectors,
            r: columns,
        })
    }

    /// The least-squares `β` for `y` (one value per row of `A`).
    fn solve(&self, y: &[f64]) -> Vec<f64> {
        assert_eq!(y.len(), self.rows, "one target per row of the design");
        let mut b = y.to_vec();
        for (k, (v, vnorm2)) in self.reflectors.iter().enumerate() {
            reflect(v, *vnorm2, &mut b[k..]);
        }
        let n = self.r.len();
        let mut beta = vec![0.0; n];
        for k in (0..n).rev() {
            let tail: f64 = (k + 1..n).map(|j| self.r[j][k] * beta[j]).sum();
            beta[k] = (b[k] - tail) / self.r[k][k];
        }
        beta
    }
}

/// Applies the Householder reflection `I − 2·v·vᵀ/‖v‖²` to `target`.
fn reflect(v: &[f64], vnorm2: f64, target: &mut [f64]) {
    if vnorm2 == 0.0 {
        return;
    }
    let dot: f64 = v.iter().zip(target.iter()).map(|(a, b)| a * b).sum();
    let factor = 2.0 * dot / vnorm2;
    for (t, vi) in target.iter_mut().zip(v) {
        *t -= factor * vi;
    }
}

/// FNV-1a over the data and settings: the bootstrap's seed.
fn seed(histogram: &Histogram, spec: &BunchingSpec) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |x: u64| {
        for byte in x.to_le_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for &c in &histogram.counts {
        feed(c);
    }
    feed(histogram.threshold.to_bits());
    feed(spec.bin_width.to_bits());
    feed(u64::from(spec.polynomial_order));
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn spec() -> BunchingSpec {
        BunchingSpec {
            bin_width: 0.1,
            window_below: 0.3,
            max_window_above: 0.8,
            fit_range: 2.0,
            polynomial_order: 7,
            bootstrap_replicates: 300,
            min_reports: 50,
        }
    }

    /// About N(24.5, 1) in log10 units, threshold τ = 10^25; a share of the
    /// reports in [τ, τ·10^0.6) is moved into the three bins just below τ.
    /// Returns the reports and how many were moved.
    fn synthetic(shift_share: f64, seed: u64) -> (Vec<f64>, usize) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let zs: Vec<f64> = (0..20_000)
            .map(|_| 24.5 + ((0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0))
            .collect();
        let mut shifter = ChaCha8Rng::seed_from_u64(seed ^ 0xabcdef);
        let mut moved = 0;
        let values = zs
            .into_iter()
            .map(|z| {
                if (25.0..25.6).contains(&z) && shifter.random::<f64>() < shift_share {
                    moved += 1;
                    10f64.powf(25.0 - 0.3 * shifter.random::<f64>())
                } else {
                    10f64.powf(z)
                }
            })
            .collect();
        (values, moved)
    }

    #[test]
    fn recovers_injected_excess_mass() {
        let (values, moved) = synthetic(0.3, 1);
        let histogram = Histogram::from_values(1e25, true, &spec(), values);
        let estimate = estimate_bunching(&histogram, &spec()).unwrap();
        assert!(
            estimate.significant(),
            "{:?}",
            (estimate.excess_mass, estimate.interval)
        );
        // True normalised excess: moved reports over the clean density of the three bins below τ.
        let (clean, _) = synthetic(0.0, 1);
        let clean = Histogram::from_values(1e25, true, &spec(), clean);
        let below = clean.half_bins - 3..clean.half_bins;
        let clean_mean: f64 = below.map(|j| clean.counts[j] as f64).sum::<f64>() / 3.0;
        let true_b = moved as f64 / clean_mean;
        assert!(
            estimate.interval.0 <= true_b && true_b <= estimate.interval.1,
            "b = {true_b} outside {:?} (point {})",
            estimate.interval,
            estimate.normalised_excess
        );
        assert!(
            (estimate.excess_mass - moved as f64).abs() < 0.25 * moved as f64,
            "B = {} vs {moved}",
            estimate.excess_mass
        );
    }

    #[test]
    fn no_bunching_at_a_placebo_threshold() {
        let (values, _) = synthetic(0.3, 2);
        // A placebo threshold whose fitted range stays clear of the real one.
        let placebo_spec = BunchingSpec {
            fit_range: 1.5,
            max_window_above: 0.6,
            ..spec()
        };
        let placebo = Histogram::from_values(10f64.powf(22.8), true, &placebo_spec, values);
        let estimate = estimate_bunching(&placebo, &placebo_spec).unwrap();
        assert!(
            !estimate.significant(),
            "{:?}",
            (estimate.normalised_excess, estimate.interval)
        );
        let clean = Histogram::from_values(1e25, true, &spec(), synthetic(0.0, 3).0);
        assert!(!estimate_bunching(&clean, &spec()).unwrap().significant());
    }

    #[test]
    fn poisson_draws_have_the_mean_as_mean_and_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for mean in [0.0, 0.5, 30.0, 255.0, 1000.0] {
            let draws: Vec<f64> = (0..40_000).map(|_| poisson(&mut rng, mean)).collect();
            let average = draws.iter().sum::<f64>() / draws.len() as f64;
            let variance =
                draws.iter().map(|d| (d - average).powi(2)).sum::<f64>() / (draws.len() - 1) as f64;
            // Four standard errors of the mean and (roughly) of the variance.
            let se = (mean / draws.len() as f64).sqrt();
            assert!(
                (average - mean).abs() <= 4.0 * se + 1e-12,
                "{mean}: {average}"
            );
            assert!(
                (variance - mean).abs() <= 4.0 * mean * (2.0 / draws.len() as f64).sqrt() + 1e-12,
                "{mean}: {variance}"
            );
        }
    }

    #[test]
    fn a_fit_range_too_short_for_the_polynomial_is_refused() {
        // Six bins a side, one below and three above excluded: eight left.
        let short = BunchingSpec {
            bin_width: 0.25,
            window_below: 0.25,
            max_window_above: 0.75,
            fit_range: 1.5,
            ..spec()
        };
        let problems = short.problems();
        assert_eq!(
            problems.first().map(|p| p.0),
            Some("polynomial_order"),
            "{problems:?}"
        );
        let lower = BunchingSpec {
            polynomial_order: 6,
            ..short
        };
        assert!(lower.problems().is_empty(), "{:?}", lower.problems());
        let estimate = estimate_bunching(
            &Histogram::from_values(1e25, true, &lower, synthetic(0.3, 5).0),
            &lower,
        )
        .unwrap();
        assert_eq!(estimate.replicates, lower.bootstrap_replicates);
    }

    #[test]
    fn estimate_is_deterministic() {
        let histogram = Histogram::from_values(1e25, true, &spec(), synthetic(0.2, 4).0);
        assert_eq!(
            estimate_bunching(&histogram, &spec()),
            estimate_bunching(&histogram, &spec())
        );
    }
}
