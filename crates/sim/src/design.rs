//! Designs of experiments beyond full grids: Latin hypercube samples, the
//! Sobol' low-discrepancy sequence, and Saltelli's cross-sampling scheme for
//! variance-based sensitivity analysis ([`crate::sensitivity`]). Every design
//! lives in the unit cube `[0, 1)^d`; [`Range`] maps a coordinate onto a
//! parameter's range.
//!
//! - **Latin hypercube** (McKay, Beckman & Conover 1979): with `n` points each
//!   dimension is cut into `n` equal strata and every stratum is used exactly
//!   once, `x_{k,j} = (π_j(k) + U_{k,j}) / n`, with `π_j` an independent random
//!   permutation of `0..n` per dimension (Fisher–Yates) and `U` uniform on
//!   `[0, 1)`. Reproducible from a seed: the generator is stream
//!   [`DESIGN_STREAM`] of the master seed ([`accord_seed::run_rng`]), apart from
//!   the runs' streams `0, 1, …`.
//! - **Sobol' sequence** (Sobol' 1967), in Gray-code order (Antonov & Saleev
//!   1979): point `i` is `x_i = ⊕_k g_k(i) · v_k / 2³²`, the exclusive or of the
//!   direction numbers `v_k` over the bits `g_k(i)` of the Gray code
//!   `i ⊕ (i >> 1)`, so `x_{i+1} = x_i ⊕ v_{c(i)}` with `c(i)` the position of
//!   the lowest zero bit of `i`. A dimension with primitive polynomial
//!   `x^s + a_1 x^{s−1} + … + a_{s−1} x + 1` and initial direction integers
//!   `m_1 … m_s` has `v_k = m_k · 2^{32−k}` for `k ≤ s` and
//!   `v_k = v_{k−s} ⊕ (v_{k−s} >> s) ⊕ a_1 v_{k−1} ⊕ … ⊕ a_{s−1} v_{k−s+1}`
//!   beyond (Bratley & Fox 1988). The first dimension has every `m_k = 1`;
//!   the others take Joe & Kuo's `new-joe-kuo-6.21201` table (Joe & Kuo
//!   2008), embedded for [`MAX_SOBOL_DIMENSIONS`] dimensions — the table SciPy's
//!   `qmc.Sobol` and SALib use, and the points are the same as theirs
//!   (unscrambled) bit for bit.
//! - **Saltelli's scheme** (Saltelli 2002; Saltelli et al. 2010) for `d`
//!   parameters takes `N` points of the `2d`-dimensional Sobol' sequence: the
//!   first `d` coordinates form row `i` of matrix `A`, the last `d` row `i` of
//!   `B`, and `AB_j` is `A` with column `j` taken from `B`. The model runs
//!   `N·(d + 2)` times, in SALib's order (`SALib.sample.sobol.sample` with
//!   `calc_second_order=False`, `scramble=False`): for each `i`, `A_i`,
//!   `AB_{1,i}`, …, `AB_{d,i}`, `B_i`.
//!
//! **Which Sobol' points.** The sequence is used unscrambled, so its first
//! point is the origin. Like SALib's `saltelli.sample` (the default of SALib
//! up to 1.4), the design skips the first `max(16, 2^⌈log₂ N⌉)` points: a
//! block of `2^m` consecutive points starting at a multiple of `2^m` keeps the
//! balance of the first block (a digital shift of a (t, m, s)-net), so with
//! `N` a power of two the skipped design keeps the net's balance while
//! avoiding the corner point and the repetitions of the first points
//! (Campolongo, Saltelli & Cariboni 2011, table 2). `SALib.sample.sobol.sample(
//! problem, N, calc_second_order=False, scramble=False, skip_values=skip)`
//! gives the same matrix; [`Saltelli::with_skip`] takes another skip (0 keeps
//! the origin, as Owen 2020 recommends for scrambled sequences).
//!
//! References: McKay, M. D., Beckman, R. J., & Conover, W. J. (1979). A
//! comparison of three methods for selecting values of input variables in the
//! analysis of output from a computer code. *Technometrics* 21(2), 239–245.
//! Sobol', I. M. (1967). On the distribution of points in a cube and the
//! approximate evaluation of integrals. *USSR Comput. Math. Math. Phys.* 7(4),
//! 86–112. Antonov, I. A., & Saleev, V. M. (1979). An economic method of
//! computing LPτ-sequences. *USSR Comput. Math. Math. Phys.* 19(1), 252–256.
//! Bratley, P., & Fox, B. L. (1988). Algorithm 659: Implementing Sobol's
//! quasirandom sequence generator. *ACM TOMS* 14(1), 88–100. Joe, S., & Kuo,
//! F. Y. (2008). Constructing Sobol sequences with better two-dimensional
//! projections. *SIAM J. Sci. Comput.* 30(5), 2635–2654. Saltelli, A. (2002).
//! Making best use of model evaluations to compute sensitivity indices.
//! *Comput. Phys. Commun.* 145(2), 280–297. Saltelli, A., Annoni, P., Azzini,
//! I., Campolongo, F., Ratto, M., & Tarantola, S. (2010). Variance based
//! sensitivity analysis of model output. *Comput. Phys. Commun.* 181(2),
//! 259–270. Campolongo, F., Saltelli, A., & Cariboni, J. (2011). From
//! screening to quantitative sensitivity analysis. *Comput. Phys. Commun.*
//! 182(4), 978–988. Owen, A. B. (2020). On dropping the first Sobol' point.
//! arXiv:2008.08051.

mod joe_kuo;

use accord_seed::run_rng;
use rand::{Rng, RngExt};
use serde::Serialize;

/// Random stream of design generators under the master seed (apart from the
/// runs' streams `0, 1, …` and the robustness sampler's `u64::MAX − 1`).
pub const DESIGN_STREAM: u64 = u64::MAX - 2;
/// Dimensions of the Sobol' sequence with embedded direction numbers.
pub const MAX_SOBOL_DIMENSIONS: usize = 64;
/// Most parameters of a Saltelli design (it uses two Sobol' dimensions each).
pub const MAX_SALTELLI_PARAMETERS: usize = MAX_SOBOL_DIMENSIONS / 2;
/// Bits of every Sobol' coordinate.
const BITS: usize = 32;
/// 2⁻³², the weight of a coordinate's lowest bit.
const UNIT: f64 = 1.0 / 4_294_967_296.0;

/// Why a design cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesignError {
    /// More dimensions than the embedded direction numbers cover.
    #[error(
        "the Sobol' sequence here has direction numbers for {MAX_SOBOL_DIMENSIONS} dimensions, not {0} (a Saltelli design takes two per parameter, so at most {MAX_SALTELLI_PARAMETERS} parameters)"
    )]
    TooManyDimensions(usize),
    /// No parameters to vary.
    #[error("a design needs at least one parameter")]
    NoParameters,
    /// Fewer base samples than the estimators need.
    #[error("{0} base samples: the estimators and their bootstrap need at least 2")]
    TooFewSamples(usize),
    /// Past the last point the 32-bit sequence has.
    #[error("Sobol' points {skip} to {end} are past the sequence's 2³² points")]
    PastTheEnd {
        /// Points skipped.
        skip: u64,
        /// One past the last point needed.
        end: u64,
    },
}

/// `points` points of a Latin hypercube in `[0, 1)^dimensions`, one row per
/// point. Per dimension, the strata are shuffled and then a uniform offset is
/// drawn for each point, in point order.
pub fn latin_hypercube<R: Rng + ?Sized>(
    points: usize,
    dimensions: usize,
    rng: &mut R,
) -> Vec<Vec<f64>> {
    let mut rows = vec![Vec::with_capacity(dimensions); points];
    let bound = u32::try_from(points).expect("fewer than 2³² points");
    let mut strata: Vec<u32> = Vec::with_capacity(points);
    for _ in 0..dimensions {
        strata.clear();
        strata.extend(0..bound);
        // Fisher–Yates.
        for i in (1..strata.len()).rev() {
            let j = rng.random_range(0..=i as u32) as usize;
            strata.swap(i, j);
        }
        for (row, &stratum) in rows.iter_mut().zip(&strata) {
            let u: f64 = rng.random();
            // (n − 1 + u)/n can round up to 1; keep every point inside its cube.
            row.push(((f64::from(stratum) + u) / points as f64).min(BELOW_ONE));
        }
    }
    rows
}

/// The largest double below 1.
const BELOW_ONE: f64 = 1.0 - f64::EPSILON / 2.0;

/// [`latin_hypercube`] drawn from stream [`DESIGN_STREAM`] of `seed`.
pub fn latin_hypercube_seeded(points: usize, dimensions: usize, seed: u64) -> Vec<Vec<f64>> {
    latin_hypercube(points, dimensions, &mut run_rng(seed, DESIGN_STREAM))
}

/// The unscrambled Sobol' sequence in Gray-code order, from point 0 (the
/// origin) on; an iterator over points in `[0, 1)^d`.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    /// `v_k` for k = 1 … 32, per dimension.
    directions: Vec<[u32; BITS]>,
    /// The next point, as 32-bit integers.
    state: Vec<u32>,
    /// Index of the next point.
    index: u64,
}

impl SobolSequence {
    /// The sequence in `dimensions` dimensions (1 to [`MAX_SOBOL_DIMENSIONS`]).
    pub fn new(dimensions: usize) -> Result<Self, DesignError> {
        if dimensions == 0 {
            return Err(DesignError::NoParameters);
        }
        if dimensions > MAX_SOBOL_DIMENSIONS {
            return Err(DesignError::TooManyDimensions(dimensions));
        }
        let mut directions = vec![std::array::from_fn(|k| 1u32 << (BITS - 1 - k))];
        for &(_, a, m) in &joe_kuo::NEW_JOE_KUO_6_21201[..dimensions - 1] {
            directions.push(direction_numbers(a, m));
        }
        Ok(Self {
            state: vec![0; dimensions],
            directions,
            index: 0,
        })
    }

    /// Dimensions of every point.
    pub fn dimensions(&self) -> usize {
        self.directions.len()
    }

    /// Index of the point [`Iterator::next`] returns.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Moves to point `index` (below 2³²).
    pub fn seek(&mut self, index: u64) {
        assert!(index < 1 << BITS, "the sequence has 2³² points");
        let gray = index ^ (index >> 1);
        for (x, v) in self.state.iter_mut().zip(&self.directions) {
            *x = (0..BITS)
                .filter(|k| gray & (1 << k) != 0)
                .fold(0, |x, k| x ^ v[k]);
        }
        self.index = index;
    }
}

impl Iterator for SobolSequence {
    type Item = Vec<f64>;

    fn next(&mut self) -> Option<Vec<f64>> {
        if self.index >= 1 << BITS {
            return None;
        }
        let point = self.state.iter().map(|&x| f64::from(x) * UNIT).collect();
        // Gray-code step: flip the direction number of the lowest zero bit.
        let c = self.index.trailing_ones() as usize;
        if c < BITS {
            for (x, v) in self.state.iter_mut().zip(&self.directions) {
                *x ^= v[c];
            }
        }
        self.index += 1;
        Some(point)
    }
}

/// `v_1 … v_32` of a dimension from its table row (Bratley & Fox 1988).
fn direction_numbers(a: u32, m: &[u32]) -> [u32; BITS] {
    let s = m.len();
    let mut v = [0u32; BITS];
    for k in 0..BITS {
        v[k] = if k < s {
            m[k] << (BITS - 1 - k)
        } else {
            let mut value = v[k - s] ^ (v[k - s] >> s);
            for i in 1..s {
                if (a >> (s - 1 - i)) & 1 == 1 {
                    value ^= v[k - i];
                }
            }
            value
        };
    }
    v
}

/// Which matrix of Saltelli's scheme a design row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A row of `A`.
    A,
    /// A row of `AB_j`: `A` with column `j` (0-based) from `B`.
    AB(usize),
    /// A row of `B`.
    B,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Role::A => write!(f, "A"),
            Role::AB(j) => write!(f, "AB{}", j + 1),
            Role::B => write!(f, "B"),
        }
    }
}

/// Saltelli's cross-sampling design on Sobol' points, for first-order and
/// total Sobol' indices ([`crate::sensitivity::sobol_indices`]).
#[derive(Debug, Clone)]
pub struct Saltelli {
    parameters: usize,
    base_samples: usize,
    skip: u64,
    points: Vec<Vec<f64>>,
}

impl Saltelli {
    /// `base_samples` (N) rows of `A` and `B` for `parameters` (d)
    /// parameters, skipping the first [`Saltelli::default_skip`] Sobol' points.
    pub fn new(parameters: usize, base_samples: usize) -> Result<Self, DesignError> {
        Self::with_skip(parameters, base_samples, Self::default_skip(base_samples))
    }

    /// SALib's `saltelli.sample` default: `max(16, 2^⌈log₂ N⌉)` points.
    pub fn default_skip(base_samples: usize) -> u64 {
        (base_samples as u64).next_power_of_two().max(16)
    }

    /// The design from Sobol' point `skip` on.
    pub fn with_skip(
        parameters: usize,
        base_samples: usize,
        skip: u64,
    ) -> Result<Self, DesignError> {
        if parameters > MAX_SALTELLI_PARAMETERS {
            return Err(DesignError::TooManyDimensions(2 * parameters));
        }
        if base_samples < 2 {
            return Err(DesignError::TooFewSamples(base_samples));
        }
        let end = skip.saturating_add(base_samples as u64);
        if end > 1 << BITS {
            return Err(DesignError::PastTheEnd { skip, end });
        }
        let mut sequence = SobolSequence::new(2 * parameters)?;
        sequence.seek(skip);
        let mut points = Vec::with_capacity(base_samples * (parameters + 2));
        for base in sequence.take(base_samples) {
            let (a, b) = base.split_at(parameters);
            points.push(a.to_vec());
            for j in 0..parameters {
                let mut ab = a.to_vec();
                ab[j] = b[j];
                points.push(ab);
            }
            points.push(b.to_vec());
        }
        Ok(Self {
            parameters,
            base_samples,
            skip,
            points,
        })
    }

    /// Parameters varied (d).
    pub fn parameters(&self) -> usize {
        self.parameters
    }

    /// Rows of `A` and of `B` (N).
    pub fn base_samples(&self) -> usize {
        self.base_samples
    }

    /// Sobol' points skipped before the first row.
    pub fn skip(&self) -> u64 {
        self.skip
    }

    /// The `N·(d + 2)` points in `[0, 1)^d`, in SALib's order.
    pub fn points(&self) -> &[Vec<f64>] {
        &self.points
    }

    /// The matrix row `row` of [`Saltelli::points`] belongs to.
    pub fn role(&self, row: usize) -> Role {
        match row % (self.parameters + 2) {
            0 => Role::A,
            j if j == self.parameters + 1 => Role::B,
            j => Role::AB(j - 1),
        }
    }
}

/// A parameter's range: where a unit coordinate lands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Whole numbers only (an integer field).
    pub whole: bool,
}

impl Range {
    /// The value at unit coordinate `u ∈ [0, 1)`: `low + u·(high − low)`, or
    /// for whole numbers each whole value in `[low, high]` on an equal share
    /// of the unit interval (a discrete uniform, rather than rounding, which
    /// would give the two ends half the weight of the others).
    pub fn at(&self, u: f64) -> f64 {
        if self.whole {
            let (low, high) = (self.low.ceil(), self.high.floor());
            (low + (u * (high - low + 1.0)).floor()).min(high)
        } else {
            self.low + u * (self.high - self.low)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_dimensions_in_order() {
        for (i, &(d, a, m)) in joe_kuo::NEW_JOE_KUO_6_21201.iter().enumerate() {
            assert_eq!(d, i + 2);
            assert!(a < 1 << (m.len() - 1), "dimension {d}");
            // Initial direction integers are odd and below 2^k.
            for (k, &mk) in m.iter().enumerate() {
                assert!(mk % 2 == 1 && mk < 1 << (k + 1), "dimension {d}");
            }
        }
    }

    #[test]
    fn the_first_points_are_the_textbook_ones() {
        // Dimensions 1–3 of the first eight points (Joe & Kuo 2008; SciPy's `qmc.Sobol`).
        let points: Vec<Vec<f64>> = SobolSequence::new(3).unwrap().take(8).collect();
        let expected = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
            [0.625, 0.125, 0.875],
            [0.125, 0.625, 0.375],
        ];
        for (point, row) in points.iter().zip(expected) {
            assert_eq!(point.as_slice(), row.as_slice());
        }
    }

    #[test]
    fn seeking_matches_stepping() {
        let stepped: Vec<Vec<f64>> = SobolSequence::new(7).unwrap().take(300).collect();
        let mut sequence = SobolSequence::new(7).unwrap();
        for index in [0, 1, 2, 37, 128, 255, 299] {
            sequence.seek(index);
            assert_eq!(sequence.next().unwrap(), stepped[index as usize]);
        }
    }

    #[test]
    fn saltelli_rows_cross_a_and_b() {
        let design = Saltelli::new(3, 8).unwrap();
        assert_eq!(design.skip(), 16);
        assert_eq!(design.points().len(), 8 * 5);
        for block in design.points().chunks(5) {
            let (a, b) = (&block[0], &block[4]);
            for j in 0..3 {
                let ab = &block[1 + j];
                for k in 0..3 {
                    assert_eq!(ab[k], if k == j { b[k] } else { a[k] });
                }
            }
        }
        assert_eq!(design.role(0), Role::A);
        assert_eq!(design.role(7), Role::AB(1));
        assert_eq!(design.role(9), Role::B);
        assert_eq!(Role::AB(1).to_string(), "AB2");
        assert_eq!(
            Saltelli::new(33, 8).unwrap_err(),
            DesignError::TooManyDimensions(66)
        );
        assert_eq!(
            Saltelli::new(2, 1).unwrap_err(),
            DesignError::TooFewSamples(1)
        );
    }

    #[test]
    fn whole_ranges_give_each_value_an_equal_share() {
        let range = Range {
            low: 1.0,
            high: 3.0,
            whole: true,
        };
        let values: Vec<f64> = (0..6).map(|k| range.at(f64::from(k) / 6.0)).collect();
        assert_eq!(values, [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
        assert_eq!(range.at(BELOW_ONE), 3.0);
        let continuous = Range {
            whole: false,
            ..range
        };
        assert_eq!(continuous.at(0.25), 1.5);
    }
}
